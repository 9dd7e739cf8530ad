"""From nothing to a tracked site: sign up, add a site, copy the snippet, see it turn live."""

import re

import httpx
import pytest

from app.main import create_app

PASSWORD = "a long enough passphrase"


def csrf(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def sign_up(client, email):
    return client.post("/signup", data={"email": email, "password": PASSWORD, "csrf_token": csrf(client, "/login")})


@pytest.fixture
def app_url(settings, serve):
    return lambda **changes: serve(create_app(settings.model_copy(update=changes)))


def test_the_first_account_is_the_admin_and_lands_on_adding_a_site(admin, app_url):
    with httpx.Client(base_url=app_url()) as client:
        response = sign_up(client, "first@example.com")
        assert response.status_code == 303 and response.headers["location"] == "/properties/new"
        assert "httponly" in response.headers["set-cookie"].lower() and "samesite=lax" in response.headers["set-cookie"].lower()
        assert client.get("/properties/new").status_code == 200
    with httpx.Client(base_url=app_url()) as other:
        assert sign_up(other, "second@example.com").status_code == 303
    admins = admin.execute("SELECT email, is_admin FROM accounts.users ORDER BY id").fetchall()
    assert admins == [("first@example.com", True), ("second@example.com", False)]


@pytest.mark.parametrize("email, password, reason", [
    ("not-an-email", PASSWORD, "is not an email address"), ("a@example.com", "short", "at least"),
])
def test_sign_up_refuses_bad_input_with_the_reason(app_url, email, password, reason):
    with httpx.Client(base_url=app_url()) as client:
        response = client.post("/signup", data={"email": email, "password": password, "csrf_token": csrf(client, "/login")})
        assert response.status_code == 422 and reason in response.text


def test_closed_sign_up_still_lets_the_first_admin_in(app_url):
    url = app_url(signup_open=False)
    with httpx.Client(base_url=url) as client:
        assert sign_up(client, "admin@example.com").status_code == 303
    with httpx.Client(base_url=url) as client:
        assert client.get("/signup").status_code == 404
        assert sign_up(client, "late@example.com").status_code == 404


@pytest.mark.parametrize("form, reason", [
    ({"name": "", "time_zone": "UTC"}, "give the property a name"),
    ({"name": "Blog", "time_zone": "Mars/Olympus"}, "is not an IANA time zone"),
    ({"name": "Blog", "time_zone": "UTC", "visitor_ids": "hourly"}, "rotation must be"),
    ({"name": "Blog", "time_zone": "UTC", "ip_handling": "street"}, "IP handling must be"),
    ({"name": "Blog", "time_zone": "UTC", "retention": "7"}, "at least 30 days"),
    ({"name": "Blog", "time_zone": "UTC", "retention": "forever"}, "at least 30 days"),
    ({"name": "Blog again", "domains": "www.blog.example BLOG.example", "time_zone": "UTC"},
     "blog.example is already tracked by your site &#39;Blog&#39;"),
])
def test_adding_a_site_refuses_bad_input_with_the_reason(app_url, form, reason):
    with httpx.Client(base_url=app_url()) as client:
        sign_up(client, "owner2@example.com")
        token = csrf(client, "/properties/new")
        assert client.post("/properties", data={"name": "Blog", "domains": "blog.example", "csrf_token": token}).status_code == 303
        response = client.post("/properties", data={**form, "csrf_token": token})
        assert response.status_code == 422 and reason in response.text


def test_a_new_site_shows_its_snippet_and_turns_live_on_the_first_event(admin, app_url, load_events):
    with httpx.Client(base_url=app_url()) as client:
        sign_up(client, "owner2@example.com")
        response = client.post("/properties", data={"name": "Blog", "domains": "blog.example.com, www.blog.example.com",
                                                    "time_zone": "Asia/Kathmandu", "csrf_token": csrf(client, "/properties/new")})
        assert response.status_code == 303
        setup = response.headers["location"]
        property_id = setup.split("/")[2]
        page = client.get(setup).text
        assert f'/js/{property_id}.js&#34;&gt;&lt;/script&gt;' in page and "Waiting for the first event" in page
        assert admin.execute("SELECT domains, time_zone FROM accounts.properties WHERE id = %s", (property_id,)).fetchone() \
            == (["blog.example.com", "www.blog.example.com"], "Asia/Kathmandu")

        load_events([("2026-11-02T10:00", "198.51.100.1", "Mozilla/5.0 Firefox/133.0", {"p": property_id})])
        status = client.get(setup, headers={"HX-Request": "true"}).text
        assert "Events are arriving" in status and "<html" not in status and "hx-trigger" not in status
    with httpx.Client(base_url=client.base_url) as stranger:
        sign_up(stranger, "stranger@example.com")
        assert stranger.get(setup).status_code == 404
