"""`parcours export`: a property's raw events or sessions over a range of its local days, as CSV
or NDJSON, streamed from a server-side cursor so a year of events never sits in memory.

CSV cells a spreadsheet would take for a formula are quoted as text (parcours/spreadsheet.py),
as the dashboard's CSV does; NDJSON keeps every value as it is, arrays and objects included.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime
from typing import IO

import orjson
import psycopg

from parcours import queries, spreadsheet
from parcours.errors import ParcoursError

WHAT = ("events", "sessions")
FORMATS = ("csv", "ndjson")


def rows(conn: psycopg.Connection, what: str, property_id: str, lo: datetime, hi: datetime) -> Iterator[dict]:
    if what not in WHAT:
        raise ParcoursError(f"export events or sessions, not {what!r}")
    with conn.cursor(name="parcours_export") as cursor:
        cursor.itersize = 5000
        cursor.execute(queries.load("export")[what], {"property_id": property_id, "lo": lo, "hi": hi})
        names = [column.name for column in cursor.description]
        for row in cursor:
            yield dict(zip(names, row, strict=True))


def write(records: Iterator[dict], form: str, out: IO[str]) -> int:
    """Write `records` to `out` in `form`; returns how many."""
    if form not in FORMATS:
        raise ParcoursError(f"the format is csv or ndjson, not {form!r}")
    return _csv(records, out) if form == "csv" else _ndjson(records, out)


def _ndjson(records: Iterator[dict], out: IO[str]) -> int:
    count = 0
    for count, record in enumerate(records, 1):
        out.write(orjson.dumps(record, default=str).decode() + "\n")
    return count


def _csv(records: Iterator[dict], out: IO[str]) -> int:
    writer, count = csv.writer(out), 0
    for count, record in enumerate(records, 1):
        if count == 1:
            writer.writerow(record)
        writer.writerow([_cell(value) for value in record.values()])
    return count


def _cell(value) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return orjson.dumps(value).decode()
    return "" if value is None else spreadsheet.cell(value)
