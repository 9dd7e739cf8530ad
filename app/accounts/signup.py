"""Sign-up. The very first account (the admin) is made at once: with no accounts there is no
address to give away. After that, sign-up is closed unless the operator opens it
(PARCOURS_SIGNUP_OPEN). Open, it answers every address alike — "check your inbox", in the
same time — and only the mailed link creates the account; an address that already has one is
told so by mail, so the form cannot be used to find out who has an account."""

from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from app.accounts import csrf, mail, sessions, users
from app.web import Web
from parcours import queries
from parcours.errors import ParcoursError
from parcours.ratelimit import RateLimiter

LIFETIME = timedelta(days=1)
CLOSED = "sign-up is closed; ask the operator for an account"
GONE = "This link has expired or was already used. Sign up again to get a new one."
# Sign-ups per bucket, each refilled over an hour: each one sends a mail.
PER_ADDRESS, PER_ACCOUNT, WINDOW = 10, 3, 3600


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    q = queries.load("accounts")
    per_address, per_account = RateLimiter(PER_ADDRESS / WINDOW, PER_ADDRESS), RateLimiter(PER_ACCOUNT / WINDOW, PER_ACCOUNT)

    def page(request: Request, status: int = 200, **context):
        return web.render(request, "signup.html", {"error": None, "notice": None, "email": "", **context}, status=status)

    @routes.get("/signup")
    def signup_page(request: Request):
        with web.pool.connection() as conn:
            if conn.execute(q["any_user"]).fetchone()[0] and not web.settings.signup_open:
                raise HTTPException(404, CLOSED)
        return page(request)

    @routes.post("/signup")
    def signup(request: Request, email: str = Form(""), password: str = Form(""), csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        email = email.strip()
        try:
            password_hash = users.new_hash(password)  # first, for every address: the same cost
            with web.pool.connection() as conn, conn.transaction():
                conn.execute(q["lock_first_account"])
                if not conn.execute(q["any_user"]).fetchone()[0]:
                    return _enter(web, request, conn, users.add_hashed(conn, email, password_hash))
        except ParcoursError as error:
            return page(request, 422, error=str(error), email=email)
        if not web.settings.signup_open:
            raise HTTPException(404, CLOSED)
        if mail.link(web.settings, "/") is None:
            return page(request, 503, error=mail.NO_PUBLIC_URL, email=email)
        if not (per_address.allow(web.client_address(request)) and per_account.allow(email.lower())):
            response = page(request, 429, error="Too many sign-ups. Wait a while and try again.", email=email)
            response.headers["Retry-After"] = str(WINDOW // PER_ACCOUNT)
            return response
        try:
            subject, body = _invite(web, email, password_hash)
        except ParcoursError as error:
            return page(request, 422, error=str(error), email=email)
        response = page(request, notice=f"Check your inbox: a link to finish signing up is on its way to {email}. "
                                        "It works once, within a day.")
        mail.send_after(response, web.settings, email, subject, body)
        return response

    @routes.get("/signup/confirm/{token}")
    def confirm_page(request: Request, token: str):
        with web.pool.connection() as conn:
            live = conn.execute(q["live_signup"], {"token_hash": sessions.digest(token)}).fetchone()
        return web.render(request, "signup_confirm.html", {"token": token, "email": live and live[0],
                                                           "error": None if live else GONE}, status=200 if live else 410)

    @routes.post("/signup/confirm/{token}")
    def confirm(request: Request, token: str, csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        try:
            with web.pool.connection() as conn, conn.transaction():
                claimed = conn.execute(q["claim_signup"], {"token_hash": sessions.digest(token)}).fetchone()
                if claimed is None:
                    return web.render(request, "signup_confirm.html", {"token": token, "email": None, "error": GONE},
                                      status=410)
                return _enter(web, request, conn, users.add_hashed(conn, *claimed))
        except ParcoursError:
            error = "That address has an account already: log in, or reset its password."
            return web.render(request, "signup_confirm.html", {"token": token, "email": None, "error": error}, status=409)

    return routes


def _invite(web: Web, email: str, password_hash: str) -> tuple[str, str]:
    """The mail a sign-up sends: a link that creates the account, or, for an address that has
    one, a note saying so. ParcoursError when the address cannot be one."""
    with web.pool.connection() as conn:
        if conn.execute(queries.load("accounts")["user_by_email"], {"email": email}).fetchone():
            return "Your Parcours account", (
                f"Someone tried to sign up to Parcours with {email}, which already has an account.\n\n"
                f"If it was you, log in at {mail.link(web.settings, '/login')}\n"
                f"or choose a new password at {mail.link(web.settings, '/password/forgot')}\n\n"
                "If it was not you, ignore this message: nothing has changed.\n")
        token = secrets.token_urlsafe(32)
        with users.address_errors(email):
            conn.execute(queries.load("accounts")["start_signup"], {"token_hash": sessions.digest(token), "email": email,
                                                                    "password_hash": password_hash, "lifetime": LIFETIME})
    return "Finish signing up to Parcours", (
        f"Someone signed up to Parcours with {email}.\n\n"
        f"To create the account, open this link (it works once, within a day):\n"
        f"{mail.link(web.settings, f'/signup/confirm/{token}')}\n\n"
        "If it was not you, ignore this message: no account is made without it.\n")


def _enter(web: Web, request: Request, conn, user_id: int):
    """Log the new user in and send them to add their first site."""
    response = RedirectResponse("/properties/new", status_code=303)
    token = sessions.start(conn, user_id, request.headers.get("user-agent"))
    sessions.set_cookie(response, token, web.secure_cookies(request))
    return response
