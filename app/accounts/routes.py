"""Log in and log out."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.accounts import csrf, sessions, users
from app.web import Web
from parcours.proxies import client_ip
from parcours.ratelimit import RateLimiter

# Guessing passwords: 10 tries per account and 30 per address, each refilled over 15 minutes.
WINDOW = 15 * 60


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    per_account, per_address = RateLimiter(10 / WINDOW, 10), RateLimiter(30 / WINDOW, 30)

    @routes.get("/login")
    def login_page(request: Request):
        notice = "Your password is changed. Log in with the new one." if request.query_params.get("reset") else None
        return web.render(request, "login.html", {"error": None, "notice": notice})

    @routes.post("/login")
    def login(request: Request, email: str = Form(""), password: str = Form(""),
              csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        address = client_ip(request.scope, dict(request.scope["headers"]), tuple(web.settings.trusted_proxies))
        if not (per_address.allow(address) and per_account.allow(email.strip().lower())):
            response = web.render(request, "login.html", {"error": "Too many attempts. Wait a few minutes and try again."},
                                  status=429)
            response.headers["Retry-After"] = str(WINDOW // 10)
            return response
        with web.pool.connection() as conn:
            user_id = users.authenticate(conn, email, password)
            if user_id is None:
                return web.render(request, "login.html", {"error": "Wrong email or password."}, status=401)
            token = sessions.start(conn, user_id)
        response = RedirectResponse("/", status_code=303)
        sessions.set_cookie(response, token, web.secure_cookies(request))
        return response

    @routes.post("/logout")
    def logout(request: Request, csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        with web.pool.connection() as conn:
            sessions.end(conn, request.cookies.get(sessions.COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(sessions.COOKIE)
        return response

    return routes
