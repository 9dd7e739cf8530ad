"""Password reset by email: a link that works once, within an hour. The form answers the same
whether or not the address has an account, so it cannot be used to find out who does."""

from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.accounts import csrf, mail, passwords, sessions
from app.web import Web
from parcours import queries

LIFETIME = timedelta(hours=1)
SENT = "If an account uses that address, a link to choose a new password is on its way. It works once, within an hour."


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    q = queries.load("accounts")

    @routes.get("/password/forgot")
    def forgot_page(request: Request):
        return web.render(request, "forgot.html", {"notice": None})

    @routes.post("/password/forgot")
    def forgot(request: Request, email: str = Form(""), csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        token = secrets.token_urlsafe(32)
        with web.pool.connection() as conn:
            found = conn.execute(q["start_reset"], {"token_hash": sessions.digest(token), "email": email.strip(),
                                                    "lifetime": LIFETIME}).fetchone()
        if found:
            base = web.base_url(request)
            body = (f"Someone asked to reset the Parcours password of {email.strip()}.\n\n"
                    f"Choose a new password here (the link works once, within an hour):\n{base}/password/reset/{token}\n\n"
                    "If it was not you, ignore this message: your password stays as it is.\n")
            mail.send(web.settings, email.strip(), "Reset your Parcours password", body)
        return web.render(request, "forgot.html", {"notice": SENT})

    @routes.get("/password/reset/{token}")
    def reset_page(request: Request, token: str):
        with web.pool.connection() as conn:
            live = conn.execute(q["live_reset"], {"token_hash": sessions.digest(token)}).fetchone()
        return _form(web, request, token, None if live else "This link has expired or was already used.", 200 if live else 410)

    @routes.post("/password/reset/{token}")
    def reset(request: Request, token: str, password: str = Form(""), csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        digest = sessions.digest(token)
        with web.pool.connection() as conn, conn.transaction():
            live = conn.execute(q["live_reset"], {"token_hash": digest}).fetchone()
            if live is None:
                return _form(web, request, token, "This link has expired or was already used.", 410)
            try:
                conn.execute(q["set_password_by_id"], {"id": live[0], "password_hash": passwords.hash_password(password)})
            except ValueError as error:
                return _form(web, request, token, str(error), 422)
            conn.execute(q["use_reset"], {"token_hash": digest})
            conn.execute(q["end_all_sessions"], {"user_id": live[0]})
        return RedirectResponse("/login?reset=1", status_code=303)

    return routes


def _form(web: Web, request: Request, token: str, error: str | None, status: int):
    return web.render(request, "reset.html", {"token": token, "error": error}, status=status)
