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


# Mirror the checks on accounts.properties (sql/schema/01_accounts.sql).
ROTATIONS = ("never", "daily")
IP_HANDLING = ("city", "country", "none")
RETENTION_DAYS = range(30, 36501)


def add(conn: psycopg.Connection, owner_id: int, name: str, domains: list[str], time_zone: str,
        property_id: str | None = None, **options) -> str:
    """`options`: visitor_id_rotation, ip_handling, retention_days (None: the server's) and
    not_found (the title or /path pattern of the site's error page)."""
    property_id = property_id or new_id()
    params = {"id": property_id, **_checked(owner_id, name, domains, time_zone, **options)}
    _check_domains_free(conn, params)
    try:
        conn.execute(queries.load("accounts")["add_property"], params)
    except psycopg.errors.UniqueViolation:
        raise ParcoursError(f"property {property_id} already exists") from None
    except psycopg.errors.CheckViolation as error:
        raise ParcoursError(f"invalid property: {error.diag.constraint_name}") from None
    return property_id


def update(conn: psycopg.Connection, owner_id: int, property_id: str, name: str, domains: list[str],
           time_zone: str, **options) -> None:
    params = {"id": property_id, **_checked(owner_id, name, domains, time_zone, **options)}
    _check_domains_free(conn, params)
    if conn.execute(queries.load("accounts")["update_property"], params).fetchone() is None:
        raise ParcoursError(f"no property {property_id} of this owner")


def _check_domains_free(conn: psycopg.Connection, params: dict) -> None:
    """One owner tracks a domain in one site only: two would split its visitors between them."""
    row = conn.execute(queries.load("accounts")["domain_in_use"], params).fetchone()
    if row:
        taken = sorted(set(row[1]) & set(params["domains"]))
        raise ParcoursError(f"{', '.join(taken)} is already tracked by your site {row[0]!r}")


def parse_domains(text: str) -> list[str]:
    """Domains as a person types them: separated by spaces or commas."""
    return text.replace(",", " ").split()


def _checked(owner_id: int, name: str, domains: list[str], time_zone: str, visitor_id_rotation: str = "never",
             ip_handling: str = "city", retention_days: int | None = None, not_found: str | None = None) -> dict:
    """A property's settings, validated and normalised for add_property and update_property."""
    if not name.strip():
        raise ParcoursError("give the property a name")
    if visitor_id_rotation not in ROTATIONS:
        raise ParcoursError("visitor-id rotation must be 'never' or 'daily'")
    if ip_handling not in IP_HANDLING:
        raise ParcoursError("IP handling must be 'city', 'country' or 'none'")
    if retention_days is not None and retention_days not in RETENTION_DAYS:
        raise ParcoursError("keep data for at least 30 days (or leave the server's setting)")
    if not_found is not None and not 1 <= len(not_found) <= 200:
        raise ParcoursError("the error page's title or path is at most 200 characters")
    return {"owner_id": owner_id, "name": name.strip(), "domains": list(dict.fromkeys(d.strip().lower() for d in domains if d.strip())),
            "time_zone": check_time_zone(time_zone), "visitor_id_rotation": visitor_id_rotation,
            "ip_handling": ip_handling, "retention_days": retention_days, "not_found": not_found}
