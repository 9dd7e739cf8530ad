"""Two-factor sign-in over real HTTP (app/accounts/two_factor.py): set up from the account page,
a code after the password, recovery codes, remembered browsers, turning it off, and the
operator's reset. Codes are computed as an authenticator app computes them, at the test clock."""

import ipaddress
import re
from datetime import timedelta

import httpx
import pyotp
import pytest
from pydantic import SecretStr

from app.main import create_app

SETUP_KEY = re.compile(r'<code id="totp-secret">([A-Z2-7]{32})</code>')


def csrf(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def password_step(client, owner, address="203.0.113.7"):
    return client.post("/login", data={"email": owner["email"], "password": owner["password"],
                                       "csrf_token": csrf(client, "/login")}, headers={"x-forwarded-for": address})


def code_step(client, code, remember=False, address="203.0.113.7"):
    data = {"code": code, "csrf_token": csrf(client, "/login"), **({"remember": "yes"} if remember else {})}
    return client.post("/login/code", data=data, headers={"x-forwarded-for": address})


def form(client, path, **fields):
    return client.post(path, data={**fields, "csrf_token": csrf(client, "/account")})


def code_at(secret, when):
    return pyotp.TOTP(secret).at(when)


@pytest.fixture
def base(settings, serve):
    return serve(create_app(settings.model_copy(update={"trusted_proxies": [ipaddress.ip_network("127.0.0.1/32")]})))


@pytest.fixture
def enrolled(base, owner, now):
    """The owner with two-factor sign-in on: their secret and recovery codes."""
    with httpx.Client(base_url=base) as browser:
        password_step(browser, owner)
        setup = form(browser, "/account/2fa/setup").text
        secret = SETUP_KEY.search(setup).group(1)
        signature = re.search(r'name="signature" value="([0-9a-f]+)"', setup).group(1)
        forged = form(browser, "/account/2fa/enable", secret=secret, signature="0" * 64, code=code_at(secret, now))
        assert forged.status_code == 422 and "Start again" in forged.text  # a key the server did not propose
        wrong = form(browser, "/account/2fa/enable", secret=secret, signature=signature,
                     code=code_at(secret, now + timedelta(minutes=5)))
        assert wrong.status_code == 422 and "not right" in wrong.text and secret in wrong.text  # the same key again
        shown = form(browser, "/account/2fa/enable", secret=secret, signature=signature,
                     code=code_at(secret, now - timedelta(seconds=30)))  # one step of drift
        assert shown.status_code == 200
        codes = re.search(r'<code id="recovery-codes">([^<]*)</code>', shown.text).group(1).split()
    return {"secret": secret, "codes": codes, "set_up_at": now - timedelta(seconds=30)}


def test_setting_up_shows_a_qr_code_and_ten_recovery_codes(base, owner, enrolled):
    assert len(set(enrolled["codes"])) == 10
    assert all(re.fullmatch(r"[a-z2-7]{5}-[a-z2-7]{5}", code) for code in enrolled["codes"])
    with httpx.Client(base_url=base) as browser:
        password_step(browser, owner)
        assert "<svg" not in browser.get("/login/code").text  # the QR code belongs to setup alone
    with httpx.Client(base_url=base) as browser:
        assert password_step(browser, owner).headers["location"] == "/login/code"
        assert code_step(browser, enrolled["codes"][0]).status_code == 303
        page = browser.get("/account").text
        assert "9 of 10 recovery codes left" in page
        setup = form(browser, "/account/2fa/setup").text
        assert 'class="segno"' in setup and "otpauth://totp/Parcours:owner%40example.com" not in setup


def test_the_password_alone_no_longer_logs_in(base, owner, enrolled, now):
    with httpx.Client(base_url=base) as browser:
        answer = password_step(browser, owner)
        assert answer.status_code == 303 and answer.headers["location"] == "/login/code"
        assert "parcours_session" not in browser.cookies
        assert browser.get("/account").headers["location"] == "/login"
        assert code_step(browser, code_at(enrolled["secret"], now)).headers["location"] == "/"
        assert browser.get("/account").status_code == 200


def test_a_code_works_once(base, owner, enrolled, now):
    code = code_at(enrolled["secret"], now)
    with httpx.Client(base_url=base) as first, httpx.Client(base_url=base) as second:
        password_step(first, owner), password_step(second, owner)
        assert code_step(first, code).status_code == 303
        again = code_step(second, code)
        assert again.status_code == 401 and "not right" in again.text
        assert code_step(second, code_at(enrolled["secret"], now + timedelta(seconds=30))).status_code == 303


def test_a_recovery_code_works_once_whatever_its_case_and_dashes(base, owner, enrolled):
    code = enrolled["codes"][3]
    with httpx.Client(base_url=base) as browser:
        password_step(browser, owner)
        assert code_step(browser, f" {code.upper().replace('-', ' ')} ").status_code == 303
    with httpx.Client(base_url=base) as browser:
        password_step(browser, owner)
        assert code_step(browser, code).status_code == 401


def test_a_code_without_the_password_step_goes_back_to_the_password(base, owner, enrolled, now):
    with httpx.Client(base_url=base) as browser:
        browser.cookies.set("parcours_challenge", "made-up", path="/login")
        answer = code_step(browser, code_at(enrolled["secret"], now))
        assert answer.status_code == 303 and answer.headers["location"] == "/login?expired=1"
        assert "parcours_session" not in browser.cookies


def test_a_challenge_takes_five_codes_then_the_password_again(base, owner, enrolled, now):
    with httpx.Client(base_url=base) as browser:
        password_step(browser, owner)
        assert [code_step(browser, f"00000{n}").status_code for n in range(5)] == [401] * 5
        spent = code_step(browser, code_at(enrolled["secret"], now))
        assert spent.headers["location"] == "/login?expired=1" and "parcours_session" not in browser.cookies
        assert "Log in again" in browser.get("/login?expired=1").text


def test_the_login_rate_limits_cover_the_code_step(base, owner, enrolled, now):
    # Someone who has the password guesses codes from one address: challenge after challenge,
    # they are stopped after ten tries in all, codes and passwords together.
    statuses = []
    with httpx.Client(base_url=base) as stranger:
        while 429 not in statuses and len(statuses) < 30:
            statuses.append(password_step(stranger, owner, "198.51.100.9").status_code)
            for n in range(4):
                if statuses[-1] != 429:
                    statuses.append(code_step(stranger, f"99999{n}", address="198.51.100.9").status_code)
        assert 429 in statuses and len(statuses) <= 11
        assert code_step(stranger, code_at(enrolled["secret"], now), address="198.51.100.9").status_code != 303


def test_a_remembered_browser_skips_the_code_until_forgotten(base, owner, enrolled, now):
    with httpx.Client(base_url=base) as browser, httpx.Client(base_url=base) as other:
        password_step(browser, owner)
        assert code_step(browser, code_at(enrolled["secret"], now), remember=True).status_code == 303
        browser.cookies.delete("parcours_session")
        assert password_step(browser, owner).headers["location"] == "/"
        assert password_step(other, owner).headers["location"] == "/login/code"
        assert "1 browser skips the code" in browser.get("/account").text
        form(browser, "/account/2fa/forget-browsers")
        browser.cookies.delete("parcours_session")
        assert password_step(browser, owner).headers["location"] == "/login/code"


@pytest.mark.parametrize("current, code, reason", [
    ("wrong password", "recovery", "The current password is not right."),
    ("right", "000000", "That code is not right."),
])
def test_turning_it_off_needs_the_password_and_a_code(base, owner, enrolled, current, code, reason):
    with httpx.Client(base_url=base) as browser:
        password_step(browser, owner), code_step(browser, enrolled["codes"][0])
        refused = form(browser, "/account/2fa/disable", current=owner["password"] if current == "right" else current,
                       code=enrolled["codes"][1] if code == "recovery" else code)
        assert refused.status_code == 422 and reason in refused.text
        off = form(browser, "/account/2fa/disable", current=owner["password"], code=enrolled["codes"][2])
        assert "Two-factor sign-in is off" in off.text
    with httpx.Client(base_url=base) as browser:
        assert password_step(browser, owner).headers["location"] == "/"


def test_a_new_password_forgets_remembered_browsers(base, owner, enrolled, now):
    with httpx.Client(base_url=base) as browser:
        password_step(browser, owner)
        code_step(browser, code_at(enrolled["secret"], now), remember=True)
        form(browser, "/account/password", current=owner["password"], new="an entirely new passphrase")
        browser.cookies.delete("parcours_session")
        answer = password_step(browser, {**owner, "password": "an entirely new passphrase"})
        assert answer.headers["location"] == "/login/code"


def test_new_recovery_codes_replace_the_old_ones(base, owner, enrolled, now):
    with httpx.Client(base_url=base) as browser:
        password_step(browser, owner), code_step(browser, enrolled["codes"][0])
        page = form(browser, "/account/2fa/recovery-codes", code=code_at(enrolled["secret"], now))
        fresh = re.search(r'<code id="recovery-codes">([^<]*)</code>', page.text).group(1).split()
    assert len(fresh) == 10 and not set(fresh) & set(enrolled["codes"])
    with httpx.Client(base_url=base) as browser:
        password_step(browser, owner)
        assert code_step(browser, enrolled["codes"][5]).status_code == 401
        assert code_step(browser, fresh[0]).status_code == 303


def test_the_operator_can_turn_it_off(base, owner, enrolled, cli):
    done = cli("user", "reset-2fa", owner["email"])
    assert done.returncode == 0 and "two-factor sign-in is off" in done.stdout
    with httpx.Client(base_url=base) as browser:
        assert password_step(browser, owner).headers["location"] == "/"
    unknown = cli("user", "reset-2fa", "nobody@example.com")
    assert unknown.returncode != 0 and unknown.stderr.strip().count("\n") == 0 and "no user" in unknown.stderr


def _stored(admin, owner):
    return admin.execute("SELECT totp_secret FROM accounts.users WHERE id = %s", (owner["id"],)).fetchone()[0]


def test_the_secret_is_stored_sealed_for_its_user_alone(admin, owner, enrolled, settings):
    from app.accounts import two_factor

    stored, key = _stored(admin, owner), settings.require_secret().encode()
    assert stored.startswith(two_factor.SEALED) and enrolled["secret"] not in stored
    assert two_factor.unseal(key, owner["id"], stored) == enrolled["secret"]
    assert two_factor.unseal(key, owner["id"] + 1, stored) is None  # copied into another user's row
    assert two_factor.unseal(b"another server's secret", owner["id"], stored) is None


def test_a_secret_stored_plain_still_signs_in_and_is_sealed_on_use(base, admin, owner, enrolled, now):
    from app.accounts import two_factor

    admin.execute("UPDATE accounts.users SET totp_secret = %s WHERE id = %s", (enrolled["secret"], owner["id"]))
    with httpx.Client(base_url=base) as browser:
        password_step(browser, owner)
        assert code_step(browser, code_at(enrolled["secret"], now)).headers["location"] == "/"
    stored = _stored(admin, owner)
    assert stored.startswith(two_factor.SEALED) and enrolled["secret"] not in stored


def test_under_another_server_secret_codes_fail_and_recovery_codes_sign_in(settings, serve, owner, enrolled, now):
    moved = settings.model_copy(update={"secret_key": SecretStr("a different secret " * 3),
                                        "trusted_proxies": [ipaddress.ip_network("127.0.0.1/32")]})
    with httpx.Client(base_url=serve(create_app(moved))) as browser:
        password_step(browser, owner)
        assert code_step(browser, code_at(enrolled["secret"], now)).status_code == 401
        assert code_step(browser, enrolled["codes"][0]).headers["location"] == "/"
