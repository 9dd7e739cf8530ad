"""Health endpoints for load balancers, and the operational counters in Prometheus's format, over
real HTTP from the processes as they run."""

import json
import os
import re
import subprocess
import sys

import httpx
import pytest

from app.main import create_app

NOWHERE = "postgresql://nobody@127.0.0.1:1/none"
BEACON = {"n": "page_view", "u": "https://example.com/"}




@pytest.mark.parametrize("role", ["all", "collect"])
def test_live_and_ready(until, settings, property_id, serve, role):
    base = serve(create_app(settings, role))
    assert httpx.get(f"{base}/healthz").text == "ok\n"
    assert until(lambda: httpx.get(f"{base}/readyz").status_code == 200)


@pytest.mark.parametrize("role, broken, reason", [
    ("all", {"web_database_url": NOWHERE}, "the database does not answer"),
    ("all", {"collect_database_url": NOWHERE}, "the properties have not been loaded"),
    ("collect", {"collect_database_url": NOWHERE}, "the properties have not been loaded"),
])
def test_not_ready_says_why_and_stays_alive(settings, serve, role, broken, reason):
    base = serve(create_app(settings.model_copy(update=broken), role))
    answer = httpx.get(f"{base}/readyz", timeout=10)
    assert answer.status_code == 503 and reason in answer.json()["detail"]
    assert httpx.get(f"{base}/healthz").status_code == 200


def scrape(address):
    text = httpx.get(f"http://{address}/metrics").text
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if not line.startswith("#")}


def test_collect_counts_accepted_and_refused_beacons(until, settings, property_id, serve, free_address):
    base = serve(create_app(settings.model_copy(update={"serve_metrics_address": free_address})))
    until(lambda: httpx.get(f"{base}/readyz").status_code == 200)
    for body in ({"p": property_id, **BEACON}, {"p": property_id, **BEACON}, {"p": "nosuchsite", **BEACON}, {"p": 1}):
        httpx.post(f"{base}/metrics", content=json.dumps(body))
    counted = until(lambda: (found := scrape(free_address)).get("parcours_events_accepted_total") == 2 and found)
    assert counted['parcours_events_refused_total{reason="unknown property",status="404"}'] == 1
    assert counted['parcours_events_refused_total{reason="field \'p\' must be a string",status="400"}'] == 1
    assert "parcours_spool_segments" in counted and "parcours_worker_lag_seconds" in counted


def test_the_worker_counts_what_it_loads(until, settings, property_id, serve, free_address):
    base = serve(create_app(settings))
    until(lambda: httpx.get(f"{base}/readyz").status_code == 200)
    for path in ("/", "/a", "/b"):
        assert httpx.post(f"{base}/metrics", content=json.dumps({"p": property_id, **BEACON,
                                                                  "u": f"https://example.com{path}"})).status_code == 202
    env = {**os.environ, "DATABASE_URL": settings.database_url, "PARCOURS_VAR_DIR": str(settings.var_dir),
           "PARCOURS_SECRET_KEY": settings.secret_key.get_secret_value(), "PARCOURS_WORKER_METRICS_ADDRESS": free_address,
           "PARCOURS_WORKER_POLL_SECONDS": "0.1"}
    worker = subprocess.Popen([sys.executable, "-m", "cli", "worker"], env=env, stderr=subprocess.DEVNULL)
    try:
        def loaded():
            try:
                return scrape(free_address).get("parcours_rows_loaded_total") == 3
            except httpx.TransportError:
                return False
        until(loaded, seconds=20)
        assert re.search(r"parcours_spool_segments 0\b", httpx.get(f"http://{free_address}/metrics").text)
    finally:
        worker.terminate()
        worker.wait(10)
