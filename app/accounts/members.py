"""A site's team: its owner, and the admins and viewers they invite (sql/migrations/0009_teams.sql).

An invitation is a link mailed to an address, used once within a week. Opening it proves the
address is the invitee's, so it is all they need: an address with an account becomes a member
on a click (and logs in as usual to read the site); an address without one signs up on the
invitation's page, even when open sign-up is closed. Like every link in mail, it is built from
PARCOURS_PUBLIC_URL; the inviter also sees it once, to pass on themselves on a server without mail.

Every access check reads the same roles (app/web.py Web.site_for), so removing a member ends
their access on their next request, API keys included.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import psycopg
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.accounts import csrf, email_reports, mail, sessions, users
from app.accounts.email_change import ADDRESS
from app.web import Web
from parcours import queries
from parcours.errors import ParcoursError
from parcours.ratelimit import RateLimiter

LIFETIME = timedelta(days=7)
GIVEN = ("viewer", "admin")  # roles an invitation or a change can give; the owner's is transferred
GONE = "This invitation has expired, was revoked or was already used. Ask for a new one."
# Invitations per site, refilled over an hour: each one sends a mail.
PER_SITE, WINDOW = 20, 3600


def people(conn: psycopg.Connection, property_id: str) -> list[dict]:
    rows = conn.execute(queries.load("accounts")["site_people"], {"property_id": property_id})
    return [{"id": id_, "email": email, "role": role} for id_, email, role, _ in rows]


def pending(conn: psycopg.Connection, property_id: str) -> list[dict]:
    rows = conn.execute(queries.load("accounts")["site_invitations"], {"property_id": property_id})
    return [{"id": id_, "email": email, "role": role, "expires_at": expires} for id_, email, role, expires in rows]


def invite(conn: psycopg.Connection, property_id: str, email: str, role: str, invited_by: int) -> str:
    """A new invitation's token. Refuses a malformed address, an unknown role, or an address
    that already has a role on the site."""
    email = email.strip()
    if not ADDRESS.fullmatch(email) or len(email) > 254:
        raise ParcoursError(f"{email[:100]!r} is not an email address")
    if role not in GIVEN:
        raise ParcoursError(f"invite as {' or '.join(GIVEN)}, not {role[:20]!r}")
    q = queries.load("accounts")
    if conn.execute(q["has_role"], {"property_id": property_id, "email": email}).fetchone()[0]:
        raise ParcoursError(f"{email} already has a role on this site")
    token = secrets.token_urlsafe(32)
    conn.execute(q["invite"], {"token_hash": sessions.digest(token), "property_id": property_id, "email": email,
                               "role": role, "invited_by": invited_by, "lifetime": LIFETIME})
    return token


def invitation(conn: psycopg.Connection, token: str) -> dict | None:
    """A live invitation: its address, role, site, and the id of the address's account if it has one."""
    row = conn.execute(queries.load("accounts")["live_invitation"], {"token_hash": sessions.digest(token)}).fetchone()
    return dict(zip(("email", "role", "property_id", "site", "user_id"), row, strict=True)) if row else None


def accept(conn: psycopg.Connection, token: str, user_id: int) -> str | None:
    """Uses the invitation up, making `user_id` a member; the site's id, or None if it was not live."""
    q = queries.load("accounts")
    with conn.transaction():
        claimed = conn.execute(q["claim_invitation"], {"token_hash": sessions.digest(token)}).fetchone()
        if claimed is None:
            return None
        conn.execute(q["add_member"], {"property_id": claimed[0], "user_id": user_id, "role": claimed[2]})
    return claimed[0]


def set_role(conn: psycopg.Connection, property_id: str, user_id: int, role: str) -> None:
    if role not in GIVEN:
        raise ParcoursError(f"a member is a {' or an '.join(GIVEN)}, not {role[:20]!r}")
    if conn.execute(queries.load("accounts")["set_member_role"],
                    {"property_id": property_id, "user_id": user_id, "role": role}).fetchone() is None:
        raise ParcoursError("no such member: the owner's role changes only by a transfer")


def remove(conn: psycopg.Connection, property_id: str, user_id: int) -> bool:
    return conn.execute(queries.load("accounts")["remove_member"],
                        {"property_id": property_id, "user_id": user_id}).fetchone() is not None


def transfer(conn: psycopg.Connection, property_id: str, owner_id: int, heir: int) -> None:
    """Makes the member `heir` the owner; the owner stays on as an admin."""
    if conn.execute(queries.load("accounts")["transfer_property"],
                    {"property_id": property_id, "owner_id": owner_id, "heir": heir}).fetchone() is None:
        raise ParcoursError("transfer the site to one of its members")


def message(link: str, site: str, role: str, inviter: str) -> tuple[str, str]:
    """(subject, body) of an invitation."""
    return (f"{inviter} invited you to {site} on Parcours",
            f"{inviter} invited you to read the analytics of {site} on Parcours, as {_article(role)} {role}.\n\n"
            f"To accept, open this link (it works once, within a week):\n{link}\n\n"
            "If you were not expecting this, ignore this message: nothing happens without it.\n")


def _article(role: str) -> str:
    return "an" if role[0] in "aeiou" else "a"


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    per_site = RateLimiter(PER_SITE / WINDOW, PER_SITE)

    def page(request: Request, user: dict, site: dict, status: int = 200, **notes):
        with web.pool.connection() as conn:
            context = {"user": user, "site": site, "people": people(conn, site["id"]), "error": None, "sent": None,
                       "invitations": pending(conn, site["id"]) if site["role"] != "viewer" else [],
                       "reports": email_reports.chosen(conn, site["id"], user["id"]), "kinds": email_reports.KINDS,
                       **notes}
        return web.render(request, "members.html", context, status=status)

    def back(property_id: str) -> RedirectResponse:
        return RedirectResponse(f"/properties/{property_id}/members", status_code=303)

    @routes.get("/properties/{property_id}/members")
    def members_page(request: Request, property_id: str):
        user = web.current_user(request)
        return page(request, user, web.site_for(user, property_id))

    @routes.post("/properties/{property_id}/members")
    def invite_member(request: Request, property_id: str, email: str = Form(""), role: str = Form("viewer"),
                      csrf_token: str = Form("")):
        user, site = web.site_form_post(request, csrf_token, property_id, "admin")
        if not per_site.allow(site["id"]):
            return page(request, user, site, 429, error="Too many invitations from this site. Wait a while.")
        try:
            with web.pool.connection() as conn:
                token = invite(conn, site["id"], email, role, user["id"])
        except ParcoursError as error:
            return page(request, user, site, 422, error=str(error))
        sent = _sent(web, request, email.strip(), token)
        response = page(request, user, site, sent=sent)
        link = mail.link(web.settings, f"/invitations/{token}")
        if link is not None:
            mail.send_after(response, web.settings, sent["email"], *message(link, site["name"], role, user["email"]))
        return response

    @routes.post("/properties/{property_id}/members/{member_id}/role")
    def change_role(request: Request, property_id: str, member_id: int, role: str = Form(""),
                    csrf_token: str = Form("")):
        user, site = web.site_form_post(request, csrf_token, property_id, "admin")
        try:
            with web.pool.connection() as conn:
                set_role(conn, site["id"], member_id, role)
        except ParcoursError as error:
            return page(request, user, site, 422, error=str(error))
        return back(property_id)

    @routes.post("/properties/{property_id}/members/{member_id}/remove")
    def remove_member(request: Request, property_id: str, member_id: int, csrf_token: str = Form("")):
        user, site = web.site_form_post(request, csrf_token, property_id, "admin")
        with web.pool.connection() as conn:
            if not remove(conn, site["id"], member_id):
                return page(request, user, site, 422, error="No such member: the owner cannot be removed.")
        return RedirectResponse("/", status_code=303) if member_id == user["id"] else back(property_id)

    @routes.post("/properties/{property_id}/invitations/{invitation_id}/revoke")
    def revoke_invitation(request: Request, property_id: str, invitation_id: int, csrf_token: str = Form("")):
        user, site = web.site_form_post(request, csrf_token, property_id, "admin")
        with web.pool.connection() as conn:
            conn.execute(queries.load("accounts")["revoke_invitation"], {"id": invitation_id, "property_id": site["id"]})
        return back(property_id)

    @routes.post("/properties/{property_id}/leave")
    def leave(request: Request, property_id: str, csrf_token: str = Form("")):
        user, site = web.site_form_post(request, csrf_token, property_id, "viewer")
        if site["role"] == "owner":
            return page(request, user, site, 422, error="The owner cannot leave: transfer the site to a member first.")
        with web.pool.connection() as conn:
            remove(conn, site["id"], user["id"])
        return RedirectResponse("/", status_code=303)

    @routes.post("/properties/{property_id}/transfer")
    def transfer_site(request: Request, property_id: str, heir: int = Form(0), confirm: str = Form(""),
                      csrf_token: str = Form("")):
        user, site = web.site_form_post(request, csrf_token, property_id, "owner")
        if confirm.strip() != site["name"]:
            return page(request, user, site, 422, error="Type the site's name exactly to transfer it.")
        try:
            with web.pool.connection() as conn:
                transfer(conn, site["id"], user["id"], heir)
        except ParcoursError as error:
            return page(request, user, site, 422, error=str(error))
        return back(property_id)

    routes.include_router(_invitation_routes(web))
    return routes


def _sent(web: Web, request: Request, email: str, token: str) -> dict:
    """What the inviter is told: where the mail went (if mail with links is on) and the link itself."""
    mailed = mail.link(web.settings, "/") is not None
    return {"email": email, "mailed": mailed, "link": f"{web.base_url(request)}/invitations/{token}"}


def _invitation_routes(web: Web) -> APIRouter:
    """The invitee's side: the mailed link's page, which accepts or signs up."""
    routes = APIRouter()

    def page(request: Request, token: str, found: dict | None, status: int = 200, error: str | None = None):
        context = {"token": token, "invitation": found, "error": error if found else GONE}
        return web.render(request, "invitation.html", context, status=status if found else 410)

    @routes.get("/invitations/{token}")
    def invitation_page(request: Request, token: str):
        with web.pool.connection() as conn:
            return page(request, token, invitation(conn, token))

    @routes.post("/invitations/{token}")
    def accept_invitation(request: Request, token: str, password: str = Form(""), csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        with web.pool.connection() as conn:
            found = invitation(conn, token)
            if found is None:
                return page(request, token, None)
            try:
                with conn.transaction():
                    user_id = found["user_id"] or users.add_hashed(conn, found["email"], users.new_hash(password))
                    property_id = accept(conn, token, user_id)
                    if property_id is None:
                        raise ParcoursError(GONE)
            except ParcoursError as error:
                return page(request, token, invitation(conn, token), 422, str(error))
            return _joined(web, request, conn, property_id, user_id, signed_up=found["user_id"] is None)

    return routes


def _joined(web: Web, request: Request, conn, property_id: str, user_id: int, signed_up: bool):
    """Where an accepted invitation leads: a new account is logged in and sent to the site; an
    existing one goes to the site if it is the one signed in, else to log in."""
    current = sessions.user_for(conn, request.cookies.get(sessions.COOKIE))
    if not signed_up and (current is None or current["id"] != user_id):
        return RedirectResponse("/login?joined=1", status_code=303)
    response = RedirectResponse(f"/properties/{property_id}", status_code=303)
    if signed_up:
        sessions.set_cookie(response, sessions.start(conn, user_id, request.headers.get("user-agent")),
                            web.secure_cookies(request))
    return response
