"""The two rollup engines, chosen once per database from the TimescaleDB edition and recorded in
parcours.instance (docs/architecture.md, "Rollups"). Each is a small object, and whatever
differs between them is one of its methods: no other module branches on the engine.

- Continuous (the Community edition): each rollup is a materialized-only continuous aggregate,
  and one TimescaleDB job refreshes them all; retention and compression are policies that
  TimescaleDB runs by itself.
- Table (Apache-2): each rollup is a view (its definition) and a hypertable that the worker
  refreshes: 15-minute buckets right after each batch commits, wider ones once the spool is
  drained; retention drops expired chunks when `parcours db retention` runs (daily, from a
  timer).
"""

from __future__ import annotations

from datetime import datetime

import psycopg

from parcours import queries, retention, rollups
from parcours.errors import ParcoursError

EDITIONS = {"apache": "Apache-2", "timescale": "Community"}


class Continuous:
    name = "continuous"
    description = "continuous aggregates, refreshed by a TimescaleDB job"
    runs_retention = True  # the policies follow the settings; TimescaleDB applies them

    def materialize(self, conn: psycopg.Connection, rollup: rollups.Rollup) -> None:
        rollups.create_continuous(conn, rollup)

    def migrated(self, conn: psycopg.Connection, declared: list[rollups.Rollup]) -> None:
        rollups.schedule_refresh(conn, declared)

    def loaded(self, conn: psycopg.Connection, start: datetime, end: datetime) -> None:
        """The refresh job reaches back to what a batch changed on its next run."""
        rollups.mark_stale(conn, start, end)

    batch_loaded = loaded

    def committed(self, refresher, start: datetime, end: datetime) -> None:
        """Nothing after a batch's commit: batch_loaded() marked the range for the refresh job."""

    def recover(self, conn: psycopg.Connection) -> None:
        pass

    def drained(self, conn: psycopg.Connection) -> None:
        pass

    def retain(self, conn: psycopg.Connection, targets: list[tuple[str, int]]) -> list[str]:
        return retention.set_policies(conn, targets)

    def refresh_job(self, conn: psycopg.Connection) -> tuple:
        """(id, scheduled, every, last status, seconds since its last success), or () if missing."""
        return conn.execute(queries.load("migrations")["refresh_job_state"]).fetchone() or ()


class Table:
    name = "table"
    description = "worker-refreshed tables"
    runs_retention = False

    def materialize(self, conn: psycopg.Connection, rollup: rollups.Rollup) -> None:
        rollups.create_table(conn, rollup)

    def migrated(self, conn: psycopg.Connection, declared: list[rollups.Rollup]) -> None:
        pass

    def loaded(self, conn: psycopg.Connection, start: datetime, end: datetime) -> None:
        """The 15-minute rollups now, in the loading transaction; days and weeks once drained."""
        rollups.refresh_range(conn, start, end, "finest")
        self.batch_loaded(conn, start, end)

    def batch_loaded(self, conn: psycopg.Connection, start: datetime, end: datetime) -> None:
        """In a worker batch's transaction: days and weeks once drained, and the 15-minute
        rollups once it commits (committed())."""
        rollups.mark_stale(conn, start, end)

    def committed(self, refresher, start: datetime, end: datetime) -> None:
        """After a batch's commit: its 15-minute rollups, by the worker's refresher
        (worker/refresher.py), while the next batch loads."""
        refresher.refresh(start, end)

    def recover(self, conn: psycopg.Connection) -> None:
        """Before a drain: the 15-minute rollups of batches a crash left unrefreshed."""
        rollups.refresh_leftover(conn)

    def drained(self, conn: psycopg.Connection) -> None:
        rollups.refresh_stale(conn)

    def retain(self, conn: psycopg.Connection, targets: list[tuple[str, int]]) -> list[str]:
        return retention.drop_expired(conn, targets)

    def refresh_job(self, conn: psycopg.Connection) -> None:
        return None


ENGINES: dict[str, Continuous | Table] = {"continuous": Continuous(), "table": Table()}
Engine = Continuous | Table


def choose(edition: str, requested: str) -> Engine:
    """The engine for a new database: `requested`, or the edition's own for "auto"."""
    name = {"Community": "continuous", "Apache-2": "table"}[edition] if requested == "auto" else requested
    if name == "continuous" and edition != "Community":
        raise ParcoursError("continuous aggregates need the Community edition of TimescaleDB; this server has Apache-2")
    return ENGINES[name]


def of(conn: psycopg.Connection) -> Engine:
    """The engine this database was migrated with."""
    return ENGINES[conn.execute(queries.load("worker")["engine"]).fetchone()[0]]
