"""The table engine's 15-minute rollups, recomputed for each loaded batch on a connection of
the worker's own, beside the loading rather than inside it.

PostgreSQL spends about a sixth of a batch's time recomputing the 15-minute buckets the batch
touched (docs/benchmarks.md). In the batch's own transaction, the worker's Python waits for
it; here, the second core runs it while the next batch is read and enriched. Each refresh is
one transaction, so a report never sees a bucket half recomputed, and they run one at a time,
in the order the batches committed: a bucket two batches share is recomputed last from both.

A batch's range is also in parcours.stale_rollups, from its own transaction (the day and week
rollups read it once the spool is drained). A crash between a batch's commit and its refresh
leaves the range there: the next drain recomputes its 15-minute buckets first
(parcours/rollups.py refresh_leftover).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime

import psycopg

from parcours import rollups


class Refresher:
    """Refreshes ranges in a thread of its own, one at a time; the connection is opened on first
    use and kept across drains. refresh() waits for the previous range, so at most one batch's
    refresh trails the loading."""

    def __init__(self, connect: Callable[[], psycopg.Connection]) -> None:
        self.connect = connect
        self.conn: psycopg.Connection | None = None
        self.thread: ThreadPoolExecutor | None = None
        self.pending: Future | None = None

    def refresh(self, start: datetime, end: datetime) -> None:
        self.wait()
        if self.thread is None:
            self.thread = ThreadPoolExecutor(1, thread_name_prefix="refresher")
        self.pending = self.thread.submit(self._refresh, start, end)

    def wait(self) -> None:
        """Return once every range given is refreshed; raise what a refresh raised."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()

    def _refresh(self, start: datetime, end: datetime) -> None:
        if self.conn is None or self.conn.closed:
            self.conn = self.connect()
        with self.conn.transaction():
            rollups.refresh_range(self.conn, start, end, "finest")

    def close(self) -> None:
        """Drop the thread and the connection, waiting for a refresh in progress (not raising)."""
        if self.thread is not None:
            self.thread.shutdown(wait=True)
        self.thread, self.pending = None, None
        if self.conn is not None:
            self.conn.close()
        self.conn = None

    def __enter__(self) -> Refresher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

