"""Loads sealed spool segments into metrics.events, sessions and page views, exactly once.

Segments load in name order, in batches of lines, one transaction each: the batch's events are
enriched and sessionized, COPYed, the sessions and page views they touched are rewritten, the
range of times it changed is recorded for the rollups, and each segment the batch read is
recorded in parcours.loaded_segments with its last line consumed (and whether that was its
last), all before one commit. A crash before a commit resumes after the previous batch; a
segment recorded complete is only archived. A batch may span segments: collect seals a segment
every few seconds, and a backlog of small ones loads in few transactions, each with a fixed cost
(reading open sessions back, the rollup refresh's statements) that a segment of a few lines
would pay alone (docs/benchmarks.md). What the rollups need of a batch and of a drain is the
engine's (parcours/engines.py): on Apache-2, the 15-minute buckets are recomputed after each
commit, beside the next batch (worker/refresher.py), and the day and week rollups from the
recorded ranges once the spool is drained; on Community, the refresh job reaches back to them
on its next run.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from parcours import engines, queries, spool
from worker import chains, erasure, pipeline, sessionize, settling
from worker.refresher import Refresher

log = logging.getLogger(__name__)


@functools.cache
def copy_columns(name: str) -> tuple[str, ...]:
    """The column list of a COPY query, so rows are built in the order it declares."""
    declared = re.search(r"\(([^)]*)\)", queries.load("worker")[name]).group(1)
    return tuple(column.strip() for column in declared.split(","))


# COPY query name → its columns' types; the schema does not change under a running worker.
_COPY_TYPES: dict[str, list[str]] = {}


def copy_types(conn: psycopg.Connection, name: str) -> list[str]:
    if name not in _COPY_TYPES:
        table = re.match(r"COPY (\S+)", queries.load("worker")[name]).group(1)
        rows = conn.execute(queries.load("worker")["column_types"], {"columns": list(copy_columns(name)), "table": table})
        _COPY_TYPES[name] = [row[0] for row in rows]
    return _COPY_TYPES[name]


# The first and last times whose rollups a store changed, or None.
Span = tuple[datetime, datetime] | None


@dataclass
class Summary:
    segments: int = 0
    events: int = 0
    quarantined: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    erasures: int = 0


@dataclass
class Batch:
    events: list[dict] = field(default_factory=list)
    lines: list[tuple[Any, bytes]] = field(default_factory=list)  # each event's (key, line)
    quarantined: list[tuple[Any, bytes, str]] = field(default_factory=list)  # (key, line, reason)
    dropped: dict[str, int] = field(default_factory=dict)


def prepare(lines, context: pipeline.Context) -> Batch:
    """Parse and enrich (key, line) pairs, the key saying where the line came from; what
    cannot be loaded is set aside with its key and reason."""
    batch = Batch()
    for key, line in lines:
        try:
            outcome = pipeline.process(pipeline.parse_record(line), context)
        except pipeline.Quarantine as reason:
            batch.quarantined.append((key, line, str(reason)))
            continue
        except Exception as error:  # noqa: BLE001 (an enrichment step's failure is this line's, not the batch's)
            batch.quarantined.append((key, line, f"enrichment failed: {type(error).__name__}: {error}"))
            continue
        if isinstance(outcome, pipeline.Dropped):
            batch.dropped[outcome.reason] = batch.dropped.get(outcome.reason, 0) + 1
            continue
        batch.events.append(outcome)
        batch.lines.append((key, line))
    return batch


@dataclass(eq=False)  # one object per segment: hashed by identity
class Segment:
    """A segment being loaded: how far earlier runs loaded it, how far this one has read it, and
    each line's visitor id and place as loaded, for scrubbing the archive."""
    path: Path
    name: str
    done: int  # lines consumed by earlier runs
    recorded: bool  # its completion is in parcours.loaded_segments
    read: int = 0  # the last line this run read
    exhausted: bool = False
    archived: bool = False
    derived: dict[int, tuple] = field(default_factory=dict)


def open_segment(conn: psycopg.Connection, path: Path) -> Segment:
    name = path.name.removesuffix(".gz")  # archived: the same segment
    progress = conn.execute(queries.load("worker")["segment_progress"], {"name": name}).fetchone()
    return Segment(path, name, progress[0] if progress else 0, bool(progress and progress[1]))


def _unloaded_lines(segments: list[Segment]) -> Iterator[tuple[Segment, int, bytes]]:
    """Each segment's lines after those loaded before, in order; a segment is marked exhausted
    once its last line has been taken."""
    for segment in segments:
        if not segment.recorded:
            for number, line in spool.read_lines(segment.path):
                if number > segment.done:
                    segment.read = number
                    yield segment, number, line
        segment.exhausted = True


def load_segments(conn: psycopg.Connection, paths: list[Path], root: Path, context: pipeline.Context,
                  engine: engines.Engine, summary: Summary, batch_lines: int, refresher: Refresher) -> None:
    segments = [open_segment(conn, path) for path in paths]
    lines = _unloaded_lines(segments)
    while chunk := list(itertools.islice(lines, batch_lines)):
        with conn.transaction():
            stored, span = _load_batch(conn, chunk, root, context, engine, summary)
            _record_progress(conn, {segment for segment, _, _ in chunk}, segments, stored)
        if span:
            engine.committed(refresher, *span)
        _archive_finished(segments, root, context)
    refresher.wait()
    for segment in segments:  # all exhausted now; those whose last batch ended on their last line
        if not segment.recorded:
            conn.execute(queries.load("worker")["finish_segment"], {"name": segment.name})
            segment.recorded = True
    _archive_finished(segments, root, context)
    summary.segments += len(segments)


def _record_progress(conn: psycopg.Connection, read: set[Segment], segments: list[Segment],
                     stored: dict[str, int]) -> None:
    """In the batch's transaction: how far it read each segment, and which it finished."""
    for segment in segments:
        if segment in read or (segment.exhausted and not segment.recorded):
            conn.execute(queries.load("worker")["record_progress"], {
                "name": segment.name, "events": stored.get(segment.name, 0),
                "lines": max(segment.read, segment.done), "complete": segment.exhausted})
            segment.recorded = segment.exhausted


def _archive_finished(segments: list[Segment], root: Path, context: pipeline.Context) -> None:
    """Archive the segments recorded complete (archived ones, given to `parcours replay`, stay)."""
    for segment in segments:
        if segment.recorded and not segment.archived and segment.path.parent.name == "sealed":
            spool.archive(segment.path, root, lambda number, line, s=segment: _scrubbed(number, line, s.derived, context))
            segment.archived, segment.derived = True, {}


def _scrubbed(number: int, line: bytes, derived: dict[int, tuple], context: pipeline.Context) -> bytes:
    # Lines loaded by an earlier, interrupted run were not derived here: scrub them the long way.
    known = derived.get(number)
    return pipeline.scrub_known(line, known) if known else pipeline.scrub(line, context)


def _load_batch(conn: psycopg.Connection, chunk: list[tuple[Segment, int, bytes]], root: Path,
                context: pipeline.Context, engine: engines.Engine, summary: Summary) -> tuple[dict[str, int], Span]:
    """Load one batch; returns the events stored of each segment, by name, and the span of
    times whose rollups it changed."""
    keyed = [((segment, number), line) for segment, number, line in chunk]
    batch = prepare(keyed, context)
    for (segment, number), event in zip((key for key, _ in batch.lines), batch.events):
        segment.derived[number] = (event["visitor_id"], (event["country"], event["region"], event["city"]))
    refused, span = store_isolating(conn, batch.events, batch.lines, engine)
    batch.quarantined += refused
    _write_quarantine(batch.quarantined, root, context)
    refused_keys = {key for key, _, _ in refused}
    stored: dict[str, int] = {}
    for segment, _ in (key for key, _ in batch.lines if key not in refused_keys):
        stored[segment.name] = stored.get(segment.name, 0) + 1
    summary.events += sum(stored.values())
    summary.quarantined += len(batch.quarantined)
    for reason, count in batch.dropped.items():
        summary.dropped[reason] = summary.dropped.get(reason, 0) + count
    return stored, span


def store_isolating(conn: psycopg.Connection, events: list[dict], lines: list[tuple[int, bytes]],
                    engine: engines.Engine) -> tuple[list[tuple[int, bytes, str]], Span]:
    """store() the events, each from the line beside it. Should PostgreSQL refuse a row, the
    lines that cause it are found by halving (savepoints) and returned with the reason, while
    the rest are stored. Other errors (the database gone) raise. Returns the refused lines and
    the span of what was stored."""
    try:
        with conn.transaction():
            span = store(conn, [dict(event) for event in events], engine)  # copies: a retry starts clean
        return [], span
    except Exception as error:
        if not _refuses_row(error):
            raise
        if len(events) == 1:
            return [(*lines[0], f"refused by the database: {type(error).__name__}: {error}")], None
    half = len(events) // 2
    refused_first, first = store_isolating(conn, events[:half], lines[:half], engine)
    refused_second, second = store_isolating(conn, events[half:], lines[half:], engine)
    return refused_first + refused_second, _spanning(first, second)


def _spanning(first: Span, second: Span) -> Span:
    if first is None or second is None:
        return first or second
    return min(first[0], second[0]), max(first[1], second[1])


def _refuses_row(error: Exception) -> bool:
    """A value PostgreSQL (or psycopg, before sending it) will not store — data exceptions,
    constraint violations, program limits such as an index row too large — not a lost server."""
    if isinstance(error, (psycopg.DataError, psycopg.IntegrityError)):
        return True
    if isinstance(error, psycopg.Error):
        return (error.sqlstate or "")[:2] in ("22", "23", "54")
    return isinstance(error, (ValueError, TypeError, OverflowError))


def store(conn: psycopg.Connection, events: list[dict], engine: engines.Engine) -> Span:
    """Sessionize `events` against the database's open sessions and write everything they
    change; returns the span of times whose rollups changed, for engine.committed()."""
    if not events:
        return None
    since = min(event["time"] for event in events)
    state = open_state(conn, events, since)
    sessionize.assign(events, state)
    relinked = chains.link(conn, state)
    columns = copy_columns("copy_events")
    copy_rows(conn, "copy_events", [tuple(map(event.get, columns)) for event in events])
    stored_sessions = [s for s in state.changed_sessions.values() if s.stored_started_at]
    _rewrite(conn, "sessions", state.changed_sessions, [s.session_id for s in stored_sessions],
             min([since] + [s.stored_started_at for s in stored_sessions]))
    remember_tag_sets(conn, state.changed_page_views.values())
    stored_views = [v for v in state.changed_page_views.values() if v.stored]
    _rewrite(conn, "page_views", state.changed_page_views, [v.page_view_id for v in stored_views],
             min([since] + [v.time for v in stored_views]))
    # The buckets of every row written: a session's start may be older.
    starts = [s.started_at for s in stored_sessions] + [s.stored_started_at for s in stored_sessions]
    touched = [event["time"] for event in events] + starts + [v.time for v in stored_views] + relinked
    engine.batch_loaded(conn, min(touched), max(touched))
    settling.resettle(conn, sorted({event["property_id"] for event in events}), min(touched), max(touched))
    return min(touched), max(touched)


def remember_tag_sets(conn: psycopg.Connection, views) -> None:
    """Record the tag sets of these page views before the views, for the tag rollups to join."""
    sets = list({(v.property_id, tuple(v.tags)) for v in views if v.tags})
    if sets:
        conn.execute(queries.load("worker")["remember_tag_sets"], {"sets": Jsonb(sets)})


def open_state(conn: psycopg.Connection, events: list[dict], since: datetime) -> sessionize.State:
    """The sessions these events' visitors may still be in, and those sessions' page views."""
    q, state = queries.load("worker"), sessionize.State()
    params = {"properties": sorted({e["property_id"] for e in events}),
              "visitors": sorted({e["visitor_id"] for e in events}), "since": since}
    for row in conn.execute(q["open_sessions"], params):
        session = sessionize.Session(*row, stored_started_at=row[3])
        state.sessions[(session.property_id, session.visitor_id)] = session
    ids = [s.session_id for s in state.sessions.values()]
    for row in conn.execute(q["open_page_views"], {"sessions": ids, "since": since}) if ids else ():
        view = sessionize.PageView(*row, stored=True)
        state.page_views[(view.session_id, view.pathname)] = view
    return state


def _rewrite(conn: psycopg.Connection, table: str, changed: dict, stored: list[int], since: datetime) -> None:
    """Write the rows of `changed`, replacing the `stored` ones (delete, then COPY): sessions and
    page views are running state, and a session's start, the partitioning column, can move
    earlier. Ids hash what they identify, so a row first made in this batch cannot be stored."""
    if not changed:
        return
    q = queries.load("worker")
    if stored:
        conn.execute(q[f"delete_{table}"], {"ids": stored, "since": since})
    columns = copy_columns(f"copy_{table}")
    copy_rows(conn, f"copy_{table}", [tuple(getattr(row, c) for c in columns) for row in changed.values()])


def copy_rows(conn: psycopg.Connection, query: str, rows: list[tuple]) -> None:
    """COPY `rows` (tuples in the order of the named COPY query's columns) in binary."""
    # Binary: half the client's CPU of text COPY, which formats every value as a string. The
    # types are looked up before the COPY holds the connection.
    types = copy_types(conn, query)
    with conn.cursor().copy(queries.load("worker")[query]) as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def _write_quarantine(quarantined: list[tuple[tuple[Segment, int], bytes, str]], root: Path,
                      context: pipeline.Context) -> None:
    # A file per segment, named after it and the first line set aside, so a reload after a crash
    # rewrites rather than duplicates it. Scrubbed of client addresses and private to the
    # worker's user, as the archive is.
    by_segment: dict[Segment, list] = {}
    for (segment, number), line, reason in quarantined:
        by_segment.setdefault(segment, []).append((number, line, reason))
    for segment, entries in by_segment.items():
        entries.sort(key=lambda entry: entry[0])
        target = spool.layout(root)["quarantine"] / segment.name.replace(".jsonl", f".{entries[0][0]}.jsonl")
        text = "\n".join(json.dumps({"line": number, "reason": reason, "record": _scrubbed(
            number, line, segment.derived, context).decode("utf-8", "replace")}) for number, line, reason in entries)
        spool.write_private(target, (text + "\n").encode())
        log.warning("quarantined %d records of %s", len(entries), segment.name)


def context(conn: psycopg.Connection, secret: bytes, geo=None) -> pipeline.Context:
    rows = conn.execute(queries.load("worker")["properties"])
    properties = {row[0]: pipeline.Property(row[1], row[2], tuple(row[3]), row[4], row[5]) for row in rows}
    return pipeline.Context(secret=secret, properties=properties, geo=geo)


def sync_time_zones(conn: psycopg.Connection) -> None:
    q = queries.load("worker")
    with conn.transaction():
        conn.execute(q["sync_time_zones"])
        conn.execute(q["drop_deleted_time_zones"])


def drain(conn: psycopg.Connection, root: Path, secret: bytes, geo, segments: list[Path] | None,
          batch_lines: int, refresher: Refresher) -> Summary:
    """Load every sealed segment, oldest first, or the given ones (archived segments for
    `parcours replay`: those already loaded are skipped). `conn` must be in autocommit mode;
    the refresher's connection is another to the same database."""
    engine = engines.of(conn)
    engine.recover(conn)
    sync_time_zones(conn)
    ctx, summary = context(conn, secret, geo), Summary()
    chosen = spool.sealed_segments(root) if segments is None else sorted(segments, key=lambda p: p.name)
    load_segments(conn, chosen, root, ctx, engine, summary, batch_lines, refresher)
    summary.erasures = erasure.carry_out(conn, root, engine)
    engine.drained(conn)
    return summary
