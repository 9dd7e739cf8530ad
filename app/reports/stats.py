"""The reports: run the named queries of sql/queries/reports.sql for a property, a period and a
filter set, and shape the rows into the numbers users see (docs/definitions.md). The JSON API
and the dashboard both read these, so they show the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from app.reports import filters as filtering
from app.reports.periods import Period
from parcours import queries

INTERVALS = ("hour", "day", "week", "month")
SUMMARY_FIELDS = ("visitors", "sessions", "page_views", "views_per_session", "bounce_rate", "session_duration")


@dataclass(frozen=True)
class Query:
    property_id: str
    period: Period
    filters: dict = field(default_factory=dict)
    bots: bool = False
    goals: dict = field(default_factory=dict)  # the property's goals by name, when a filter names one
    imported: bool = True  # add days imported from elsewhere (worker/plausible.py) where a report can

    def params(self, **more: Any) -> dict[str, Any]:
        return {"property_id": self.property_id, "tz": self.period.time_zone, "lo": self.period.lo,
                "hi": self.period.hi, "bots": self.bots, "imported": self.imported,
                "filters": Jsonb(filtering.with_goals(self.filters, self.goals)), **more}

    def previous(self) -> Query:
        return replace(self, period=self.period.previous())

    def native(self) -> Query:
        """This query without imported days: what the per-visitor reports (goals, events,
        funnels) count, and so the visitors their rates divide by."""
        return replace(self, imported=False)


def _ratio(part: float, whole: float, digits: int) -> float | int | None:
    if not whole:
        return None
    return round(part / whole, digits) if digits else round(part / whole)


def _visit_metrics(sessions: int, bounces: int, session_page_views: int, duration_seconds: float) -> dict:
    return {"views_per_session": _ratio(session_page_views, sessions, 2),
            "bounce_rate": _ratio(100 * bounces, sessions, 1),
            "session_duration": _ratio(float(duration_seconds), sessions, 0)}


def _source(name: str, query: Query, raw: bool, rollup: str | None = None) -> str:
    """Without filters the rollups hold the answer, in a fraction of the rows: `rollup`, by
    default `<name>_rollup`."""
    return queries.load("reports")[name if raw or query.filters else rollup or f"{name}_rollup"]


def summary(conn: psycopg.Connection, query: Query, raw: bool = False) -> dict:
    visitors, sessions, page_views, bounces, session_views, seconds = conn.execute(
        _source("summary", query, raw), query.params()).fetchone()
    return {"visitors": visitors, "sessions": sessions, "page_views": page_views,
            **_visit_metrics(sessions, bounces, session_views, seconds)}


def change(current: dict, previous: dict) -> dict:
    """Percentage change of each summary number against the previous period (None from zero)."""
    return {key: _ratio(100 * (current[key] - previous[key]), previous[key], 1)
            if current[key] is not None and previous[key] else None for key in SUMMARY_FIELDS}


def against(rows: list[dict], before: list[dict], key: str, metric: str = "visitors") -> list[dict]:
    """Rows with the previous period's `metric` for the same `key` value, and the % change."""
    earlier = {row[key]: row[metric] for row in before}
    return [{**row, "previous": earlier.get(row[key], 0),
             "change": _ratio(100 * (row[metric] - earlier[row[key]]), earlier[row[key]], 1) if earlier.get(row[key]) else None}
            for row in rows]


def compared(conn: psycopg.Connection, query: Query) -> dict:
    current, previous = summary(conn, query), summary(conn, query.previous())
    return {**current, "previous": previous, "change": change(current, previous)}


def timeseries(conn: psycopg.Connection, query: Query, interval: str, raw: bool = False,
               week_start: str = "monday") -> list[dict]:
    """`week_start`: weeks run Monday to Sunday, or with "sunday", Sunday to Saturday."""
    if interval not in INTERVALS:
        raise ValueError(f"unknown interval {interval!r}; use one of {', '.join(INTERVALS)}")
    unit = "week_sunday" if interval == "week" and week_start == "sunday" else interval
    spans = "timeseries_spans_rollup" if interval in ("week", "month") else None
    rows = conn.execute(_source("timeseries", query, raw, spans), query.params(interval=unit))
    return [{"starts": starts.isoformat(timespec="minutes"), "visitors": visitors, "sessions": sessions,
             "page_views": page_views, **_visit_metrics(sessions, bounces, session_views, seconds)}
            for starts, visitors, sessions, page_views, bounces, session_views, seconds in rows]


def breakdown(conn: psycopg.Connection, query: Query, dimension: str, limit: int = 10, offset: int = 0,
              raw: bool = False) -> list[dict]:
    """Sessions by a session dimension, or page views by a page dimension, most first. Both add
    up across buckets, so the rollups answer exactly; distinct visitors would not."""
    params = query.params(dimension=dimension, limit=limit, offset=offset)
    if dimension in filtering.PAGE_DIMENSIONS:
        return [_page_row(*row) for row in conn.execute(_source("breakdown_pages", query, raw), params)]
    if dimension not in filtering.SESSION_DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; use one of {', '.join(filtering.DIMENSIONS)}")
    rows = conn.execute(_source("breakdown_sessions", query, raw), params)
    return [{"value": value, "sessions": sessions, **_visit_metrics(sessions, bounces, session_views, seconds)}
            for value, sessions, bounces, session_views, seconds in rows]


def _page_row(value, page_views, engaged_views, engaged_ms, scroll, *reached_and_imported) -> dict:
    """Scroll depth averages the native views: imported ones have none."""
    *reached, imported = reached_and_imported
    native = page_views - imported
    shares = {f"reached_{n}": _ratio(100 * count, native, 1) for n, count in zip((25, 50, 75, 100), reached, strict=True)}
    return {"value": value, "page_views": page_views,
            "time_on_page": _ratio(engaged_ms / 1000, engaged_views, 0),
            "scroll_depth": _ratio(scroll, native, 1), **shares}


def visitors(conn: psycopg.Connection, query: Query, limit: int = 50, offset: int = 0) -> list[dict]:
    """The period's visitors, latest visit first, each summed over their sessions in it."""
    chosen = recent_visitors(conn, query, limit + offset)[offset:]
    cursor = conn.execute(queries.load("reports")["visitors"], query.params(visitors=chosen))
    names = [column.name for column in cursor.description]
    return [{**dict(zip(names, row, strict=True)), "visitor_id": visitor_key(row[0])} for row in cursor]


def recent_visitors(conn: psycopg.Connection, query: Query, wanted: int) -> list[int]:
    """The ids of up to `wanted` visitors by their latest session start, newest first: sessions
    read newest first, a page at a time, until that many distinct visitors turned up."""
    found: dict[int, None] = {}  # insertion-ordered: by latest session start
    page, before, before_id = max(200, 4 * wanted), query.period.hi, 2**63 - 1
    while len(found) < wanted:
        rows = conn.execute(queries.load("reports")["recent_sessions"],
                            query.params(before=before, before_id=before_id, page=page)).fetchall()
        found.update(dict.fromkeys(visitor for visitor, _, _ in rows))
        if len(rows) < page:
            break
        _, before, before_id = rows[-1]
    return list(found)[:wanted]


def visitor(conn: psycopg.Connection, query: Query, visitor_id: int, limit: int = 50) -> dict:
    """One visitor's sessions in the period, newest first, each with its events in order."""
    q = queries.load("reports")
    cursor = conn.execute(q["visitor_sessions"], query.params(visitor_id=visitor_id, limit=limit))
    names = [column.name for column in cursor.description]
    sessions = [dict(zip(names, row, strict=True)) for row in cursor]
    events: dict[int, list[dict]] = {s["session_id"]: [] for s in sessions}
    cursor = conn.execute(q["visitor_events"], query.params(sessions=list(events)))
    names = [column.name for column in cursor.description][1:]
    for session_id, *row in cursor:
        events[session_id].append(dict(zip(names, row, strict=True)))
    return {"visitor_id": visitor_key(visitor_id),
            "sessions": [{**s, "session_id": visitor_key(s["session_id"]), "events": events[s["session_id"]]}
                         for s in sessions]}


def realtime(conn: psycopg.Connection, property_id: str, now: datetime, bots: bool = False) -> dict:
    row = conn.execute(queries.load("reports")["realtime"], {"property_id": property_id, "now": now, "bots": bots}).fetchone()
    return {"visitors": row[0], "page_views": row[1]}


def visitor_key(number: int) -> str:
    """A 64-bit id as 16 hex digits: JSON numbers lose precision past 2**53."""
    return f"{number & 0xFFFF_FFFF_FFFF_FFFF:016x}"


def visitor_number(key: str) -> int:
    """The inverse of visitor_key(); ValueError for anything else."""
    if len(key) != 16:
        raise ValueError("a visitor id is 16 hexadecimal digits")
    value = int(key, 16)
    return value - (1 << 64) if value >= 1 << 63 else value
