"""Two-factor sign-in in a real browser: the owner sets it up from the account page, typing the
code an authenticator app computes from the key shown, keeps the recovery codes, then logs in
with a code and, on another browser, with a recovery code."""

import pyotp

from app.main import create_app
from parcours import PROJECT_ROOT

SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"


def test_set_up_two_factor_sign_in_and_log_in_with_a_code_and_a_recovery_code(settings, owner, serve, browser, now):
    base = serve(create_app(settings))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    password_step(page, base, owner)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/account")
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    qr = page.locator(".qr svg")
    # Drawn whole at the size the page gives it: scaled by its viewBox, not cropped to it.
    assert qr.get_attribute("viewBox") and qr.bounding_box()["width"] == qr.bounding_box()["height"]
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Six-digit code").fill(pyotp.TOTP(secret).at(now))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "two-factor-setup.png", full_page=True)
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    codes = page.locator("#recovery-codes").inner_text().split()
    assert len(codes) == 10

    with_code = browser.new_context().new_page()
    password_step(with_code, base, owner)
    with_code.wait_for_url(f"{base}/login/code")
    with_code.get_by_label("The code from your authenticator app, or a recovery code").fill(
        pyotp.TOTP(secret).at(now.timestamp() + 30))
    with_code.get_by_label("Remember this browser for 30 days").check()
    with_code.get_by_role("button", name="Continue").click()
    with_code.wait_for_url(f"{base}/")

    with_recovery = browser.new_context(viewport={"width": 375, "height": 800}).new_page()
    password_step(with_recovery, base, owner)
    with_recovery.wait_for_url(f"{base}/login/code")
    with_recovery.screenshot(path=SCREENSHOTS / "two-factor-code-375px.png", full_page=True)
    field = with_recovery.get_by_label("The code from your authenticator app, or a recovery code")
    field.fill("000000")
    with_recovery.get_by_role("button", name="Continue").click()
    assert "not right" in with_recovery.get_by_role("alert").inner_text()
    with_recovery.get_by_label("The code from your authenticator app, or a recovery code").fill(codes[0])
    with_recovery.get_by_role("button", name="Continue").click()
    with_recovery.wait_for_url(f"{base}/")
    with_recovery.goto(f"{base}/account")
    assert "9 of 10 recovery codes left" in with_recovery.locator("#two-factor").inner_text()
    assert "1 browser skips the code" in with_recovery.locator("#two-factor").inner_text()


def password_step(page, base, owner):
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(owner["email"])
    page.get_by_label("Password").fill(owner["password"])
    page.get_by_role("button", name="Log in").click()
