"""Sign-up and the first property: the path from nothing to a tracked site."""

from __future__ import annotations

import zoneinfo

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from app.accounts import csrf, properties, sessions, users
from app.web import Web, is_htmx
from parcours import queries
from parcours.errors import ParcoursError

ZONES = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    q = queries.load("accounts")

    def signup_allowed() -> bool:
        if web.settings.signup_open:
            return True
        with web.pool.connection() as conn:
            return not conn.execute(q["any_user"]).fetchone()[0]

    @routes.get("/signup")
    def signup_page(request: Request):
        if not signup_allowed():
            raise HTTPException(404, "sign-up is closed; ask the operator for an account")
        return web.render(request, "signup.html", {"error": None, "email": ""})

    @routes.post("/signup")
    def signup(request: Request, email: str = Form(""), password: str = Form(""), csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        if not signup_allowed():
            raise HTTPException(404, "sign-up is closed; ask the operator for an account")
        try:
            with web.pool.connection() as conn:
                user_id = users.add(conn, email.strip(), password)
                token = sessions.start(conn, user_id)
        except ParcoursError as error:
            response = web.render(request, "signup.html", {"error": str(error), "email": email})
            response.status_code = 422
            return response
        response = RedirectResponse("/properties/new", status_code=303)
        sessions.set_cookie(response, token, web.secure_cookies(request))
        return response

    @routes.get("/properties/new")
    def new_property(request: Request):
        user = web.current_user(request)
        return web.render(request, "property_new.html", {"user": user, "zones": ZONES, "error": None, "form": {}})

    @routes.post("/properties")
    def add_property(request: Request, name: str = Form(""), domains: str = Form(""), time_zone: str = Form("UTC"),
                     visitor_ids: str = Form("never"), csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        user = web.current_user(request)
        form = {"name": name, "domains": domains, "time_zone": time_zone, "visitor_ids": visitor_ids}
        try:
            if not name.strip():
                raise ParcoursError("give the property a name")
            with web.pool.connection() as conn:
                property_id = properties.add(conn, user["id"], name.strip(), domains.replace(",", " ").split(),
                                             time_zone, visitor_id_rotation=visitor_ids)
        except ParcoursError as error:
            response = web.render(request, "property_new.html", {"user": user, "zones": ZONES, "error": str(error), "form": form})
            response.status_code = 422
            return response
        return RedirectResponse(f"/properties/{property_id}/setup", status_code=303)

    @routes.get("/properties/{property_id}/setup")
    def setup(request: Request, property_id: str):
        user = web.current_user(request)
        with web.pool.connection() as conn:
            prop = conn.execute(q["owned_property"], {"id": property_id, "user_id": user["id"]}).fetchone()
            if prop is None:
                raise HTTPException(404, "no such property")
            live = conn.execute(q["has_events"], {"id": property_id}).fetchone()[0]
        base = web.settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")
        context = {"user": user, "property": {"id": prop[0], "name": prop[1], "time_zone": prop[2]}, "live": live,
                   "snippet": f'<script defer src="{base}{web.settings.collect_prefix}/js/{prop[0]}.js"></script>'}
        return web.render(request, "setup.html", context, block="status" if is_htmx(request) else None)

    return routes
