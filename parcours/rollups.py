"""One definition per rollup, two ways to materialize it (see docs/architecture.md).

A rollup file in sql/aggregates/ holds a single SELECT over the hypertables. On the Community
edition it becomes a continuous aggregate that a refresh policy keeps current (and that serves
not-yet-materialized buckets in real time). On the Apache-2 edition it becomes a plain view (the
definition) plus an ordinary table the worker refreshes, in the transaction that loads new
events, for exactly the buckets those events touched. Reports read the same name either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
from psycopg import sql

from parcours import queries

BUCKET = timedelta(minutes=15)
READERS = ("parcours_web",)


@dataclass(frozen=True)
class Rollup:
    name: str  # schema-qualified relation name
    index: tuple[str, ...]
    select: str

    @property
    def source(self) -> str:
        return f"{self.name}__source"


def _ident(qualified: str) -> sql.Identifier:
    return sql.Identifier(*qualified.split("."))


def create(conn: psycopg.Connection, rollup: Rollup, engine: str) -> None:
    """Create the rollup; `conn` must be in autocommit mode (a refresh cannot run in a transaction)."""
    if engine == "continuous":
        _create_continuous(conn, rollup)
    else:
        _create_table(conn, rollup)
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in rollup.index)
    conn.execute(sql.SQL("CREATE INDEX ON {} ({})").format(_ident(rollup.name), columns))
    for role in READERS:
        conn.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(_ident(rollup.name), sql.Identifier(role)))


def _create_continuous(conn: psycopg.Connection, rollup: Rollup) -> None:
    name = _ident(rollup.name)
    conn.execute(sql.SQL(
        "CREATE MATERIALIZED VIEW {} WITH (timescaledb.continuous, timescaledb.materialized_only = false)"
        " AS {} WITH NO DATA"
    ).format(name, sql.SQL(rollup.select)))
    conn.execute(
        "SELECT add_continuous_aggregate_policy(%(name)s::regclass, start_offset => INTERVAL '3 days',"
        " end_offset => INTERVAL '15 minutes', schedule_interval => INTERVAL '1 minute')",
        {"name": rollup.name},
    )
    conn.execute("CALL refresh_continuous_aggregate(%(name)s::regclass, NULL, NULL)", {"name": rollup.name})


def _create_table(conn: psycopg.Connection, rollup: Rollup) -> None:
    name, source = _ident(rollup.name), _ident(rollup.source)
    with conn.transaction():
        conn.execute(sql.SQL("CREATE VIEW {} AS {}").format(source, sql.SQL(rollup.select)))
        conn.execute(sql.SQL("CREATE TABLE {} AS SELECT * FROM {}").format(name, source))
        conn.execute(queries.load("migrations")["record_rollup"], {"name": rollup.name, "source": rollup.source})
        conn.execute(sql.SQL("GRANT SELECT, INSERT, DELETE ON {} TO parcours_worker").format(name))
        conn.execute(sql.SQL("GRANT SELECT ON {} TO parcours_worker").format(source))


def refresh_range(conn: psycopg.Connection, start: datetime, end: datetime) -> None:
    """Recompute every table-engine rollup for the buckets overlapping [start, end].

    Runs inside the caller's transaction, so the refresh commits or rolls back with the load.
    """
    rows = conn.execute("SELECT name, source FROM parcours.rollups ORDER BY name").fetchall()
    params = {"lo": start, "hi": end + BUCKET, "width": BUCKET}
    for name, source in rows:
        bounds = sql.SQL("bucket >= time_bucket(%(width)s, %(lo)s::timestamptz)"
                         " AND bucket < time_bucket(%(width)s, %(hi)s::timestamptz)")
        conn.execute(sql.SQL("DELETE FROM {} WHERE ").format(_ident(name)) + bounds, params)
        conn.execute(sql.SQL("INSERT INTO {} SELECT * FROM {} WHERE ").format(_ident(name), _ident(source)) + bounds, params)
