"""Operational counters in Prometheus's text format, served on an internal address by each
long-running process (`serve`: events accepted and refused by reason; `worker`: rows loaded,
events dropped and quarantined, spool depth and lag).

Counters live in the process: nothing is shared or persisted, so a restart starts them at zero,
which Prometheus's rate() expects. Gauges are read when scraped, from the source of truth (the
spool on disk), never cached. No client library: the format is a few lines of text.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from parcours import spool

log = logging.getLogger(__name__)
Labels = tuple[tuple[str, str], ...]


class Registry:
    """Counters by name and labels, plus gauges computed at scrape time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, dict[Labels, float]] = {}
        self._help: dict[str, tuple[str, str]] = {}
        self._gauges: list[Callable[[], list[tuple[str, str, Labels, float]]]] = []

    def counter(self, name: str, help_text: str) -> None:
        self._help[name] = ("counter", help_text)
        self._counts.setdefault(name, {})

    def inc(self, name: str, amount: float = 1, **labels: str) -> None:
        key = tuple(sorted(labels.items()))
        with self._lock:
            series = self._counts[name]
            series[key] = series.get(key, 0) + amount

    def gauges(self, read: Callable[[], list[tuple[str, str, Labels, float]]]) -> None:
        """`read()` returns (name, help, labels, value) rows when scraped."""
        self._gauges.append(read)

    def render(self) -> str:
        lines = []
        with self._lock:
            counts = {name: dict(series) for name, series in self._counts.items()}
        for name, series in counts.items():
            kind, help_text = self._help[name]
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
            lines += [f"{name}{_labels(key)} {value:g}" for key, value in sorted(series.items())]
        for read in self._gauges:
            for name, help_text, labels, value in read():
                lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", f"{name}{_labels(labels)} {value:g}"]
        return "\n".join(lines) + "\n"


def spool_gauges(root: Path) -> Callable[[], list[tuple[str, str, Labels, float]]]:
    """The spool's depth and lag, read from disk at each scrape."""
    def read() -> list[tuple[str, str, Labels, float]]:
        depth = spool.depth(root)
        return [("parcours_spool_segments", "Sealed segments waiting for the worker.", (), depth["segments"]),
                ("parcours_spool_bytes", "Bytes in sealed segments waiting for the worker.", (), depth["bytes"]),
                ("parcours_worker_lag_seconds", "Age of the oldest segment waiting (0 when none).", (),
                 depth["lag_seconds"] or 0),
                ("parcours_quarantined_lines", "Lines in quarantine files, for an operator to look at.", (),
                 depth["quarantined"])]
    return read


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    escaped = (f'{k}="{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34)).replace(chr(10), " ")}"'
               for k, v in labels)
    return "{" + ",".join(escaped) + "}"


def serve_counters(registry: Registry, address: str) -> ThreadingHTTPServer | None:
    """Serve GET /metrics at `address` ("host:port") in a daemon thread; None when the address
    is empty. A port already taken is logged, not fatal: counters never stop the real work."""
    if not address:
        return None
    host, _, port = address.rpartition(":")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            body = registry.render().encode() if self.path == "/metrics" else b"see /metrics\n"
            self.send_response(200 if self.path == "/metrics" else 404)
            self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # scrapes every few seconds: not worth a log line
            pass

    try:
        server = ThreadingHTTPServer((host.strip("[]"), int(port)), Handler)
    except OSError as error:
        log.warning("operational counters not served on %s: %s", address, error)
        return None
    threading.Thread(target=server.serve_forever, name="counters", daemon=True).start()
    return server
