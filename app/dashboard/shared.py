"""A site's reports through a shared link (app/accounts/sharing.py): the property page and its
panels, from the same views and templates as the owner's (app/dashboard/routes.py), under
/share/TOKEN, without settings, visitors or exports, and kept out of search engines.

A link with a password shows a password form first; the right password leaves a cookie bound to
the link and its password. Wrong passwords are limited per link and address, as logins are. A
link its owner made embeddable may be framed by the origins listed (CSP frame-ancestors), and
with ?embed=1 drops the page's header.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import csrf, passwords, sharing
from app.dashboard import routes as reports
from app.dashboard.routes import Filters, FromDate, View
from app.headers import POLICY
from app.web import Web
from parcours.ratelimit import RateLimiter

WINDOW = 15 * 60
TRIES = 10
# A shared link reads like a public page: the owner's preferences are not the reader's.
READER = {"week_start": "monday", "default_period": "30d"}


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    tries = RateLimiter(TRIES / WINDOW, TRIES)

    def opened(token: str) -> dict:
        with web.pool.connection() as conn:
            link = sharing.found(conn, token)
        if link is None:
            raise HTTPException(404, "no such link; it may have been revoked")
        return link

    def view(request: Request, link: dict, period: str | None, from_: date | None, to: date | None,
             compare: bool, filter_: list[str], embed: bool = False) -> View:
        if not sharing.unlocked(request, link):
            raise HTTPException(401, "this link asks for a password")
        owner = {"id": link["property"]["owner_id"], **READER}
        period = period or READER["default_period"]
        imported = request.query_params.get("imported") != "0"
        site, query = web.report_query(owner, link["property"]["id"], period, from_, to, filter_, imported=imported)
        args = {"period": period, "from": from_ and from_.isoformat(), "to": to and to.isoformat(),
                "compare": "1" if compare else None, "filter": filter_, "imported": None if imported else "0",
                "embed": "1" if embed and link["embed_origins"] else None}
        return View({**site, "user": owner}, query, compare, args, base=f"/share/{link['token']}", shared=True,
                    panels=None if link["panels"] is None else frozenset(link["panels"]))

    def framed(response: Response, link: dict) -> Response:
        """No search engine indexes a shared view; only the origins the owner listed may frame it."""
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        if link["embed_origins"]:
            response.headers["Content-Security-Policy"] = POLICY.replace(
                "frame-ancestors 'none'", "frame-ancestors " + " ".join(link["embed_origins"]))
        return response

    def password_page(request: Request, link: dict, error: str | None = None, status: int = 401):
        return framed(web.render(request, "shared_password.html", {"link": link, "error": error}, status=status), link)

    @routes.get("/share/{token}")
    def shared_page(request: Request, token: str, period: str | None = None, from_: FromDate = None,
                    to: date | None = None, compare: bool = False, filter_: Filters = None,
                    interval: str | None = None, metric: str | None = None, embed: bool = False,
                    dimension: str | None = None, operator: str | None = None, value: str | None = None):
        link = opened(token)
        if not sharing.unlocked(request, link):
            return password_page(request, link)
        if dimension and operator and value is not None:
            return reports.add_filter(request, filter_ or [], dimension, operator, value)
        chosen = view(request, link, period, from_, to, compare, filter_ or [], embed)
        return framed(reports.property_report(web, request, chosen, interval, metric), link)

    @routes.post("/share/{token}")
    def unlock(request: Request, token: str, password: str = Form(""), csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        link = opened(token)
        if link["password_hash"] is None:
            return RedirectResponse(f"/share/{token}", status_code=303)
        if not tries.allow(f"{link['id']}\0{web.client_address(request)}"):
            return password_page(request, link, "Too many attempts. Wait a few minutes and try again.", 429)
        if not passwords.verify(link["password_hash"], password):
            return password_page(request, link, "That password is not right.")
        response = RedirectResponse(f"/share/{token}", status_code=303)
        response.set_cookie(sharing.COOKIE, sharing.unlock_value(request.app.state.signing_key, link),
                            path=f"/share/{token}", httponly=True, secure=web.secure_cookies(request),
                            samesite="lax")
        return response

    @routes.get("/share/{token}/panels/{panel}/{dimension}")
    def panel(request: Request, token: str, panel: str, dimension: str, period: str | None = None,
              from_: FromDate = None, to: date | None = None, compare: bool = False, filter_: Filters = None):
        link = opened(token)
        chosen = view(request, link, period, from_, to, compare, filter_ or [])
        return framed(reports.breakdown_panel(web, request, chosen, panel, dimension), link)

    @routes.get("/share/{token}/events/{dimension}")
    def events_panel(request: Request, token: str, dimension: str, period: str | None = None,
                     from_: FromDate = None, to: date | None = None, compare: bool = False,
                     filter_: Filters = None, name: str | None = None):
        link = opened(token)
        chosen = view(request, link, period, from_, to, compare, filter_ or [])
        return framed(reports.events_report(web, request, chosen, dimension, name), link)

    @routes.get("/share/{token}/conversions")
    def goals_panel(request: Request, token: str, period: str | None = None, from_: FromDate = None,
                    to: date | None = None, compare: bool = False, filter_: Filters = None):
        link = opened(token)
        chosen = view(request, link, period, from_, to, compare, filter_ or [])
        return framed(reports.goals_report(web, request, chosen), link)

    @routes.get("/share/{token}/funnel-report")
    def funnel_panel(request: Request, token: str, funnel: int | None = None, period: str | None = None,
                     from_: FromDate = None, to: date | None = None, compare: bool = False, filter_: Filters = None):
        link = opened(token)
        chosen = view(request, link, period, from_, to, compare, filter_ or [])
        return framed(reports.funnel_report(web, request, chosen, funnel), link)

    @routes.get("/share/{token}/realtime")
    def realtime(request: Request, token: str):
        link = opened(token)
        return framed(reports.realtime_count(web, request, view(request, link, "today", None, None, False, [])), link)

    return routes
