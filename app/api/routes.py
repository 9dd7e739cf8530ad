"""The JSON stats API, /api/v1 (docs/api.md). The same reports as the dashboard (app/reports),
for scripts and other tools: authenticated by an API key or the dashboard's session cookie, and
answering 404 for a property the caller does not own, so ids cannot be probed."""

# No `from __future__ import annotations`: FastAPI must see the route signatures' local
# dependency types (Chosen) as objects, not as names it cannot resolve.

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request

from app.accounts import api_keys, sessions
from app.reports import filters, stats
from app.web import Web

Limit = Annotated[int, Query(ge=1, le=1000, description="Rows per page.")]
Offset = Annotated[int, Query(ge=0, description="Rows to skip.")]


@dataclass(frozen=True)
class Report:
    query: stats.Query
    compare: bool
    property: dict

    def envelope(self, results) -> dict:
        period = self.query.period
        return {"property": self.property,
                "period": {"key": period.key, "from": period.first.isoformat(), "to": period.last.isoformat(),
                           "time_zone": period.time_zone},
                "filters": filters.expressions(self.query.filters), "bots": self.query.bots, "results": results}


def router(web: Web) -> APIRouter:
    routes = APIRouter(prefix="/api/v1", tags=["stats"])

    def caller(request: Request) -> dict:
        """The user behind an `Authorization: Bearer` API key, else behind the session cookie."""
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        with web.pool.connection() as conn:
            if scheme.lower() == "bearer":
                user = api_keys.user_for(conn, key.strip())
            else:
                user = sessions.user_for(conn, request.cookies.get(sessions.COOKIE))
        if user is None:
            raise HTTPException(401, "an API key (Authorization: Bearer …) or a signed-in session is required",
                                headers={"WWW-Authenticate": "Bearer"})
        return user

    def report(property_id: Annotated[str, Path(max_length=32)], user: Annotated[dict, Depends(caller)],
               period: str = "30d", from_: Annotated[date | None, Query(alias="from")] = None,
               to: date | None = None, compare: bool = False, bots: bool = False,
               filter_: Annotated[list[str], Query(alias="filter", description="dimension==value or dimension!=value")] = [],  # noqa: B006
               ) -> Report:
        site, query = web.report_query(user, property_id, period, from_, to, filter_, bots)
        return Report(query, compare, site)

    Chosen = Annotated[Report, Depends(report)]

    @routes.get("/properties/{property_id}/summary")
    def summary(chosen: Chosen):
        """Visitors, sessions, page views, views per session, bounce rate and session duration;
        with `compare=true`, the previous period's values and the percentage change."""
        with web.pool.connection() as conn:
            run = stats.compared if chosen.compare else stats.summary
            return chosen.envelope(run(conn, chosen.query))

    @routes.get("/properties/{property_id}/timeseries")
    def timeseries(chosen: Chosen, user: Annotated[dict, Depends(caller)],
                   interval: Annotated[str, Query(pattern="^(hour|day|week|month)$")] = "day",
                   week_start: Annotated[str | None, Query(pattern="^(monday|sunday)$")] = None):
        """One row per local hour, day, week or month, empty ones included. Weeks start on
        `week_start`, by default the caller's preference (Monday unless set)."""
        week_start = week_start or user["week_start"]
        with web.pool.connection() as conn:
            result = {"current": stats.timeseries(conn, chosen.query, interval, week_start=week_start)}
            if chosen.compare:
                result["previous"] = stats.timeseries(conn, chosen.query.previous(), interval, week_start=week_start)
            return chosen.envelope(result)

    @routes.get("/properties/{property_id}/breakdown/{dimension}")
    def breakdown(chosen: Chosen, dimension: str, limit: Limit = 10, offset: Offset = 0):
        """Rows for each value of a dimension, most visitors first."""
        if dimension not in filters.DIMENSIONS:
            raise HTTPException(422, f"unknown dimension {dimension[:80]!r}; use one of {', '.join(filters.DIMENSIONS)}")
        with web.pool.connection() as conn:
            return chosen.envelope(stats.breakdown(conn, chosen.query, dimension, limit, offset))

    @routes.get("/properties/{property_id}/visitors")
    def visitors(chosen: Chosen, limit: Limit = 50, offset: Offset = 0):
        """The period's visitors, most recently active first."""
        with web.pool.connection() as conn:
            return chosen.envelope(stats.visitors(conn, chosen.query, limit, offset))

    @routes.get("/properties/{property_id}/visitors/{visitor_id}")
    def visitor(chosen: Chosen, visitor_id: Annotated[str, Path(pattern="^[0-9a-f]{16}$")], limit: Limit = 50):
        """One visitor's sessions in the period, newest first, each with its events in order."""
        with web.pool.connection() as conn:
            found = stats.visitor(conn, chosen.query, stats.visitor_number(visitor_id), limit)
        if not found["sessions"]:
            raise HTTPException(404, "no such visitor in this period")
        return chosen.envelope(found)

    @routes.get("/properties/{property_id}/realtime")
    def realtime(chosen: Chosen):
        """Visitors and page views of the last five minutes (the period and filters do not apply)."""
        with web.pool.connection() as conn:
            return chosen.envelope(stats.realtime(conn, chosen.query.property_id, web.settings.now(), chosen.query.bots))

    return routes
