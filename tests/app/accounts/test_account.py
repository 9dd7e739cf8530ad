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


def test_logging_out_everywhere_else_keeps_this_session(base, owner):
    with httpx.Client(base_url=base) as laptop, httpx.Client(base_url=base) as phone:
        log_in(laptop, owner["email"], owner["password"])
        log_in(phone, owner["email"], owner["password"])
        assert "on 2 devices" in laptop.get("/account").text
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


@pytest.mark.parametrize("email, current, reason", [
    ("new@example.com", "not it", "current password is not right"),
    ("taken@example.com", None, "already exists"),
    ("not an address", None, "is not an email address"),
])
def test_changing_the_email_refuses_with_the_reason(base, owner, admin, email, current, reason):
    from app.accounts import users

    users.add(admin, "taken@example.com", NEW)
    with httpx.Client(base_url=base) as client:
        log_in(client, owner["email"], owner["password"])
        refused = form(client, "/account/email", email=email, current=current or owner["password"])
        assert refused.status_code == 422 and reason in refused.text
    assert admin.execute("SELECT email FROM accounts.users WHERE id = %s", [owner["id"]]).fetchone()[0] == owner["email"]


def test_the_new_email_is_the_one_that_logs_in(base, owner):
    with httpx.Client(base_url=base) as client:
        log_in(client, owner["email"], owner["password"])
        changed = form(client, "/account/email", email=" renamed@example.com ", current=owner["password"])
        assert changed.status_code == 200 and 'value="renamed@example.com"' in changed.text
    with httpx.Client(base_url=base) as client:
        assert log_in(client, owner["email"], owner["password"]).status_code == 401
        assert log_in(client, "Renamed@Example.com", owner["password"]).status_code == 303


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
