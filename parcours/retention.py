"""How long data is kept. Raw events (metrics.events) for `raw_retention_days`: they serve the
visitor timeline and replays. What reports read — sessions, page views and the rollups — for
`rollup_retention_days`, longer.

The guard: a rollup's refresh recomputes its buckets from the raw rows still there, so a refresh
reaching past the raw retention would replace history with what little is left (measured: a
refresh after drop_chunks empties the rollup for the dropped range). Raw retention must
therefore outlast every refresh window over raw events, with a day to spare; settings refuse
anything shorter at start-up, and nothing here refreshes further back than that window.

On the Community edition TimescaleDB's jobs do the work (retention and compression policies,
set by `parcours db migrate` or `parcours db retention`), but for raw events: Parcours's refresh
job drops those itself, after it has materialized every range loaded before (history loaded
for old times would otherwise be dropped before reaching a rollup: sql/migrations/
0012_history_backfill.sql). On the Apache-2 edition `parcours db retention` drops the old chunks
when it runs (a daily timer in production); the worker has already refreshed their rollups.

A property may keep its data for less time than the server (its owner's choice, in the site's
settings): `parcours db retention` then deletes its older rows everywhere, raw and rolled up,
on both editions — so the daily timer runs on both. Rows, not chunks: chunks hold every property.
"""

from __future__ import annotations

from datetime import timedelta

import psycopg

from parcours import queries, rollups

RAW = ("metrics.events",)
KEPT = ("metrics.sessions", "metrics.page_views")
# Raw chunks older than this are compressed on Community: past the refresh window, read rarely.
COMPRESS_AFTER = timedelta(days=7)


def check(raw_days: int, rollup_days: int) -> None:
    """Raise ValueError unless raw events outlast the rollups' refresh window over them."""
    shortest = rollups.refresh_window(timedelta(minutes=15)) + timedelta(days=1)
    if timedelta(days=raw_days) < shortest:
        raise ValueError(f"raw_retention_days must be at least {shortest.days}: the rollups refresh "
                         f"{shortest.days - 1} days back from the raw events, and a refresh over "
                         "dropped events would erase their history")
    if rollup_days < raw_days:
        raise ValueError("rollup_retention_days must not be shorter than raw_retention_days")


def _kept(conn: psycopg.Connection) -> list[str]:
    return list(KEPT) + [name for (name,) in conn.execute(queries.load("retention")["rollups"], {})]


def apply(conn: psycopg.Connection, engine, raw_days: int, rollup_days: int) -> list[str]:
    """Apply the retention settings as `engine` does (parcours/engines.py): policies, or
    dropping expired chunks now; returns what was done, one line each. `conn` is the owner's,
    in autocommit mode."""
    check(raw_days, rollup_days)
    targets = [(name, raw_days) for name in RAW] + [(name, rollup_days) for name in _kept(conn)]
    return engine.retain(conn, targets) + expire_properties(conn) + expire_settled(conn, rollup_days)


def drop_expired(conn: psycopg.Connection, targets: list[tuple[str, int]]) -> list[str]:
    q = queries.load("retention")
    done = []
    for name, days in targets:
        dropped = conn.execute(q["drop_chunks"], {"name": name, "older_than": timedelta(days=days)}).fetchall()
        done.append(f"{name}: dropped {len(dropped)} chunks older than {days} days")
    return done


def expire_properties(conn: psycopg.Connection) -> list[str]:
    """Delete the rows each property with its own retention keeps no longer."""
    q = queries.load("retention")
    done = []
    for property_id, days in conn.execute(q["property_retention"]).fetchall():
        keep = {"id": property_id, "keep": timedelta(days=days)}
        deleted = sum(conn.execute(q[name], keep).fetchone()[0] for name in ("expire_property", "expire_property_imports"))
        done.append(f"property {property_id}: deleted {deleted} rows older than {days} days")
    return done


def expire_settled(conn: psycopg.Connection, rollup_days: int) -> list[str]:
    """Funnels' sessions and goals' conversions, materialized (sql/migrations/0016, 0017), go
    with the sessions and page views, which TimescaleDB's policies drop on Community: plain
    tables, on both engines."""
    deleted = conn.execute(queries.load("settling")["expire"], {"days": rollup_days}).fetchone()[0]
    return [f"funnels' sessions and goals' conversions: deleted {deleted} rows older than their site's page views"]


def set_policies(conn: psycopg.Connection, targets: list[tuple[str, int]]) -> list[str]:
    q = queries.load("retention")
    for name, days in targets:
        conn.execute(q["remove_retention_policy"], {"name": name})
        if name in RAW:
            conn.execute(q["set_raw_retention"], {"keep": timedelta(days=days)})
        else:
            conn.execute(q["add_retention_policy"], {"name": name, "drop_after": timedelta(days=days)})
    for name in RAW:
        conn.execute(q["enable_compression"])
        conn.execute(q["remove_compression_policy"], {"name": name})
        conn.execute(q["add_compression_policy"], {"name": name, "compress_after": COMPRESS_AFTER})
    return [f"{name}: {'dropped by the refresh job' if name in RAW else 'retention policy'}, after {days} days"
            for name, days in targets] + \
        [f"{name}: compression policy, after {COMPRESS_AFTER.days} days" for name in RAW]
