"""The tracker in a real browser: what a visit sends, read back from the spool."""

import json
import time

from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from app.main import create_app
from parcours import spool


def site(parcours_url: str, property_id: str, outbound_url: str) -> Starlette:
    page = f"""<!doctype html><title>Article</title>
      <script>window.parcours = window.parcours || function () {{ (parcours.q = parcours.q || []).push(arguments) }};
              parcours("signup", {{plan: "pro"}});</script>
      <script type="application/json" id="parcours-meta">{{"type": "post", "author": "Ada", "tags": ["db"], "is_single": true}}</script>
      <script defer src="{parcours_url}/js/{property_id}.js"></script>
      <button id="next" onclick="history.pushState({{}}, '', '/article/2')">Next</button>
      <div style="height: 5000px">long read</div>
      <a id="out" href="{outbound_url}">elsewhere</a>"""
    return Starlette(routes=[Route("/article/{n}", lambda request: HTMLResponse(page))])


def staged(settings) -> list[dict]:
    files = spool.waiting_segments(settings.spool_dir)
    return [json.loads(line)["event"] for path in files for _, line in spool.read_lines(path)]


def wait_for(settings, predicate, timeout=10.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while not predicate(events := staged(settings)):
        assert time.monotonic() < deadline, [e["n"] for e in events]
        time.sleep(0.05)
    return events


def test_a_visit_sends_views_engagement_scroll_outbound_and_custom_events(settings, property_id, serve, browser):
    parcours_url = serve(create_app(settings))
    other = serve(Starlette(routes=[Route("/", lambda request: HTMLResponse("elsewhere"))]))
    site_url = serve(site(parcours_url, property_id, f"{other}/"))

    page = browser.new_page()
    page.goto(f"{site_url}/article/1")
    wait_for(settings, lambda events: any(e["n"] == "signup" for e in events))
    page.wait_for_timeout(300)
    page.click("#next")
    for y in range(1200, 6001, 1200):  # read on, a screenful at a time
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(100)
    wait_for(settings, lambda events: any(e["n"] == "scroll" and e["s"] == 100 for e in events))
    page.click("#out")
    page.wait_for_url(f"{other}/")
    page.close()

    events = wait_for(settings, lambda events: sum(e["n"] == "page_exit" for e in events) >= 2)
    views = [e for e in events if e["n"] == "page_view"]
    assert sorted(v["u"].rsplit("/", 1)[1] for v in views) == ["1", "2"]
    # The referrer keeps scheme, host and path: its port goes (docs/spool.md).
    assert next(v for v in views if v["u"].endswith("/2"))["r"] == "http://127.0.0.1/article/1"
    assert {"n": "signup", "d": {"plan": "pro"}}.items() <= next(e for e in events if e["n"] == "signup").items()
    assert sorted(e["s"] for e in events if e["n"] == "scroll") == [25, 50, 75, 100]
    assert next(e for e in events if e["n"] == "outbound")["d"] == {"url": f"{other}/"}
    # Beacons are concurrent requests, so the spool may hold them out of order: match by page.
    exits = {e["u"].rsplit("/", 1)[1]: e for e in events if e["n"] == "page_exit"}
    assert exits["1"]["e"] >= 250 and exits["1"]["s"] == 0 and exits["2"]["s"] == 100
    assert all(e["m"] == {"type": "post", "author": "Ada", "tags": ["db"], "is_single": True} for e in events)


def test_a_site_search_page_sends_a_search_event(settings, property_id, serve, browser):
    parcours_url = serve(create_app(settings))
    page = f"""<!doctype html><title>Search</title>
      <script defer data-search="s" src="{parcours_url}/js/{property_id}.js"></script>"""
    site_url = serve(Starlette(routes=[Route("/", lambda request: HTMLResponse(page))]))
    browser.new_page().goto(f"{site_url}/?s=green%20tea&page=2")
    events = wait_for(settings, lambda events: any(e["n"] == "search" for e in events))
    assert next(e for e in events if e["n"] == "search")["d"] == {"query": "green tea"}
    assert all("green" not in e["u"] for e in events)  # collect keeps no other query parameter
