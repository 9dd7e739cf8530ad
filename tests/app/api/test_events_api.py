"""Events, goals and funnels over the JSON API: reports, management with an API key, and the
reasons a bad definition is refused."""

import httpx
import pytest

from app.accounts import api_keys, sessions
from app.main import create_app

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
RANGE = {"period": "custom", "from": "2026-11-02", "to": "2026-11-02"}


def hit(when, ip, path="/", **fields):
    return (when, f"198.51.100.{ip}", FIREFOX, {"u": f"https://example.com{path}", **fields})


@pytest.fixture
def api(settings, admin, owner, property_id, serve, load_events):
    admin.execute("UPDATE accounts.properties SET time_zone = 'UTC' WHERE id = %s", (property_id,))
    load_events([hit("2026-11-02T10:00", 1, "/"), hit("2026-11-02T10:01", 1, "/pricing"),
                 hit("2026-11-02T10:02", 1, "/pricing", n="signup", d={"plan": "pro"}),
                 hit("2026-11-02T11:00", 2, "/"), hit("2026-11-02T11:01", 2, "/", n="signup", d={"plan": "free"})])
    key = api_keys.create(admin, owner["id"], "tests")
    client = httpx.Client(base_url=serve(create_app(settings)), headers={"Authorization": f"Bearer {key}"})
    yield client, f"/api/v1/properties/{property_id}"
    client.close()


def test_events_and_their_properties(api):
    client, base = api
    body = client.get(f"{base}/events", params=RANGE).json()
    assert body["results"] == [{"value": "signup", "events": 2, "visitors": 2, "conversion_rate": 100.0}]
    props = client.get(f"{base}/events/signup/properties", params=RANGE).json()["results"]
    assert [(p["key"], p["value"]) for p in props] == [("plan", "free"), ("plan", "pro")]
    assert client.get(f"{base}/events", params={**RANGE, "dimension": "nope"}).status_code == 422


def test_goals_are_made_read_and_deleted_with_a_key(api):
    client, base = api
    made = client.post(f"{base}/goals", json={"name": "Pro signup", "event": "signup", "props": {"plan": "pro"}})
    assert made.status_code == 201
    assert client.post(f"{base}/goals", json={"name": "Pricing", "page": "/pricing"}).status_code == 201
    rows = client.get(f"{base}/goals", params=RANGE).json()["results"]
    assert [(r["goal"], r["conversions"], r["visitors"], r["conversion_rate"]) for r in rows] == [
        ("Pricing", 1, 1, 50.0), ("Pro signup", 1, 1, 50.0)]
    one = client.get(f"{base}/goals/{made.json()['id']}", params={**RANGE, "compare": "true"}).json()["results"]
    assert (one["visitors"], one["previous"]["visitors"]) == (1, 0)
    converted = client.get(f"{base}/summary", params={**RANGE, "filter": "goal==Pro signup"}).json()["results"]
    assert converted["visitors"] == 1 and converted["page_views"] == 2
    assert client.delete(f"{base}/goals/{made.json()['id']}").status_code == 204
    assert client.delete(f"{base}/goals/{made.json()['id']}").status_code == 404
    assert client.get(f"{base}/summary", params={**RANGE, "filter": "goal==Pro signup"}).status_code == 422


@pytest.mark.parametrize("body, reason", [
    ({"name": "x"}, "either a page"),
    ({"name": "x", "page": "/a", "event": "b"}, "either a page"),
    ({"name": "x", "page": "pricing"}, "starting with /"),
    ({"name": "x", "event": "<script>"}, "an event name is"),
    ({"name": "x", "page": "/a", "props": {"a": "b"}}, "belong to event goals"),
    ({"name": "", "page": "/a"}, "a name is"),
    ({"name": "x", "event": "e", "props": {"a": {"b": 1}}}, "key and a text value"),
])
def test_a_bad_goal_is_refused_with_the_reason(api, body, reason):
    client, base = api
    response = client.post(f"{base}/goals", json=body)
    assert response.status_code == 422 and reason in response.json()["detail"]


def test_a_funnel_over_the_api(api):
    client, base = api
    steps = [{"page": "/"}, {"page": "/pricing"}, {"event": "signup", "props": {"plan": "pro"}}]
    made = client.post(f"{base}/funnels", json={"name": "Buy", "steps": steps})
    assert made.status_code == 201
    assert client.post(f"{base}/funnels", json={"name": "Buy", "steps": steps}).status_code == 422  # name taken
    assert client.post(f"{base}/funnels", json={"name": "One", "steps": steps[:1]}).status_code == 422
    assert [f["name"] for f in client.get(f"{base}/funnels").json()] == ["Buy"]
    report = client.get(f"{base}/funnels/{made.json()['id']}", params=RANGE).json()["results"]
    assert [(s["visitors"], s["conversion_from_first"]) for s in report["steps"]] == [(2, 100.0), (1, 50.0), (1, 50.0)]
    assert client.delete(f"{base}/funnels/{made.json()['id']}").status_code == 204


def test_changes_need_a_key_not_a_cookie(settings, admin, owner, api):
    client, base = api
    token = sessions.start(admin, owner["id"])
    with httpx.Client(base_url=client.base_url, cookies={sessions.COOKIE: token}) as browser:
        assert browser.get(f"{base}/goals", params=RANGE).status_code == 200
        refused = browser.post(f"{base}/goals", json={"name": "x", "page": "/a"})
    assert refused.status_code == 401 and "API key" in refused.json()["detail"]


def test_events_and_goals_compare_with_the_previous_period(api, load_events):
    client, base = api
    load_events([hit("2026-11-01T09:59", 3, "/"), hit("2026-11-01T10:00", 3, "/", n="signup", d={"plan": "pro"})])
    client.post(f"{base}/goals", json={"name": "Signup", "event": "signup"})
    compared = {**RANGE, "compare": "true"}
    [signup] = client.get(f"{base}/events", params=compared).json()["results"]
    assert (signup["visitors"], signup["previous"], signup["change"]) == (2, 1, 100.0)
    [goal] = client.get(f"{base}/goals", params=compared).json()["results"]
    assert (goal["visitors"], goal["previous"], goal["change"], goal["conversion_rate"]) == (2, 1, 100.0, 100.0)
    made = client.post(f"{base}/funnels", json={"name": "Home, signup", "steps": [{"page": "/"}, {"event": "signup"}]})
    steps = client.get(f"{base}/funnels/{made.json()['id']}", params=compared).json()["results"]["steps"]
    assert [(s["visitors"], s["previous"]) for s in steps] == [(2, 1), (2, 1)]
