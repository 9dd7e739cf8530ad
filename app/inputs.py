"""Input no page can store or parse is refused at the door with a 400 and the reason: a NUL,
another control character or a lone surrogate in the path, the query string or a form field.
PostgreSQL refuses NUL in text, and such input is never a person's; without this, each
route would fail on it in its own way (a 500 from deep inside a query).

Form bodies are read here (bounded: forms are small) and handed on unchanged.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from app.collect import asgi
from app.collect.asgi import Receive, Scope, Send

MAX_FORM_BYTES = 1 << 20
# Tab, line feed and carriage return are ordinary in a textarea (a site's list of domains).
_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
FORMS = (b"application/x-www-form-urlencoded",)


def problem(scope: Scope, body: bytes = b"") -> str | None:
    """Why this request is refused, or None."""
    if _BAD.search(scope["path"]):
        return "the address holds a control character"
    for where, raw in (("query", scope.get("query_string", b"")), ("form", body)):
        try:
            pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
        except (UnicodeDecodeError, ValueError):
            return f"the {where} is not valid UTF-8"
        if any(_BAD.search(key) or _BAD.search(value) for key, value in pairs):
            return f"the {where} holds a control character"
    return None


class RefuseUnstorable:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers", []))
        is_form = headers.get(b"content-type", b"").split(b";")[0].strip() in FORMS
        body, more = b"", is_form
        while more and len(body) <= MAX_FORM_BYTES:
            message = await receive()
            body, more = body + message.get("body", b""), message.get("more_body", False)
        reason = "the form is too large" if len(body) > MAX_FORM_BYTES else problem(scope, body)
        if reason:
            return await asgi.refuse(send, asgi.Refused(400, reason))
        await self.app(scope, _replay(body, receive) if is_form else receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def again() -> dict:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return again

