"""The little of HTTP the collect path needs, spoken as bare ASGI: headers, a bounded body,
and answers. Kept apart so the handlers in routes.py read as what they decide."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class Refused(Exception):
    """Answer the request with `status` and `reason`; nothing was stored."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def headers(scope: Scope) -> dict[bytes, bytes]:
    """Request headers by lower-case name; of a repeated header, the last one."""
    return dict(scope["headers"])


async def body(receive: Receive, declared: bytes | None, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it exceeds `limit` (by its
    Content-Length or as it streams in) rather than after reading it all."""
    if declared and declared.isdigit() and int(declared) > limit:
        raise Refused(413, f"beacon larger than {limit} bytes")
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Refused(400, "client disconnected")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise Refused(413, f"beacon larger than {limit} bytes")
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


async def respond(send: Send, status: int, content: bytes = b"",
                  extra: list[tuple[bytes, bytes]] | tuple = ()) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-length", str(len(content)).encode()), *extra]})
    await send({"type": "http.response.body", "body": content})


async def refuse(send: Send, refusal: Refused, extra: list[tuple[bytes, bytes]] | tuple = ()) -> None:
    """A 4xx or 5xx with its reason as {"detail": ...}, the shape the rest of the app uses."""
    content = json.dumps({"detail": refusal.reason}).encode()
    await respond(send, refusal.status, content, [(b"content-type", b"application/json"), *extra])
