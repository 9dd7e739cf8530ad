"""Logging in under guessing: a stranger's wrong passwords slow the stranger, never the owner's
own browser (app/accounts/routes.py, app/accounts/devices.py); cookies Secure under https."""

import ipaddress
import re

import httpx
import pytest

from app.main import create_app


@pytest.fixture
def base(settings, serve):
    # Behind a trusted proxy on loopback, X-Forwarded-For stands for the visitor's address.
    return serve(create_app(settings.model_copy(update={"trusted_proxies": [ipaddress.ip_network("127.0.0.1/32")]})))


def log_in(client, email, password, address="203.0.113.7"):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       headers={"x-forwarded-for": address})


def test_a_strangers_wrong_passwords_lock_the_stranger_not_the_owner(base, owner):
    with httpx.Client(base_url=base) as owners_browser:
        assert log_in(owners_browser, owner["email"], owner["password"], "192.0.2.1").status_code == 303
        owners_browser.cookies.delete("parcours_session")  # logged out; the browser is still known
        with httpx.Client(base_url=base) as stranger:
            codes = [log_in(stranger, owner["email"], f"wrong {n}", "198.51.100.1").status_code for n in range(11)]
            assert codes == [401] * 10 + [429]
            right = log_in(stranger, owner["email"], owner["password"], "198.51.100.1")
            assert right.status_code == 429 and "Too many attempts" in right.text and right.headers["retry-after"]
        assert log_in(owners_browser, owner["email"], owner["password"], "198.51.100.1").status_code == 303
    with httpx.Client(base_url=base) as new_browser_elsewhere:
        assert log_in(new_browser_elsewhere, owner["email"], owner["password"], "192.0.2.50").status_code == 303


@pytest.mark.parametrize("forged", ["", "x", "device.0000", "device.{signature}"])
def test_a_forged_or_borrowed_device_cookie_does_not_lift_the_limit(base, owner, forged):
    with httpx.Client(base_url=base) as stranger:
        for n in range(10):
            log_in(stranger, owner["email"], f"wrong {n}")
        stranger.cookies.set("parcours_device", forged.format(signature="a" * 64))
        assert log_in(stranger, owner["email"], owner["password"]).status_code == 429


def test_a_known_browser_is_still_limited_on_its_own(base, owner):
    with httpx.Client(base_url=base) as browser:
        assert log_in(browser, owner["email"], owner["password"], "192.0.2.1").status_code == 303
        codes = [log_in(browser, owner["email"], f"wrong {n}").status_code for n in range(11)]
        assert codes == [401] * 10 + [429]


def test_a_device_cookie_for_one_account_does_not_vouch_for_another(base, admin, owner):
    from app.accounts import users

    users.add(admin, "mallory@example.com", "mallory's own passphrase")
    with httpx.Client(base_url=base) as mallory:
        assert log_in(mallory, "mallory@example.com", "mallory's own passphrase").status_code == 303
        codes = [log_in(mallory, owner["email"], f"wrong {n}").status_code for n in range(11)]
        assert codes[-1] == 429


@pytest.mark.parametrize("public_url, policy, secure", [
    ("https://stats.example.com", "auto", True),   # behind a TLS proxy the request itself is http
    ("http://127.0.0.1:8000", "auto", False),
    ("", "auto", False),
    ("", "always", True),
    ("https://stats.example.com", "never", False),
])
def test_cookies_are_secure_when_the_public_url_is_https(settings, serve, owner, public_url, policy, secure):
    base = serve(create_app(settings.model_copy(update={"public_url": public_url, "cookie_secure": policy})))
    with httpx.Client(base_url=base) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
        csrf_cookie = client.cookies["parcours_csrf"]
    # Sent by hand: a client keeps a Secure cookie from a plain-http server to itself.
    answer = httpx.post(f"{base}/login", data={"email": owner["email"], "password": owner["password"], "csrf_token": token},
                        headers={"cookie": f"parcours_csrf={csrf_cookie}"})
    cookies = answer.headers.get_list("set-cookie")
    assert answer.status_code == 303 and len(cookies) == 2
    assert all(("; secure" in cookie.lower()) == secure for cookie in cookies)
