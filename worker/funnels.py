"""Each funnel's sessions, materialized (sql/migrations/0016_funnel_sessions.sql), so that a
funnel report aggregates a row per session instead of recomputing every session's progress from
raw page views and events.

Two duties keep those rows equal to what the raw computation gives:
- settle: after each drain, materialize every funnel up to a few days before now, from where it
  stopped (for a new funnel, from its site's first session), a week per transaction;
- resettle: in each load's transaction, recompute the settled sessions the load could change.
  Live events are newer than any settled session by more than a session's two days, so this
  costs nothing until old events arrive (an import, a replay, a worker back after an outage).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import psycopg

from parcours import queries

# A session's events lie within two days of its start (docs/definitions.md).
SESSION_SPAN = timedelta(days=2)
# Settled sessions started at least this long ago: a day to spare beyond SESSION_SPAN, so that
# live traffic, and a worker a day behind, never resettles.
LAG = timedelta(days=3)
CHUNK = timedelta(days=7)


def horizon(now: datetime) -> datetime:
    """Where settling stops: the UTC midnight at least LAG before now."""
    return (now - LAG).astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)


def settle(conn: psycopg.Connection, now: datetime) -> int:
    """Materialize every funnel up to horizon(now); returns the sessions stored. `conn` in
    autocommit mode: each week is its own transaction, so a long first settling holds no lock
    for long and resumes where it stopped."""
    q, until, stored = queries.load("funnels"), horizon(now), 0
    for funnel_id, since in conn.execute(q["unsettled"], {"until": until}).fetchall():
        for lo, hi in _weeks(since, until):
            with conn.transaction():
                stored += conn.execute(q["settle"], {"funnel": funnel_id, "lo": lo, "hi": hi}).fetchone()[0]
                conn.execute(q["mark_settled"], {"funnel": funnel_id, "until": hi})
        conn.execute(q["mark_settled"], {"funnel": funnel_id, "until": until})
    return stored


def _weeks(since: datetime, until: datetime):
    while since < until:
        yield since, min(since + CHUNK, until)
        since += CHUNK


def resettle(conn: psycopg.Connection, property_ids: list[str], first: datetime, last: datetime) -> int:
    """In the loading transaction: recompute the settled sessions of these properties' funnels
    that events in [first, last] may belong to, those started from SESSION_SPAN before `first`
    to `last`. Returns the sessions stored."""
    params = {"properties": property_ids, "lo": first - SESSION_SPAN, "hi": last + timedelta(microseconds=1)}
    return conn.execute(queries.load("funnels")["resettle"], params).fetchone()[0]


def erase(conn: psycopg.Connection, property_id: str, visitor_ids: list[int]) -> None:
    """Delete the rows of erased visitors, in the erasure's transaction."""
    conn.execute(queries.load("funnels")["erase"], {"property_id": property_id, "ids": visitor_ids})
