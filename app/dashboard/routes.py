"""The overview of a user's properties and a property's reports: the full page or, for htmx, its
report block; each panel, the realtime count and CSV exports as their own small views.

The URL holds the whole state — period, custom range, comparison, filters — so any view can be
bookmarked or shared with another owner, and every link below is built from it.
"""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import annotations
from app.dashboard import charts
from app.reports import events, filters, goals, periods, stats
from app.web import Web, is_htmx
from parcours import queries, spreadsheet

# Panels, each a set of tabs over one kind of breakdown.
PANELS = {
    "sources": ("channel", "source", "referrer", "utm_source", "utm_medium", "utm_campaign"),
    "pages": ("page", "entry_page", "exit_page"),
    "locations": ("country", "region", "city"),
    "devices": ("browser", "os", "device"),
    "languages": ("language",),
    "content": ("page_type", "category", "tag", "author"),
}
METRICS = {"visitors": "Visitors", "page_views": "Page views", "sessions": "Sessions", "bounce_rate": "Bounce rate",
           "session_duration": "Session duration"}
METRIC_KINDS = {"bounce_rate": "percent", "session_duration": "duration"}
EVENT_TABS = {"event": "Events", "outbound": "Outbound links", "outbound_domain": "Outbound domains",
              "download": "Downloads", "download_type": "File types", "search": "Site search", "not_found": "404 pages"}
FromDate = Annotated[date | None, Query(alias="from")]
Filters = Annotated[list[str] | None, Query(alias="filter")]
LABELS = {"utm_source": "UTM source", "utm_medium": "UTM medium", "utm_campaign": "UTM campaign", "os": "OS",
          "entry_page": "Entry pages", "exit_page": "Exit pages", "page": "Top pages", "page_type": "Page types"}


@dataclass(frozen=True)
class View:
    """What the URL asks for, checked, with the property it is about. `base` is where the
    property's reports live: /properties/ID for its owner, /share/TOKEN through a shared link,
    which may show only some `panels` and never a visitor."""
    property: dict
    query: stats.Query
    compare: bool
    args: dict
    base: str = ""
    shared: bool = False
    panels: frozenset[str] | None = None

    @property
    def manages(self) -> bool:
        """Whether the reader may change the site (its settings, goals, links, notes): its owner
        or an admin, never a viewer or a shared link."""
        return not self.shared and self.property.get("role") in ("owner", "admin")

    def shows(self, panel: str) -> bool:
        return self.panels is None or panel in self.panels

    def link(self, **changes) -> str:
        """This view's query string with `changes` applied (None removes a key)."""
        merged = {**self.args, **changes}
        return "?" + urlencode({k: v for k, v in merged.items() if v not in (None, [], False)}, doseq=True)

    def with_filter(self, dimension: str, value: str | None) -> str:
        return self.link(filter=[*self.args.get("filter", []), f"{dimension}=={value or ''}"])

    def without_filter(self, *expressions: str) -> str:
        return self.link(filter=[f for f in self.args.get("filter", []) if f not in expressions])


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    q = queries.load("accounts")

    def view(request: Request, property_id: str, period: str | None, from_: date | None, to: date | None,
             compare: bool, filter_: list[str]) -> View:
        """`period` None: the user's default period (account preferences)."""
        user = web.current_user(request)
        period = period or user.get("default_period", "7d")
        imported = request.query_params.get("imported") != "0"
        site, query = web.report_query(user, property_id, period, from_, to, filter_, imported=imported)
        args = {"period": period, "from": from_ and from_.isoformat(), "to": to and to.isoformat(),
                "compare": "1" if compare else None, "filter": filter_, "imported": None if imported else "0"}
        return View({**site, "user": user}, query, compare, args, base=f"/properties/{site['id']}")

    @routes.get("/")
    def overview(request: Request):
        user = web.current_user(request)
        with web.pool.connection() as conn:
            owned = conn.execute(q["owned_properties"], {"user_id": user["id"]}).fetchall()
            cards = [_overview_card(conn, web.settings.now(), *row) for row in owned]
        return web.render(request, "overview.html", {"user": user, "properties": cards})

    @routes.get("/properties/{property_id}")
    def property_page(request: Request, property_id: str, period: str | None = None,
                      from_: FromDate = None, to: date | None = None,
                      compare: bool = False, filter_: Filters = None, interval: str | None = None,
                      metric: str | None = None,
                      dimension: str | None = None, operator: str | None = None, value: str | None = None):
        if dimension and operator and value is not None:
            return add_filter(request, filter_ or [], dimension, operator, value)
        chosen = view(request, property_id, period, from_, to, compare, filter_ or [])
        return property_report(web, request, chosen, interval, metric)

    @routes.get("/properties/{property_id}/panels/{panel}/{dimension}")
    def panel(request: Request, property_id: str, panel: str, dimension: str, period: str | None = None,
              from_: FromDate = None, to: date | None = None,
              compare: bool = False, filter_: Filters = None):
        chosen = view(request, property_id, period, from_, to, compare, filter_ or [])
        return breakdown_panel(web, request, chosen, panel, dimension)

    @routes.get("/properties/{property_id}/events/{dimension}")
    def events_panel(request: Request, property_id: str, dimension: str, period: str | None = None,
                     from_: FromDate = None, to: date | None = None, compare: bool = False,
                     filter_: Filters = None, name: str | None = None):
        chosen = view(request, property_id, period, from_, to, compare, filter_ or [])
        return events_report(web, request, chosen, dimension, name)

    @routes.get("/properties/{property_id}/conversions")
    def goals_panel(request: Request, property_id: str, period: str | None = None, from_: FromDate = None,
                    to: date | None = None, compare: bool = False, filter_: Filters = None):
        chosen = view(request, property_id, period, from_, to, compare, filter_ or [])
        return goals_report(web, request, chosen)

    @routes.get("/properties/{property_id}/funnel-report")
    def funnel_panel(request: Request, property_id: str, funnel: int | None = None, period: str | None = None,
                     from_: FromDate = None, to: date | None = None, compare: bool = False, filter_: Filters = None):
        chosen = view(request, property_id, period, from_, to, compare, filter_ or [])
        return funnel_report(web, request, chosen, funnel)

    @routes.get("/properties/{property_id}/export/{dimension}.csv")
    def export(request: Request, property_id: str, dimension: str, period: str | None = None,
               from_: FromDate = None, to: date | None = None,
               filter_: Filters = None):
        if dimension not in filters.DIMENSIONS:
            raise HTTPException(404, "no such report")
        chosen = view(request, property_id, period, from_, to, False, filter_ or [])
        with web.pool.connection() as conn:
            rows = stats.breakdown(conn, chosen.query, dimension, limit=10_000)
        period_ = chosen.query.period
        name = f"{property_id}-{dimension}-{period_.first.isoformat()}-{period_.last.isoformat()}.csv"
        return Response(_csv(rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @routes.get("/properties/{property_id}/visitors")
    def visitors(request: Request, property_id: str, period: str | None = None, from_: FromDate = None,
                 to: date | None = None, compare: bool = False, filter_: Filters = None):
        chosen = view(request, property_id, period, from_, to, compare, filter_ or [])
        with web.pool.connection() as conn:
            rows = stats.visitors(conn, chosen.query, limit=20)
        return web.render(request, "visitors.html", {"view": chosen, "rows": rows, "tz": ZoneInfo(chosen.property["time_zone"])})

    @routes.get("/properties/{property_id}/visitors/{visitor_id}")
    def visitor(request: Request, property_id: str, visitor_id: str, period: str | None = None, from_: FromDate = None,
                to: date | None = None):
        chosen = view(request, property_id, period, from_, to, False, [])
        try:
            number = stats.visitor_number(visitor_id)
        except ValueError:
            raise HTTPException(404, "no such visitor") from None
        with web.pool.connection() as conn:
            found = stats.visitor(conn, chosen.query, number)
        if not found["sessions"]:
            raise HTTPException(404, "no such visitor in this period")
        return web.render(request, "visitor.html", {"user": chosen.property["user"], "property": chosen.property,
                                                    "view": chosen, "visitor": found,
                                                    "tz": ZoneInfo(chosen.property["time_zone"])})

    @routes.post("/properties/{property_id}/visitors/{visitor_id}/erase")
    def erase_visitor(request: Request, property_id: str, visitor_id: str, csrf_token: str = Form("")):
        """Queues the visitor's erasure for the worker (worker/erasure.py): within seconds, their
        rows are gone and the reports recomputed as if they had never visited."""
        user, site = web.site_form_post(request, csrf_token, property_id, "admin")
        try:
            number = stats.visitor_number(visitor_id)
        except ValueError:
            raise HTTPException(404, "no such visitor") from None
        with web.pool.connection() as conn:
            conn.execute(queries.load("erasure")["request_erasure"],
                         {"property_id": site["id"], "visitor_ids": [number], "requested_by": user["email"]})
        return RedirectResponse(f"/properties/{site['id']}?erased=1", status_code=303)

    @routes.get("/properties/{property_id}/realtime")
    def realtime(request: Request, property_id: str):
        return realtime_count(web, request, view(request, property_id, "today", None, None, False, []))

    return routes


# The reports of a property, for its owner (the routes above) and through a shared link
# (app/dashboard/shared.py): the same views and templates.

def property_report(web: Web, request: Request, chosen: View, interval: str | None, metric: str | None):
    """The property page, or its report block for htmx."""
    offered = intervals(chosen.query.period.days)
    interval = interval or offered[0]
    if interval not in offered:
        raise HTTPException(422, f"the chart of this period is by {' or '.join(offered)}, not {interval[:20]!r}")
    metric = metric or "visitors"
    chosen = replace(chosen, args={**chosen.args, "interval": None if interval == offered[0] else interval,
                                   "metric": None if metric == "visitors" else metric})
    defined = _goals_of(web, chosen)
    summary, series, chart = _report(web, chosen, interval, metric, _chart_goal(metric, defined))
    period = chosen.query.period
    with web.pool.connection() as conn:
        notes = annotations.listed(conn, chosen.property["id"], period.first, period.last)
        imported = conn.execute(queries.load("accounts")["imported_ranges"],
                                {"property_id": chosen.property["id"], "lo": period.lo, "hi": period.hi}).fetchall()
    context = {"user": None if chosen.shared else chosen.property["user"], "property": chosen.property,
               "view": chosen, "summary": summary,
               "series": series, "chart": chart, "metric": metric, "metric_kind": METRIC_KINDS.get(metric, "count"),
               "metrics": {**METRICS, **{f"goal:{g['name']}": f"Conversions: {g['name']}" for g in defined}},
               "interval": interval, "intervals": offered, "panels": PANELS, "labels": LABELS,
               "periods": periods.PERIODS[:-1], "filters": filters.expressions(chosen.query.filters),
               "rules": _rules(chosen.query.filters), "dimensions": filters.DIMENSIONS, "notes": notes,
               "marks": charts.marks(chart.points, [row["starts"] for row in series], notes),
               "imported": {source: [moment.astimezone(ZoneInfo(period.time_zone)).date() for moment in span]
                            for source, *span in imported},
               "today": web.settings.now().astimezone(ZoneInfo(chosen.property["time_zone"])).date()}
    return web.render(request, "property.html", context, block="report" if is_htmx(request) else None)


def breakdown_panel(web: Web, request: Request, chosen: View, panel: str, dimension: str):
    if dimension not in PANELS.get(panel, ()) or not chosen.shows(panel):
        raise HTTPException(404, "no such panel")
    with web.pool.connection() as conn:
        rows = stats.breakdown(conn, chosen.query, dimension, limit=10)
    return web.render(request, "panel.html", {"view": chosen, "panel": panel, "dimension": dimension,
                                              "tabs": PANELS[panel], "labels": LABELS, "rows": rows,
                                              "pages": dimension in filters.PAGE_DIMENSIONS})


def events_report(web: Web, request: Request, chosen: View, dimension: str, name: str | None):
    """Custom events, outbound links, downloads, searches and error pages; with `name`, that
    event's properties."""
    if dimension not in EVENT_TABS or not chosen.shows("events"):
        raise HTTPException(404, "no such report")
    with web.pool.connection() as conn:
        rows = events.properties(conn, chosen.query, name) if name else \
            events.report(conn, chosen.query, dimension, chosen.compare)
    return web.render(request, "events_panel.html", {"view": chosen, "dimension": dimension, "tabs": EVENT_TABS,
                                                     "rows": rows, "name": name})


def goals_report(web: Web, request: Request, chosen: View):
    if not chosen.shows("goals"):
        raise HTTPException(404, "no such panel")
    with web.pool.connection() as conn:
        rows = goals.report(conn, chosen.query, goals.defined(conn, chosen.property["user"]["id"], chosen.property["id"]),
                            chosen.compare)
    return web.render(request, "goals_panel.html", {"view": chosen, "rows": rows})


def funnel_report(web: Web, request: Request, chosen: View, funnel: int | None):
    if not chosen.shows("funnels"):
        raise HTTPException(404, "no such panel")
    with web.pool.connection() as conn:
        defined = goals.funnels(conn, chosen.property["user"]["id"], chosen.property["id"])
        shown = next((f for f in defined if funnel in (None, f["id"])), None)
        if funnel is not None and shown is None:
            raise HTTPException(404, "no such funnel")
        steps = goals.funnel_report(conn, chosen.query, shown["steps"], chosen.compare) if shown else []
    return web.render(request, "funnel_panel.html", {"view": chosen, "funnels": defined, "shown": shown,
                                                     "steps": steps})


def realtime_count(web: Web, request: Request, chosen: View):
    with web.pool.connection() as conn:
        current = stats.realtime(conn, chosen.query.property_id, web.settings.now())
    return web.render(request, "realtime.html", {"now": current})


def _report(web: Web, chosen: View, interval: str, metric: str, goal: dict | None):
    """The summary, the time series and the chart of `metric` (a goal's conversions when `goal`),
    its previous period's beside it when comparing: four queries at once."""
    week_start, compare = chosen.property["user"]["week_start"], chosen.compare
    summary, series, before, conversions = _at_once(
        web,
        lambda conn: stats.compared(conn, chosen.query) if compare else stats.summary(conn, chosen.query),
        lambda conn: stats.timeseries(conn, chosen.query, interval, week_start=week_start),
        lambda conn: _series(conn, chosen.query.previous(), interval, week_start, goal) if compare else None,
        lambda conn: goals.timeseries(conn, chosen.query, goal, interval, week_start) if goal else None)
    key = "conversions" if goal else metric
    chart = charts.build([row[key] for row in conversions or series], [row[key] for row in before] if before else None,
                         [_bucket_label(row["starts"], interval, chosen.query.period.days) for row in series],
                         _open_bucket(series, chosen.query.period, web.settings.now()))
    return summary, series, chart


def _goals_of(web: Web, chosen: View) -> list[dict]:
    with web.pool.connection() as conn:
        return goals.defined(conn, chosen.property["user"]["id"], chosen.property["id"])


def _chart_goal(metric: str, defined: list[dict]) -> dict | None:
    """The goal a `goal:<name>` metric charts; None for the other metrics; 422 for neither."""
    if metric in METRICS:
        return None
    found = [g["definition"] for g in defined if metric == f"goal:{g['name']}"]
    if not found:
        raise HTTPException(422, f"the chart shows {', '.join(METRICS)} or goal:<a goal's name>, not {metric[:80]!r}")
    return found[0]


def _series(conn, query: stats.Query, interval: str, week_start: str, goal: dict | None) -> list[dict]:
    if goal:
        return goals.timeseries(conn, query, goal, interval, week_start)
    return stats.timeseries(conn, query, interval, week_start=week_start)


def _bucket_label(starts: str, interval: str, days: int) -> str:
    """A bucket's local start as people read it: 14:00 within a day, Mon 2 Nov, Nov 2026."""
    moment = datetime.fromisoformat(starts)
    if interval == "hour":
        return moment.strftime("%H:%M" if days == 1 else "%a %-d %b %H:%M")
    return moment.strftime({"day": "%a %-d %b", "week": "%-d %b", "month": "%b %Y"}[interval])


def _open_bucket(series: list[dict], period: periods.Period, now: datetime) -> int | None:
    """The index of the bucket `now` falls in, when the period has not ended."""
    if not period.lo <= now < period.hi:
        return None
    local = now.astimezone(ZoneInfo(period.time_zone)).strftime("%Y-%m-%dT%H:%M")
    started = [i for i, row in enumerate(series) if row["starts"] <= local]
    return started[-1] if started else None


def add_filter(request: Request, current: list[str], dimension: str, operator: str, value: str):
    """The filter form's choice as the URL writes filters, then that URL: "is" with values
    separated by | is one of them."""
    values = [v.strip() for v in value.split("|") if v.strip()] if operator == "==" else [value]
    added = [f"{dimension}{operator}{v}" for v in values]
    try:
        filters.parse(added)
    except filters.FilterError as error:
        raise HTTPException(422, str(error)) from None
    args = [(k, v) for k, v in request.query_params.multi_items() if k not in ("dimension", "operator", "value")]
    query = urlencode([*args, *(("filter", f) for f in added if f not in current)])
    return Response(status_code=303, headers={"Location": f"{request.url.path}?{query}"})


def _rules(rules: dict) -> list[tuple[str, list[str]]]:
    """Each dimension and operator's rule in words, with the URL expressions that make it."""
    return [(filters.describe(dimension, op, values), filters.expressions({dimension: {op: values}}))
            for dimension, ops in rules.items() for op, values in ops.items()]


def _at_once(web: Web, *reports):
    """Each report(conn) on a pooled connection of its own, at the same time: they are
    independent queries, and PostgreSQL runs each on a core of its own (the page then takes
    as long as its slowest report, not their sum; bench/dashboard)."""
    def run(report):
        with web.pool.connection() as conn:
            return report(conn)
    with ThreadPoolExecutor(len(reports)) as threads:
        return list(threads.map(run, reports))


def intervals(days: int) -> tuple[str, ...]:
    """The chart's choices for a period of `days` local days, the default first: hours up to a
    week, weeks from two weeks on, months from two months on."""
    offered = ("hour", "day") if days == 1 else ("day", "hour") if days <= 7 else ("day",)
    return offered + (("week",) if days >= 14 else ()) + (("month",) if days >= 60 else ())


def _overview_card(conn, now: datetime, property_id: str, name: str, time_zone: str, role: str) -> dict:
    query = stats.Query(property_id, periods.resolve("7d", time_zone, now=now))
    week = stats.timeseries(conn, query, "day")
    return {"id": property_id, "name": name, "time_zone": time_zone, "role": role, "today": week[-1],
            "spark": charts.build([day["visitors"] for day in week])}


def _csv(rows: list[dict]) -> str:
    """Spreadsheet-safe: a value a tracked site sent that starts like a formula is quoted as text."""
    out = io.StringIO()
    writer = csv.writer(out)
    if rows:
        writer.writerow(rows[0].keys())
    for row in rows:
        writer.writerow([spreadsheet.cell(v) for v in row.values()])
    return out.getvalue()
