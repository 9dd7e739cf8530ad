"""Health endpoints for the load balancer and systemd: /healthz says the process answers
(liveness: restart it if not); /readyz says it can do its work (readiness: send it traffic) —
the database answers within two seconds and collect can take beacons. Both are cheap and carry
no data, so they need no login. Under `--role collect` the collect app answers them itself,
without the database check: collect keeps taking beacons while the database is down.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg
from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse

from app.web import Web


def router(web: Web, collect_unready: Callable[[], str | None]) -> APIRouter:
    routes = APIRouter(include_in_schema=False)

    @routes.get("/healthz")
    def live():
        return PlainTextResponse("ok\n")

    @routes.get("/readyz")
    def ready():
        reason = collect_unready() or _database_unready(web)
        return JSONResponse({"detail": reason}, status_code=503) if reason else PlainTextResponse("ok\n")

    return routes


def _database_unready(web: Web) -> str | None:
    try:
        with web.pool.connection(timeout=2) as conn:
            conn.execute("SELECT 1")
    except (psycopg.Error, TimeoutError) as error:  # the pool raises its own PoolTimeout, a psycopg.Error
        return f"the database does not answer: {str(error).strip().splitlines()[-1] if str(error).strip() else error}"
    return None
