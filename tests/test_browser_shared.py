"""Shared links in a real browser: the owner makes two on the Sharing page, one with a password
and one that a listed site may embed; someone without an account opens each, and a page on the
listed origin shows the embed while a page on another origin cannot."""

from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from app.main import create_app
from parcours import PROJECT_ROOT

SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def embedding_page(link: str) -> Starlette:
    page = f'<!doctype html><title>Blog</title><h1>Our traffic</h1><iframe src="{link}" width="900" height="600"></iframe>'
    return Starlette(routes=[Route("/", lambda request: HTMLResponse(page))])


def test_shared_links_with_a_password_and_embedded(settings, owner, property_id, serve, browser, log_in_page,
                                                   load_events, now, free_address):
    load_events([(now.replace(hour=8).isoformat()[:16], "198.51.100.1", FIREFOX, {"r": "https://www.google.com/"})])
    base = serve(create_app(settings))
    allowed_address = free_address
    owners = browser.new_page()
    log_in_page(owners, base, owner)
    owners.goto(f"{base}/properties/{property_id}")
    owners.get_by_role("link", name="Share").click()
    owners.get_by_label("Name").fill("Our client")
    owners.get_by_label("Password (optional").fill("a shared passphrase")
    owners.get_by_role("button", name="Create link").click()
    owners.get_by_label("Name").fill("Blog embed")
    owners.get_by_label("Let other sites show it").check()
    owners.get_by_label("Sites that may embed it").fill(f"http://{allowed_address}")
    owners.get_by_role("button", name="Create link").click()
    with_password, embeddable = owners.locator("#shared-links code[id^=link-]").all_inner_texts()

    reader = browser.new_context().new_page()
    reader.goto(with_password + "?period=today")
    assert reader.get_by_role("heading", name="Example").is_visible() and reader.locator("#panel-sources").count() == 0
    reader.get_by_label("Password").fill("not it")
    reader.get_by_role("button", name="Show the reports").click()
    assert "not right" in reader.get_by_role("alert").inner_text()
    reader.get_by_label("Password").fill("a shared passphrase")
    reader.get_by_role("button", name="Show the reports").click()
    reader.locator("#panel-sources table").wait_for()
    assert reader.locator('[data-metric="visitors"] .value').inner_text() == "1"
    assert reader.locator("#panel-visitors").count() == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    reader.screenshot(path=SCREENSHOTS / "shared-link.png", full_page=True)

    serve(embedding_page(embeddable + "?embed=1&period=today"), allowed_address)
    elsewhere = serve(embedding_page(embeddable + "?embed=1&period=today"))
    blog = browser.new_context().new_page()
    blog.goto(f"http://{allowed_address}/")
    frame = blog.frame_locator("iframe")
    frame.locator("#panel-sources table").wait_for()
    assert frame.get_by_role("heading", name="Example").is_visible() and frame.locator("header.top").count() == 0
    blog.screenshot(path=SCREENSHOTS / "shared-link-embedded.png")
    refused = []
    other = browser.new_context().new_page()
    other.on("console", lambda message: refused.append(message.text) if "frame-ancestors" in message.text else None)
    other.goto(elsewhere)
    other.wait_for_load_state("load")
    other.wait_for_timeout(500)
    assert other.frame_locator("iframe").get_by_role("heading", name="Example").count() == 0
    assert refused  # Chromium says why it refused to show it
