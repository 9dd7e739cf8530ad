"""Shared links: a read-only view of one site's reports for someone without an account (a
client, an editor), made and revoked on the site's "Sharing" page.

The token in the URL is the credential (192 random bits). A link may ask for a password
(Argon2id; tries are rate-limited where it is entered, app/dashboard/shared.py), may show only
some panels, and may be framed by the origins its owner lists — every other page refuses to be
framed. A shared view never shows a visitor: no visitor list, no timeline, no export.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

import psycopg
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.accounts import passwords
from app.web import Web
from parcours import queries
from parcours.errors import ParcoursError

# What a link may show, beside the summary and chart it always shows.
PANELS = {"sources": "Sources", "pages": "Pages", "locations": "Locations", "devices": "Devices",
          "languages": "Languages", "content": "Content", "goals": "Goals", "funnels": "Funnels", "events": "Events"}
ORIGIN = re.compile(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?")
COOKIE = "parcours_shared"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def parse_origins(text: str) -> list[str]:
    """The origins a link may be framed by, one per line or space: https://example.com."""
    origins = [o.rstrip("/").lower() for o in text.split()]
    for origin in origins:
        if not ORIGIN.fullmatch(origin):
            raise ParcoursError(f"{origin[:80]!r} is not an origin: write it as https://example.com, without a path")
    if not 1 <= len(origins) <= 20:
        raise ParcoursError("list between 1 and 20 origins that may embed the link")
    return origins


def create(conn: psycopg.Connection, user_id: int, property_id: str, name: str, password: str,
           panels: list[str], origins: list[str] | None) -> str:
    """A new link's token. Raises ParcoursError with the reason for a bad field."""
    name = name.strip()
    if not 1 <= len(name) <= 120:
        raise ParcoursError("give the link a name of 1 to 120 characters, such as the person it is for")
    if unknown := set(panels) - set(PANELS):
        raise ParcoursError(f"unknown panels: {', '.join(sorted(unknown))[:120]}")
    try:
        password_hash = passwords.hash_password(password) if password else None
    except ValueError as error:
        raise ParcoursError(str(error)) from None
    token = new_token()
    added = conn.execute(queries.load("accounts")["add_shared_link"], {
        "token": token, "name": name, "password_hash": password_hash, "property_id": property_id,
        "user_id": user_id, "panels": panels if set(panels) != set(PANELS) else None, "embed_origins": origins,
    }).fetchone()
    if added is None:
        raise ParcoursError("no such property")
    return token


def listed(conn: psycopg.Connection, user_id: int, property_id: str) -> list[dict]:
    rows = conn.execute(queries.load("accounts")["shared_links"], {"property_id": property_id, "user_id": user_id})
    return [dict(zip(("id", "token", "name", "has_password", "panels", "embed_origins", "created_at"), row, strict=True))
            for row in rows]


def found(conn: psycopg.Connection, token: str) -> dict | None:
    """The live link a token opens, with its property and owner; None once revoked."""
    row = conn.execute(queries.load("accounts")["shared_link"], {"token": token}).fetchone()
    if row is None:
        return None
    link = dict(zip(("id", "name", "password_hash", "panels", "embed_origins"), row[:5], strict=True))
    return {**link, "token": token, "property": {"id": row[5], "name": row[6], "time_zone": row[7], "owner_id": row[8]}}


def unlock_value(key: bytes, link: dict) -> str:
    """What the cookie of a browser that gave the link's password holds: bound to the link and
    to its password, so it opens nothing else and nothing after a revocation."""
    return hmac.new(key, f"shared\0{link['token']}\0{link['password_hash']}".encode(), hashlib.sha256).hexdigest()


def unlocked(request: Request, link: dict) -> bool:
    if link["password_hash"] is None:
        return True
    given = request.cookies.get(COOKIE, "")
    return secrets.compare_digest(given, unlock_value(request.app.state.signing_key, link))


def router(web: Web) -> APIRouter:
    routes = APIRouter()

    def page(request: Request, user: dict, property_id: str, status: int = 200, **notes):
        site = web.site_for(user, property_id, "admin")
        with web.pool.connection() as conn:
            links = listed(conn, user["id"], property_id)
        return web.render(request, "sharing.html", {"user": user, "site": site, "links": links, "panels": PANELS,
                                                     "base": web.base_url(request), "error": None, "form": {},
                                                     **notes}, status=status)

    @routes.get("/properties/{property_id}/sharing")
    def sharing_page(request: Request, property_id: str):
        return page(request, web.current_user(request), property_id)

    @routes.post("/properties/{property_id}/sharing")
    def add_link(request: Request, property_id: str, name: str = Form(""), password: str = Form(""),
                 panels: list[str] = Form([]), embed: str = Form(""), origins: str = Form(""),
                 csrf_token: str = Form("")):
        user, _ = web.site_form_post(request, csrf_token, property_id, "admin")
        form = {"name": name, "panels": panels, "embed": embed, "origins": origins}
        try:
            with web.pool.connection() as conn:
                create(conn, user["id"], property_id, name, password, panels,
                       parse_origins(origins) if embed == "yes" else None)
        except ParcoursError as error:
            return page(request, user, property_id, 422, error=str(error), form=form)
        return RedirectResponse(f"/properties/{property_id}/sharing", status_code=303)

    @routes.post("/properties/{property_id}/sharing/{link_id}/revoke")
    def revoke(request: Request, property_id: str, link_id: int, csrf_token: str = Form("")):
        user, _ = web.site_form_post(request, csrf_token, property_id, "admin")
        with web.pool.connection() as conn:
            conn.execute(queries.load("accounts")["revoke_shared_link"],
                         {"id": link_id, "property_id": property_id, "user_id": user["id"]})
        return RedirectResponse(f"/properties/{property_id}/sharing", status_code=303)

    return routes
