"""Goals, funnels and the chart in a real browser: the owner defines a goal and a funnel in the
dashboard, a visitor's Chromium runs the tracker on a two-page site (a custom event queued
before the tracker loads), and the owner sees them fill, switches the chart's metric, reads a
point by hovering and by keyboard, filters with "contains", at 1280 and 375 px."""

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from app.main import create_app
from parcours import PROJECT_ROOT, spool
from worker import run

SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
PAGE = """<!doctype html><title>{title}</title><h1>{title}</h1>{body}
<script>window.parcours = window.parcours || function () {{ (parcours.q = parcours.q || []).push(arguments) }};</script>
{queued}<script defer src="{parcours}/js/{property}.js"></script>"""


def site(parcours_url: str, property_id: str) -> Starlette:
    def page(title, body="", queued=""):
        html = PAGE.format(title=title, body=body, queued=queued, parcours=parcours_url, property=property_id)
        return lambda request: HTMLResponse(html)
    return Starlette(routes=[
        Route("/article", page("Article", '<a id="next" href="/pricing">Pricing</a>')),
        Route("/pricing", page("Pricing", queued='<script>parcours("signup", {plan: "pro"});</script>')),
    ])


@pytest.mark.wall_clock  # collect stamps the visit with the time it arrives
def test_a_goal_and_a_funnel_fill_from_a_real_visit(until, settings, admin, owner, property_id, serve, browser,
                                                    refresh_rollups, log_in_page):
    parcours_url = serve(create_app(settings))
    dashboard = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in_page(dashboard, parcours_url, owner)
    dashboard.goto(f"{parcours_url}/properties/{property_id}/goals")
    dashboard.get_by_label("Name", exact=True).first.fill("Signup")
    dashboard.get_by_label("sends an event").check()
    dashboard.get_by_label("Event name (for an event goal)").fill("signup")
    dashboard.get_by_role("button", name="Add goal").click()
    dashboard.locator("#goal-name").fill("Pricing")
    dashboard.get_by_label("Page path").fill("/pric*")
    dashboard.get_by_role("button", name="Add goal").click()
    dashboard.locator("#funnel-name").fill("Read then buy")
    dashboard.get_by_label("Steps, one per line").fill("/article\n/pricing\nsignup?plan=pro")
    dashboard.get_by_role("button", name="Add funnel").click()
    assert dashboard.locator("#goal-list tbody tr").count() == 2
    assert dashboard.locator("#funnel-list li").all_inner_texts() == ["Visit /article", "Visit /pricing",
                                                                     "Event signup (plan = pro)"]

    visit(until, browser, serve(site(parcours_url, property_id)), settings, admin)
    refresh_rollups()
    dashboard.goto(f"{parcours_url}/properties/{property_id}?period=today")
    goals = dashboard.locator("#panel-goals table")
    for panel in ("goals", "funnels", "events"):  # panels load after the page
        dashboard.locator(f"#panel-{panel} table").wait_for()
    assert goals.locator("tbody tr").all_inner_texts() == ["Pricing\t1\t1\t100.0 %", "Signup\t1\t1\t100.0 %"]
    steps = dashboard.locator("#panel-funnels tbody tr td.num:nth-child(2)")
    assert steps.all_inner_texts() == ["1", "1", "1"]
    assert dashboard.locator("#panel-events tbody tr").first.inner_text().startswith("signup\t1\t1")

    dashboard.get_by_role("navigation", name="Chart metric").get_by_role("link", name="Page views").click()
    dashboard.wait_for_url("**metric=page_views**")
    assert dashboard.locator("#chart-title").inner_text().startswith("Page views per hour")
    open_bucket = dashboard.locator(".column").last  # the hour now falls in: later hours are not drawn
    open_bucket.hover()
    assert "so far" in open_bucket.locator(".tip").inner_text() and open_bucket.locator(".tip").is_visible()
    assert open_bucket.locator(".tip").inner_text().endswith("2")
    dashboard.locator(".column").first.focus()
    dashboard.keyboard.press("End")
    assert dashboard.evaluate("document.activeElement.getAttribute('aria-label')").endswith(": 2 (so far)")

    dashboard.get_by_role("navigation", name="Chart metric").get_by_role("link", name="Conversions: Signup").click()
    dashboard.wait_for_url("**metric=goal%3ASignup**")
    assert dashboard.locator(".column").last.get_attribute("aria-label").endswith(": 1 (so far)")

    dashboard.locator("summary", has_text="Add a filter").click()
    dashboard.get_by_label("Dimension").select_option("page")
    dashboard.get_by_label("Operator").select_option(label="contains")
    dashboard.get_by_label("Value").fill("PRIC")
    dashboard.get_by_role("button", name="Apply").click()
    dashboard.wait_for_url("**filter=page%3D~PRIC**")
    assert dashboard.get_by_role("list", name="Filters").inner_text().startswith("page contains PRIC")
    assert dashboard.locator('[data-metric="page_views"] .value').inner_text() == "1"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    dashboard.goto(f"{parcours_url}/properties/{property_id}?period=today&metric=page_views")
    dashboard.locator(".column").last.hover()
    dashboard.screenshot(path=SCREENSHOTS / "goals-desktop.png", full_page=True)
    dashboard.set_viewport_size({"width": 375, "height": 800})
    dashboard.screenshot(path=SCREENSHOTS / "goals-375px.png", full_page=True)
    assert dashboard.evaluate("document.documentElement.scrollWidth") <= 375  # nothing runs off a phone
    shown = dashboard.locator(".x-axis li").evaluate_all("items => items.filter(i => i.offsetParent).length")
    assert 1 <= shown <= 3  # every other label is hidden on a phone




def visit(until, browser, site_url: str, settings, admin) -> None:
    """A person's Chromium reads the article, follows the link to pricing, and signs up there."""
    probe = browser.new_page()
    person = probe.evaluate("navigator.userAgent").replace("HeadlessChrome", "Chrome")
    probe.close()
    reader = browser.new_page(user_agent=person)
    reader.goto(f"{site_url}/article")
    reader.click("#next")
    reader.wait_for_url("**/pricing")

    def loaded_signup():
        run.once(settings)
        return admin.execute("SELECT count(*) FROM metrics.events WHERE name = 'signup'").fetchone()[0] == 1
    until(lambda: spool.sealed_segments(settings.spool_dir) or loaded_signup())
    until(loaded_signup)
    assert admin.execute("SELECT count(*) FROM metrics.events WHERE name = 'page_view'").fetchone()[0] == 2
    reader.close()

