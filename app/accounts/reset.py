"""Password reset by email: a link that works once, within an hour. The form answers the same,
in the same time, whether or not the address has an account, so it cannot be used to find out
who does; it is rate limited per address and per account, so it cannot flood an inbox."""

from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.accounts import csrf, mail, sessions, users
from app.web import Web
from parcours import queries
from parcours.errors import ParcoursError
from parcours.ratelimit import RateLimiter

LIFETIME = timedelta(hours=1)
SENT = "If an account uses that address, a link to choose a new password is on its way. It works once, within an hour."
GONE = "This link has expired or was already used."
# Requests per bucket, each refilled over an hour.
PER_ADDRESS, PER_ACCOUNT, WINDOW = 10, 3, 3600


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    q = queries.load("accounts")
    per_address, per_account = RateLimiter(PER_ADDRESS / WINDOW, PER_ADDRESS), RateLimiter(PER_ACCOUNT / WINDOW, PER_ACCOUNT)

    def page(request: Request, notice: str | None = None, error: str | None = None, status: int = 200):
        if mail.link(web.settings, "/") is None:
            error = mail.NO_PUBLIC_URL
        return web.render(request, "forgot.html", {"notice": notice, "error": error}, status=status)

    @routes.get("/password/forgot")
    def forgot_page(request: Request):
        return page(request)

    @routes.post("/password/forgot")
    def forgot(request: Request, email: str = Form(""), csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        email = email.strip()
        if mail.link(web.settings, "/") is None:
            return page(request, status=503)
        if not (per_address.allow(web.client_address(request)) and per_account.allow(email.lower())):
            response = page(request, error="Too many requests. Wait a while and try again.", status=429)
            response.headers["Retry-After"] = str(WINDOW // PER_ACCOUNT)
            return response
        token = secrets.token_urlsafe(32)
        with web.pool.connection() as conn:
            found = conn.execute(q["start_reset"], {"token_hash": sessions.digest(token), "email": email,
                                                    "lifetime": LIFETIME}).fetchone()
        response = page(request, notice=SENT)
        if found:
            mail.send_after(response, web.settings, email, "Reset your Parcours password", _message(web, email, token))
        return response

    @routes.get("/password/reset/{token}")
    def reset_page(request: Request, token: str):
        with web.pool.connection() as conn:
            live = conn.execute(q["live_reset"], {"token_hash": sessions.digest(token)}).fetchone()
        return _form(web, request, token, None if live else GONE, 200 if live else 410)

    @routes.post("/password/reset/{token}")
    def reset(request: Request, token: str, password: str = Form(""), csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        digest = sessions.digest(token)
        with web.pool.connection() as conn:
            if conn.execute(q["live_reset"], {"token_hash": digest}).fetchone() is None:
                return _form(web, request, token, GONE, 410)
            try:
                password_hash = users.new_hash(password)
            except ParcoursError as error:  # the link stays good for a better password
                return _form(web, request, token, str(error), 422)
            with conn.transaction():
                claimed = conn.execute(q["claim_reset"], {"token_hash": digest}).fetchone()
                if claimed is None:  # spent by a concurrent request since the check above
                    return _form(web, request, token, GONE, 410)
                users.change_password(conn, claimed[0], password_hash)
        return RedirectResponse("/login?reset=1", status_code=303)

    return routes


def _message(web: Web, email: str, token: str) -> str:
    return (f"Someone asked to reset the Parcours password of {email}.\n\n"
            "Choose a new password here (the link works once, within an hour):\n"
            f"{mail.link(web.settings, f'/password/reset/{token}')}\n\n"
            "If it was not you, ignore this message: your password stays as it is.\n")


def _form(web: Web, request: Request, token: str, error: str | None, status: int):
    return web.render(request, "reset.html", {"token": token, "error": error}, status=status)
