"""Shared links over real HTTP (app/accounts/sharing.py, app/dashboard/shared.py): made and
revoked on the Sharing page, opened without an account, with and without a password, limited
to some panels, never showing a visitor, kept out of search engines, framed only where allowed."""

import base64
import ipaddress
import re

import httpx
import pytest

from app.accounts import sharing
from app.main import create_app

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
RANGE = "period=custom&from=2026-11-01&to=2026-11-07"
SECRET = "a shared passphrase"


def csrf(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


@pytest.fixture
def base(settings, admin, owner, property_id, serve, load_events):
    admin.execute("UPDATE accounts.properties SET time_zone = 'UTC' WHERE id = %s", (property_id,))
    load_events([("2026-11-02T10:00", "198.51.100.1", FIREFOX, {"r": "https://www.google.com/", "u": "https://example.com/tea"}),
                 ("2026-11-02T10:01", "198.51.100.1", FIREFOX, {"u": "https://example.com/tea", "n": "signup"})])
    return serve(create_app(settings.model_copy(update={"trusted_proxies": [ipaddress.ip_network("127.0.0.1/32")]})))


@pytest.fixture
def owners_browser(base, owner):
    with httpx.Client(base_url=base) as client:
        client.post("/login", data={"email": owner["email"], "password": owner["password"],
                                     "csrf_token": csrf(client, "/login")})
        yield client


def make_link(client, property_id, **fields):
    form = {"name": "Client", "password": "", "panels": list(sharing.PANELS), "csrf_token": csrf(client, f"/properties/{property_id}/sharing"),
            **fields}
    answer = client.post(f"/properties/{property_id}/sharing", data=form)
    tokens = re.findall(r"/share/([A-Za-z0-9_-]+)</code>", client.get(f"/properties/{property_id}/sharing").text)
    return answer, tokens[-1] if tokens else None


def test_a_link_shows_the_reports_to_anyone_and_never_a_visitor(base, owners_browser, property_id):
    answer, token = make_link(owners_browser, property_id)
    assert answer.status_code == 303 and len(base64.urlsafe_b64decode(token + "==")) >= 16  # at least 128 bits
    with httpx.Client(base_url=base) as anyone:
        page = anyone.get(f"/share/{token}?{RANGE}")
        assert page.status_code == 200 and "Example" in page.text
        assert page.headers["x-robots-tag"] == "noindex, nofollow" and 'name="robots" content="noindex' in page.text
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        for hidden in ("/visitors", "/settings", "/goals\"", "/sharing", "export/", "snippet"):
            assert hidden not in page.text, hidden
        assert "organic search" in anyone.get(f"/share/{token}/panels/sources/channel?{RANGE}").text.lower()
        assert "signup" in anyone.get(f"/share/{token}/events/event?{RANGE}").text
        for path in ("visitors", f"visitors/{'0' * 16}", "export/page.csv", "settings"):
            assert anyone.get(f"/share/{token}/{path}?{RANGE}").status_code == 404, path
        assert anyone.get(f"/properties/{property_id}?{RANGE}").headers["location"] == "/login"
        # The period links swap the report block in place, as on the owner's page.
        block = anyone.get(f"/share/{token}?period=7d&filter=channel%3D%3DDirect", headers={"HX-Request": "true"})
        assert block.status_code == 200 and "<html" not in block.text and f"/share/{token}/panels/" in block.text
        added = anyone.get(f"/share/{token}?{RANGE}&dimension=page&operator=%3D~&value=tea")
        assert added.status_code == 303 and added.headers["location"].startswith(f"/share/{token}?")


def test_a_link_can_show_only_some_panels(base, owners_browser, property_id):
    _, token = make_link(owners_browser, property_id, panels=["pages"])
    with httpx.Client(base_url=base) as anyone:
        page = anyone.get(f"/share/{token}?{RANGE}").text
        assert f"/share/{token}/panels/pages/page" in page and "/panels/sources/" not in page and "/events/" not in page
        assert anyone.get(f"/share/{token}/panels/pages/page?{RANGE}").status_code == 200
        for path in ("panels/sources/channel", "events/event", "conversions", "funnel-report"):
            assert anyone.get(f"/share/{token}/{path}?{RANGE}").status_code == 404, path


def test_a_password_link_asks_for_it_and_limits_guesses(base, owners_browser, property_id):
    _, token = make_link(owners_browser, property_id, password=SECRET)
    with httpx.Client(base_url=base) as anyone:
        asked = anyone.get(f"/share/{token}?{RANGE}")
        assert asked.status_code == 401 and "shared with a password" in asked.text and "Organic" not in asked.text
        assert anyone.get(f"/share/{token}/panels/sources/channel?{RANGE}").status_code == 401
        anyone.cookies.set(sharing.COOKIE, "f" * 64, path=f"/share/{token}")  # a made-up unlock cookie
        assert anyone.get(f"/share/{token}/panels/sources/channel?{RANGE}").status_code == 401
        anyone.cookies.delete(sharing.COOKIE)
        wrong = anyone.post(f"/share/{token}", data={"password": "guess", "csrf_token": csrf(anyone, "/login")})
        assert wrong.status_code == 401 and "not right" in wrong.text
        right = anyone.post(f"/share/{token}", data={"password": SECRET, "csrf_token": csrf(anyone, "/login")})
        assert right.status_code == 303
        assert anyone.get(f"/share/{token}/panels/sources/channel?{RANGE}").status_code == 200
    with httpx.Client(base_url=base) as guesser:
        token_ = csrf(guesser, "/login")
        codes = [guesser.post(f"/share/{token}", data={"password": f"guess {n}", "csrf_token": token_},
                              headers={"x-forwarded-for": "198.51.100.77"}).status_code for n in range(11)]
        assert codes == [401] * 10 + [429]
        late = guesser.post(f"/share/{token}", data={"password": SECRET, "csrf_token": token_},
                            headers={"x-forwarded-for": "198.51.100.77"})
        assert late.status_code == 429


def test_a_revoked_link_opens_nothing(base, owners_browser, property_id, admin, owner):
    _, token = make_link(owners_browser, property_id)
    with httpx.Client(base_url=base) as anyone:
        assert anyone.get(f"/share/{token}?{RANGE}").status_code == 200
        link_id = sharing.listed(admin, owner["id"], property_id)[0]["id"]
        owners_browser.post(f"/properties/{property_id}/sharing/{link_id}/revoke",
                            data={"csrf_token": csrf(owners_browser, f"/properties/{property_id}/sharing")})
        for path in ("", "/panels/pages/page", "/realtime"):
            assert anyone.get(f"/share/{token}{path}?{RANGE}").status_code == 404, path


def test_an_embeddable_link_names_who_may_frame_it(base, owners_browser, property_id):
    _, token = make_link(owners_browser, property_id, embed="yes", origins="https://blog.example\nhttp://127.0.0.1:8001/")
    with httpx.Client(base_url=base) as anyone:
        page = anyone.get(f"/share/{token}?{RANGE}&embed=1")
        policy = page.headers["content-security-policy"]
        assert "frame-ancestors https://blog.example http://127.0.0.1:8001;" in policy + ";"
        assert "x-frame-options" not in page.headers and 'class="top"' not in page.text  # no header when embedded
        assert "embed=1" in page.text  # its links stay embedded
        assert anyone.get("/login").headers["x-frame-options"] == "DENY"  # every other page still refuses


@pytest.mark.parametrize("fields, reason", [
    ({"name": ""}, "give the link a name"),
    ({"password": "short"}, "at least 10 characters"),
    ({"panels": ["visitors"]}, "unknown panels: visitors"),
    ({"embed": "yes", "origins": "https://ok.example/path"}, "is not an origin"),
    ({"embed": "yes", "origins": ""}, "between 1 and 20 origins"),
])
def test_a_bad_link_is_refused_with_the_reason(base, owners_browser, property_id, admin, fields, reason):
    answer, _ = make_link(owners_browser, property_id, **fields)
    assert answer.status_code == 422 and reason in answer.text
    assert admin.execute("SELECT count(*) FROM accounts.shared_links").fetchone()[0] == 0


def test_a_shared_page_shows_tracked_strings_as_text(base, owners_browser, property_id, load_events):
    load_events([("2026-11-03T10:00", "198.51.100.2", FIREFOX,
                  {"u": "https://example.com/<script>alert(1)</script>", "r": "https://evil.example/"})])
    _, token = make_link(owners_browser, property_id)
    with httpx.Client(base_url=base) as anyone:
        text = anyone.get(f"/share/{token}/panels/pages/page?{RANGE}").text
        assert "<script>alert(1)" not in text and "&lt;script&gt;" in text
