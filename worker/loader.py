"""Loads sealed spool segments into metrics.events, exactly once.

One segment is one transaction: its rows are COPYed, its name is recorded in
parcours.loaded_segments and (on the Apache-2 engine) the rollup buckets it touched are
recomputed, all before one commit. A crash before the commit loads the segment again from the
start; a crash after it finds the name recorded and only archives the file.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from parcours import queries, rollups, spool
from worker import pipeline

log = logging.getLogger(__name__)



def _copy_columns() -> tuple[str, ...]:
    """The column list of the copy_events query, so rows are built in the order it declares."""
    declared = re.search(r"\(([^)]*)\)", queries.load("worker")["copy_events"]).group(1)
    return tuple(column.strip() for column in declared.split(","))


@dataclass
class Summary:
    segments: int = 0
    events: int = 0
    quarantined: int = 0
    dropped: dict[str, int] = field(default_factory=dict)


@dataclass
class Batch:
    rows: list[tuple] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)


def prepare(segment: Path, context: pipeline.Context) -> Batch:
    batch, columns = Batch(), _copy_columns()
    for number, line in spool.read_lines(segment):
        try:
            outcome = pipeline.process(pipeline.parse_record(line), context)
        except pipeline.Quarantine as reason:
            batch.quarantined.append(json.dumps({"line": number, "reason": str(reason),
                                                 "record": line.decode("utf-8", "replace")}))
            continue
        if isinstance(outcome, pipeline.Dropped):
            batch.dropped[outcome.reason] = batch.dropped.get(outcome.reason, 0) + 1
            continue
        batch.rows.append(tuple(outcome.get(column) for column in columns))
    return batch


def load_segment(conn: psycopg.Connection, segment: Path, root: Path, context: pipeline.Context,
                 engine: str, summary: Summary) -> None:
    q = queries.load("worker")
    with conn.transaction():
        if conn.execute(q["segment_loaded"], {"name": segment.name}).fetchone() is None:
            batch = prepare(segment, context)
            _write_quarantine(batch, segment, root)
            _copy(conn, batch.rows)
            conn.execute(q["record_segment"], {"name": segment.name, "events": len(batch.rows)})
            if engine == "table" and batch.rows:
                times = [row[0] for row in batch.rows]
                rollups.refresh_range(conn, min(times), max(times))
            summary.events += len(batch.rows)
            summary.quarantined += len(batch.quarantined)
            for reason, count in batch.dropped.items():
                summary.dropped[reason] = summary.dropped.get(reason, 0) + count
    spool.archive(segment, root)
    summary.segments += 1


def _copy(conn: psycopg.Connection, rows: list[tuple]) -> None:
    with conn.cursor().copy(queries.load("worker")["copy_events"]) as copy:
        for row in rows:
            copy.write_row(row)


def _write_quarantine(batch: Batch, segment: Path, root: Path) -> None:
    # Named after the segment, so a reload after a crash rewrites rather than duplicates it.
    if batch.quarantined:
        target = spool.layout(root)["quarantine"] / segment.name
        target.write_text("\n".join(batch.quarantined) + "\n")
        log.warning("quarantined %d records of %s", len(batch.quarantined), segment.name)


def drain(conn: psycopg.Connection, root: Path, secret: bytes) -> Summary:
    """Load every sealed segment, oldest first. `conn` must be in autocommit mode."""
    q = queries.load("worker")
    engine = conn.execute(q["engine"]).fetchone()[0]
    properties = {row[0]: pipeline.Property(*row[1:]) for row in conn.execute(q["properties"])}
    context = pipeline.Context(secret=secret, properties=properties)
    summary = Summary()
    for segment in spool.sealed_segments(root):
        load_segment(conn, segment, root, context, engine, summary)
    return summary
