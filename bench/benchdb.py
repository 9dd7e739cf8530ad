"""A fresh, migrated database with one owner and one property, for the benchmarks."""

import psycopg
from psycopg import sql

from app.accounts import properties, users
from parcours import migrations


def fresh_database(settings, name: str, property_id: str, time_zone: str = "UTC") -> str:
    """Drop and recreate database `name` on the configured server; returns its conninfo."""
    with psycopg.connect(settings.admin_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = settings.admin_conninfo(name)
    with psycopg.connect(url, autocommit=True) as conn:
        migrations.migrate(conn, settings.rollup_engine)
        owner = users.add(conn, "bench@parcours.local", "bench password 1234")
        properties.add(conn, owner, "Bench", ["example.com"], time_zone, property_id=property_id)
    return url
