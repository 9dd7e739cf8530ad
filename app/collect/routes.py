"""HTTP for the collect path: the per-property tracker script and POST /metrics."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import time
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool

from app.collect import beacon
from app.collect.properties import ActiveProperties
from parcours import PROJECT_ROOT
from parcours.settings import Settings
from parcours.spool import SpoolWriter

log = logging.getLogger(__name__)
# Beacons come from every tracked site's origin and carry no credentials.
CORS = {"Access-Control-Allow-Origin": "*"}


def client_ip(request: Request, trusted: list) -> str:
    """The visitor's address: the direct peer, unless that peer is a trusted proxy; then the
    rightmost X-Forwarded-For entry that is not itself a trusted proxy (entries further left
    are whatever the client chose to send)."""
    peer = request.client.host if request.client else ""
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    address = peer
    while _is_trusted(address, trusted) and hops:
        address = hops.pop()
    return address


def _is_trusted(address: str, trusted: list) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def staged_record(event: dict, request: Request, ip: str, received_ns: int) -> bytes:
    """The spool line: the sanitized event plus what only the server knows. The IP stays
    here only until the worker has derived the visitor id and the country from it."""
    record = {"v": 1, "ts": received_ns, "ip": ip,
              "ua": request.headers.get("user-agent", "")[:512], "e": event}
    return json.dumps(record, separators=(",", ":")).encode()


def render_tracker(template: str, property_id: str, endpoint: str) -> bytes:
    # json.dumps yields a quoted, escaped JS string literal; the template's quotes are replaced with it.
    script = template.replace('"__PARCOURS_PROPERTY__"', json.dumps(property_id))
    return script.replace('"__PARCOURS_ENDPOINT__"', json.dumps(endpoint)).encode()


def router(settings: Settings, spool: SpoolWriter, properties: ActiveProperties) -> APIRouter:
    routes = APIRouter()
    template = (PROJECT_ROOT / "tracker" / "parcours.js").read_text()

    @routes.get("/js/{property_id}.js")
    def tracker(property_id: str, request: Request) -> Response:
        if property_id not in properties:
            raise HTTPException(404, "unknown property")
        endpoint = (settings.public_url or str(request.base_url)).rstrip("/") + "/metrics"
        body = render_tracker(template, property_id, endpoint)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers = {"ETag": etag, "Cache-Control": "public, max-age=3600"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type="application/javascript", headers=headers)

    @routes.post("/metrics", status_code=202)
    async def collect(request: Request) -> Response:
        received_ns = time.time_ns()
        body = await _bounded_body(request)
        try:
            event = beacon.parse(body)
        except beacon.BeaconError as error:
            raise HTTPException(400, str(error)) from None
        if event["p"] not in properties:
            raise HTTPException(404, "unknown property")
        if not properties.allows_host(event["p"], urlsplit(event["u"]).hostname or ""):
            raise HTTPException(403, "the page's host is not one of this property's domains")
        try:
            line = staged_record(event, request, client_ip(request, settings.trusted_proxies), received_ns)
            await run_in_threadpool(spool.append, line)
        except OSError:
            log.exception("could not stage an event")
            raise HTTPException(503, "cannot stage events right now; retry later") from None
        return Response(status_code=202, headers=CORS)

    @routes.options("/metrics")
    def preflight() -> Response:
        return Response(status_code=204, headers={**CORS, "Access-Control-Allow-Methods": "POST",
                                                  "Access-Control-Allow-Headers": "Content-Type",
                                                  "Access-Control-Max-Age": "86400"})

    return routes


async def _bounded_body(request: Request) -> bytes:
    """The body, refusing it with 413 as soon as it exceeds the limit rather than after reading it all."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > beacon.MAX_BYTES:
        raise HTTPException(413, f"beacon larger than {beacon.MAX_BYTES} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > beacon.MAX_BYTES:
            raise HTTPException(413, f"beacon larger than {beacon.MAX_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
