"""One beacon travels the whole path: HTTP → spool file → worker → COPY → rollup → dashboard page."""

import json
import os
import re
import subprocess
import sys
import time
from zoneinfo import ZoneInfo

import httpx
import pytest

from app.main import create_app
from parcours import spool
from worker import run


def wait_for_sealed(settings, count=1, timeout=10.0):
    deadline = time.monotonic() + timeout
    while len(spool.sealed_segments(settings.spool_dir)) < count:
        assert time.monotonic() < deadline, "no sealed spool segment appeared"
        time.sleep(0.05)


def log_in(client: httpx.Client, owner: dict) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post("/login", data={"email": owner["email"], "password": owner["password"], "csrf_token": token})
    assert response.status_code == 303, response.text


@pytest.mark.wall_clock  # collect stamps the beacon with the time it arrives
def test_a_beacon_reaches_the_dashboard(settings, owner, property_id, serve, refresh_rollups, now):
    base = serve(create_app(settings))
    with httpx.Client(base_url=base) as client:
        script = client.get(f"/js/{property_id}.js")
        assert script.status_code == 200 and f'"{property_id}"' in script.text
        beacon = {"p": property_id, "n": "page_view", "u": "https://example.com/hello", "t": "Hello"}
        response = client.post("/metrics", content=json.dumps(beacon),
                               headers={"content-type": "text/plain", "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"})
        assert response.status_code == 202
        wait_for_sealed(settings)
        assert run.once(settings).events == 1
        refresh_rollups()

        log_in(client, owner)
        page = client.get(f"/properties/{property_id}")
        today = now.astimezone(ZoneInfo("Asia/Kolkata")).date().isoformat()
        row = re.search(rf'<tr data-starts="{today}T00:00"><td>[^<]*</td><td class="num">(\d+)</td>', page.text)
        assert row and row.group(1) == "1", page.text
        assert "Asia/Kolkata" in page.text


def test_the_dashboard_needs_a_login_and_ownership(settings, admin, owner, property_id, serve):
    from app.accounts import users

    users.add(admin, "other@example.com", "another long password")
    base = serve(create_app(settings))
    with httpx.Client(base_url=base) as client:
        assert client.get(f"/properties/{property_id}").headers["location"] == "/login"
        log_in(client, {"email": "other@example.com", "password": "another long password"})
        assert client.get(f"/properties/{property_id}").status_code == 404


def test_login_refuses_a_wrong_password_and_a_missing_csrf_token(settings, owner, serve):
    base = serve(create_app(settings))
    with httpx.Client(base_url=base) as client:
        assert client.post("/login", data={"email": owner["email"], "password": owner["password"]}).status_code == 403
        with_wrong = {**owner, "password": "not the password at all"}
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = client.post("/login", data={"email": with_wrong["email"], "password": with_wrong["password"],
                                                "csrf_token": token})
        assert response.status_code == 401 and "Wrong email or password" in response.text


def test_htmx_gets_only_the_report_fragment(settings, owner, property_id, serve):
    base = serve(create_app(settings))
    with httpx.Client(base_url=base) as client:
        log_in(client, owner)
        full = client.get(f"/properties/{property_id}?period=30d")
        fragment = client.get(f"/properties/{property_id}?period=30d", headers={"HX-Request": "true"})
        assert "<html" in full.text and "<html" not in fragment.text
        assert fragment.text.count("<tr data-starts=") == 30
        assert client.get(f"/properties/{property_id}?period=2y").status_code == 422


@pytest.mark.wall_clock  # collect stamps the beacon with the time it arrives
def test_a_beacon_shows_in_the_stats_api_within_a_minute(settings, admin, owner, property_id, serve):
    from app.accounts import api_keys

    key = api_keys.create(admin, owner["id"], "freshness")
    # On Community, the rollups' refresh job on its own schedule, as in production (the test
    # template pauses it), and the scheduler of this new database started now rather than when
    # TimescaleDB's launcher next looks for databases.
    admin.execute("SELECT alter_job(job_id, scheduled => true) FROM timescaledb_information.jobs"
                  " WHERE proc_schema = 'parcours' AND proc_name = 'refresh_rollups'")
    admin.execute("SELECT _timescaledb_functions.start_background_workers()")
    env = {**os.environ, "DATABASE_URL": settings.database_url, "PARCOURS_VAR_DIR": str(settings.var_dir),
           "PARCOURS_SPOOL_DIR": str(settings.spool_dir), "PARCOURS_SECRET_KEY": settings.secret_key.get_secret_value()}
    worker = subprocess.Popen([sys.executable, "-m", "cli", "worker"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with httpx.Client(base_url=serve(create_app(settings)), headers={"Authorization": f"Bearer {key}"}) as client:
            beacon = {"p": property_id, "n": "page_view", "u": "https://example.com/fresh"}
            sent = time.monotonic()
            assert client.post("/metrics", content=json.dumps(beacon), headers={
                "content-type": "text/plain", "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"}).status_code == 202
            # Each report in turn: on Community the job refreshes one aggregate after another.
            for report, shown in [("summary", lambda results: results["page_views"] == 1),
                                  ("breakdown/page", lambda results: [r["value"] for r in results] == ["/fresh"])]:
                while not shown(client.get(f"/api/v1/properties/{property_id}/{report}?period=today").json()["results"]):
                    assert time.monotonic() - sent < 60, f"the event did not reach the {report} report within 60 s"
                    time.sleep(0.25)
    finally:
        worker.terminate()
        worker.wait(timeout=10)
