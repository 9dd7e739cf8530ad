"""Event reports: custom events by name and their properties, outbound links, downloads, site
searches and error pages (docs/definitions.md, "Events"). Read from the raw events at query
time, through indexes that hold only custom events, so every filter and period applies exactly.
"""

from __future__ import annotations

import psycopg

from app.reports import stats
from app.reports.stats import Query
from parcours import queries

# What each event report groups by (sql/queries/reports.sql, event_breakdown).
DIMENSIONS = ("event", "outbound", "outbound_domain", "download", "download_type", "search")
NOT_FOUND = "not_found"


def breakdown(conn: psycopg.Connection, query: Query, dimension: str, visitors: int | None = None,
              limit: int = 10, offset: int = 0) -> list[dict]:
    """Rows of events and distinct visitors, most visitors first; with the period's `visitors`,
    each row's conversion rate (its visitors over them)."""
    if dimension == NOT_FOUND:
        return not_found(conn, query, limit, offset)
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown event report {dimension!r}; use one of {', '.join((*DIMENSIONS, NOT_FOUND))}")
    rows = conn.execute(queries.load("reports")["event_breakdown"],
                        query.params(dimension=dimension, limit=limit, offset=offset))
    return [{"value": value, "events": events, "visitors": people, **_rate(people, visitors)}
            for value, events, people in rows]


def report(conn: psycopg.Connection, query: Query, dimension: str, compare: bool = False,
           limit: int = 10, offset: int = 0) -> list[dict]:
    """An event report as the dashboard and the API show it: each row's conversion rate and,
    with `compare`, the previous period's visitors for the same value and the change."""
    if dimension == NOT_FOUND:
        return not_found(conn, query, limit, offset)
    rows = breakdown(conn, query, dimension, stats.summary(conn, query.native())["visitors"], limit, offset)
    if compare:
        rows = stats.against(rows, breakdown(conn, query.previous(), dimension, limit=1000), "value")
    return rows


def _rate(people: int, visitors: int | None) -> dict:
    if visitors is None:
        return {}
    return {"conversion_rate": round(100 * people / visitors, 1) if visitors else None}


def properties(conn: psycopg.Connection, query: Query, name: str, limit: int = 20, offset: int = 0) -> list[dict]:
    """One event's properties, a row per key and value."""
    rows = conn.execute(queries.load("reports")["event_properties"],
                        query.params(name=name, limit=limit, offset=offset))
    return [{"key": key, "value": value, "events": events, "visitors": people} for key, value, events, people in rows]


def not_found(conn: psycopg.Connection, query: Query, limit: int = 10, offset: int = 0) -> list[dict]:
    """Views of error pages by path and referring page."""
    rows = conn.execute(queries.load("reports")["not_found"], query.params(limit=limit, offset=offset))
    return [{"value": value, "referrer": referrer, "page_views": views, "visitors": people}
            for value, referrer, views, people in rows]
