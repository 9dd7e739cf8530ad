"""An acknowledged beacon survives the collector being killed outright (SIGKILL)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import httpx

from parcours import spool
from worker import run


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(settings, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": settings.database_url, "PARCOURS_VAR_DIR": str(settings.var_dir),
           "PARCOURS_SPOOL_SEAL_SECONDS": "3600"}
    process = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--role", "collect", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=1)  # any answer: it is up
            return process
        except httpx.TransportError:
            assert time.monotonic() < deadline and process.poll() is None, "parcours serve did not start"
            time.sleep(0.1)


def test_an_acknowledged_event_survives_sigkill(settings, admin, property_id):
    port = _port()
    collector = _start(settings, port)
    body = {"p": property_id, "n": "page_view", "u": "https://example.com/kept"}
    answer = httpx.post(f"http://127.0.0.1:{port}/metrics", content=json.dumps(body))
    assert answer.status_code == 202
    collector.send_signal(signal.SIGKILL)
    collector.wait()

    assert spool.sealed_segments(settings.spool_dir) == []  # it was never sealed...
    assert run.once(settings).events == 1                   # ...the worker recovers and loads it
    assert admin.execute("SELECT pathname FROM metrics.events").fetchall() == [("/kept",)]
