"""Hostile input anywhere in a request — path, query, form — gets a 4xx with a reason, never a
500; and a database outage gets a friendly 503 that heals by itself."""

import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from app.main import create_app

HOSTILE = ["%00", "a%00b", "%01", "%ED%A0%80", "%FF", "%7F"]


@pytest.fixture
def signed_in(settings, owner, property_id, serve):
    with httpx.Client(base_url=serve(create_app(settings))) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
        client.post("/login", data={"email": owner["email"], "password": owner["password"], "csrf_token": token})
        client.token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/account").text).group(1)
        client.property_id = property_id
        yield client


def _gets(pid):
    return [f"/properties/{pid}?period=custom&from={{x}}&to=2026-11-02", f"/properties/{pid}?filter=page=={{x}}",
            f"/properties/{pid}/panels/pages/pathname?period={{x}}", f"/properties/{pid}/visitors?offset={{x}}",
            f"/properties/{pid}/visitors/{{x}}", f"/properties/{pid}/export/{{x}}.csv", f"/properties/{{x}}",
            f"/login?next={{x}}", f"/password/reset/{{x}}"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_in_paths_and_queries_get_a_4xx(signed_in, value):
    for template in _gets(signed_in.property_id):
        response = signed_in.get(template.format(x=value))
        assert 400 <= response.status_code < 500, (template, value, response.status_code)


@pytest.mark.parametrize("query", [
    "offset=18446744073709551616", "offset=-1", "limit=99999999999999999999", "period=custom&from=0001-01-01&to=0001-01-02",
    "period=custom&from=9999-12-30&to=9999-12-31", "period=custom&from=0001-01-01&to=9999-12-31",
])
def test_numbers_and_dates_out_of_range_get_a_4xx(signed_in, query):
    pid = signed_in.property_id
    for path in (f"/properties/{pid}/visitors", f"/properties/{pid}", f"/properties/{pid}/panels/pages/pathname"):
        response = signed_in.get(f"{path}?{query}")
        assert 400 <= response.status_code < 500 or response.status_code == 200, (path, query, response.status_code)
        assert response.status_code != 500


@pytest.mark.parametrize("path, field", [
    ("/login", "email"), ("/login", "password"), ("/signup", "email"), ("/password/forgot", "email"),
    ("/account/keys", "name"), ("/account/email", "email"), ("/properties", "name"), ("/properties", "domains"),
])
@pytest.mark.parametrize("value", ["a\x00b", "\x01", "x\ud800"])
def test_hostile_form_fields_get_a_400_with_the_reason(signed_in, path, field, value):
    raw = "&".join([f"csrf_token={signed_in.token}", "password=x", "name=n", "time_zone=UTC",
                    f"{field}=" + "".join(f"%{b:02X}" for b in value.encode("utf-8", "surrogatepass"))])
    response = signed_in.post(path, content=raw, headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400 and ("control character" in response.text or "UTF-8" in response.text)


def _kill_web_backends(admin):
    # The timeout makes PostgreSQL wait until each backend has exited: a backend still dying
    # passes the pool's check and fails the query after it, which no real restart looks like.
    admin.execute("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE usename = 'parcours_web'")


def test_a_database_outage_gets_a_503_page_and_heals_by_itself(signed_in, admin, database):
    page = f"/properties/{signed_in.property_id}"
    with ThreadPoolExecutor(8) as browsers:  # a busy pool: every connection it may hold, open
        assert set(browsers.map(lambda _: signed_in.get(page).status_code, range(16))) == {200}
    assert admin.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = 'parcours_web'").fetchone()[0] > 3
    # A restart: every pooled connection dies under the app.
    _kill_web_backends(admin)
    assert signed_in.get(page).status_code == 200  # stale connections replaced, not surfaced
    admin.execute(f'REVOKE CONNECT ON DATABASE "{database}" FROM PUBLIC')
    _kill_web_backends(admin)
    down = signed_in.get(page, timeout=30)  # the pool waits up to 3 s for a connection first
    assert down.status_code == 503 and "database is unavailable" in down.text and down.headers["retry-after"]
    admin.execute(f'GRANT CONNECT ON DATABASE "{database}" TO PUBLIC')
    # The pool reconnects by itself, once its back-off since the last refused attempt (1 s,
    # 2 s, 4 s...) has passed: a request meanwhile gets the same 503 and its Retry-After.
    deadline = time.monotonic() + 30
    while (status := signed_in.get(page).status_code) == 503 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert status == 200
