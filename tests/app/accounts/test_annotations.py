"""Annotations over real HTTP (app/accounts/annotations.py): added from the property page, marked
on the chart at their local date, listed and managed over the API, read-only on a shared link."""

import re

import httpx
import pytest

from app.accounts import api_keys, sharing
from app.main import create_app

WEEK = "period=custom&from=2026-11-09&to=2026-11-15"


def csrf(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


@pytest.fixture
def site(settings, admin, owner, property_id, serve):
    # Kathmandu, UTC+05:45: a note of the 12th belongs to that local day whatever the server's zone.
    admin.execute("UPDATE accounts.properties SET time_zone = 'Asia/Kathmandu' WHERE id = %s", (property_id,))
    base = serve(create_app(settings))
    with httpx.Client(base_url=base) as browser:
        browser.post("/login", data={"email": owner["email"], "password": owner["password"],
                                     "csrf_token": csrf(browser, "/login")})
        yield browser, f"/properties/{property_id}"


def add(browser, page, day, note):
    return browser.post(f"{page}/notes", data={"day": day, "note": note, "csrf_token": csrf(browser, page)})


def test_a_note_marks_the_chart_at_its_local_day(site):
    browser, page = site
    assert add(browser, page, "2026-11-12", "  New   pricing page ").status_code == 303
    html = browser.get(f"{page}?{WEEK}").text
    assert '<time datetime="2026-11-12">2026-11-12</time> New pricing page' in html
    mark = re.search(r'<ol class="marks"[^>]*><li style="left: ([0-9.]+)%" title="2026-11-12: New pricing page">', html)
    column = re.search(r'style="left: ([0-9.]+)%; width: [0-9.]+%"\s+aria-label="Thu 12 Nov: ', html)
    assert mark and column and mark.group(1) == column.group(1)
    assert "New pricing page" not in browser.get(f"{page}?period=custom&from=2026-11-13&to=2026-11-15").text


@pytest.mark.parametrize("query, bucket", [
    ("period=custom&from=2026-11-11&to=2026-11-12&interval=hour", "Thu 12 Nov 00:00"),  # the day's first hour
    ("period=custom&from=2026-11-01&to=2026-11-30&interval=week", "9 Nov"),  # the week it falls in
])
def test_a_note_marks_the_bucket_that_holds_its_day(site, query, bucket):
    browser, page = site
    add(browser, page, "2026-11-12", "Deploy")
    html = browser.get(f"{page}?{query}").text
    mark = re.search(r'<li style="left: ([0-9.]+)%" title="2026-11-12: Deploy">', html).group(1)
    column = re.search(rf'style="left: ([0-9.]+)%; width: [0-9.]+%"\s+aria-label="{bucket}: ', html).group(1)
    assert mark == column


@pytest.mark.parametrize("day, note, reason", [
    ("2026-11-12", "   ", "write a note of 1 to 200 characters"),
    ("2026-11-12", "x" * 201, "write a note of 1 to 200 characters"),
    ("12/11/2026", "Deploy", "a note needs a date as YYYY-MM-DD"),
])
def test_a_bad_note_is_refused_with_the_reason(site, admin, day, note, reason):
    browser, page = site
    answer = add(browser, page, day, note)
    assert answer.status_code == 422 and reason in answer.text
    assert admin.execute("SELECT count(*) FROM accounts.annotations").fetchone()[0] == 0


def test_a_note_can_be_deleted(site, admin):
    browser, page = site
    add(browser, page, "2026-11-12", "Deploy")
    note_id = admin.execute("SELECT id FROM accounts.annotations").fetchone()[0]
    done = browser.post(f"{page}/notes/{note_id}/remove", data={"csrf_token": csrf(browser, page)})
    assert done.status_code == 303 and "Deploy" not in browser.get(f"{page}?{WEEK}").text
    assert browser.post(f"{page}/notes/{note_id}/remove", data={"csrf_token": csrf(browser, page)}).status_code == 404


def test_notes_over_the_api(site, admin, owner, property_id):
    browser, _ = site
    key = api_keys.create(admin, owner["id"], "notes")
    base = f"/api/v1/properties/{property_id}/annotations"
    with httpx.Client(base_url=browser.base_url, headers={"Authorization": f"Bearer {key}"}) as api:
        made = api.post(base, json={"date": "2026-11-10", "note": "Campaign starts"})
        assert made.status_code == 201 and made.json()["note"] == "Campaign starts"
        assert api.post(base, json={"date": "soon", "note": "x"}).status_code == 422
        listed = api.get(base, params={"period": "custom", "from": "2026-11-09", "to": "2026-11-15"}).json()
        assert listed["results"] == [{"id": made.json()["id"], "date": "2026-11-10", "note": "Campaign starts"}]
        assert listed["period"]["time_zone"] == "Asia/Kathmandu"
        assert browser.post(base, json={"date": "2026-11-10", "note": "x"}).status_code == 401  # a cookie cannot change
        assert api.delete(f"{base}/{made.json()['id']}").status_code == 204
        assert api.delete(f"{base}/{made.json()['id']}").status_code == 404


def test_a_shared_link_shows_notes_without_the_means_to_change_them(site, admin, owner, property_id):
    browser, page = site
    add(browser, page, "2026-11-12", "Deploy")
    token = sharing.create(admin, owner["id"], property_id, "Client", "", list(sharing.PANELS), None)
    with httpx.Client(base_url=browser.base_url) as anyone:
        html = anyone.get(f"/share/{token}?{WEEK}").text
    assert "Deploy" in html and "/notes" not in html and "Add a note" not in html
