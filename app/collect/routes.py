"""The collect path as a bare ASGI app: POST /metrics and the tracker script at /js/<id>.js.

This is the one path that must stay up and fast when everything else is down, so there is no
framework between the server and its few steps (rate limit, bounded body, parse, property
and host checks, group-committed spool write): routing, dependency injection and response
models would cost more per beacon than the work itself (bench/collect measures it). It runs
alone under `parcours serve --role collect`, or in front of the dashboard with `--role all`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from app.collect import asgi, beacon, tracker
from app.collect.asgi import Receive, Refused, Scope, Send
from app.collect.commit import GroupCommit
from app.collect.properties import ActiveProperties
from parcours import record, spool
from parcours.counters import Registry, serve_counters, spool_gauges
from parcours.proxies import client_ip
from parcours.ratelimit import RateLimiter
from parcours.settings import Settings
from parcours.spool import SpoolWriter

log = logging.getLogger(__name__)
# Beacons come from every tracked site's origin and carry no credentials.
CORS = (b"access-control-allow-origin", b"*")
PREFLIGHT = [CORS, (b"access-control-allow-methods", b"POST"),
             (b"access-control-allow-headers", b"Content-Type"), (b"access-control-max-age", b"86400")]
# sendBeacon with a string sends text/plain (no preflight); fetch callers may send JSON.
CONTENT_TYPES = (b"text/plain", b"application/json")
MAX_USER_AGENT = 512


@dataclass
class Collector:
    settings: Settings
    spool: SpoolWriter
    properties: ActiveProperties
    commit: GroupCommit
    limiter: RateLimiter
    counters: Registry = field(default_factory=Registry)
    _exporter: Any = field(default=None, init=False)  # the counters' HTTP server, while started
    _stop: threading.Event = field(default_factory=threading.Event)
    # Derived from settings once, not per request.
    metrics_path: str = field(init=False)
    scripts_path: str = field(init=False)
    trusted_proxies: tuple = field(init=False)

    def __post_init__(self) -> None:
        self.metrics_path = self.settings.collect_prefix + "/metrics"
        self.scripts_path = self.settings.collect_prefix + "/js/"
        self.trusted_proxies = tuple(self.settings.trusted_proxies)  # hashable: _is_trusted caches on it
        self.counters.counter("parcours_events_accepted_total", "Beacons staged in the spool.")
        self.counters.counter("parcours_events_refused_total", "Beacons refused, by status and reason.")
        self.counters.gauges(spool_gauges(self.settings.spool_dir))

    def handles(self, path: str) -> bool:
        return path == self.metrics_path or (path.startswith(self.scripts_path) and path.endswith(".js"))

    def unready(self) -> str | None:
        """Why this process cannot take beacons yet, or None when it can."""
        if not self.properties.loaded:
            return "the properties have not been loaded from the database yet"
        if not os.access(self.settings.spool_dir, os.W_OK):
            return f"the spool {self.settings.spool_dir} is not writable"
        return None

    def start(self) -> None:
        self.properties.start()
        threading.Thread(target=self._seal, name="spool-sealer", daemon=True).start()
        self._exporter = serve_counters(self.counters, self.settings.serve_metrics_address)

    def stop(self) -> None:
        self._stop.set()
        if self._exporter is not None:
            self._exporter.shutdown()
            self._exporter.server_close()
        self.properties.stop()
        self.commit.close()
        self.spool.close()

    def _seal(self) -> None:
        """Seals the open segment once it is old enough, so quiet sites still reach the worker."""
        while not self._stop.wait(min(0.5, self.spool.max_age)):
            self.spool.seal_if_due()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(self, receive, send)
        elif scope["type"] == "http":
            await dispatch(self, scope, receive, send)


def build(settings: Settings) -> Collector:
    spool = SpoolWriter(settings.spool_dir, settings.spool_seal_seconds, settings.spool_segment_bytes)
    return Collector(
        settings=settings, spool=spool, commit=GroupCommit(spool),
        properties=ActiveProperties(settings.role_conninfo("collect"), settings.property_reload_seconds,
                                    saved=settings.spool_dir / "properties.json"),
        limiter=RateLimiter(settings.collect_rate_per_ip, settings.collect_burst_per_ip),
    )


async def lifespan(collector: Collector, receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            collector.start()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            collector.stop()
            await send({"type": "lifespan.shutdown.complete"})
            return


async def dispatch(collector: Collector, scope: Scope, receive: Receive, send: Send) -> None:
    path, method = scope["path"], scope["method"]
    if path in ("/healthz", "/readyz"):  # alone (--role collect); with the dashboard, app/health.py answers
        reason = collector.unready() if path == "/readyz" else None
        await (asgi.refuse(send, Refused(503, reason)) if reason else asgi.respond(send, 200, b"ok\n"))
    elif not collector.handles(path):
        await asgi.refuse(send, Refused(404, "not found"))
    elif path == collector.metrics_path and method == "POST":
        await collect(collector, scope, receive, send)
    elif path == collector.metrics_path and method == "OPTIONS":
        await asgi.respond(send, 204, extra=PREFLIGHT)
    elif path != collector.metrics_path and method in ("GET", "HEAD"):
        await script(collector, scope, send)
    else:
        await asgi.refuse(send, Refused(405, "method not allowed"), [CORS])


async def collect(collector: Collector, scope: Scope, receive: Receive, send: Send) -> None:
    received_ns = time.time_ns()
    headers = asgi.headers(scope)
    ip = client_ip(scope, headers, collector.trusted_proxies)
    try:
        if not collector.limiter.allow(ip):
            raise Refused(429, "too many events from this address; slow down")
        user_agent = record.storable(headers.get(b"user-agent", b"").decode("latin-1")[:MAX_USER_AGENT])
        event = await _accept(collector, headers, receive, user_agent)
    except Refused as refusal:
        collector.counters.inc("parcours_events_refused_total", status=str(refusal.status), reason=refusal.reason)
        retry = [(b"retry-after", b"1")] if refusal.status == 429 else []
        return await asgi.refuse(send, refusal, [CORS, *retry])
    try:
        await collector.commit.append(spool.record(received_ns, ip, user_agent, event))
    except OSError:
        log.exception("could not stage an event")
        collector.counters.inc("parcours_events_refused_total", status="503", reason="spool write failed")
        return await asgi.refuse(send, Refused(503, "cannot store events right now; retry later"),
                                 [CORS, (b"retry-after", b"5")])
    collector.counters.inc("parcours_events_accepted_total")
    await asgi.respond(send, 202, extra=[CORS])


async def _accept(collector: Collector, headers: dict[bytes, bytes], receive: Receive, user_agent: str) -> dict:
    """The sanitized event, or Refused with the reason it cannot be staged: it is staged only
    if the worker will load it (parcours/record.py)."""
    content_type = headers.get(b"content-type", b"text/plain").split(b";")[0].strip().lower()
    if content_type not in CONTENT_TYPES:
        raise Refused(415, "send the beacon as text/plain or application/json")
    body = await asgi.body(receive, headers.get(b"content-length"), beacon.MAX_BYTES)
    try:
        event = beacon.parse(body)
        record.check(event, user_agent)
    except (beacon.BeaconError, record.Unloadable) as error:
        raise Refused(400, str(error)) from None
    _known(collector, event["p"])
    if not collector.properties.allows_host(event["p"], beacon.page_host(event["u"])):
        raise Refused(403, "the page's host is not one of this property's domains")
    return event


def _known(collector: Collector, property_id: str) -> None:
    # Before the first load nothing is known yet: "unknown" would be a lie the tracker caches.
    if not collector.properties.loaded:
        raise Refused(503, "this collector has not loaded its properties yet; try again shortly")
    if property_id not in collector.properties:
        raise Refused(404, "unknown property")


async def script(collector: Collector, scope: Scope, send: Send) -> None:
    property_id = scope["path"][len(collector.scripts_path):-len(".js")]
    try:
        _known(collector, property_id)
    except Refused as refused:
        return await asgi.refuse(send, refused)
    headers = asgi.headers(scope)
    served = tracker.script(property_id, _endpoint(collector, scope, headers))
    common = [(b"etag", served.etag.encode()), (b"cache-control", b"public, max-age=3600"),
              (b"vary", b"Accept-Encoding")]
    if headers.get(b"if-none-match") == served.etag.encode():
        return await asgi.respond(send, 304, extra=common)
    typed = [(b"content-type", b"application/javascript; charset=utf-8"), *common]
    if b"gzip" in headers.get(b"accept-encoding", b""):
        content, typed = served.gzipped, [*typed, (b"content-encoding", b"gzip")]
    else:
        content = served.body
    await asgi.respond(send, 200, b"" if scope["method"] == "HEAD" else content, typed)


def _endpoint(collector: Collector, scope: Scope, headers: dict[bytes, bytes]) -> str:
    """Where the tracker posts: the configured public URL, else the origin the script came from."""
    base = collector.settings.public_url
    if not base:
        host = headers.get(b"host", b"").decode("latin-1") or "%s:%d" % tuple(scope["server"])
        base = f"{scope['scheme']}://{host}"
    return base.rstrip("/") + collector.metrics_path
