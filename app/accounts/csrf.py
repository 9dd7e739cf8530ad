"""CSRF protection by double submit: a random cookie that every state-changing form echoes
in a hidden field (htmx requests echo it in a header). A cross-site page can make the browser
send the cookie but cannot read it, so it cannot echo it."""

from __future__ import annotations

import secrets

from fastapi import HTTPException, Request, Response

COOKIE = "parcours_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"


def token(request: Request) -> str:
    """The request's token, minting one on first contact (stored on request.state for the response)."""
    existing = request.cookies.get(COOKIE)
    if existing:
        return existing
    if not hasattr(request.state, "new_csrf"):
        request.state.new_csrf = secrets.token_urlsafe(32)
    return request.state.new_csrf


def persist(request: Request, response: Response, secure: bool) -> None:
    minted = getattr(request.state, "new_csrf", None)
    if minted:
        response.set_cookie(COOKIE, minted, httponly=True, secure=secure, samesite="lax")


def check(request: Request, submitted: str | None) -> None:
    cookie = request.cookies.get(COOKIE)
    sent = submitted or request.headers.get(HEADER)
    if not cookie or not sent or not secrets.compare_digest(cookie, sent):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")
