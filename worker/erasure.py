"""Erasure on request: the worker carries out each queued request (metrics.erasures) after a
drain — a visitor's events, sessions, page views, last-seen mark, and their rows of funnels and
goals deleted, the rollups recomputed over the time those rows covered, exactly as after a load,
and the visitor's lines cut from the spool archive, so a replay cannot bring them back. One
audit line per request goes to the log; the request keeps the counts, not the ids.

The visitor ids come from the visitor list (its 16-hex keys) or, for a person who gives their
address and browser, from the same keyed hash the pipeline derives them with (visitor_ids).
"""

from __future__ import annotations

import gzip
import logging
import os
from datetime import date, timedelta
from pathlib import Path

import psycopg

from parcours import engines, queries, spool
from worker import pipeline, settling

log = logging.getLogger(__name__)


def visitor_ids(secret: bytes, property_id: str, ip: str, user_agent: str, rotation: str, today: date,
                days: int) -> list[int]:
    """The ids the pipeline gave this address and browser: one, or, when the site rotates ids
    daily, one per local day from `days` days before `today` to today (pipeline.visitor_id)."""
    if rotation != "daily":
        return [pipeline.keyed_hash(secret, property_id, ip, user_agent, "")]
    return [pipeline.keyed_hash(secret, property_id, ip, user_agent, (today - timedelta(days=n)).isoformat())
            for n in range(days + 1)]


def carry_out(conn: psycopg.Connection, root: Path, engine: engines.Engine) -> int:
    """Every pending request, oldest first; how many were done. `conn` in autocommit mode; the
    caller's engine.drained() brings the wider rollups up to date after."""
    q, done = queries.load("worker"), 0
    for request_id, property_id, ids, requested_by in conn.execute(q["pending_erasures"]).fetchall():
        with conn.transaction():
            events, sessions, views, lo, hi = conn.execute(q["erase_visitors"], {"id": request_id}).fetchone()
            if lo is not None:
                engine.loaded(conn, lo, hi)
            settling.erase(conn, property_id, ids)
        lines = cut_from_archive(root, ids)
        conn.execute(q["erasure_done"], {"id": request_id, "events": events, "sessions": sessions,
                                         "page_views": views, "archive_lines": lines})
        log.warning("erasure %d for %s (property %s): deleted %d events, %d sessions, %d page views, "
                    "%d archive lines", request_id, requested_by, property_id, events, sessions, views, lines)
        done += 1
    return done


def cut_from_archive(root: Path, ids: list[int]) -> int:
    """Rewrites the archived segments holding a line of these visitors without those lines,
    reading each segment as a stream (an imported log's segment can be large)."""
    needles = [b'"visitor_id":%d,' % visitor for visitor in ids]
    cut = 0
    for segment in sorted(spool.paths(root)["archive"].glob("*.jsonl.gz")):
        if not _holds(segment, needles):
            continue
        partial = segment.with_suffix(".partial")
        with gzip.open(segment, "rb") as source, gzip.open(partial, "wb", compresslevel=1) as sink:
            for line in source:
                if any(needle in line for needle in needles):
                    cut += 1
                else:
                    sink.write(line)
        os.replace(partial, segment)
    return cut


def _holds(segment: Path, needles: list[bytes]) -> bool:
    with gzip.open(segment, "rb") as source:
        return any(any(needle in line for needle in needles) for line in source)
