"""The JSON stats API, /api/v1 (docs/api.md). The same reports as the dashboard (app/reports),
for scripts and other tools: authenticated by an API key or the dashboard's session cookie, and
answering 404 for a property the caller has no role on, so ids cannot be probed, and 403 for a
change their role does not allow (a viewer reads; an admin or the owner changes goals and notes)."""

# No `from __future__ import annotations`: FastAPI must see the route signatures' local
# dependency types (Chosen) as objects, not as names it cannot resolve.

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, Request, Response

from app.accounts import annotations, api_keys, sessions
from app.reports import events, filters, goals, stats
from app.web import Web
from parcours.errors import ParcoursError

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
                "filters": filters.expressions(self.query.filters), "bots": self.query.bots,
                "imported": self.query.imported, "results": results}


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
               imported: Annotated[bool, Query(description="add days imported from Plausible where a report can")] = True,
               filter_: Annotated[list[str], Query(alias="filter", description="dimension==value, !=value, =~text (contains), !~text, or goal==name")] = [],  # noqa: B006
               ) -> Report:
        site, query = web.report_query(user, property_id, period, from_, to, filter_, bots, imported)
        return Report(query, compare, site)

    Chosen = Annotated[Report, Depends(report)]

    def writer(request: Request) -> dict:
        """Changes take an API key only: a session cookie rides along on requests other sites
        make, and the API has no CSRF token."""
        if request.headers.get("authorization", "").partition(" ")[0].lower() != "bearer":
            raise HTTPException(401, "changes need an API key (Authorization: Bearer …)",
                                headers={"WWW-Authenticate": "Bearer"})
        return caller(request)

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

    @routes.get("/properties/{property_id}/events")
    def event_report(chosen: Chosen, limit: Limit = 10, offset: Offset = 0,
                     dimension: Annotated[str, Query(pattern=f"^({'|'.join((*events.DIMENSIONS, events.NOT_FOUND))})$")] = "event"):
        """Custom events by name (`event`), outbound links by URL or domain, downloads by URL or
        file type, site search terms, or error pages (`not_found`) with their referrer."""
        with web.pool.connection() as conn:
            return chosen.envelope(events.report(conn, chosen.query, dimension, chosen.compare, limit, offset))

    @routes.get("/properties/{property_id}/events/{name}/properties")
    def event_properties(chosen: Chosen, name: Annotated[str, Path(max_length=64)], limit: Limit = 20, offset: Offset = 0):
        """One custom event's properties: a row per key and value."""
        with web.pool.connection() as conn:
            return chosen.envelope(events.properties(conn, chosen.query, name, limit, offset))

    @routes.get("/properties/{property_id}/goals")
    def goal_report(chosen: Chosen, user: Annotated[dict, Depends(caller)]):
        """Every goal of the property with its conversions, converting visitors and rate."""
        with web.pool.connection() as conn:
            defined = goals.defined(conn, user["id"], chosen.query.property_id)
            return chosen.envelope(goals.report(conn, chosen.query, defined, chosen.compare))

    @routes.get("/properties/{property_id}/goals/{goal_id}")
    def one_goal(chosen: Chosen, user: Annotated[dict, Depends(caller)], goal_id: int):
        """One goal's conversions; with `compare=true`, the previous period's too."""
        with web.pool.connection() as conn:
            defined = [g for g in goals.defined(conn, user["id"], chosen.query.property_id) if g["id"] == goal_id]
            if not defined:
                raise HTTPException(404, "no such goal")
            [result] = goals.report(conn, chosen.query, defined)
            if chosen.compare:
                [result["previous"]] = goals.report(conn, chosen.query.previous(), defined)
            return chosen.envelope(result)

    @routes.post("/properties/{property_id}/goals", status_code=201)
    def create_goal(property_id: Annotated[str, Path(max_length=32)], user: Annotated[dict, Depends(writer)],
                    body: Annotated[dict, Body(description='{"name": "Signup", "event": "signup", "props": {"plan": "pro"}} '
                                                           'or {"name": "Pricing", "page": "/pricing"}')]):
        site = web.site_for(user, property_id, "admin")
        try:
            definition = goals.step(body.get("page"), body.get("event"), body.get("props"))
            goal_name = goals.name(body.get("name"))
            with web.pool.connection() as conn:
                return {"id": goals.add(conn, user["id"], site["id"], goal_name, definition), "name": goal_name,
                        "definition": definition}
        except goals.GoalError as error:
            raise HTTPException(422, str(error)) from None

    @routes.get("/properties/{property_id}/funnels")
    def funnel_list(property_id: Annotated[str, Path(max_length=32)], user: Annotated[dict, Depends(caller)]):
        """The property's funnels and their steps."""
        site = web.site_for(user, property_id)
        with web.pool.connection() as conn:
            return goals.funnels(conn, user["id"], site["id"])

    @routes.get("/properties/{property_id}/funnels/{funnel_id}")
    def funnel_report(chosen: Chosen, user: Annotated[dict, Depends(caller)], funnel_id: int):
        """Visitors and sessions reaching each step in order within a session, conversion,
        drop-off and the median time between steps."""
        with web.pool.connection() as conn:
            found = [f for f in goals.funnels(conn, user["id"], chosen.query.property_id) if f["id"] == funnel_id]
            if not found:
                raise HTTPException(404, "no such funnel")
            steps = goals.funnel_report(conn, chosen.query, found[0]["steps"], chosen.compare)
            return chosen.envelope({"funnel": found[0], "steps": steps})

    @routes.post("/properties/{property_id}/funnels", status_code=201)
    def create_funnel(property_id: Annotated[str, Path(max_length=32)], user: Annotated[dict, Depends(writer)],
                      body: Annotated[dict, Body(description='{"name": "Signup", "steps": [{"page": "/"}, {"event": "signup"}]}')]):
        site = web.site_for(user, property_id, "admin")
        try:
            items, funnel_name = goals.steps(body.get("steps")), goals.name(body.get("name"))
            with web.pool.connection() as conn:
                return {"id": goals.add_funnel(conn, user["id"], site["id"], funnel_name, items), "name": funnel_name,
                        "steps": items}
        except goals.GoalError as error:
            raise HTTPException(422, str(error)) from None

    @routes.delete("/properties/{property_id}/goals/{goal_id}", status_code=204)
    def delete_goal(property_id: Annotated[str, Path(max_length=32)], user: Annotated[dict, Depends(writer)], goal_id: int):
        """Delete a goal. Nothing else changes: goals never tag events."""
        return _delete(property_id, user, "goal", goal_id)

    @routes.delete("/properties/{property_id}/funnels/{funnel_id}", status_code=204)
    def delete_funnel(property_id: Annotated[str, Path(max_length=32)], user: Annotated[dict, Depends(writer)],
                      funnel_id: int):
        """Delete a funnel."""
        return _delete(property_id, user, "funnel", funnel_id)

    def _delete(property_id: str, user: dict, kind: str, item_id: int) -> Response:
        web.site_for(user, property_id, "admin")
        with web.pool.connection() as conn:
            if not goals.delete(conn, user["id"], property_id, kind, item_id):
                raise HTTPException(404, f"no such {kind}")
        return Response(status_code=204)

    @routes.get("/properties/{property_id}/annotations")
    def annotation_list(chosen: Chosen):
        """The property's notes dated within the period (local dates), oldest first."""
        with web.pool.connection() as conn:
            period = chosen.query.period
            return chosen.envelope(annotations.listed(conn, chosen.query.property_id, period.first, period.last))

    @routes.post("/properties/{property_id}/annotations", status_code=201)
    def create_annotation(property_id: Annotated[str, Path(max_length=32)], user: Annotated[dict, Depends(writer)],
                          body: Annotated[dict, Body(description='{"date": "2026-11-03", "note": "New pricing page"}')]):
        site = web.site_for(user, property_id, "admin")
        try:
            day = date.fromisoformat(str(body.get("date")))
        except ValueError:
            raise HTTPException(422, "date must be a local date, YYYY-MM-DD") from None
        try:
            note = annotations.note_text(body.get("note"))
            with web.pool.connection() as conn:
                note_id = annotations.add(conn, user["id"], site["id"], day, note)
        except ParcoursError as error:
            raise HTTPException(422, str(error)) from None
        return {"id": note_id, "date": day.isoformat(), "note": note}

    @routes.delete("/properties/{property_id}/annotations/{annotation_id}", status_code=204)
    def delete_annotation(property_id: Annotated[str, Path(max_length=32)], user: Annotated[dict, Depends(writer)],
                          annotation_id: int):
        web.site_for(user, property_id, "admin")
        with web.pool.connection() as conn:
            if not annotations.delete(conn, user["id"], property_id, annotation_id):
                raise HTTPException(404, "no such annotation")
        return Response(status_code=204)

    @routes.get("/properties/{property_id}/realtime")
    def realtime(chosen: Chosen):
        """Visitors and page views of the last five minutes (the period and filters do not apply)."""
        with web.pool.connection() as conn:
            return chosen.envelope(stats.realtime(conn, chosen.query.property_id, web.settings.now(), chosen.query.bots))

    return routes

