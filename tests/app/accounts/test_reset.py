"""Password reset through a real SMTP conversation with a local server (the provider's stand-in)."""

import re
import time

import httpx
import pytest

from app.main import create_app


@pytest.fixture
def base(settings, serve, inbox):
    return serve(create_app(settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": inbox.port,
                                                         "smtp_starttls": False})))


def csrf(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def ask(client, email):
    return client.post("/password/forgot", data={"email": email, "csrf_token": csrf(client, "/password/forgot")})


def test_a_reset_link_works_once_and_ends_every_session(base, owner, inbox):
    new = "a freshly chosen passphrase"
    with httpx.Client(base_url=base) as client, httpx.Client(base_url=base) as elsewhere:
        token = csrf(elsewhere, "/login")
        assert elsewhere.post("/login", data={"email": owner["email"], "password": owner["password"],
                                              "csrf_token": token}).status_code == 303
        assert "on its way" in ask(client, owner["email"]).text
        path = inbox.reset_path()
        assert inbox.messages[-1][0] == [owner["email"]]
        done = client.post(path, data={"password": new, "csrf_token": csrf(client, path)})
        assert done.status_code == 303 and done.headers["location"] == "/login?reset=1"
        assert elsewhere.get("/").status_code == 303  # the other session was ended
        again = client.post(path, data={"password": "yet another passphrase", "csrf_token": csrf(client, "/login")})
        assert again.status_code == 410 and "already used" in again.text
        token = csrf(client, "/login")
        assert client.post("/login", data={"email": owner["email"], "password": new, "csrf_token": token}).status_code == 303


def test_an_unknown_address_gets_the_same_answer_and_no_mail(base, inbox):
    with httpx.Client(base_url=base) as client:
        assert "on its way" in ask(client, "nobody@example.com").text
    time.sleep(0.3)
    assert inbox.messages == []


def test_an_expired_link_is_refused(base, admin, owner, inbox):
    with httpx.Client(base_url=base) as client:
        ask(client, owner["email"])
        path = inbox.reset_path()
        admin.execute("UPDATE accounts.password_resets SET expires_at = now() - interval '1 second'")
        assert client.get(path).status_code == 410
        assert client.post(path, data={"password": "whatever passphrase", "csrf_token": csrf(client, "/login")}).status_code == 410


def test_a_short_new_password_is_refused_with_the_reason(base, owner, inbox):
    with httpx.Client(base_url=base) as client:
        ask(client, owner["email"])
        path = inbox.reset_path()
        response = client.post(path, data={"password": "short", "csrf_token": csrf(client, path)})
        assert response.status_code == 422 and "at least" in response.text
