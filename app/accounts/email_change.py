"""Changing the account's email address: it is where password resets go, so a new address takes
effect only from a link mailed to it (once, within a day), and the old address is told.

Asking needs the current password; the link then proves the new address is the user's. The
confirmation page asks for a click rather than acting on the link's GET: mail scanners open links.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import psycopg
from fastapi import APIRouter, Form, Request

from app.accounts import csrf, mail, sessions, users
from app.web import Web
from parcours import queries
from parcours.errors import ParcoursError

LIFETIME = timedelta(days=1)
ADDRESS = re.compile(r"[^@\s]+@[^@\s]+")
GONE = "This link has expired or was already used. Ask for the change again from your account page."


def start(conn: psycopg.Connection, user_id: int, email: str) -> str:
    """A pending change's token. Refuses an address that is malformed or another account's."""
    if not ADDRESS.fullmatch(email):
        raise ParcoursError(f"{email[:100]!r} is not an email address")
    if conn.execute(queries.load("accounts")["user_by_email"], {"email": email}).fetchone():
        raise ParcoursError(f"a user with email {email} already exists")
    token = secrets.token_urlsafe(32)
    conn.execute(queries.load("accounts")["start_email_change"],
                 {"token_hash": sessions.digest(token), "user_id": user_id, "email": email, "lifetime": LIFETIME})
    return token


def messages(web: Web, old: str, new: str, token: str) -> list[tuple[str, str, str]]:
    """(to, subject, body): the link to the new address, the notice to the old one."""
    link = mail.link(web.settings, f"/account/email/confirm/{token}")
    return [(new, "Confirm your new Parcours address",
             f"Someone asked to move the Parcours account {old} to this address.\n\n"
             f"To confirm, open this link (it works once, within a day):\n{link}\n\n"
             "If it was not you, ignore this message: nothing changes without it.\n"),
            (old, "Your Parcours address is about to change",
             f"Someone with your password asked to move your Parcours account to {new}.\n"
             "It changes only when the link mailed there is opened.\n\n"
             "If it was not you, log in and change your password now: that also stops the change.\n")]


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    q = queries.load("accounts")

    def page(request: Request, context: dict, status: int = 200):
        return web.render(request, "email_confirm.html", {"error": None, "done": None, "new": None, **context},
                          status=status)

    @routes.get("/account/email/confirm/{token}")
    def confirm_page(request: Request, token: str):
        with web.pool.connection() as conn:
            found = conn.execute(q["pending_email_change"], {"token_hash": sessions.digest(token)}).fetchone()
        if found is None:
            return page(request, {"error": GONE}, 410)
        return page(request, {"new": found[0], "old": found[1], "token": token})

    @routes.post("/account/email/confirm/{token}")
    def confirm(request: Request, token: str, csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        try:
            with web.pool.connection() as conn, conn.transaction():
                claimed = conn.execute(q["claim_email_change"], {"token_hash": sessions.digest(token)}).fetchone()
                if claimed is None:
                    return page(request, {"error": GONE}, 410)
                users.set_email(conn, claimed[0], claimed[1])
        except ParcoursError as error:
            return page(request, {"error": f"{str(error)[:200]}."}, 409)
        return page(request, {"done": claimed[1]})

    return routes
