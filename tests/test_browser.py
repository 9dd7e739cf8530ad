"""A real browser (Debian's chromium, driven by Playwright): an owner signs up, adds a site and
pastes its snippet; a visitor's Chromium runs the tracker on that third-party page; the owner
reads, filters, compares and exports the visit, logs out and resets the password by mail."""

from datetime import timedelta

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from app.main import create_app
from parcours import PROJECT_ROOT, spool
from worker import run

PASSWORD = "correct horse battery staple"
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"  # kept by CI as test artifacts


def a_minute_before(now) -> str:
    return (now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")


def site(parcours_url: str, property_id: str) -> Starlette:
    page = f"""<!doctype html><title>A tracked page</title><h1>Hello</h1>
               <script defer src="{parcours_url}/js/{property_id}.js"></script>"""
    return Starlette(routes=[Route("/article", lambda request: HTMLResponse(page))])


@pytest.mark.wall_clock  # collect stamps the visit with the time it arrives
def test_an_owner_signs_up_adds_a_site_and_reads_its_first_visit(until, settings, serve, browser, inbox,
                                                                 refresh_rollups, free_address):
    mail = {"smtp_host": "127.0.0.1", "smtp_port": inbox.port, "smtp_starttls": False,
            "public_url": f"http://{free_address}"}
    parcours_url = serve(create_app(settings.model_copy(update=mail)), free_address)
    dashboard = browser.new_page()
    dashboard.goto(f"{parcours_url}/signup")
    dashboard.get_by_label("Email").fill("owner@example.com")
    dashboard.get_by_label("Password").fill(PASSWORD)
    dashboard.get_by_role("button", name="Create account").click()
    dashboard.get_by_label("Name").fill("Example")
    dashboard.get_by_label("Domains").fill("127.0.0.1")  # the test site is served from loopback
    dashboard.get_by_label("Time zone").fill("Asia/Kolkata")
    dashboard.get_by_role("button", name="Add site").click()
    dashboard.wait_for_url("**/setup")
    property_id = dashboard.url.split("/")[-2]
    assert f"/js/{property_id}.js" in dashboard.locator("#snippet").inner_text()

    visit(until, browser, serve(site(parcours_url, property_id)), settings)
    refresh_rollups()
    # The setup page polls, and turns live by itself.
    dashboard.get_by_role("link", name="See today's report").click(timeout=10_000)
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
    dashboard.get_by_role("link", name="Remove filter page is /article").click()
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
    dashboard.set_viewport_size({"width": 1280, "height": 800})
    dashboard.screenshot(path=SCREENSHOTS / "overview-desktop.png", full_page=True)

    dashboard.get_by_role("button", name="Log out").click()
    dashboard.wait_for_url("**/login")
    dashboard.get_by_role("link", name="Forgot your password?").click()
    dashboard.get_by_label("Your account's email").fill("owner@example.com")
    dashboard.get_by_role("button", name="Email me a link").click()
    dashboard.goto(parcours_url + inbox.reset_path())
    dashboard.get_by_label("New password").fill("a brand new passphrase")
    dashboard.get_by_role("button", name="Save and log in again").click()
    dashboard.get_by_label("Email").fill("owner@example.com")
    dashboard.get_by_label("Password").fill("a brand new passphrase")
    dashboard.get_by_role("button", name="Log in").click()
    assert dashboard.get_by_role("link", name="Example", exact=True).is_visible()


def visit(until, browser, site_url: str, settings) -> None:
    """A person's Chromium opens the site's article; the worker loads the beacon."""
    # Headless Chromium says "HeadlessChrome", which Parcours rightly counts as a bot; a person's
    # Chromium says "Chrome".
    probe = browser.new_page()
    person = probe.evaluate("navigator.userAgent").replace("HeadlessChrome", "Chrome")
    probe.close()
    browser.new_page(user_agent=person).goto(f"{site_url}/article")
    until(lambda: spool.sealed_segments(settings.spool_dir))
    assert run.once(settings).events == 1


def test_a_headless_browser_is_counted_as_a_bot_and_not_shown(until, settings, admin, owner, property_id, serve,
                                                              browser):
    site_url = serve(site(serve(create_app(settings)), property_id))
    browser.new_page().goto(f"{site_url}/article")
    until(lambda: spool.sealed_segments(settings.spool_dir))
    assert run.once(settings).events == 1
    assert admin.execute("SELECT is_bot, device FROM metrics.events").fetchall() == [(True, "bot")]


def test_hostile_strings_from_a_tracked_site_never_run_on_the_dashboard(settings, admin, owner, property_id, serve,
                                                                        browser, load_events, now):
    payload = '"><img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
    agent = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
    load_events([(a_minute_before(now), "198.51.100.9", agent, {"t": payload, "r": f"https://evil.example/{payload}",
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


def test_every_page_passes_axe_accessibility_checks(settings, admin, owner, property_id, serve, browser, load_events,
                                                    now):
    import pyotp
    from axe_playwright_python.sync_playwright import Axe

    from app.reports import goals

    agent = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
    load_events([(a_minute_before(now), "198.51.100.9", agent,
                  {"r": "https://www.google.com/", "m": {"type": "post", "tags": ["a"]}}),
                 (a_minute_before(now), "198.51.100.9", agent, {"n": "signup", "d": {"plan": "pro"}})])
    goals.add(admin, owner["id"], property_id, "Signup", {"event": "signup", "props": {}})
    goals.add_funnel(admin, owner["id"], property_id, "Home to signup", [{"page": "/"}, {"event": "signup", "props": {}}])
    base = serve(create_app(settings))
    page = browser.new_page()
    axe, found = Axe(), {}

    def check(path, page=page):
        page.goto(base + path)
        audit(path, page)

    def audit(path, page=page):
        page.wait_for_load_state("networkidle")  # the panels come in by htmx
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            for violation in axe.run(page).response["violations"]:
                found.setdefault(f"{path} {violation['id']}", [n["target"] for n in violation["nodes"]][:3])

    for path in ("/signup", "/password/forgot", "/login"):
        check(path)
    page.get_by_label("Email").fill(owner["email"])
    page.get_by_label("Password").fill(owner["password"])
    page.get_by_role("button", name="Log in").click()
    for path in ("/", f"/properties/{property_id}?period=today", f"/properties/{property_id}/settings",
                 f"/properties/{property_id}?period=7d&compare=1&metric=goal:Signup&filter=page%3D~%2F",
                 f"/properties/{property_id}/goals",
                 f"/properties/{property_id}/setup", "/properties/new", "/account"):
        check(path)
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    audit("two-factor setup")
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Six-digit code").fill(pyotp.TOTP(secret).at(now))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    audit("recovery codes")
    check("/account")
    second = browser.new_page()
    check("/login", second)
    second.get_by_label("Email").fill(owner["email"])
    second.get_by_label("Password").fill(owner["password"])
    second.get_by_role("button", name="Log in").click()
    second.wait_for_url(f"{base}/login/code")
    audit("/login/code", second)
    assert found == {}


def test_the_pages_work_under_their_content_security_policy(settings, owner, property_id, serve, browser, load_events, now):
    load_events([(a_minute_before(now), "198.51.100.9",
                  "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", {"r": "https://www.google.com/"})])
    base = serve(create_app(settings))
    page, violations = browser.new_page(), []
    page.add_init_script("document.addEventListener('securitypolicyviolation',"
                         " e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))")
    page.on("console", lambda message: violations.append(message.text) if "CSP" in message.text
            or "Content Security Policy" in message.text else None)
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(owner["email"])
    page.get_by_label("Password").fill(owner["password"])
    page.get_by_role("button", name="Log in").click()
    for path in ("/", f"/properties/{property_id}?period=today", f"/properties/{property_id}/settings",
                 f"/properties/{property_id}?period=7d&compare=1&metric=goal:Signup&filter=page%3D~%2F",
                 f"/properties/{property_id}/goals",
                 f"/properties/{property_id}/setup", "/account"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")  # htmx fills the panels: it must run under the policy
    page.goto(f"{base}/properties/{property_id}?period=today")
    page.wait_for_load_state("networkidle")
    assert page.locator("#panel-sources").inner_text().count("Loading") == 0  # htmx ran
    assert violations == []
