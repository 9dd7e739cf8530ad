"""Teams in a real browser: the owner invites a viewer from the Team page; the invitation arrives
at a local SMTP server; the invitee signs up through its link (sign-up being closed) and sees that
site, and only that one, without its settings."""

import re

from app.accounts import properties
from app.main import create_app
from parcours import PROJECT_ROOT

SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"


def test_an_invited_viewer_signs_up_and_sees_only_that_site(settings, owner, property_id, admin, serve, browser,
                                                            log_in_page, inbox, until):
    properties.add(admin, owner["id"], "Private", ["private.example"], "UTC")
    base = serve(create_app(settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": inbox.port, "smtp_starttls": False, "signup_open": False,
        "public_url": "http://parcours.invalid"})))
    owners = browser.new_page()
    log_in_page(owners, base, owner)
    owners.goto(f"{base}/properties/{property_id}")
    owners.get_by_role("link", name="Team").click()
    owners.get_by_label("Email address").fill("client@example.com")
    owners.get_by_label("Role").select_option("viewer")
    owners.get_by_role("button", name="Send invitation").click()
    assert "on its way to client@example.com" in owners.get_by_role("status").first.inner_text()
    assert owners.locator("#invitations").get_by_text("client@example.com").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    owners.screenshot(path=SCREENSHOTS / "team.png", full_page=True)

    until(lambda: inbox.messages)
    path = re.search(r"http://parcours\.invalid(/invitations/[\w-]+)", inbox.messages[0][1]).group(1)
    client = browser.new_context().new_page()
    client.goto(base + path)
    client.get_by_label("Password").fill("the client's passphrase")
    client.get_by_role("button", name="Create my account and join").click()
    client.wait_for_url(f"{base}/properties/{property_id}")
    client.locator("#panel-sources").wait_for()
    assert client.get_by_role("link", name="Settings").count() == 0
    assert client.get_by_role("link", name="Share").count() == 0
    client.goto(f"{base}/")
    assert client.locator(".properties .name").all_inner_texts() == ["Example"]

    owners.reload()
    assert owners.locator("#members").get_by_text("client@example.com").is_visible()
    assert owners.locator("#invitations").count() == 0
