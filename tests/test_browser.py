"""A real browser: a visitor's Chromium runs the tracker on a third-party page, then the owner
logs in through the form and reads the count (Debian's chromium, driven by Playwright)."""

import time

from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from app.main import create_app
from parcours import PROJECT_ROOT, spool
from worker import run

SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"  # kept by CI as test artifacts


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
    dashboard.get_by_role("link", name="Example", exact=True).click()
    page_views = dashboard.locator('[data-metric="page_views"] .value')
    assert page_views.inner_text() == "1"

    dashboard.get_by_role("link", name="30 days").click()
    dashboard.wait_for_url("**period=30d")
    assert dashboard.locator("tr[data-starts]").count() == 30
    assert page_views.inner_text() == "1"

    # Click a row of the pages panel: the whole report filters to it, and the URL says so.
    dashboard.locator("#panel-pages").get_by_role("link", name="/article").click()
    dashboard.wait_for_url("**filter=page%3D%3D%2Farticle**")
    assert dashboard.get_by_role("list", name="Filters").inner_text().startswith("page is /article")
    dashboard.get_by_role("link", name="Remove filter page==/article").click()
    dashboard.wait_for_url(lambda url: "filter" not in url)

    dashboard.get_by_role("switch", name="Compare with previous period").click()
    dashboard.wait_for_url("**compare=1**")
    assert dashboard.locator('[data-metric="visitors"] .change').count() == 1
    with dashboard.expect_download() as download:
        dashboard.locator("#panel-pages").get_by_role("link", name="Export CSV").click()
    assert download.value.path().read_text().splitlines()[1].startswith("/article,1,")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    dashboard.screenshot(path=SCREENSHOTS / "property-desktop.png", full_page=True)
    dashboard.set_viewport_size({"width": 375, "height": 800})
    dashboard.screenshot(path=SCREENSHOTS / "property-375px.png", full_page=True)
    assert dashboard.evaluate("document.documentElement.scrollWidth") <= 375  # nothing runs off a phone
    dashboard.goto(f"{parcours_url}/")
    dashboard.screenshot(path=SCREENSHOTS / "overview-375px.png", full_page=True)


def test_a_headless_browser_is_counted_as_a_bot_and_not_shown(settings, admin, owner, property_id, serve, browser):
    site_url = serve(site(serve(create_app(settings)), property_id))
    browser.new_page().goto(f"{site_url}/article")
    deadline = time.monotonic() + 10
    while not spool.sealed_segments(settings.spool_dir):
        assert time.monotonic() < deadline, "the beacon never reached the spool"
        time.sleep(0.05)
    assert run.once(settings).events == 1
    assert admin.execute("SELECT is_bot, device FROM metrics.events").fetchall() == [(True, "bot")]


def test_hostile_strings_from_a_tracked_site_never_run_on_the_dashboard(settings, admin, owner, property_id, serve,
                                                                        browser, load_events):
    payload = '"><img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
    agent = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
    today = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() - 60))
    load_events([(today, "198.51.100.9", agent, {"t": payload, "r": f"https://evil.example/{payload}",
                                                 "u": f"https://example.com/{payload}?utm_source=x&utm_campaign={payload}",
                                                 "m": {"type": payload, "author": payload, "tags": [payload]}})])
    base = serve(create_app(settings))
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(owner["email"])
    page.get_by_label("Password").fill(owner["password"])
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/properties/{property_id}?period=today")
    for panel, tab in (("sources", "UTM campaign"), ("content", "Tag"), ("content", "Author"), ("pages", "Top pages")):
        page.locator(f"#panel-{panel}").get_by_role("link", name=tab).click()
        page.wait_for_load_state("networkidle")
    page.locator("#panel-visitors a").first.click()
    page.wait_for_load_state("networkidle")
    assert "window.__xss=2" in page.content()  # the payload is on the page, as text
    assert page.evaluate("window.__xss") is None and dialogs == []
