"""The JSON stats API over real HTTP: keys, ownership, parameters and the numbers."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from app.accounts import api_keys, properties, sessions, users
from app.main import create_app

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def view(when, ip="198.51.100.1", **fields):
    return (when, ip, FIREFOX, fields)


@pytest.fixture
def api(settings, admin, owner, property_id, serve, load_events):
    admin.execute("UPDATE accounts.properties SET time_zone = 'UTC' WHERE id = %s", (property_id,))
    load_events([view("2026-11-02T10:00", r="https://www.google.com/"),
                 view("2026-11-02T10:05", u="https://example.com/pricing"),
                 view("2026-11-03T09:00", ip="198.51.100.2"),
                 view("2026-11-01T09:00", ip="198.51.100.3")])
    key = api_keys.create(admin, owner["id"], "tests")
    client = httpx.Client(base_url=serve(create_app(settings)), headers={"Authorization": f"Bearer {key}"})
    yield client, f"/api/v1/properties/{property_id}"
    client.close()


RANGE = {"period": "custom", "from": "2026-11-02", "to": "2026-11-03"}


def test_summary_with_comparison(api):
    client, base = api
    body = client.get(f"{base}/summary", params={**RANGE, "compare": "true"}).json()
    assert body["period"] == {"key": "custom", "from": "2026-11-02", "to": "2026-11-03", "time_zone": "UTC"}
    result = body["results"]
    assert (result["visitors"], result["sessions"], result["page_views"], result["bounce_rate"]) == (2, 2, 3, 50.0)
    assert result["previous"]["visitors"] == 1 and result["change"]["visitors"] == 100.0


def test_timeseries_breakdown_and_filters(api):
    client, base = api
    days = client.get(f"{base}/timeseries", params={**RANGE, "interval": "day"}).json()["results"]["current"]
    assert [(d["starts"], d["page_views"]) for d in days] == [("2026-11-02T00:00", 2), ("2026-11-03T00:00", 1)]
    sources = client.get(f"{base}/breakdown/source", params=RANGE).json()["results"]
    assert [(row["value"], row["sessions"]) for row in sources] == [("Google", 1), (None, 1)]
    filtered = client.get(f"{base}/summary", params={**RANGE, "filter": ["source==Google", "page==/pricing"]}).json()
    assert filtered["filters"] == ["source==Google", "page==/pricing"] and filtered["results"]["page_views"] == 1


def test_visitors_and_a_visitor_s_timeline(api):
    client, base = api
    listed = client.get(f"{base}/visitors", params=RANGE).json()["results"]
    assert [v["page_views"] for v in listed] == [1, 2]
    timeline = client.get(f"{base}/visitors/{listed[1]['visitor_id']}", params=RANGE).json()["results"]
    assert [e["pathname"] for e in timeline["sessions"][0]["events"]] == ["/", "/pricing"]
    assert client.get(f"{base}/visitors/{'0' * 16}", params=RANGE).status_code == 404


@pytest.mark.every_instant
@pytest.mark.parametrize("zone", ["Asia/Kathmandu", "America/New_York"])
def test_a_view_a_minute_ago_is_in_todays_report_and_not_yesterdays(settings, admin, owner, property_id, serve,
                                                                      load_events, now, zone):
    admin.execute("UPDATE accounts.properties SET time_zone = %s WHERE id = %s", (zone, property_id))
    load_events([view((now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S"))])
    key = api_keys.create(admin, owner["id"], "tests")
    with httpx.Client(base_url=serve(create_app(settings)), headers={"Authorization": f"Bearer {key}"}) as client:
        def views(period):
            return client.get(f"/api/v1/properties/{property_id}/summary", params={"period": period}).json()
        today, yesterday = views("today"), views("yesterday")
    local = now.astimezone(ZoneInfo(zone)).date()
    assert today["period"]["from"] == today["period"]["to"] == local.isoformat()
    assert (today["results"]["page_views"], yesterday["results"]["page_views"]) == (1, 0)


@pytest.mark.every_instant
def test_realtime_counts_the_last_five_minutes(settings, api, load_events, now):
    client, base = api
    load_events([view((now - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%S"), ip="203.0.113.5"),
                 view((now - timedelta(minutes=9)).strftime("%Y-%m-%dT%H:%M:%S"), ip="203.0.113.6")])
    assert client.get(f"{base}/realtime").json()["results"] == {"visitors": 1, "page_views": 1}


@pytest.mark.parametrize("path, params, reason", [
    ("summary", {"period": "fortnight"}, "unknown period"),
    ("summary", {"period": "custom", "from": "2026-11-05", "to": "2026-11-01"}, "is after"),
    ("summary", {"period": "custom", "from": "2026-11-05"}, "needs both"),
    ("summary", {"period": "custom", "from": "yesterday", "to": "2026-11-01"}, "date"),
    ("summary", {"filter": "planet==Mars"}, "unknown filter dimension"),
    ("summary", {"filter": "country"}, "dimension==value"),
    ("timeseries", {"interval": "minute"}, "pattern"),
    ("breakdown/planet", {}, "unknown dimension"),
    ("visitors", {"limit": 0}, "greater than or equal"),
    ("visitors/xyz", {}, "pattern"),
])
def test_bad_parameters_get_a_422_with_the_reason(api, path, params, reason):
    client, base = api
    response = client.get(f"{base}/{path}", params=params)
    assert response.status_code == 422 and reason in response.text


def test_keys_and_ownership(settings, admin, api, property_id):
    client, base = api
    anonymous = httpx.get(f"{client.base_url}{base}/summary")
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    assert client.get(f"{base}/summary", headers={"Authorization": "Bearer pk_not-a-key"}).status_code == 401
    stranger = users.add(admin, "stranger@example.com", "another long passphrase")
    theirs = properties.add(admin, stranger, "Theirs", ["theirs.example"], "UTC")
    stranger_key = api_keys.create(admin, stranger, "probe")
    for path in ("summary", "timeseries", "breakdown/page", "visitors", f"visitors/{'0' * 16}", "realtime"):
        assert client.get(f"/api/v1/properties/{theirs}/{path}").status_code == 404
        assert client.get(f"{base}/{path}", headers={"Authorization": f"Bearer {stranger_key}"}).status_code == 404
    [(key_id, *_)] = api_keys.listed(admin, stranger)
    api_keys.revoke(admin, stranger, key_id)
    assert client.get(f"/api/v1/properties/{theirs}/summary",
                      headers={"Authorization": f"Bearer {stranger_key}"}).status_code == 401


def test_the_dashboard_session_cookie_works_too(settings, admin, owner, api):
    client, base = api
    token = sessions.start(admin, owner["id"])
    response = httpx.get(f"{client.base_url}{base}/summary", params=RANGE, cookies={sessions.COOKIE: token})
    assert response.status_code == 200 and response.json()["results"]["visitors"] == 2


def test_keys_are_stored_only_as_hashes(admin, owner):
    key = api_keys.create(admin, owner["id"], "hashed")
    stored = admin.execute("SELECT prefix, key_hash FROM accounts.api_keys").fetchone()
    assert stored[0] == key[:8] and key.encode() not in bytes(stored[1]) and len(bytes(stored[1])) == 32


def test_the_openapi_document_lists_the_routes(api):
    client, _ = api
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for route in ("summary", "timeseries", "breakdown/{dimension}", "visitors", "visitors/{visitor_id}", "realtime"):
        assert f"/api/v1/properties/{{property_id}}/{route}" in paths
