"""Security headers on every response of the dashboard, the API and the account pages.

Scripts and styles come from this origin only (htmx is vendored); style attributes stay
allowed because the panels' bars are sized by a CSS variable in one. No page may be framed —
clickjacking a settings form is the attack this stops — but a shared link its owner made
embeddable, which sends a policy of its own naming the origins that may (app/dashboard/shared.py).
The collect path sets its own headers: its tracker script and beacons are meant for other origins.

Redirects stay on this site: a Location the framework built from the request's Host header
(the trailing-slash redirect does) is made relative, so a forged Host cannot turn Parcours into
an open redirect. Only the configured public URL may appear absolute.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from app.collect.asgi import Receive, Scope, Send

POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; style-src-elem 'self'; "
          "style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; "
          "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = [
    (b"content-security-policy", POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


def local_location(location: bytes, public_url: str) -> bytes:
    text = location.decode("latin-1")
    if public_url and text.startswith(public_url.rstrip("/") + "/"):
        return location
    parts = urlsplit(text)
    if not parts.netloc and not parts.scheme and not text.startswith("//"):
        return location
    return urlunsplit(("", "", "/" + parts.path.lstrip("/"), parts.query, "")).encode("latin-1")


class SecurityHeaders:
    def __init__(self, app, public_url: str = "") -> None:
        self.app, self.public_url = app, public_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = [(name, local_location(value, self.public_url) if name == b"location" else value)
                           for name, value in message.get("headers", [])]
                names = {name for name, _ in headers}
                if b"content-security-policy" in names:  # a page with a policy of its own says who may frame it
                    names.add(b"x-frame-options")
                message["headers"] = [*headers, *(h for h in HEADERS if h[0] not in names)]
            await send(message)

        await self.app(scope, receive, with_headers)
