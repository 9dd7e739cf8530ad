"""The account page: password change, logging out elsewhere, API keys made and revoked."""

import re

import httpx
import pytest

from app.main import create_app

NEW = "an entirely new passphrase"


def log_in(client, email, password):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def form(client, path, **fields):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/account").text).group(1)
    return client.post(path, data={**fields, "csrf_token": token})


@pytest.fixture
def base(settings, serve):
    return serve(create_app(settings))


def test_changing_the_password_needs_the_current_one(base, owner):
    with httpx.Client(base_url=base) as client:
        log_in(client, owner["email"], owner["password"])
        wrong = form(client, "/account/password", current="not it", new=NEW)
        assert wrong.status_code == 422 and "not right" in wrong.text
        assert form(client, "/account/password", current=owner["password"], new=NEW).status_code == 200
    with httpx.Client(base_url=base) as client:
        assert log_in(client, owner["email"], owner["password"]).status_code == 401
        assert log_in(client, owner["email"], NEW).status_code == 303


def test_a_password_change_ends_every_other_session_and_keeps_this_one(base, owner):
    with httpx.Client(base_url=base) as laptop, httpx.Client(base_url=base) as thief:
        log_in(laptop, owner["email"], owner["password"])
        log_in(thief, owner["email"], owner["password"])
        changed = form(laptop, "/account/password", current=owner["password"], new=NEW)
        assert changed.status_code == 200 and "Every other session is logged out" in changed.text
        assert laptop.get("/account").status_code == 200
        assert thief.get("/account").status_code == 303


def test_logging_out_everywhere_else_keeps_this_session(base, owner):
    with httpx.Client(base_url=base) as laptop, httpx.Client(base_url=base) as phone:
        log_in(laptop, owner["email"], owner["password"])
        log_in(phone, owner["email"], owner["password"])
        assert "on 2 devices" in laptop.get("/account").text and "this browser" in laptop.get("/account").text
        form(laptop, "/account/sessions/end-others")
        assert laptop.get("/account").status_code == 200
        assert phone.get("/account").status_code == 303  # back to the login page


def test_api_keys_are_shown_once_work_and_can_be_revoked(base, owner, property_id):
    with httpx.Client(base_url=base) as client:
        log_in(client, owner["email"], owner["password"])
        created = form(client, "/account/keys", name="Grafana").text
        key = re.search(r'<code id="new-key">(pk_[^<]+)</code>', created).group(1)
        assert key not in client.get("/account").text  # once only
        api = f"/api/v1/properties/{property_id}/realtime"
        assert httpx.get(f"{base}{api}", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        key_id = re.search(r'action="/account/keys/(\d+)/revoke"', client.get("/account").text).group(1)
        assert form(client, f"/account/keys/{key_id}/revoke").status_code == 303
        assert httpx.get(f"{base}{api}", headers={"Authorization": f"Bearer {key}"}).status_code == 401
        assert form(client, f"/account/keys/{key_id}/revoke").status_code == 404


def test_forms_without_the_csrf_token_are_refused(base, owner):
    with httpx.Client(base_url=base) as client:
        log_in(client, owner["email"], owner["password"])
        for path in ("/account/password", "/account/email", "/account/preferences", "/account/sessions/end-others",
                     "/account/keys", "/account/keys/1/revoke"):
            assert client.post(path, data={"name": "x", "current": owner["password"], "new": NEW}).status_code == 403, path


def test_the_default_period_preference_opens_reports_on_it(base, owner, property_id):
    with httpx.Client(base_url=base) as client:
        log_in(client, owner["email"], owner["password"])
        assert client.get(f"/properties/{property_id}").text.count("<tr data-starts=") == 7
        assert form(client, "/account/preferences", default_period="30d").status_code == 200
        assert client.get(f"/properties/{property_id}").text.count("<tr data-starts=") == 30
        assert client.get(f"/properties/{property_id}?period=today").text.count("<tr data-starts=") == 24  # the URL wins
        bad = form(client, "/account/preferences", default_period="decade")
        assert bad.status_code == 422 and "unknown period" in bad.text


def test_the_week_start_preference_sets_the_weeks_of_chart_and_api(base, owner, property_id):
    # Asia/Kolkata, 1–28 November 2026: the 1st is a Sunday.
    period = "period=custom&from=2026-11-01&to=2026-11-28"
    with httpx.Client(base_url=base) as client:
        log_in(client, owner["email"], owner["password"])
        starts = re.findall(r'data-starts="(\d{4}-\d\d-\d\d)', client.get(f"/properties/{property_id}?{period}&interval=week").text)
        assert starts == ["2026-11-01", "2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]
        assert form(client, "/account/preferences", default_period="7d", week_start="sunday").status_code == 200
        starts = re.findall(r'data-starts="(\d{4}-\d\d-\d\d)', client.get(f"/properties/{property_id}?{period}&interval=week").text)
        assert starts == ["2026-11-01", "2026-11-08", "2026-11-15", "2026-11-22"]
        api = client.get(f"/api/v1/properties/{property_id}/timeseries?{period}&interval=week").json()["results"]
        assert [row["starts"][:10] for row in api["current"]] == starts
        chosen = client.get(f"/api/v1/properties/{property_id}/timeseries?{period}&interval=week&week_start=monday")
        assert len(chosen.json()["results"]["current"]) == 5  # the parameter wins
        bad = client.get(f"/properties/{property_id}?period=today&interval=month")
        assert bad.status_code == 422 and "by hour or day" in bad.text
        bad = form(client, "/account/preferences", default_period="7d", week_start="friday")
        assert bad.status_code == 422 and "monday or sunday" in bad.text


def _keys(admin):
    return admin.execute("SELECT count(*) FROM accounts.api_keys").fetchone()[0]


def test_a_tossed_csrf_cookie_cannot_forge_a_form(base, owner, admin):
    # The attacker's own visit gives them a cookie and the token that went with it; a page on a
    # sibling subdomain sets that cookie in the owner's browser and posts that token.
    with httpx.Client(base_url=base) as attacker:
        page = attacker.get("/login")
        tossed, token = attacker.cookies["parcours_csrf"], re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    with httpx.Client(base_url=base) as victim:
        log_in(victim, owner["email"], owner["password"])
        victim.cookies.set("parcours_csrf", tossed)
        assert victim.post("/account/keys", data={"name": "tossed", "csrf_token": token}).status_code == 403
        assert victim.post("/account/keys", data={"name": "tossed", "csrf_token": tossed}).status_code == 403
        assert _keys(admin) == 0
        assert form(victim, "/account/keys", name="own").status_code == 200 and _keys(admin) == 1  # its own page works


@pytest.mark.parametrize("site, status", [("cross-site", 403), ("same-site", 403), ("same-origin", 200), (None, 200)])
def test_forms_sent_from_another_site_are_refused(base, owner, admin, site, status):
    with httpx.Client(base_url=base) as client:
        log_in(client, owner["email"], owner["password"])
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/account").text).group(1)
        headers = {"sec-fetch-site": site} if site else {}
        assert client.post("/account/keys", data={"name": "k", "csrf_token": token}, headers=headers).status_code == status


def test_security_headers_on_every_page(base, owner):
    with httpx.Client(base_url=base) as client:
        for path in ("/login", "/signup", "/static/parcours.css", "/no/such/page"):
            headers = client.get(path).headers
            assert "frame-ancestors 'none'" in headers["content-security-policy"], path
            assert "script-src 'self'" in headers["content-security-policy"]
            assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
            assert headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize("location, public_url, kept", [
    (b"http://evil.example/login", "", b"/login"),
    (b"//evil.example/x?y=1", "", b"/x?y=1"),
    (b"https://stats.example.org/login", "https://stats.example.org", b"https://stats.example.org/login"),
    (b"https://stats.example.org.evil/login", "https://stats.example.org", b"/login"),
    (b"/properties/abc?period=7d", "", b"/properties/abc?period=7d"),
])
def test_redirects_never_leave_the_site(location, public_url, kept):
    from app.headers import local_location
    assert local_location(location, public_url) == kept


def test_a_forged_host_does_not_steer_the_trailing_slash_redirect(base):
    response = httpx.get(f"{base}/login/", headers={"host": "evil.example"}, follow_redirects=False)
    assert response.status_code in (307, 308) and response.headers["location"] == "/login"
