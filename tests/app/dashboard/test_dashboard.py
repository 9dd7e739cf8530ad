"""The property page and its panels over real HTTP: state in the URL, filters, exports,
ownership on every route, and hostile strings from tracked sites shown as text."""

import html
from datetime import date
import re

import httpx
import pytest

from app.accounts import annotations, api_keys, members, properties, sharing, users
from app.reports import goals
from app.main import create_app

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
HOSTILE = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


def log_in(client, email, password):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    assert client.post("/login", data={"email": email, "password": password, "csrf_token": token}).status_code == 303


@pytest.fixture
def dashboard(settings, admin, owner, property_id, serve, load_events):
    admin.execute("UPDATE accounts.properties SET time_zone = 'UTC' WHERE id = %s", (property_id,))
    load_events([("2026-11-02T10:00", "198.51.100.1", FIREFOX, {"r": "https://www.google.com/", "t": HOSTILE}),
                 ("2026-11-02T10:05", "198.51.100.1", FIREFOX, {"u": "https://example.com/=cmd()"}),
                 ("2026-11-03T09:00", "198.51.100.2", FIREFOX, {"r": f"https://evil.example/{HOSTILE}"}),
                 ("2026-11-08T09:00", "198.51.100.3", FIREFOX,
                  {"u": "https://example.com/?utm_source=x&utm_campaign=%3DHYPERLINK(1)"})])
    client = httpx.Client(base_url=serve(create_app(settings)))
    log_in(client, owner["email"], owner["password"])
    yield client, f"/properties/{property_id}"
    client.close()


RANGE = "period=custom&from=2026-11-01&to=2026-11-07"


def metric(html, name):
    return re.search(rf'data-metric="{name}">\s*<dt>[^<]*</dt>\s*<dd><span class="value">([^<]*)<', html).group(1)


def test_the_url_holds_period_comparison_and_filters(dashboard):
    client, base = dashboard
    page = client.get(f"{base}?{RANGE}").text
    assert (metric(page, "visitors"), metric(page, "page_views"), metric(page, "sessions")) == ("2", "3", "2")
    filtered = client.get(f"{base}?{RANGE}&filter=source%3D%3DGoogle&compare=1").text
    assert (metric(filtered, "visitors"), metric(filtered, "page_views")) == ("1", "2")
    assert "source is Google" in filtered and 'aria-checked="true"' in filtered
    assert "compared with 25 Oct – 31 Oct 2026" in filtered


def test_panels_link_each_row_to_its_filter(dashboard):
    client, base = dashboard
    panel = client.get(f"{base}/panels/sources/source?{RANGE}").text
    assert 'href="?period=custom&amp;from=2026-11-01&amp;to=2026-11-07&amp;filter=source%3D%3DGoogle"' in panel
    assert client.get(f"{base}/panels/sources/page?{RANGE}").status_code == 404
    assert client.get(f"{base}/panels/nowhere/page?{RANGE}").status_code == 404


def test_csv_export_neutralises_formulas(dashboard):
    client, base = dashboard
    response = client.get(f"{base}/export/utm_campaign.csv?period=custom&from=2026-11-08&to=2026-11-08")
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="' in response.headers["content-disposition"]
    lines = response.text.splitlines()
    assert lines[0] == "value,sessions,views_per_session,bounce_rate,session_duration"
    assert "'=HYPERLINK(1),1,1.0,100.0,0" in lines  # a spreadsheet shows it as text, never runs it


def visitor_key(client, base):
    return re.search(r'/visitors/([0-9a-f]{16})', client.get(f"{base}/visitors?{RANGE}").text).group(1)


def test_visitor_list_leads_to_a_timeline(dashboard):
    client, base = dashboard
    listed = client.get(f"{base}/visitors?{RANGE}").text
    assert listed.count('<a href="/properties/') == 2
    timeline = client.get(f"{base}/visitors/{visitor_key(client, base)}?{RANGE}")
    assert timeline.status_code == 200 and "A visitor" in timeline.text
    assert client.get(f"{base}/visitors/{'0' * 16}?{RANGE}").status_code == 404
    assert client.get(f"{base}/visitors/nothex?{RANGE}").status_code == 404


def test_strings_from_tracked_sites_are_escaped(dashboard):
    client, base = dashboard
    keys = re.findall(r'/visitors/([0-9a-f]{16})', client.get(f"{base}/visitors?{RANGE}").text)
    pages = [client.get(f"{base}/panels/sources/referrer?{RANGE}").text, client.get(f"{base}?{RANGE}").text,
             *(client.get(f"{base}/visitors/{key}?{RANGE}").text for key in keys)]
    assert any("&lt;script&gt;alert(2)" in page for page in pages)  # shown, as text
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page


def test_every_route_is_404_for_someone_else(settings, admin, dashboard, property_id):
    client, base = dashboard
    users.add(admin, "stranger@example.com", "another long passphrase")
    # Every route about a property, from the app's own route table (its OpenAPI document).
    routes = [(method.upper(), path) for path, operations in client.get("/api/v1/openapi.json").json()["paths"].items()
              if "{property_id}" in path for method in operations]
    assert len(routes) >= 28
    goal = goals.add(admin, owner_id(admin), property_id, "Signup", {"event": "signup", "props": {}})
    funnel = goals.add_funnel(admin, owner_id(admin), property_id, "Buy", [{"page": "/"}, {"page": "/buy"}])
    sharing.create(admin, owner_id(admin), property_id, "Client", "", ["pages"], None)
    link = sharing.listed(admin, owner_id(admin), property_id)[0]["id"]
    note = annotations.add(admin, owner_id(admin), property_id, date(2026, 11, 3), "Deploy")
    values = {"property_id": property_id, "panel": "sources", "dimension": "channel", "name": "signup",
              "visitor_id": visitor_key(client, base), "goal_id": goal, "funnel_id": funnel, "item_id": goal,
              "kind": "goal", "link_id": link, "note_id": note, "annotation_id": note, "member_id": owner_id(admin),
              "invitation_id": 1}
    stranger_key = api_keys.create(admin, users.id_for(admin, "stranger@example.com"), "probe")
    with httpx.Client(base_url=client.base_url) as stranger:
        log_in(stranger, "stranger@example.com", "another long passphrase")
        token = re.search(r'name="csrf_token" value="([^"]+)"', stranger.get("/account").text).group(1)
        for method, path in routes:
            url = path.format(**values) + f"?{RANGE}"
            api = path.startswith("/api/")
            response = stranger.request(
                method, url, headers={"Authorization": f"Bearer {stranger_key}"} if api else None,
                json={"name": "Mine", "page": "/x", "steps": [{"page": "/"}, {"page": "/x"}], "date": "2026-11-03",
                      "note": "Mine"} if api and method == "POST" else None,
                data={"csrf_token": token, "confirm": "Example", "name": "Mine", "page": "/x", "steps": "/\n/x",
                      "day": "2026-11-03", "note": "Mine"}
                if method == "POST" and not api else None)
            assert response.status_code == 404, (method, path, response.status_code)
        theirs = properties.add(admin, users.id_for(admin, "stranger@example.com"), "Theirs", ["t.example"], "UTC")
        assert client.get(f"/properties/{theirs}").status_code == 404
    assert admin.execute("SELECT name FROM accounts.properties WHERE id = %s", (property_id,)).fetchone() == ("Example",)
    assert admin.execute("SELECT count(*) FROM accounts.goals").fetchone()[0] == 1
    assert admin.execute("SELECT count(*) FROM accounts.funnels").fetchone()[0] == 1
    assert admin.execute("SELECT count(*) FROM accounts.shared_links").fetchone()[0] == 1
    assert admin.execute("SELECT count(*) FROM accounts.annotations").fetchone()[0] == 1


# What a visitor without a session may use: logging in (with its code step), signing up,
# resetting a password, confirming a new address or an invitation from its mailed link, stopping
# an email report from its link, shared links, and the API, which answers to keys.
PUBLIC = ("/login", "/signup", "/password/", "/api/", "/logout", "/share/", "/account/email/confirm/", "/invitations/",
          "/email-reports/unsubscribe/")


def test_every_other_route_sends_a_stranger_to_log_in(dashboard, property_id):
    client, _ = dashboard
    routes = [(method.upper(), path) for path, operations in client.get("/api/v1/openapi.json").json()["paths"].items()
              if not path.startswith(PUBLIC) for method in operations]
    assert ("POST", "/account/2fa/disable") in routes and len(routes) >= 30
    values = {"property_id": property_id, "panel": "sources", "dimension": "channel", "visitor_id": "0" * 16,
              "kind": "goal", "item_id": 1, "key_id": 1, "link_id": 1, "note_id": 1, "session_id": 1, "member_id": 1,
              "invitation_id": 1}
    with httpx.Client(base_url=client.base_url) as stranger:
        token = re.search(r'name="csrf_token" value="([^"]+)"', stranger.get("/login").text).group(1)
        for method, path in routes:
            response = stranger.request(method, path.format(**values),
                                        data={"csrf_token": token} if method == "POST" else None)
            assert (response.status_code, response.headers.get("location")) == (303, "/login"), (method, path)


def owner_id(admin):
    return users.id_for(admin, "owner@example.com")


# The least role each route about a site needs (sql/migrations/0009_teams.sql): viewers read,
# admins change, the owner alone deletes and transfers. Every such route must be listed.
V, A, O = "viewer", "admin", "owner"
NEEDS = {
    ("GET", "/properties/{property_id}"): V, ("GET", "/properties/{property_id}/panels/{panel}/{dimension}"): V,
    ("GET", "/properties/{property_id}/events/{dimension}"): V, ("GET", "/properties/{property_id}/conversions"): V,
    ("GET", "/properties/{property_id}/funnel-report"): V,
    ("GET", "/properties/{property_id}/export/{dimension}.csv"): V, ("GET", "/properties/{property_id}/visitors"): V,
    ("GET", "/properties/{property_id}/visitors/{visitor_id}"): V, ("GET", "/properties/{property_id}/realtime"): V,
    ("GET", "/properties/{property_id}/setup"): V, ("GET", "/properties/{property_id}/members"): V,
    ("POST", "/properties/{property_id}/leave"): V, ("POST", "/properties/{property_id}/email-reports"): V,
    ("GET", "/properties/{property_id}/settings"): A, ("GET", "/properties/{property_id}/archive.zip"): A, ("POST", "/properties/{property_id}/settings"): A,
    ("GET", "/properties/{property_id}/goals"): A, ("POST", "/properties/{property_id}/goals"): A,
    ("POST", "/properties/{property_id}/funnels"): A, ("POST", "/properties/{property_id}/{kind}s/{item_id}/delete"): A,
    ("GET", "/properties/{property_id}/sharing"): A, ("POST", "/properties/{property_id}/sharing"): A,
    ("POST", "/properties/{property_id}/sharing/{link_id}/revoke"): A, ("POST", "/properties/{property_id}/notes"): A,
    ("POST", "/properties/{property_id}/notes/{note_id}/remove"): A, ("POST", "/properties/{property_id}/members"): A,
    ("POST", "/properties/{property_id}/members/{member_id}/role"): A,
    ("POST", "/properties/{property_id}/members/{member_id}/remove"): A,
    ("POST", "/properties/{property_id}/invitations/{invitation_id}/revoke"): A,
    ("POST", "/properties/{property_id}/visitors/{visitor_id}/erase"): A,
    ("POST", "/properties/{property_id}/delete"): O, ("POST", "/properties/{property_id}/transfer"): O,
    **{("GET", f"/api/v1/properties/{{property_id}}/{tail}"): V for tail in (
        "summary", "timeseries", "breakdown/{dimension}", "visitors", "visitors/{visitor_id}", "events",
        "events/{name}/properties", "goals", "goals/{goal_id}", "funnels", "funnels/{funnel_id}", "annotations",
        "realtime")},
    **{(method, f"/api/v1/properties/{{property_id}}/{tail}"): A for method, tail in (
        ("POST", "goals"), ("POST", "funnels"), ("POST", "annotations"), ("DELETE", "goals/{goal_id}"),
        ("DELETE", "funnels/{funnel_id}"), ("DELETE", "annotations/{annotation_id}"))},
}
RANKS = {V: 1, A: 2, O: 3}


def test_every_route_checks_the_role(settings, admin, dashboard, property_id):
    """A viewer and an admin of the site walk every route about it: below the role a route needs
    they get 403, at or above it they get through (whatever the route then says of its input)."""
    client, base = dashboard
    routes = {(method.upper(), path) for path, operations in client.get("/api/v1/openapi.json").json()["paths"].items()
              if "{property_id}" in path for method in operations}
    assert routes == set(NEEDS)
    site = admin.execute("SELECT id FROM accounts.properties WHERE id = %s", (property_id,)).fetchone()[0]
    people = {role: users.add(admin, f"{role}@example.com", "a long enough passphrase") for role in (V, A)}
    for role, person in people.items():
        admin.execute("INSERT INTO accounts.members (property_id, user_id, role) VALUES (%s, %s, %s)", (site, person, role))
    values = {"property_id": site, "panel": "sources", "dimension": "channel", "name": "signup",
              "visitor_id": visitor_key(client, base), "kind": "goal", "member_id": people[V],
              "invitation_id": members.invite(admin, site, "new@example.com", V, owner_id(admin)) and 1,
              "goal_id": goals.add(admin, owner_id(admin), site, "Signup", {"event": "signup", "props": {}}),
              "funnel_id": goals.add_funnel(admin, owner_id(admin), site, "Buy", [{"page": "/"}, {"page": "/buy"}]),
              "note_id": annotations.add(admin, owner_id(admin), site, date(2026, 11, 3), "Deploy")}
    values.update(item_id=values["goal_id"], annotation_id=values["note_id"],
                  link_id=sharing.create(admin, owner_id(admin), site, "Client", "", ["pages"], None) and 1)
    leaving_last = sorted(NEEDS, key=lambda route: route[1].endswith("/leave"))
    for role, person in people.items():
        key = api_keys.create(admin, person, "mine")
        with httpx.Client(base_url=client.base_url) as member:
            log_in(member, f"{role}@example.com", "a long enough passphrase")
            token = re.search(r'name="csrf_token" value="([^"]+)"', member.get("/account").text).group(1)
            for method, path in leaving_last:
                response = _walk(member, method, path.format(**values), key, token)
                denied = RANKS[NEEDS[method, path]] > RANKS[role]
                assert (response.status_code == 403) == denied, (role, method, path, response.status_code)
                assert "no such property" not in response.text, (role, method, path)
    assert admin.execute("SELECT owner_id FROM accounts.properties WHERE id = %s", (site,)).fetchone()[0] == owner_id(admin)


def _walk(client, method, url, key, token):
    api = url.startswith("/api/")
    return client.request(
        method, f"{url}?{RANGE}", headers={"Authorization": f"Bearer {key}"} if api else None,
        json={"name": "Mine", "page": "/x", "steps": [{"page": "/"}, {"page": "/x"}], "date": "2026-11-03",
              "note": "Mine"} if api and method == "POST" else None,
        data={"csrf_token": token, "confirm": "Example", "name": "Mine", "page": "/x", "steps": "/\n/x",
              "day": "2026-11-03", "note": "Mine", "role": "admin", "email": "x@example.com", "heir": 1, "kinds": "week"}
        if method == "POST" and not api else None)


def test_bad_parameters_get_a_422_with_the_reason(dashboard):
    client, base = dashboard
    for query, reason in (("period=fortnight", "unknown period"), ("filter=planet==Mars", "unknown filter dimension"),
                          ("period=custom&from=2026-11-09&to=2026-11-01", "is after")):
        response = client.get(f"{base}?{query}")
        assert response.status_code == 422 and reason in response.text


@pytest.mark.parametrize("query, reason", [
    ("compare=previous", "compare: input should be a valid boolean"),
    ("compare=previous", "(given 'previous')"),
    ("from=yesterday&period=custom", "from: input should be a valid date"),
])
def test_a_mistyped_dashboard_url_gets_a_page_not_json(dashboard, query, reason):
    client, base = dashboard
    page = client.get(f"{base}?{query}")
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert reason in html.unescape(page.text)
    api = client.get(f"/api/v1{base}/summary?{query}")
    assert api.status_code == 422 and api.json()["detail"][0]["type"]


def test_people_get_error_pages_and_the_api_gets_json(dashboard):
    client, base = dashboard
    page = client.get("/properties/nosuchsite1")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Not found" in page.text and "no such property" in page.text
    bad = client.get(f"{base}?period=fortnight")
    assert bad.status_code == 422 and "unknown period" in bad.text and "<html" in bad.text
    api = client.get("/api/v1/properties/nosuchsite1/summary")
    assert api.status_code == 404 and api.json() == {"detail": "no such property"}
    fragment = client.get("/properties/nosuchsite1", headers={"HX-Request": "true"})
    assert fragment.status_code == 404 and "<html" not in fragment.text
    with httpx.Client(base_url=client.base_url) as anonymous:
        assert anonymous.get(base).status_code == 303  # the login redirect is untouched


@pytest.mark.parametrize("database_type, credit", [("DBIP-City-Lite", "IP geolocation by DB-IP"),
                                                    ("GeoLite2-Country", "GeoLite2 data created by MaxMind"),
                                                    ("GeoIP2-City", None)])
def test_the_geoip_data_s_credit_is_shown_where_its_license_asks(settings, owner, property_id, serve, mmdb,
                                                                 database_type, credit):
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    settings.geoip_path.write_bytes(mmdb(database_type).read_bytes())
    with httpx.Client(base_url=serve(create_app(settings))) as client:
        log_in(client, owner["email"], owner["password"])
        page = client.get(f"/properties/{property_id}").text
    assert (credit in page) if credit else 'class="muted credit"' not in page


def test_the_visitor_page_queues_an_erasure_the_worker_carries_out(settings, dashboard, admin, owner):
    from worker import run

    client, base = dashboard
    key = visitor_key(client, base)
    page = client.get(f"{base}/visitors/{key}?{RANGE}").text
    assert "Erase this visitor" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    queued = client.post(f"{base}/visitors/{key}/erase", data={"csrf_token": token, "sure": "on"})
    assert (queued.status_code, queued.headers["location"]) == (303, f"{base}?erased=1")
    assert "erasure is queued" in client.get(queued.headers["location"]).text
    assert admin.execute("SELECT requested_by, done_at IS NULL FROM metrics.erasures").fetchall() == [(owner["email"], True)]
    assert run.once(settings).erasures == 1
    assert client.get(f"{base}/visitors/{key}?{RANGE}").status_code == 404
