"""The web process's composition root: builds the collect, accounts and dashboard routers from
one Settings object and owns the resources they share (spool writer, pools, threads)."""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from psycopg_pool import ConnectionPool

from app.accounts import routes as accounts_routes
from app.collect import routes as collect_routes
from app.collect.properties import ActiveProperties
from app.dashboard import routes as dashboard_routes
from app.web import Web, make_templates
from parcours import PROJECT_ROOT
from parcours.settings import Settings
from parcours.spool import SpoolWriter


def _sealer(spool: SpoolWriter, stop: threading.Event) -> threading.Thread:
    """Seals the open segment once it is old enough, so quiet sites still reach the worker."""
    def run() -> None:
        while not stop.wait(min(0.5, spool.max_age)):
            spool.seal_if_due()
    return threading.Thread(target=run, name="spool-sealer", daemon=True)


def create_app(settings: Settings) -> FastAPI:
    spool = SpoolWriter(settings.spool_dir, settings.spool_seal_seconds, settings.spool_segment_bytes)
    properties = ActiveProperties(settings.role_conninfo("collect"), settings.property_reload_seconds)
    pool = ConnectionPool(settings.role_conninfo("web"), min_size=1, max_size=8, open=False,
                          kwargs={"autocommit": True})
    web = Web(settings=settings, pool=pool, templates=make_templates())
    stop = threading.Event()

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        properties.start()
        pool.open(wait=False)
        sealer = _sealer(spool, stop)
        sealer.start()
        try:
            yield
        finally:
            stop.set()
            properties.stop()
            sealer.join()
            spool.close()
            pool.close()

    app = FastAPI(title="Parcours", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.include_router(collect_routes.router(settings, spool, properties))
    app.include_router(accounts_routes.router(web))
    app.include_router(dashboard_routes.router(web))
    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "app" / "static"), name="static")
    return app
