"""One definition per rollup, two ways to materialize it (see docs/architecture.md).

A rollup is a single SELECT over the hypertables or a finer rollup, declared in a schema file of
its family (sql/schema/1N_<family>.sql, parcours/migrations.py). On the Community edition it
becomes a continuous aggregate that reads its materialization alone, which one TimescaleDB job
keeps current (sql/schema/90_parcours.sql). On the Apache-2 edition it becomes a plain view (the
definition) plus an ordinary table the worker refreshes, in the transaction that loads new
events, for exactly the buckets those events touched. Reports read the same name either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from parcours import queries

READERS = ("parcours_web",)


@dataclass(frozen=True)
class Rollup:
    """A rollup defined by its SELECT, or (`sums` set) by the rollup one level finer that it
    sums into wider buckets of `by` (a day, a week); `select` is then written at creation."""

    name: str  # schema-qualified relation name
    index: tuple[str, ...]
    select: str = ""
    sums: str | None = None
    by: timedelta | None = None

    @property
    def source(self) -> str:
        return f"{self.name}__source"

    @property
    def width(self) -> timedelta:
        """The bucket width: `by`, or the first time_bucket() of the SELECT."""
        if self.by:
            return self.by
        amount, unit = re.search(r"time_bucket\(INTERVAL '(\d+) (minute|day)s?'", self.select).groups()
        return timedelta(**{f"{unit}s": int(amount)})


# A rollup's counts and sums are its numeric columns; the others are its keys.
_SUMMED = ("bigint", "integer", "numeric")


def summing(conn: psycopg.Connection, rollup: Rollup) -> Rollup:
    """`rollup` with its SELECT: every key of `rollup.sums` kept, the bucket widened to `by`,
    every count and sum summed (as bigint, but for numeric sums). A wider row is thereby the
    exact sum of the finer rows of its bucket, which spans rely on (sql/schema/03_spans.sql)."""
    if not rollup.sums:
        return rollup
    columns = conn.execute(queries.load("migrations")["rollup_columns"], {"name": rollup.sums}).fetchall()
    bucket = sql.SQL("time_bucket({}, bucket)").format(sql.Literal(rollup.by))
    keys = [bucket if c == "bucket" else sql.Identifier(c) for c, t in columns if t not in _SUMMED]
    text = sql.SQL("SELECT {} FROM {} GROUP BY {}").format(
        sql.SQL(", ").join(_wider(c, t, bucket) for c, t in columns), _ident(rollup.sums), sql.SQL(", ").join(keys))
    return Rollup(rollup.name, rollup.index, text.as_string(conn), rollup.sums, rollup.by)


def _wider(column: str, type_: str, bucket: sql.Composable) -> sql.Composable:
    """A finer level's column as its wider level selects it."""
    if column == "bucket":
        return bucket + sql.SQL(" AS bucket")
    if type_ not in _SUMMED:
        return sql.Identifier(column)
    summed = "sum({0}) AS {0}" if type_ == "numeric" else "sum({0})::bigint AS {0}"
    return sql.SQL(summed).format(sql.Identifier(column))


def _ident(qualified: str) -> sql.Identifier:
    return sql.Identifier(*qualified.split("."))


def create(conn: psycopg.Connection, rollup: Rollup, engine) -> None:
    """Create the rollup as `engine` (parcours/engines.py) keeps it; `conn` must be in autocommit
    mode (a refresh cannot run in a transaction)."""
    rollup = summing(conn, rollup)
    engine.materialize(conn, rollup)
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in rollup.index)
    conn.execute(sql.SQL("CREATE INDEX ON {} ({})").format(_ident(rollup.name), columns))
    for role in READERS:
        conn.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(_ident(rollup.name), sql.Identifier(role)))


def create_continuous(conn: psycopg.Connection, rollup: Rollup) -> None:
    """A materialized-only continuous aggregate, filled now: schedule_refresh adds it to the
    job that refreshes them all."""
    name = _ident(rollup.name)
    conn.execute(sql.SQL(
        "CREATE MATERIALIZED VIEW {} WITH (timescaledb.continuous, timescaledb.materialized_only = true)"
        " AS {} WITH NO DATA"
    ).format(name, sql.SQL(rollup.select)))
    conn.execute("CALL refresh_continuous_aggregate(%(name)s::regclass, NULL, NULL)", {"name": rollup.name})


# New events must show within a minute of collection: the worker loads them within seconds,
# and the continuous engine's refresh job runs this often.
REFRESH_EVERY = timedelta(seconds=30)


def refresh_window(width: timedelta) -> timedelta:
    """How far back every refresh reaches, to pick up what changed in the recent past by any
    path: raw data must be kept longer than this."""
    return max(timedelta(days=3), 3 * width)


def create_table(conn: psycopg.Connection, rollup: Rollup) -> None:
    name, source = _ident(rollup.name), _ident(rollup.source)
    with conn.transaction():
        conn.execute(sql.SQL("CREATE VIEW {} AS {}").format(source, sql.SQL(rollup.select)))
        conn.execute(sql.SQL("CREATE TABLE {} AS SELECT * FROM {}").format(name, source))
        # A hypertable, so that a day rollup's refresh reads only the chunks of its days: the
        # planner turns time_bucket() comparisons into ranges on hypertables alone.
        conn.execute("SELECT create_hypertable(%(name)s::regclass, by_range('bucket', %(chunk)s), migrate_data => true)",
                     {"name": rollup.name, "chunk": rollup.width * 2880})
        conn.execute(queries.load("migrations")["record_rollup"],
                     {"name": rollup.name, "source": rollup.source, "width": rollup.width})
        conn.execute(sql.SQL("GRANT SELECT, INSERT, DELETE ON {} TO parcours_worker").format(name))
        conn.execute(sql.SQL("GRANT SELECT ON {} TO parcours_worker").format(source))


FINEST = timedelta(minutes=15)


def refresh_range(conn: psycopg.Connection, start: datetime, end: datetime, widths: str = "all") -> None:
    """Recompute table-engine rollups for their buckets overlapping [start, end]: `widths`
    "all", "finest" (15 minutes) or "wider" (days and weeks, built over the finest).

    Runs inside the caller's transaction, so the refresh commits or rolls back with the load.
    Rollups refresh in name order, so a day rollup follows the 15-minute one it reads.
    """
    rows = conn.execute("SELECT name, source, width FROM parcours.rollups ORDER BY name").fetchall()
    for name, source, width in rows:
        if widths != "all" and (width == FINEST) != (widths == "finest"):
            continue
        params = {"lo": start, "hi": end + width, "width": width}
        bounds = sql.SQL("bucket >= time_bucket(%(width)s, %(lo)s::timestamptz)"
                         " AND bucket < time_bucket(%(width)s, %(hi)s::timestamptz)")
        conn.execute(sql.SQL("DELETE FROM {} WHERE ").format(_ident(name)) + bounds, params)
        conn.execute(sql.SQL("INSERT INTO {} SELECT * FROM {} WHERE ").format(_ident(name), _ident(source)) + bounds, params)


def mark_stale(conn: psycopg.Connection, start: datetime, end: datetime) -> None:
    """Record that rows in [start, end] changed, in the caller's transaction: the table engine's
    refresh_stale, or the continuous engine's refresh job (sql/schema/90_parcours.sql),
    reaches back to them."""
    conn.execute(queries.load("worker")["mark_stale_rollups"], {"lo": start, "hi": end})


def refresh_stale(conn: psycopg.Connection) -> None:
    """Bring the day and week rollups up to date with every batch loaded before, at once."""
    with conn.transaction():
        start, end = conn.execute(queries.load("worker")["take_stale_rollups"]).fetchone()
        if start is not None:
            refresh_range(conn, start, end, "wider")


def refresh_leftover(conn: psycopg.Connection) -> None:
    """Recompute the 15-minute buckets of every range still awaiting the wider refresh. At the
    start of a drain those are batches whose refresh a crash cut off (worker/refresher.py);
    the ranges stay for the day and week rollups."""
    with conn.transaction():
        start, end = conn.execute(queries.load("worker")["stale_span"]).fetchone()
        if start is not None:
            refresh_range(conn, start, end, "finest")


def schedule_refresh(conn: psycopg.Connection, declared: list[Rollup]) -> None:
    """Continuous engine: run parcours.refresh_rollups every REFRESH_EVERY over the continuous
    aggregates among `declared` (the rollups in creation order), each with its bucket width and
    window, and run it once now: a database whose aggregates once answered in real time (as
    the development migrations built them) would otherwise miss their unmaterialized buckets
    until the first run. `conn` is the owner's, in
    autocommit mode: the job runs as the role that adds it."""
    q = queries.load("migrations")
    existing = {name for (name,) in conn.execute(q["continuous_aggregates"], {})}
    config = {"rollups": [{"name": r.name, "width": _interval(r.width), "window": _interval(refresh_window(r.width))}
                          for r in declared if r.name in existing]}
    job = conn.execute(q["refresh_job"]).fetchone()
    if job is None:
        job = conn.execute(q["add_refresh_job"], {"config": Jsonb(config), "every": REFRESH_EVERY}).fetchone()
    else:
        conn.execute(q["configure_refresh_job"], {"job_id": job[0], "config": Jsonb(config), "every": REFRESH_EVERY})
    conn.execute("CALL run_job(%s)", job)


def _interval(span: timedelta) -> str:
    return f"{int(span.total_seconds())} seconds"
