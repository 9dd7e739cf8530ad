"""Properties: the sites a user tracks, each with its own id, domains and time zone."""

from __future__ import annotations

import secrets
import string
import zoneinfo

import psycopg

from parcours import queries
from parcours.errors import ParcoursError

_ALPHABET = string.ascii_lowercase + string.digits


def new_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(10))


def check_time_zone(name: str) -> str:
    if name not in zoneinfo.available_timezones():
        raise ParcoursError(f"{name!r} is not an IANA time zone (for example Europe/Paris or Asia/Kolkata)")
    return name


# Mirrors the check on accounts.properties.visitor_id_rotation (sql/schema/0007_property_changes.sql).
ROTATIONS = ("never", "daily")


def add(conn: psycopg.Connection, owner_id: int, name: str, domains: list[str], time_zone: str,
        property_id: str | None = None, visitor_id_rotation: str = "never") -> str:
    property_id = property_id or new_id()
    params = {"id": property_id, **_checked(owner_id, name, domains, time_zone, visitor_id_rotation)}
    try:
        conn.execute(queries.load("accounts")["add_property"], params)
    except psycopg.errors.UniqueViolation:
        raise ParcoursError(f"property {property_id} already exists") from None
    except psycopg.errors.CheckViolation as error:
        raise ParcoursError(f"invalid property: {error.diag.constraint_name}") from None
    return property_id


def update(conn: psycopg.Connection, owner_id: int, property_id: str, name: str, domains: list[str],
           time_zone: str, visitor_id_rotation: str) -> None:
    params = {"id": property_id, **_checked(owner_id, name, domains, time_zone, visitor_id_rotation)}
    if conn.execute(queries.load("accounts")["update_property"], params).fetchone() is None:
        raise ParcoursError(f"no property {property_id} of this owner")


def parse_domains(text: str) -> list[str]:
    """Domains as a person types them: separated by spaces or commas."""
    return text.replace(",", " ").split()


def _checked(owner_id: int, name: str, domains: list[str], time_zone: str, visitor_id_rotation: str) -> dict:
    """A property's settings, validated and normalised for add_property and update_property."""
    if not name.strip():
        raise ParcoursError("give the property a name")
    if visitor_id_rotation not in ROTATIONS:
        raise ParcoursError("visitor-id rotation must be 'never' or 'daily'")
    return {"owner_id": owner_id, "name": name.strip(), "domains": [d.strip().lower() for d in domains if d.strip()],
            "time_zone": check_time_zone(time_zone), "visitor_id_rotation": visitor_id_rotation}
