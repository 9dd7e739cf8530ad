"""What the accounts and dashboard routes share: the web role's pool, templates, the
signed-in user and the cookie policy. The collect path uses none of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fastapi import HTTPException, Request
from jinja2_fragments.fastapi import Jinja2Blocks
from psycopg_pool import ConnectionPool

from app.accounts import csrf, sessions
from app.dashboard import humane
from app.reports import filters, goals, periods, stats
from parcours import PROJECT_ROOT, queries
from parcours.proxies import client_ip
from parcours.settings import Settings

# The roles' order, as accounts.site_roles ranks them (sql/migrations/0009_teams.sql).
RANKS = {"viewer": 1, "admin": 2, "owner": 3}


@dataclass
class Web:
    settings: Settings
    pool: ConnectionPool
    templates: Jinja2Blocks

    def secure_cookies(self, request: Request) -> bool:
        """Whether cookies carry Secure. "auto": when the public URL is https (behind a TLS proxy
        the request itself arrives as plain http) or the request came over https."""
        policy = self.settings.cookie_secure
        https = self.settings.public_url.startswith("https://") or request.url.scheme == "https"
        return policy == "always" or (policy == "auto" and https)

    def render(self, request: Request, template: str, context: dict, block: str | None = None, status: int = 200):
        context = {"csrf_token": csrf.token(request), **context}
        response = self.templates.TemplateResponse(request, template, context, block_name=block, status_code=status)
        csrf.persist(request, response, self.secure_cookies(request))
        return response

    def base_url(self, request: Request) -> str:
        """Where the tracking snippet points: PARCOURS_PUBLIC_URL, else as the request came in.
        Never for links in mail: a forged Host would send them elsewhere (app/accounts/mail.py)."""
        return self.settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")

    def client_address(self, request: Request) -> str:
        """The address rate limits count by: the peer, or what a trusted proxy says it is."""
        return client_ip(request.scope, dict(request.scope["headers"]), tuple(self.settings.trusted_proxies))

    def current_user(self, request: Request) -> dict:
        """The signed-in user, or a redirect to the login page."""
        with self.pool.connection() as conn:
            user = sessions.user_for(conn, request.cookies.get(sessions.COOKIE))
        if user is None:
            raise HTTPException(303, headers={"Location": "/login"})
        return user

    def site_for(self, user: dict, property_id: str, role: str = "viewer") -> dict:
        """The site with the user's role on it. 404 when they have none: someone else's site looks
        exactly like no site, so ids cannot be probed. 403 when their role is below `role`."""
        with self.pool.connection() as conn:
            row = conn.execute(queries.load("accounts")["site_role"], {"id": property_id, "user_id": user["id"]}).fetchone()
        if row is None:
            raise HTTPException(404, "no such property")
        if row[4] < RANKS[role]:
            raise HTTPException(403, f"this needs the {role} role on this site; yours is {row[3]}")
        return {"id": row[0], "name": row[1], "time_zone": row[2], "role": row[3]}

    def site_form_post(self, request: Request, csrf_token: str, property_id: str, role: str) -> tuple[dict, dict]:
        """A form posted about a site: its CSRF token checked, then the signed-in user and the site
        as site_for gives it."""
        csrf.check(request, csrf_token)
        user = self.current_user(request)
        return user, self.site_for(user, property_id, role)

    def report_query(self, user: dict, property_id: str, period: str, first: date | None, last: date | None,
                     filter_: list[str], bots: bool = False, imported: bool = True) -> tuple[dict, stats.Query]:
        """The site and the report a URL asks for: 404 for a site the user has no role on, 422
        with the reason for a period or filter that does not parse."""
        site = self.site_for(user, property_id)
        try:
            chosen = periods.resolve(period, site["time_zone"], now=self.settings.now(), first=first, last=last)
            rules = filters.parse(filter_)
            named = self._goals(user, site["id"]) if filters.GOAL in rules else {}
            filters.with_goals(rules, named)
        except (periods.PeriodError, filters.FilterError) as error:
            raise HTTPException(422, str(error)) from None
        return site, stats.Query(site["id"], chosen, rules, bots, named, imported)

    def _goals(self, user: dict, property_id: str) -> dict[str, dict]:
        with self.pool.connection() as conn:
            return {g["name"]: g["definition"] for g in goals.defined(conn, user["id"], property_id)}


def make_templates() -> Jinja2Blocks:
    templates = Jinja2Blocks(directory=str(PROJECT_ROOT / "app" / "templates"))
    templates.env.filters.update(humane.FILTERS)
    return templates


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"
