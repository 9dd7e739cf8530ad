"""Known browsers, so that guessing at an account cannot lock its owner out (OWASP's "device
cookies").

A successful login leaves a cookie naming the account and a random device id, signed with the
server's key. A later login to that account from that browser is limited per device only; every
other attempt is limited per address and per account-and-address, and, much more loosely, per
account. A stranger's wrong passwords therefore use up the stranger's buckets, never the
owner's browser's.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response

COOKIE = "parcours_device"
LIFETIME_SECONDS = 365 * 24 * 3600


def remember(request: Request, response: Response, email: str, secure: bool) -> None:
    device = secrets.token_urlsafe(16)
    response.set_cookie(COOKIE, f"{device}.{_sign(request, email, device)}", max_age=LIFETIME_SECONDS,
                        httponly=True, secure=secure, samesite="lax")


def known(request: Request, email: str) -> str | None:
    """The id of this browser if it has logged in to `email`'s account before, else None."""
    device, _, signature = request.cookies.get(COOKIE, "").partition(".")
    if device and signature and secrets.compare_digest(_sign(request, email, device), signature):
        return device
    return None


def _sign(request: Request, email: str, device: str) -> str:
    material = f"device\0{email.strip().lower()}\0{device}".encode()
    return hmac.new(request.app.state.signing_key, material, hashlib.sha256).hexdigest()
