"""The overview of a user's properties and a property's report page (full page or htmx fragment)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from app.reports import periods
from app.web import Web, is_htmx
from parcours import queries


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    q = queries.load("accounts")

    @routes.get("/")
    def overview(request: Request):
        user = web.current_user(request)
        with web.pool.connection() as conn:
            owned = conn.execute(q["owned_properties"], {"user_id": user["id"]}).fetchall()
        return web.render(request, "overview.html", {"user": user, "properties": owned})

    @routes.get("/properties/{property_id}")
    def property_page(request: Request, property_id: str, period: str = "7d"):
        user = web.current_user(request)
        with web.pool.connection() as conn:
            prop = conn.execute(q["owned_property"], {"id": property_id, "user_id": user["id"]}).fetchone()
            if prop is None:
                raise HTTPException(404, "no such property")
            try:
                chosen = periods.resolve(period, prop[2])
            except ValueError as error:
                raise HTTPException(400, str(error)) from None
            days = conn.execute(queries.load("dashboard")["daily_page_views"], {
                "property_id": prop[0], "tz": prop[2], "first": chosen.first, "last": chosen.last,
            }).fetchall()
        context = {"user": user, "property": {"id": prop[0], "name": prop[1], "time_zone": prop[2]},
                   "period": chosen, "periods": ["today", "7d", "30d"], "days": days,
                   "total": sum(d[1] for d in days), "peak": max((d[1] for d in days), default=0)}
        return web.render(request, "property.html", context, block="report" if is_htmx(request) else None)

    return routes
