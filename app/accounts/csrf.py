"""CSRF protection: a random cookie, and a token every state-changing form echoes in a hidden
field (htmx requests echo it in a header).

A double-submit cookie alone falls to cookie tossing: a page on a sibling subdomain (often the
tracked site itself) can set the cookie to a value it knows and post that value. So the token
is not the cookie but an HMAC, under the server's secret, of the cookie and the session cookie:
an attacker can set the first, cannot read the second, and cannot compute the HMAC. A request
the browser marks as coming from another site (`Sec-Fetch-Site: cross-site` or `same-site`) is
refused outright."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import HTTPException, Request, Response

from app.accounts import sessions

COOKIE = "parcours_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
FOREIGN = ("cross-site", "same-site")


def token(request: Request) -> str:
    """The token this request's forms carry, minting a cookie on first contact (stored on
    request.state for the response)."""
    nonce = request.cookies.get(COOKIE)
    if not nonce:
        if not hasattr(request.state, "new_csrf"):
            request.state.new_csrf = secrets.token_urlsafe(32)
        nonce = request.state.new_csrf
    return _sign(request, nonce)


def _sign(request: Request, nonce: str) -> str:
    material = f"{nonce}\0{request.cookies.get(sessions.COOKIE, '')}".encode()
    return hmac.new(request.app.state.signing_key, material, hashlib.sha256).hexdigest()


def persist(request: Request, response: Response, secure: bool) -> None:
    minted = getattr(request.state, "new_csrf", None)
    if minted:
        response.set_cookie(COOKIE, minted, httponly=True, secure=secure, samesite="lax")


def check(request: Request, submitted: str | None) -> None:
    if request.headers.get("sec-fetch-site") in FOREIGN:
        raise HTTPException(403, "this form was sent from another site")
    nonce = request.cookies.get(COOKIE)
    sent = submitted or request.headers.get(HEADER)
    if not nonce or not sent or not secrets.compare_digest(_sign(request, nonce), sent):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")
