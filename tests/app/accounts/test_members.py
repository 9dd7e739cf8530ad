"""A site's team over real HTTP: invitations mailed through a local SMTP server and accepted once
(signing up through one even with sign-up closed), roles changed, members removed (their API keys
stop at once), members leaving, and the site transferred."""

import re

import httpx
import pytest

from app.accounts import api_keys, members, properties, users
from app.main import create_app

PUBLIC = "http://analytics.example.org"
PASSPHRASE = "a long enough passphrase"


def csrf(client, path="/login"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def log_in(client, email, password=PASSPHRASE):
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": csrf(client)})
    assert response.status_code == 303


def post(client, path, **fields):
    return client.post(path, data={**fields, "csrf_token": csrf(client, "/account")})


@pytest.fixture
def base(settings, inbox, serve):
    return serve(create_app(settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": inbox.port,
                                                        "smtp_starttls": False, "public_url": PUBLIC,
                                                        "signup_open": False})))


@pytest.fixture
def owned(base, owner, property_id):
    with httpx.Client(base_url=base) as client:
        log_in(client, owner["email"], owner["password"])
        yield client


def invitation_path(inbox, until, address):
    until(lambda: any(to == [address] for to, _ in inbox.messages))
    body = next(body for to, body in inbox.messages if to == [address])
    return re.search(r"(/invitations/[\w-]+)", body).group(1)


def test_an_invited_address_signs_up_through_the_link_and_sees_only_that_site(base, owned, owner, property_id, admin,
                                                                              inbox, until):
    other = properties.add(admin, owner["id"], "Other", ["other.example"], "UTC")
    sent = post(owned, f"/properties/{property_id}/members", email=" Reader@example.com ", role="viewer")
    assert sent.status_code == 200 and "on its way to Reader@example.com" in sent.text
    path = invitation_path(inbox, until, "Reader@example.com")
    assert f"{PUBLIC}{path}" in inbox.messages[0][1] and "as a viewer" in inbox.messages[0][1]
    assert len(path.rsplit("/", 1)[1]) >= 43  # 256 random bits, base64url
    with httpx.Client(base_url=base) as reader:
        page = reader.get(path)
        assert page.status_code == 200 and "Create my account and join" in page.text
        assert reader.post(path, data={"password": "short", "csrf_token": csrf(reader, path)}).status_code == 422
        joined = reader.post(path, data={"password": PASSPHRASE, "csrf_token": csrf(reader, path)})
        assert (joined.status_code, joined.headers["location"]) == (303, f"/properties/{property_id}")
        assert reader.get(f"/properties/{property_id}").status_code == 200
        assert reader.get(f"/properties/{other}").status_code == 404
        overview = reader.get("/").text
        assert "Example" in overview and "Other" not in overview and "viewer" in overview
        assert 'href="/properties/{}/settings"'.format(property_id) not in reader.get(f"/properties/{property_id}").text
        assert reader.get(f"/properties/{property_id}/settings").status_code == 403
    with httpx.Client(base_url=base) as again:
        assert again.get(path).status_code == 410  # once
        assert again.post(path, data={"password": PASSPHRASE, "csrf_token": csrf(again)}).status_code == 410
    assert admin.execute("SELECT role FROM accounts.members m JOIN accounts.users u ON u.id = m.user_id "
                         "WHERE u.email = 'Reader@example.com'").fetchone() == ("viewer",)


def test_an_existing_account_joins_on_a_click_and_logs_in_as_usual(base, owned, property_id, admin, inbox, until):
    users.add(admin, "colleague@example.com", PASSPHRASE)
    post(owned, f"/properties/{property_id}/members", email="colleague@example.com", role="admin")
    path = invitation_path(inbox, until, "colleague@example.com")
    assert "as an admin" in inbox.messages[0][1]
    with httpx.Client(base_url=base) as colleague:
        assert "Accept the invitation" in colleague.get(path).text
        accepted = colleague.post(path, data={"csrf_token": csrf(colleague, path)})
        assert (accepted.status_code, accepted.headers["location"]) == (303, "/login?joined=1")
        assert colleague.get(f"/properties/{property_id}").status_code == 303  # not logged in by the link
        log_in(colleague, "colleague@example.com")
        assert colleague.get(f"/properties/{property_id}/settings").status_code == 200


@pytest.mark.parametrize("email, role, reason", [
    ("owner@example.com", "viewer", "already has a role on this site"),
    ("not-an-address", "viewer", "is not an email address"),
    ("someone@example.com", "owner", "invite as viewer or admin"),
])
def test_a_bad_invitation_is_refused_with_the_reason(owned, property_id, admin, email, role, reason):
    refused = post(owned, f"/properties/{property_id}/members", email=email, role=role)
    assert refused.status_code == 422 and reason in refused.text
    assert admin.execute("SELECT count(*) FROM accounts.invitations").fetchone()[0] == 0


def test_an_expired_or_revoked_invitation_is_gone(base, owned, owner, property_id, admin):
    expired = members.invite(admin, property_id, "late@example.com", "viewer", owner["id"])
    admin.execute("UPDATE accounts.invitations SET expires_at = now() - interval '1 second'")
    revoked = members.invite(admin, property_id, "revoked@example.com", "viewer", owner["id"])
    [invitation_id] = admin.execute("SELECT id FROM accounts.invitations WHERE email = 'revoked@example.com'").fetchone()
    assert post(owned, f"/properties/{property_id}/invitations/{invitation_id}/revoke").status_code == 303
    with httpx.Client(base_url=base) as late:
        for token in (expired, revoked):
            response = late.post(f"/invitations/{token}", data={"password": PASSPHRASE, "csrf_token": csrf(late)})
            assert response.status_code == 410 and "expired, was revoked" in response.text
    assert admin.execute("SELECT count(*) FROM accounts.users WHERE email = 'late@example.com'").fetchone()[0] == 0


def test_removing_a_member_ends_their_access_at_once_api_keys_included(base, owned, owner, property_id, admin):
    reader = users.add(admin, "reader@example.com", PASSPHRASE)
    members.accept(admin, members.invite(admin, property_id, "reader@example.com", "viewer", owner["id"]), reader)
    key = api_keys.create(admin, reader, "script")
    summary = f"/api/v1/properties/{property_id}/summary"
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as script, \
            httpx.Client(base_url=base) as browser:
        log_in(browser, "reader@example.com")
        assert script.get(summary).status_code == 200 and browser.get(f"/properties/{property_id}").status_code == 200
        assert post(owned, f"/properties/{property_id}/members/{reader}/remove").status_code == 303
        assert script.get(summary).status_code == 404
        assert browser.get(f"/properties/{property_id}").status_code == 404


def test_roles_change_and_members_leave(base, owned, owner, property_id, admin):
    reader = users.add(admin, "reader@example.com", PASSPHRASE)
    members.accept(admin, members.invite(admin, property_id, "reader@example.com", "viewer", owner["id"]), reader)
    with httpx.Client(base_url=base) as browser:
        log_in(browser, "reader@example.com")
        assert browser.get(f"/properties/{property_id}/goals").status_code == 403
        assert post(owned, f"/properties/{property_id}/members/{reader}/role", role="admin").status_code == 303
        assert browser.get(f"/properties/{property_id}/goals").status_code == 200
        refused = post(browser, f"/properties/{property_id}/members/{owner['id']}/remove")
        assert refused.status_code == 422 and "owner cannot be removed" in refused.text
        assert post(browser, f"/properties/{property_id}/delete", confirm="Example").status_code == 403
        assert post(browser, f"/properties/{property_id}/leave").headers["location"] == "/"
        assert browser.get(f"/properties/{property_id}").status_code == 404
    stays = post(owned, f"/properties/{property_id}/leave")
    assert stays.status_code == 422 and "transfer the site" in stays.text


def test_the_owner_transfers_the_site_to_a_member_and_stays_an_admin(base, owned, owner, property_id, admin):
    heir = users.add(admin, "heir@example.com", PASSPHRASE)
    stranger = users.add(admin, "stranger@example.com", PASSPHRASE)
    members.accept(admin, members.invite(admin, property_id, "heir@example.com", "viewer", owner["id"]), heir)
    unconfirmed = post(owned, f"/properties/{property_id}/transfer", heir=str(heir), confirm="Exampel")
    assert unconfirmed.status_code == 422
    to_stranger = post(owned, f"/properties/{property_id}/transfer", heir=str(stranger), confirm="Example")
    assert to_stranger.status_code == 422 and "one of its members" in to_stranger.text
    assert post(owned, f"/properties/{property_id}/transfer", heir=str(heir), confirm="Example").status_code == 303
    roles = admin.execute("SELECT user_id, role FROM accounts.site_roles WHERE property_id = %s ORDER BY rank DESC",
                          (property_id,)).fetchall()
    assert roles == [(heir, "owner"), (owner["id"], "admin")]
    assert post(owned, f"/properties/{property_id}/delete", confirm="Example").status_code == 403
    assert owned.get(f"/properties/{property_id}/settings").status_code == 200


def test_invitations_from_one_site_are_rate_limited(owned, property_id, admin):
    token = csrf(owned, "/account")
    answers = [owned.post(f"/properties/{property_id}/members", data={
        "email": f"person{n}@example.com", "role": "viewer", "csrf_token": token}).status_code
        for n in range(members.PER_SITE + 1)]
    assert answers == [200] * members.PER_SITE + [429]
    assert admin.execute("SELECT count(*) FROM accounts.invitations").fetchone()[0] == members.PER_SITE
