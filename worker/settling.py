"""Funnels' sessions and goals' conversions, materialized (sql/migrations/0016_funnel_sessions.sql,
0017_goal_conversions.sql), so that their reports read a range of rows instead of recomputing
every session's progress, or finding every conversion, among raw page views and events.

Two duties keep those rows equal to what the raw computation gives:
- settle: after each drain, materialize every funnel and goal up to a few days before now, from
  where it stopped (for a new one, from its site's first day), a week per transaction;
- resettle: in each load's transaction, recompute the settled rows the load could change.
  Live events are newer than anything settled by more than a session's two days, so this costs
  nothing until old events arrive (an import, a replay, a worker back after an outage).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import psycopg

from parcours import queries

# A session's events lie within two days of its start (docs/definitions.md).
SESSION_SPAN = timedelta(days=2)
# Settled up to at least this long ago: a day to spare beyond SESSION_SPAN, so that live
# traffic, and a worker a day behind, never resettles.
LAG = timedelta(days=3)
CHUNK = timedelta(days=7)
# Seconds of settling the worker allows itself after each drain (settle's budget).
BUDGET = 5.0
# Each kind: the query listing what is not settled, the one settling a range, the one marking.
KINDS = (("unsettled_funnels", "settle_funnel", "mark_funnel"),
         ("unsettled_goals", "settle_goal", "mark_goal"))


def horizon(now: datetime) -> datetime:
    """Where settling stops: the UTC midnight at least LAG before now."""
    return (now - LAG).astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)


def settle(conn: psycopg.Connection, now: datetime, budget: float | None = None) -> int:
    """Materialize every funnel and goal up to horizon(now); returns the rows stored. `conn` in
    autocommit mode: each week is its own transaction, so a long first settling holds no lock
    for long and resumes where it stopped. With a `budget` (seconds), no week starts once it is
    spent, but one always does: the worker settles between drains, and a funnel new on a large
    site (a year took 27 s at the benchmark's 10 million events) must not hold loading back."""
    q, until, stored, weeks = queries.load("settling"), horizon(now), 0, 0
    deadline = None if budget is None else time.monotonic() + budget
    for unsettled, settle_range, mark in KINDS:
        for item, since in conn.execute(q[unsettled], {"until": until}).fetchall():
            for lo, hi in _weeks(since, until):
                if weeks and deadline is not None and time.monotonic() >= deadline:
                    return stored
                with conn.transaction():
                    stored += conn.execute(q[settle_range], {"id": item, "lo": lo, "hi": hi}).fetchone()[0]
                    conn.execute(q[mark], {"id": item, "until": hi})
                weeks += 1
            conn.execute(q[mark], {"id": item, "until": until})
    return stored


def _weeks(since: datetime, until: datetime):
    while since < until:
        yield since, min(since + CHUNK, until)
        since += CHUNK


def resettle(conn: psycopg.Connection, property_ids: list[str], first: datetime, last: datetime) -> int:
    """In the loading transaction: recompute what events in [first, last] may change for these
    properties — the settled sessions that may hold them (started from SESSION_SPAN before
    `first` to `last`) and the settled conversions among them. Returns the rows stored."""
    q, hi = queries.load("settling"), last + timedelta(microseconds=1)
    funnels = conn.execute(q["resettle_funnels"], {"properties": property_ids, "lo": first - SESSION_SPAN, "hi": hi})
    goals = conn.execute(q["resettle_goals"], {"properties": property_ids, "lo": first, "hi": hi})
    return funnels.fetchone()[0] + goals.fetchone()[0]


def erase(conn: psycopg.Connection, property_id: str, visitor_ids: list[int]) -> None:
    """Delete the rows of erased visitors, in the erasure's transaction."""
    conn.execute(queries.load("settling")["erase"], {"property_id": property_id, "ids": visitor_ids})
