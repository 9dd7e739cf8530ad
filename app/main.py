"""The web process's composition root. From one Settings object it builds the collect app
(bare ASGI, see app/collect/routes.py) and, for role "all", the dashboard and accounts
FastAPI app behind it, with the resources each owns (spool writer, pools, threads).

Role "collect" serves only the collect path, so collection survives a broken dashboard.
"""

from __future__ import annotations

import functools
import os
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Literal

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.staticfiles import StaticFiles
from psycopg_pool import ConnectionPool, PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import health
from app.accounts import account as account_routes
from app.accounts import annotations as annotation_routes
from app.accounts import email_change as email_change_routes
from app.accounts import email_reports as email_report_routes
from app.accounts import members as members_routes
from app.accounts import reset as reset_routes
from app.accounts import routes as accounts_routes
from app.accounts import signup as signup_routes
from app.accounts import sharing as sharing_routes
from app.accounts import sites as sites_routes
from app.api import routes as api_routes
from app.collect import routes as collect_routes
from app.collect.asgi import Receive, Scope, Send
from app.dashboard import goals as goals_routes
from app.dashboard import routes as dashboard_routes
from app.dashboard import shared as shared_routes
from app.headers import SecurityHeaders
from app.inputs import RefuseUnstorable
from app.web import Web, make_templates
from parcours import PROJECT_ROOT, geo
from parcours.settings import Settings, load_settings

ServeRole = Literal["collect", "all"]
# How `parcours serve --workers N` hands its choices to the worker processes uvicorn starts.
ROLE_VARIABLE = "PARCOURS_SERVE_ROLE"
ENV_FILE_VARIABLE = "PARCOURS_SERVE_ENV_FILE"


def create_app(settings: Settings, role: ServeRole = "all"):
    collector = collect_routes.build(settings)
    if role == "collect":
        return collector
    dashboard = _dashboard(settings, collector)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        # Collect's paths never touch FastAPI; the lifespan (which starts both) goes to FastAPI.
        if scope["type"] == "http" and collector.handles(scope["path"]):
            await collector(scope, receive, send)
        else:
            await dashboard(scope, receive, send)

    return app


# How the dashboard's connections talk to the database; the benchmarks connect the same way.
# Reports never run as prepared statements: psycopg prepares a query on its fifth run, and
# PostgreSQL may then keep a generic plan, which cannot fold away the filters a report does not
# use (sql/schema/30_reports.sql): on a pooled connection the events report took five times longer
# from its tenth run on (bench/reports).
CONNECTION = {"autocommit": True, "prepare_threshold": None}


def web_pool(settings: Settings) -> ConnectionPool:
    """The web role's connections, checked on checkout: after a database restart a stale one is
    replaced rather than failing the request that drew it. One dead connection means the
    restart killed them all, so the first failed check purges every idle one at once; found one
    by one, each costs a back-off pause (1 s, then 2 s...) and a busy pool would run out its
    3 s before reaching a live connection."""
    def check(conn: psycopg.Connection) -> None:
        try:
            ConnectionPool.check_connection(conn)
        except psycopg.Error:
            pool.check()
            raise

    pool = ConnectionPool(settings.role_conninfo("web"), min_size=1, max_size=8, open=False, timeout=3,
                          kwargs=CONNECTION, check=check)
    return pool


def _dashboard(settings: Settings, collector: collect_routes.Collector) -> FastAPI:
    pool = web_pool(settings)
    web = Web(settings=settings, pool=pool, templates=make_templates())
    # The GeoIP data's license may ask for a credit wherever locations are shown.
    web.templates.env.globals["geoip_credit"] = functools.partial(geo.credit, settings.geoip_path)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        collector.start()
        pool.open(wait=False)
        try:
            yield
        finally:
            collector.stop()
            pool.close()

    # The OpenAPI document only: the interactive pages would load their scripts from a CDN.
    app = FastAPI(title="Parcours", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json")
    app.state.signing_key = settings.require_secret().encode()  # CSRF tokens and device cookies
    app.include_router(accounts_routes.router(web))
    app.include_router(signup_routes.router(web))
    app.include_router(sites_routes.router(web))
    app.include_router(account_routes.router(web))
    app.include_router(reset_routes.router(web))
    app.include_router(dashboard_routes.router(web))
    app.include_router(goals_routes.router(web))
    app.include_router(sharing_routes.router(web))
    app.include_router(members_routes.router(web))
    app.include_router(email_report_routes.router(web))
    app.include_router(annotation_routes.router(web))
    app.include_router(email_change_routes.router(web))
    app.include_router(shared_routes.router(web))
    app.include_router(api_routes.router(web))
    app.include_router(health.router(web, collector.unready))
    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "app" / "static"), name="static")
    app.add_middleware(RefuseUnstorable)
    app.add_middleware(SecurityHeaders, public_url=settings.public_url)

    @app.exception_handler(StarletteHTTPException)
    async def error_page(request: Request, exc: StarletteHTTPException):
        # People get a page that says what went wrong; the API, redirects and htmx keep the default.
        if exc.status_code < 400 or request.url.path.startswith("/api/") or request.headers.get("hx-request"):
            return await http_exception_handler(request, exc)
        response = web.templates.TemplateResponse(request, "error.html", {"status": exc.status_code, "detail": exc.detail},
                                                  status_code=exc.status_code)
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        # A mistyped dashboard URL gets a page saying which parameter and why, not FastAPI's JSON.
        if request.url.path.startswith("/api/") or request.headers.get("hx-request"):
            return await request_validation_exception_handler(request, exc)
        return await error_page(request, StarletteHTTPException(422, "; ".join(map(_readable, exc.errors()))))

    async def out_of_range(request: Request, exc: Exception):
        return await error_page(request, StarletteHTTPException(400, "a value in the request is out of range"))

    async def database_down(request: Request, exc: Exception):
        return await error_page(request, StarletteHTTPException(
            503, "the database is unavailable right now; reports are back as soon as it is", {"Retry-After": "10"}))

    for error in (psycopg.DataError, OverflowError):
        app.add_exception_handler(error, out_of_range)
    for error in (psycopg.OperationalError, PoolTimeout):
        app.add_exception_handler(error, database_down)

    return app


def _readable(error: dict) -> str:
    """One validation error as a sentence: "compare: input should be a valid boolean (given 'previous')"."""
    where = error["loc"][-1] if error.get("loc") else "request"
    given = f" (given {error['input']!r})" if isinstance(error.get("input"), (str, int, float)) else ""
    return f"{where}: {error['msg'][:1].lower()}{error['msg'][1:]}{given}"


def from_environment():
    """The app factory `parcours serve --workers N` gives uvicorn: each worker process reads
    the same settings and role the CLI validated before starting them."""
    env_file = os.environ.get(ENV_FILE_VARIABLE)
    settings = load_settings(Path(env_file) if env_file else None)
    return create_app(settings, os.environ.get(ROLE_VARIABLE, "all"))  # type: ignore[arg-type]
