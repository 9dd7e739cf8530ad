"""From nothing to a tracked site: sign up, add a site, copy the snippet, see it turn live."""

import re

import httpx
import pytest

from app.accounts import users
from app.main import create_app
from parcours.settings import Settings

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
    assert admin.execute("SELECT email, is_admin FROM accounts.users").fetchall() == [("first@example.com", True)]


def test_sign_up_is_closed_after_the_first_account_by_default(app_url):
    assert Settings.model_fields["signup_open"].default is False  # the tests' settings keep the default
    url = app_url()
    with httpx.Client(base_url=url) as client:
        assert sign_up(client, "admin@example.com").status_code == 303
    with httpx.Client(base_url=url) as client:
        assert client.get("/signup").status_code == 404
        assert sign_up(client, "late@example.com").status_code == 404


@pytest.fixture
def open_signup(inbox, admin, free_address, serve, settings):
    """An install with sign-up opened, mail and a public URL, whose admin exists already."""
    users.add(admin, "taken@example.com", "the owner's own passphrase")
    changes = {"signup_open": True, "smtp_host": "127.0.0.1", "smtp_port": inbox.port, "smtp_starttls": False,
               "public_url": f"http://{free_address}"}
    return serve(create_app(settings.model_copy(update=changes)), free_address)


def test_open_sign_up_creates_the_account_only_through_the_mailed_link(open_signup, inbox, admin):
    with httpx.Client(base_url=open_signup) as client:
        answer = sign_up(client, "second@example.com")
        assert answer.status_code == 200 and "Check your inbox" in answer.text
        assert admin.execute("SELECT count(*) FROM accounts.users").fetchone()[0] == 1
        path = inbox.reset_path("/signup/confirm/")
        assert "second@example.com" in client.get(path).text
        made = client.post(path, data={"csrf_token": csrf(client, path)})
        assert made.status_code == 303 and made.headers["location"] == "/properties/new"
        assert client.get("/properties/new").status_code == 200
        assert client.post(path, data={"csrf_token": csrf(client, "/login")}).status_code == 410
    assert admin.execute("SELECT email, is_admin FROM accounts.users ORDER BY id").fetchall() == [
        ("taken@example.com", True), ("second@example.com", False)]


def test_signing_up_with_a_taken_address_looks_the_same_and_tells_its_owner_by_mail(until, open_signup, inbox, admin):
    before = admin.execute("SELECT password_hash FROM accounts.users").fetchall()
    with httpx.Client(base_url=open_signup) as client:
        taken, new = sign_up(client, "Taken@example.com"), sign_up(client, "fresh@example.com")
    assert taken.status_code == new.status_code == 200

    def page(response, email):  # the answer, less what differs between any two responses
        return re.sub(r'value="[^"]+"', "", response.text.replace(email, "EMAIL"))
    assert page(taken, "Taken@example.com") == page(new, "fresh@example.com")
    until(lambda: len(inbox.messages) == 2)  # mail leaves after the answers
    told = dict((to[0], body) for to, body in inbox.messages)["Taken@example.com"]
    assert "already has an account" in told and "/signup/confirm/" not in told
    assert admin.execute("SELECT password_hash FROM accounts.users").fetchall() == before


def test_open_sign_up_without_a_public_url_says_why(app_url, admin):
    users.add(admin, "taken@example.com", "the owner's own passphrase")
    with httpx.Client(base_url=app_url(signup_open=True)) as client:
        answer = sign_up(client, "second@example.com")
        assert answer.status_code == 503 and "PARCOURS_PUBLIC_URL" in answer.text


def test_an_expired_sign_up_link_is_refused(open_signup, inbox, admin):
    with httpx.Client(base_url=open_signup) as client:
        sign_up(client, "late@example.com")
        path = inbox.reset_path("/signup/confirm/")
        admin.execute("UPDATE accounts.signups SET expires_at = now() - interval '1 second'")
        assert client.get(path).status_code == 410
        assert client.post(path, data={"csrf_token": csrf(client, "/login")}).status_code == 410
    assert admin.execute("SELECT count(*) FROM accounts.users").fetchone()[0] == 1


@pytest.mark.parametrize("email, password, reason", [
    ("not-an-email", PASSWORD, "is not an email address"), ("a@example.com", "short", "at least"),
])
def test_sign_up_refuses_bad_input_with_the_reason(app_url, email, password, reason):
    with httpx.Client(base_url=app_url()) as client:
        response = client.post("/signup", data={"email": email, "password": password, "csrf_token": csrf(client, "/login")})
        assert response.status_code == 422 and reason in response.text


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


def test_a_new_site_shows_its_snippet_and_turns_live_on_the_first_event(admin, app_url, owner, load_events):
    with httpx.Client(base_url=app_url()) as client:
        client.post("/login", data={"email": owner["email"], "password": owner["password"],
                                    "csrf_token": csrf(client, "/login")})
        response = client.post("/properties", data={"name": "Blog", "domains": "blog.example.com, www.blog.example.com",
                                                    "time_zone": "Asia/Kathmandu", "csrf_token": csrf(client, "/properties/new")})
        assert response.status_code == 303
        setup = response.headers["location"]
        property_id = setup.split("/")[2]
        page = client.get(setup).text
        assert f'/js/{property_id}.js&#34;&gt;&lt;/script&gt;' in page and "Waiting for the first event" in page
        assert admin.execute("SELECT domains, time_zone FROM accounts.properties WHERE id = %s", (property_id,)).fetchone() \
            == (["blog.example.com", "www.blog.example.com"], "Asia/Kathmandu")

        load_events([("2026-11-02T10:00", "198.51.100.1", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", {"p": property_id})])
        status = client.get(setup, headers={"HX-Request": "true"}).text
        assert "Events are arriving" in status and "<html" not in status and "hx-trigger" not in status
    users.add(admin, "stranger@example.com", PASSWORD)
    with httpx.Client(base_url=client.base_url) as stranger:
        stranger.post("/login", data={"email": "stranger@example.com", "password": PASSWORD,
                                      "csrf_token": csrf(stranger, "/login")})
        assert stranger.get(setup).status_code == 404
