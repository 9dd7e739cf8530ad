"""The goals and funnels page, and the events, goals and funnel panels, over real HTTP: forms
with CSRF, refusals with their reason, filters from the form, and hostile event strings shown
as text."""

import re

import httpx
import pytest

from app.main import create_app
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
HOSTILE = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
RANGE = "period=custom&from=2026-11-02&to=2026-11-02"


def hit(when, ip, path="/", **fields):
    return (when, f"198.51.100.{ip}", FIREFOX, {"u": f"https://example.com{path}", **fields})


@pytest.fixture
def site(settings, admin, owner, property_id, serve, load_events):
    admin.execute("UPDATE accounts.properties SET time_zone = 'UTC' WHERE id = %s", (property_id,))
    load_events([hit("2026-11-02T10:00", 1, "/"), hit("2026-11-02T10:01", 1, "/pricing"),
                 hit("2026-11-02T10:02", 1, "/pricing", n="signup", d={"plan": HOSTILE}),
                 hit("2026-11-02T10:03", 1, "/pricing", n="outbound", d={"url": f"https://x.example/{HOSTILE}"}),
                 hit("2026-11-02T11:00", 2, "/blog/tea")])
    client = httpx.Client(base_url=serve(create_app(settings)))
    log_in(client, owner["email"], owner["password"])
    yield client, f"/properties/{property_id}"
    client.close()


def csrf(client, url):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text).group(1)


def log_in(client, email, password):
    assert client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf(client, "/login")}).status_code == 303


def test_goals_and_funnels_are_added_listed_and_deleted(site):
    client, base = site
    token = csrf(client, f"{base}/goals")
    added = client.post(f"{base}/goals", data={"csrf_token": token, "name": "Pricing", "kind": "page", "page": "/pricing"})
    assert added.status_code == 303
    client.post(f"{base}/goals", data={"csrf_token": token, "name": "Signup", "kind": "event", "event": "signup"})
    funnel = client.post(f"{base}/funnels", data={"csrf_token": token, "name": "Buy", "steps": "/\n/pricing\nsignup"})
    assert funnel.status_code == 303
    page = client.get(f"{base}/goals").text
    assert "Visit /pricing" in page and "Event signup" in page and "<li>Visit /</li>" in page
    panel = client.get(f"{base}/conversions?{RANGE}").text
    assert re.search(r">Pricing</a></td>\s*<td class=\"num\">1</td><td class=\"num\">1</td>\s*<td class=\"num\">50.0 %", panel)
    report = client.get(f"{base}/funnel-report?{RANGE}").text
    assert "3. Event signup" in report and "Overall conversion: 100.0 %" in report
    goal_id = re.search(r'/goals/(\d+)/delete', page).group(1)
    assert client.post(f"{base}/goals/{goal_id}/delete", data={"csrf_token": token}).status_code == 303
    assert "<td>Pricing</td>" not in client.get(f"{base}/goals").text
    assert client.post(f"{base}/goals/{goal_id}/delete", data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize("form, reason", [
    ({"name": "x", "kind": "page", "page": "pricing"}, "a path starting with /"),
    ({"name": "x", "kind": "event", "event": "sign up!"}, "an event name is"),
    ({"name": "x", "kind": "event", "event": "e", "props": "plan"}, "key=value"),
])
def test_a_bad_goal_shows_the_form_again_with_the_reason(site, form, reason):
    client, base = site
    response = client.post(f"{base}/goals", data={"csrf_token": csrf(client, f"{base}/goals"), **form})
    assert response.status_code == 422 and reason in response.text
    assert f'value="{form["name"]}"' in response.text  # what was typed is kept


def test_a_form_without_its_csrf_token_is_refused(site):
    client, base = site
    assert client.post(f"{base}/goals", data={"name": "x", "kind": "page", "page": "/x"}).status_code == 403


def test_the_filter_form_writes_contains_and_one_of_into_the_url(site):
    client, base = site
    response = client.get(f"{base}?{RANGE}&dimension=page&operator=%3D~&value=PRIC")
    assert response.status_code == 303 and response.headers["location"].endswith("filter=page%3D~PRIC")
    page = client.get(response.headers["location"]).text
    assert "page contains PRIC" in page and 'data-metric="page_views">' in page
    one_of = client.get(f"{base}?{RANGE}&dimension=page&operator=%3D%3D&value=/|/blog/tea")
    assert one_of.headers["location"].endswith("filter=page%3D%3D%2F&filter=page%3D%3D%2Fblog%2Ftea")
    assert "page is / or /blog/tea" in client.get(one_of.headers["location"]).text


def test_event_panels_show_hostile_strings_as_text(site):
    client, base = site
    pages = [client.get(f"{base}/events/event?{RANGE}&name=signup").text, client.get(f"{base}/events/outbound?{RANGE}").text]
    assert all("&lt;script&gt;alert(2)" in page for page in pages)
    assert not any("<script>alert" in page or "<img src=x" in page for page in pages)
    assert client.get(f"{base}/events/nowhere?{RANGE}").status_code == 404


def test_the_chart_switches_metric_including_a_goal_s_conversions(site):
    client, base = site
    token = csrf(client, f"{base}/goals")
    client.post(f"{base}/goals", data={"csrf_token": token, "name": "Pricing", "kind": "page", "page": "/pricing"})
    hours = "period=custom&from=2026-11-02&to=2026-11-02&interval=hour"
    views = client.get(f"{base}?{hours}&metric=page_views").text
    assert "Page views per hour" in views and 'aria-label="10:00: 2"' in views and 'aria-label="11:00: 1"' in views
    goal = client.get(f"{base}?{hours}&metric=goal:Pricing").text
    assert "Conversions: Pricing per hour" in goal and 'aria-label="10:00: 1"' in goal and 'aria-label="11:00: 0"' in goal
    bounce = client.get(f"{base}?period=custom&from=2026-11-02&to=2026-11-03&metric=bounce_rate").text
    assert 'aria-label="Mon 2 Nov: 50.0 %"' in bounce and 'aria-label="Tue 3 Nov: –"' in bounce
    refused = client.get(f"{base}?{RANGE}&metric=goal:Nope")
    assert refused.status_code == 422 and "not &#39;goal:Nope&#39;" in refused.text


def test_a_hostile_goal_name_is_text_everywhere_it_shows(site):
    client, base = site
    token = csrf(client, f"{base}/goals")
    client.post(f"{base}/goals", data={"csrf_token": token, "name": HOSTILE, "kind": "page", "page": "/pricing"})
    client.post(f"{base}/funnels", data={"csrf_token": token, "name": HOSTILE, "steps": "/\n/pricing"})
    pages = [client.get(f"{base}/goals").text, client.get(f"{base}/conversions?{RANGE}").text,
             client.get(f"{base}/funnel-report?{RANGE}").text, client.get(f"{base}?{RANGE}").text,
             client.get(f"{base}?{RANGE}", params={"filter": f"goal=={HOSTILE}", "metric": f"goal:{HOSTILE}"}).text]
    assert all("&lt;script&gt;alert(2)" in page for page in pages)
    assert not any("<script>alert" in page or "<img src=x" in page for page in pages)
