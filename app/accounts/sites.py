"""A user's sites: add one (then its setup page with the snippet), edit it, delete it with its data."""

from __future__ import annotations

import tempfile
import zoneinfo
from pathlib import Path

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse
from starlette.background import BackgroundTask

from app.accounts import archive, csrf, properties
from app.web import Web, is_htmx
from parcours import queries
from parcours.errors import ParcoursError

ZONES = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})
RETENTION_CHOICES = ((30, "30 days"), (90, "90 days"), (182, "6 months"), (365, "1 year"), (730, "2 years"),
                     (1825, "5 years"))


def site_form(name: str = Form(""), domains: str = Form(""), time_zone: str = Form("UTC"),
              visitor_ids: str = Form("never"), ip_handling: str = Form("city"), retention: str = Form(""),
              not_found: str = Form("")) -> dict:
    """The add and edit forms' fields, as properties.add and update take them (retention_days
    None when the form says "the server's", or the text itself when it is not a number, for
    _checked to refuse)."""
    text = retention.strip()
    days = None if not text else int(text) if text.isdigit() else -1
    return {"name": name, "domains": properties.parse_domains(domains), "time_zone": time_zone,
            "visitor_id_rotation": visitor_ids, "ip_handling": ip_handling, "retention_days": days,
            "not_found": not_found.strip() or None}


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    q = queries.load("accounts")

    @routes.get("/properties/new")
    def new_property(request: Request):
        user = web.current_user(request)
        return web.render(request, "property_new.html", {"user": user, **_choices(web), "error": None,
                                                         "site": {"time_zone": "UTC"}})

    @routes.post("/properties")
    def add_property(request: Request, form: dict = Depends(site_form), csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        user = web.current_user(request)
        try:
            with web.pool.connection() as conn:
                property_id = properties.add(conn, user["id"], **form)
        except ParcoursError as error:
            return web.render(request, "property_new.html", {"user": user, **_choices(web), "error": str(error),
                                                             "site": form}, status=422)
        return RedirectResponse(f"/properties/{property_id}/setup", status_code=303)

    @routes.get("/properties/{property_id}/setup")
    def setup(request: Request, property_id: str):
        user = web.current_user(request)
        site = web.site_for(user, property_id)
        with web.pool.connection() as conn:
            live = conn.execute(q["has_events"], {"id": property_id}).fetchone()[0]
        script = f"{web.base_url(request)}{web.settings.collect_prefix}/js/{site['id']}.js"
        context = {"user": user, "property": site, "live": live, "snippet": f'<script defer src="{script}"></script>'}
        return web.render(request, "setup.html", context, block="status" if is_htmx(request) else None)

    @routes.get("/properties/{property_id}/settings")
    def edit_page(request: Request, property_id: str):
        user = web.current_user(request)
        return _settings_page(web, request, user, _settings(web, property_id, user), None, 200)

    @routes.post("/properties/{property_id}/settings")
    def edit(request: Request, property_id: str, form: dict = Depends(site_form), csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        user = web.current_user(request)
        current = _settings(web, property_id, user)
        try:
            with web.pool.connection() as conn:
                properties.update(conn, current["owner_id"], property_id, **form)
        except ParcoursError as error:
            return _settings_page(web, request, user, {**current, **form}, str(error), 422)
        return RedirectResponse(f"/properties/{property_id}", status_code=303)

    @routes.get("/properties/{property_id}/archive.zip")
    def download_archive(request: Request, property_id: str):
        """The site's complete archive (app/accounts/archive.py), for its admins and owner."""
        user = web.current_user(request)
        site = web.site_for(user, property_id, "admin")
        target = Path(tempfile.mkstemp(suffix=".zip")[1])
        with web.pool.connection() as conn:
            archive.export(conn, site["id"], target)
        return FileResponse(target, media_type="application/zip", filename=f"parcours-{site['id']}.zip",
                            background=BackgroundTask(target.unlink, missing_ok=True))

    @routes.post("/properties/{property_id}/delete")
    def delete(request: Request, property_id: str, confirm: str = Form(""), csrf_token: str = Form("")):
        user, _ = web.site_form_post(request, csrf_token, property_id, "owner")
        current = _settings(web, property_id, user)
        if confirm.strip() != current["name"]:
            return _settings_page(web, request, user, current, "Type the site's name exactly to delete it.", 422)
        with web.pool.connection() as conn, conn.transaction():
            conn.execute(q["delete_property"], {"id": property_id, "owner_id": user["id"]})
            conn.execute(q["purge_property"], {"id": property_id})
        return RedirectResponse("/", status_code=303)

    return routes


def _settings(web: Web, property_id: str, user: dict) -> dict:
    """The site's settings, for its admins and owner (404 or 403 for anyone else)."""
    role = web.site_for(user, property_id, "admin")["role"]
    with web.pool.connection() as conn:
        row = conn.execute(queries.load("accounts")["property_settings"], {"id": property_id, "user_id": user["id"]}).fetchone()
    if row is None:
        raise HTTPException(404, "no such property")
    return {**dict(zip(("id", "name", "domains", "time_zone", "visitor_id_rotation", "ip_handling", "retention_days",
                        "not_found", "owner_id"), row, strict=True)), "role": role}


def _settings_page(web: Web, request: Request, user: dict, site: dict, error: str | None, status: int):
    return web.render(request, "property_settings.html", {"user": user, "site": site, **_choices(web), "error": error},
                      status=status)


def _choices(web: Web) -> dict:
    """What the add and edit forms offer."""
    return {"zones": ZONES, "retention_choices": RETENTION_CHOICES,
            "server_retention": (web.settings.raw_retention_days, web.settings.rollup_retention_days)}
