"""Log in and log out. Guessing is slowed by token buckets (parcours/ratelimit.py): per known
browser for a browser that has logged in to the account before (app/accounts/devices.py), and
otherwise per address, per account and address, and loosely per account, so that a stranger's
wrong passwords never lock the owner out of their own browser."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.accounts import csrf, devices, sessions, users
from app.web import Web
from parcours.ratelimit import RateLimiter

# Tries per bucket, each refilled over 15 minutes.
WINDOW = 15 * 60
PER_DEVICE, PER_ACCOUNT_AND_ADDRESS, PER_ADDRESS, PER_ACCOUNT = 10, 10, 30, 100


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    buckets = {name: RateLimiter(tries / WINDOW, tries) for name, tries in (
        ("device", PER_DEVICE), ("account_address", PER_ACCOUNT_AND_ADDRESS), ("address", PER_ADDRESS),
        ("account", PER_ACCOUNT))}

    def may_try(request: Request, email: str) -> bool:
        device = devices.known(request, email)
        if device:
            return buckets["device"].allow(device)
        address = web.client_address(request)
        return (buckets["address"].allow(address) and buckets["account_address"].allow(f"{email}\0{address}")
                and buckets["account"].allow(email))

    @routes.get("/login")
    def login_page(request: Request):
        notice = "Your password is changed. Log in with the new one." if request.query_params.get("reset") else None
        return web.render(request, "login.html", {"error": None, "notice": notice})

    @routes.post("/login")
    def login(request: Request, email: str = Form(""), password: str = Form(""),
              csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        if not may_try(request, email.strip().lower()):
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
        devices.remember(request, response, email, web.secure_cookies(request))
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
