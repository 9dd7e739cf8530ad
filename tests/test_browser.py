"""A real browser: a visitor's Chromium runs the tracker on a third-party page, then the owner
logs in through the form and reads the count (Debian's chromium, driven by Playwright)."""

import time

from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from app.main import create_app
from parcours import spool
from worker import run


def site(parcours_url: str, property_id: str) -> Starlette:
    page = f"""<!doctype html><title>A tracked page</title><h1>Hello</h1>
               <script defer src="{parcours_url}/js/{property_id}.js"></script>"""
    return Starlette(routes=[Route("/article", lambda request: HTMLResponse(page))])


def test_a_visit_in_a_browser_shows_on_the_owners_dashboard(settings, owner, property_id, serve, browser):
    parcours_url = serve(create_app(settings))
    site_url = serve(site(parcours_url, property_id))

    # Headless Chromium says "HeadlessChrome", which Parcours rightly counts as a bot; a person's
    # Chromium says "Chrome".
    probe = browser.new_page()
    person = probe.evaluate("navigator.userAgent").replace("HeadlessChrome", "Chrome")
    probe.close()
    visitor = browser.new_page(user_agent=person)
    visitor.goto(f"{site_url}/article")
    deadline = time.monotonic() + 10
    while not spool.sealed_segments(settings.spool_dir):
        assert time.monotonic() < deadline, "the beacon never reached the spool"
        time.sleep(0.05)
    assert run.once(settings).events == 1

    dashboard = browser.new_page()
    dashboard.goto(f"{parcours_url}/properties/{property_id}")
    dashboard.get_by_label("Email").fill(owner["email"])
    dashboard.get_by_label("Password").fill(owner["password"])
    dashboard.get_by_role("button", name="Log in").click()
    dashboard.get_by_role("link", name="Example").click()
    assert dashboard.get_by_test_id("total-page-views").inner_text() == "1"

    dashboard.get_by_role("link", name="Last 30 days").click()
    dashboard.wait_for_url("**period=30d")
    assert dashboard.locator("tr[data-day]").count() == 30
    assert dashboard.get_by_test_id("total-page-views").inner_text() == "1"


def test_a_headless_browser_is_counted_as_a_bot_and_not_shown(settings, admin, owner, property_id, serve, browser):
    site_url = serve(site(serve(create_app(settings)), property_id))
    browser.new_page().goto(f"{site_url}/article")
    deadline = time.monotonic() + 10
    while not spool.sealed_segments(settings.spool_dir):
        assert time.monotonic() < deadline, "the beacon never reached the spool"
        time.sleep(0.05)
    assert run.once(settings).events == 1
    assert admin.execute("SELECT is_bot, device FROM metrics.events").fetchall() == [(True, "bot")]
