"""Log in and log out. Guessing is slowed by token buckets (parcours/ratelimit.py): per known
browser for a browser that has logged in to the account before (app/accounts/devices.py), and
otherwise per address, per account and address, and loosely per account, so that a stranger's
wrong passwords never lock the owner out of their own browser. With two-factor sign-in on, the
password leads to a second step that asks for a code (app/accounts/two_factor.py); the same
buckets count its tries."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.accounts import csrf, devices, sessions, two_factor, users
from app.web import Web
from parcours.ratelimit import RateLimiter

# Tries per bucket, each refilled over 15 minutes.
WINDOW = 15 * 60
PER_DEVICE, PER_ACCOUNT_AND_ADDRESS, PER_ADDRESS, PER_ACCOUNT = 10, 10, 30, 100
# What the login page says when another page sends a browser to it (/login?reset=1).
NOTICES = {"reset": "Your password is changed. Log in with the new one.",
           "expired": "That sign-in took too long or too many codes. Log in again.",
           "deleted": "Your account and its sites are deleted.",
           "joined": "You joined the site's team. Log in to read it."}


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
        notice = next((text for key, text in NOTICES.items() if request.query_params.get(key)), None)
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
            if two_factor.secret_of(conn, user_id) and not two_factor.is_trusted(
                    conn, user_id, request.cookies.get(two_factor.TRUSTED_COOKIE)):
                return challenge(request, two_factor.start_challenge(conn, user_id))
            return signed_in(request, conn, user_id, email)

    def challenge(request: Request, token: str):
        response = RedirectResponse("/login/code", status_code=303)
        response.set_cookie(two_factor.CHALLENGE_COOKIE, token, path="/login",
                            max_age=int(two_factor.CHALLENGE_LIFETIME.total_seconds()), httponly=True,
                            secure=web.secure_cookies(request), samesite="lax")
        return response

    def signed_in(request: Request, conn, user_id: int, email: str, trust: bool = False):
        response = RedirectResponse("/", status_code=303)
        token = sessions.start(conn, user_id, request.headers.get("user-agent"))
        sessions.set_cookie(response, token, web.secure_cookies(request))
        devices.remember(request, response, email, web.secure_cookies(request))
        if trust:
            response.set_cookie(two_factor.TRUSTED_COOKIE, two_factor.trust_browser(conn, user_id),
                                max_age=int(two_factor.TRUSTED_LIFETIME.total_seconds()), httponly=True,
                                secure=web.secure_cookies(request), samesite="lax")
        return response

    def code_page(request: Request, error: str | None = None, status: int = 200):
        return web.render(request, "login_code.html", {"error": error}, status=status)

    def back_to_password():
        return RedirectResponse("/login?expired=1", status_code=303)

    @routes.get("/login/code")
    def login_code_page(request: Request):
        with web.pool.connection() as conn:
            if two_factor.challenged(conn, request.cookies.get(two_factor.CHALLENGE_COOKIE)) is None:
                return back_to_password()
        return code_page(request)

    @routes.post("/login/code")
    def login_code(request: Request, code: str = Form(""), remember: str = Form(""), csrf_token: str = Form("")):
        csrf.check(request, csrf_token)
        token = request.cookies.get(two_factor.CHALLENGE_COOKIE, "")
        with web.pool.connection() as conn:
            found = two_factor.challenged(conn, token)
            if found is None:
                return back_to_password()
            if not may_try(request, found[1]):
                return code_page(request, "Too many attempts. Wait a few minutes and try again.", 429)
            if two_factor.try_challenge(conn, token) is None:
                return back_to_password()
            if not two_factor.verify(conn, request.app.state.signing_key, found[0], code, web.settings.now()):
                return code_page(request, "That code is not right. Codes change every 30 seconds; "
                                          "a recovery code works once.", 401)
            two_factor.end_challenge(conn, token)
            response = signed_in(request, conn, found[0], found[1], trust=remember == "yes")
        response.delete_cookie(two_factor.CHALLENGE_COOKIE, path="/login")
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
