"""Password reset through a real SMTP conversation with a local server (the provider's stand-in)."""

import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from app.main import create_app


PUBLIC = "http://analytics.example.org"  # the test client speaks http: https would make cookies Secure


@pytest.fixture
def mailing(settings, inbox):
    return settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": inbox.port, "smtp_starttls": False,
                                       "public_url": PUBLIC})


@pytest.fixture
def base(mailing, serve):
    return serve(create_app(mailing))


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


def test_six_concurrent_uses_of_one_link_change_the_password_once(base, owner, inbox):
    with httpx.Client(base_url=base) as client:
        ask(client, owner["email"])
        path = inbox.reset_path()
        token = csrf(client, path)
        tries = [f"concurrent passphrase {n}" for n in range(6)]
        with ThreadPoolExecutor(6) as pool:
            codes = list(pool.map(lambda p: client.post(path, data={"password": p, "csrf_token": token}).status_code, tries))
        assert sorted(codes) == [303] + [410] * 5
        winner = tries[codes.index(303)]
        token = csrf(client, "/login")
        assert client.post("/login", data={"email": owner["email"], "password": winner, "csrf_token": token}).status_code == 303


def test_the_mailed_link_names_the_public_url_whatever_host_the_request_named(base, owner, inbox):
    with httpx.Client(base_url=base, headers={"host": "attacker.example.net"}) as client:
        ask(client, owner["email"])
        assert inbox.link().startswith(f"{PUBLIC}/password/reset/")


def test_without_a_public_url_no_reset_mail_is_sent_and_the_page_says_why(mailing, serve, owner, inbox):
    base = serve(create_app(mailing.model_copy(update={"public_url": ""})))
    with httpx.Client(base_url=base) as client:
        assert "PARCOURS_PUBLIC_URL" in client.get("/password/forgot").text
        answer = ask(client, owner["email"])
        assert answer.status_code == 503 and "parcours user password" in answer.text
    time.sleep(0.3)
    assert inbox.messages == []


def test_a_password_change_voids_the_links_sent_before_it(base, owner, inbox):
    with httpx.Client(base_url=base) as client:
        ask(client, owner["email"])
        path = inbox.reset_path()
        token = csrf(client, "/login")
        client.post("/login", data={"email": owner["email"], "password": owner["password"], "csrf_token": token})
        token = csrf(client, "/account")
        client.post("/account/password", data={"current": owner["password"], "new": "changed on the account page",
                                               "csrf_token": token})
        assert client.get(path).status_code == 410


@pytest.mark.parametrize("email", ["owner@example.com", "nobody@example.com"])
def test_asking_again_and_again_is_limited_alike_for_known_and_unknown_addresses(base, owner, email):
    with httpx.Client(base_url=base) as client:
        answers = [ask(client, email) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert "Too many requests" in answers[-1].text and answers[-1].headers["retry-after"]


def test_the_form_answers_before_the_mail_is_handed_over(base, owner, inbox):
    inbox.open.clear()  # the provider stalls: an answer that waited on it would not come
    try:
        with httpx.Client(base_url=base, timeout=5) as client:
            assert "on its way" in ask(client, owner["email"]).text
        assert inbox.messages == []
    finally:
        inbox.open.set()
    assert inbox.reset_path()
