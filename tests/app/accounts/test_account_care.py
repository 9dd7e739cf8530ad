"""Account care over real HTTP: a new email address takes effect from a link mailed to it (the
old address is told), sessions are listed and ended one by one, and an account is deleted with
its sites and their data. Mail goes through a local SMTP server."""

import re

import httpx
import pytest

from app.accounts import properties, users
from app.main import create_app

PUBLIC = "http://analytics.example.org"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def csrf(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def log_in(client, email, password, agent="Test browser"):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf(client, "/login")},
                       headers={"user-agent": agent})


def confirm_path(inbox, until, address):
    """The confirmation link's path in the mail to `address`, once both mails are in."""
    until(lambda: len(inbox.messages) == 2)
    body = next(body for to, body in inbox.messages if to == [address])
    return re.search(r"(/account/email/confirm/[\w-]+)", body).group(1)


def form(client, path, **fields):
    return client.post(path, data={**fields, "csrf_token": csrf(client, "/account")})


@pytest.fixture
def base(settings, inbox, serve):
    return serve(create_app(settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": inbox.port,
                                                        "smtp_starttls": False, "public_url": PUBLIC})))


def test_a_new_address_counts_from_the_link_mailed_to_it(base, owner, inbox, admin, until):
    with httpx.Client(base_url=base) as client:
        log_in(client, owner["email"], owner["password"])
        asked = form(client, "/account/email", email=" renamed@example.com ", current=owner["password"])
        assert asked.status_code == 200 and "on its way to renamed@example.com" in asked.text
        path = confirm_path(inbox, until, "renamed@example.com")
        recipients = sorted(to[0] for to, _ in inbox.messages)
        assert recipients == ["owner@example.com", "renamed@example.com"]
        assert "renamed@example.com" in next(body for to, body in inbox.messages if to == [owner["email"]])
        assert admin.execute("SELECT email FROM accounts.users WHERE id = %s", [owner["id"]]).fetchone()[0] == owner["email"]
        page = client.get(path)  # opening the link changes nothing: mail scanners open links
        assert "Confirm the new address" in page.text
        assert admin.execute("SELECT email FROM accounts.users WHERE id = %s", [owner["id"]]).fetchone()[0] == owner["email"]
    with httpx.Client(base_url=base) as phone:  # the link works without being logged in
        done = phone.post(path, data={"csrf_token": csrf(phone, path)})
        assert done.status_code == 200 and "now renamed@example.com" in done.text
        again = phone.post(path, data={"csrf_token": csrf(phone, "/login")})
        assert again.status_code == 410 and "already used" in again.text
        assert log_in(phone, owner["email"], owner["password"]).status_code == 401
        assert log_in(phone, "Renamed@Example.com", owner["password"]).status_code == 303


@pytest.mark.parametrize("email, current, reason", [
    ("new@example.com", "not it", "current password is not right"),
    ("taken@example.com", None, "already exists"),
    ("not an address", None, "is not an email address"),
])
def test_changing_the_email_refuses_with_the_reason(base, owner, admin, inbox, email, current, reason):
    users.add(admin, "taken@example.com", "another long passphrase")
    with httpx.Client(base_url=base) as client:
        log_in(client, owner["email"], owner["password"])
        refused = form(client, "/account/email", email=email, current=current or owner["password"])
        assert refused.status_code == 422 and reason in refused.text
    assert inbox.messages == []


def test_an_address_taken_before_the_link_is_used_is_refused_then(base, owner, admin, inbox, until):
    with httpx.Client(base_url=base) as client:
        log_in(client, owner["email"], owner["password"])
        form(client, "/account/email", email="wanted@example.com", current=owner["password"])
        path = confirm_path(inbox, until, "wanted@example.com")
        users.add(admin, "wanted@example.com", "another long passphrase")
        late = client.post(path, data={"csrf_token": csrf(client, path)})
        assert late.status_code == 409 and "already exists" in late.text
    assert admin.execute("SELECT email FROM accounts.users WHERE id = %s", [owner["id"]]).fetchone()[0] == owner["email"]


def test_without_mail_the_address_cannot_change(settings, serve, owner):
    base = serve(create_app(settings))  # no public URL: no mail with links
    with httpx.Client(base_url=base) as client:
        log_in(client, owner["email"], owner["password"])
        refused = form(client, "/account/email", email="renamed@example.com", current=owner["password"])
        assert refused.status_code == 503 and "PARCOURS_PUBLIC_URL" in refused.text


def test_sessions_are_listed_and_ended_one_by_one(base, owner):
    with httpx.Client(base_url=base) as laptop, httpx.Client(base_url=base) as phone, \
            httpx.Client(base_url=base) as tablet:
        log_in(laptop, owner["email"], owner["password"], "Laptop <b>Firefox</b>")
        log_in(phone, owner["email"], owner["password"], "Phone Safari")
        log_in(tablet, owner["email"], owner["password"], "Tablet Chrome")
        page = laptop.get("/account").text
        assert "on 3 devices" in page and "Phone Safari" in page and "Laptop &lt;b&gt;Firefox&lt;/b&gt;" in page
        ids = re.findall(r"/account/sessions/(\d+)/end", page)
        assert len(ids) == 2  # not this browser's own
        ended = form(laptop, f"/account/sessions/{ids[0]}/end")
        assert ended.status_code == 200 and "That session is logged out" in ended.text
        still = [client.get("/account").status_code for client in (phone, tablet)]
        assert sorted(still) == [200, 303] and laptop.get("/account").status_code == 200
        assert form(laptop, f"/account/sessions/{ids[0]}/end").status_code == 404


def test_deleting_the_account_takes_its_sites_and_their_data(base, owner, admin, property_id, load_events):
    load_events([("2026-11-02T10:00", "198.51.100.1", FIREFOX, {})])
    second = properties.add(admin, owner["id"], "Second site", ["second.example"], "UTC")
    other = users.add(admin, "other@example.com", "another long passphrase")
    theirs = properties.add(admin, other, "Theirs", ["theirs.example"], "UTC")
    with httpx.Client(base_url=base) as client:
        log_in(client, owner["email"], owner["password"])
        refused = form(client, "/account/delete", current=owner["password"], names="Example")
        assert refused.status_code == 422 and "Type the name of each of your sites" in refused.text
        assert form(client, "/account/delete", current="wrong", names="Example\nSecond site").status_code == 422
        done = form(client, "/account/delete", current=owner["password"], names=" Second site \nExample\n")
        assert done.status_code == 303 and done.headers["location"] == "/login?deleted=1"
        assert client.get("/account").status_code == 303
        assert "Your account and its sites are deleted" in client.get("/login?deleted=1").text
    assert admin.execute("SELECT count(*) FROM accounts.users WHERE id = %s", [owner["id"]]).fetchone()[0] == 0
    assert admin.execute("SELECT id FROM accounts.properties ORDER BY id").fetchall() == [(theirs,)]
    for table in ("metrics.events", "metrics.sessions", "metrics.page_views"):
        assert admin.execute(f"SELECT count(*) FROM {table} WHERE property_id IN (%s, %s)",  # noqa: S608
                             (property_id, second)).fetchone()[0] == 0, table
