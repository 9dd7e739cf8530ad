"""The site a command names with --site, looked up once for every command that takes one."""

from __future__ import annotations

import psycopg

from parcours import queries
from parcours.errors import ParcoursError


def named(conn: psycopg.Connection, site: str) -> tuple:
    """(owner_id, name, domains, time_zone, visitor_id_rotation, ip_handling, retention_days),
    or a one-line error naming the command that lists sites."""
    row = conn.execute(queries.load("accounts")["property_by_id"], {"id": site}).fetchone()
    if row is None:
        raise ParcoursError(f"no site {site!r}; see parcours property list")
    return row
