"""Editing a site and deleting it with all its data."""

import re
import zipfile

import httpx
import pytest

from app.main import create_app
from worker import plausible

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.fixture
def client(settings, owner, serve):
    with httpx.Client(base_url=serve(create_app(settings))) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
        client.post("/login", data={"email": owner["email"], "password": owner["password"], "csrf_token": token})
        # The token is bound to the session: the signed-in pages carry a new one.
        client.token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/account").text).group(1)
        yield client


def test_editing_a_site_changes_its_zone_for_every_report(client, admin, property_id):
    response = client.post(f"/properties/{property_id}/settings", data={
        "name": "Renamed", "domains": "a.example b.example", "time_zone": "America/Vancouver", "visitor_ids": "daily",
        "ip_handling": "country", "retention": "365", "csrf_token": client.token})
    assert response.status_code == 303
    assert admin.execute("SELECT name, domains, time_zone, visitor_id_rotation, ip_handling, retention_days"
                         " FROM accounts.properties").fetchone() \
        == ("Renamed", ["a.example", "b.example"], "America/Vancouver", "daily", "country", 365)
    form = client.get(f"/properties/{property_id}/settings").text
    assert '<option value="country" selected>' in form and '<option value="365" selected>' in form
    assert "in America/Vancouver" in client.get(f"/properties/{property_id}").text
    bad = client.post(f"/properties/{property_id}/settings", data={"name": "X", "time_zone": "Nowhere/City",
                                                                  "csrf_token": client.token})
    assert bad.status_code == 422 and "is not an IANA time zone" in bad.text


def test_a_named_error_page_fills_the_404_report(client, admin, property_id, load_events):
    from app.reports import events, periods, stats

    assert client.post(f"/properties/{property_id}/settings", data={
        "name": "Example", "domains": "example.com", "time_zone": "UTC", "not_found": "Not found*",
        "csrf_token": client.token}).status_code == 303
    assert 'value="Not found*"' in client.get(f"/properties/{property_id}/settings").text
    load_events([("2026-11-02T10:00", "198.51.100.1", FIREFOX, {"u": "https://example.com/gone", "t": "Not found · Example",
                                                                 "r": "https://example.com/old"}),
                 ("2026-11-02T10:01", "198.51.100.1", FIREFOX, {"u": "https://example.com/", "t": "Home"})])
    day = stats.Query(property_id, periods.custom("UTC", *[periods.date(2026, 11, 2)] * 2))
    assert events.breakdown(admin, day, events.NOT_FOUND) == [
        {"value": "/gone", "referrer": "https://example.com/old", "page_views": 1, "visitors": 1}]


def test_deleting_a_site_needs_its_name_and_takes_all_its_data(client, admin, property_id, load_events, tmp_path):
    load_events([("2026-11-02T10:00", "198.51.100.1", FIREFOX, {}),
                 ("2026-11-02T10:01", "198.51.100.1", FIREFOX, {"m": {"tags": ["rail"]}})])
    export = tmp_path / "plausible.zip"  # and days imported from Plausible, before those
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("imported_visitors_20261030_20261030.csv", "date,visitors,pageviews,bounces,visits,visit_duration\n"
                                                                   "2026-10-30,1,2,0,1,10\n")
        archive.writestr("imported_pages_20261030_20261030.csv", "date,hostname,page,pageviews\n2026-10-30,example.com,/,2\n")
    assert plausible.load(admin, property_id, "UTC", plausible.open_export([export])).page_views == 2
    tables = ["metrics.events", "metrics.sessions", "metrics.page_views", "metrics.visitors_15m", "metrics.pages_1d",
              "metrics.sources_7d", "metrics.tags_7d", "metrics.tag_members", "metrics.properties",
              "metrics.imported_days", "metrics.imported_pages", "accounts.imports"]
    count = "SELECT count(*) FROM {} WHERE property_id = %s"
    assert all(admin.execute(count.format(t), (property_id,)).fetchone()[0] for t in tables)
    refused = client.post(f"/properties/{property_id}/delete", data={"confirm": "Exampel", "csrf_token": client.token})
    assert refused.status_code == 422 and admin.execute("SELECT count(*) FROM accounts.properties").fetchone()[0] == 1
    assert client.post(f"/properties/{property_id}/delete", data={"confirm": "Example", "csrf_token": client.token}).status_code == 303
    assert [admin.execute(count.format(t), (property_id,)).fetchone()[0] for t in tables] == [0] * len(tables)
    assert client.get(f"/properties/{property_id}").status_code == 404


def test_someone_else_s_site_cannot_be_edited_or_deleted(admin, client):
    from app.accounts import properties, users

    stranger = users.add(admin, "stranger@example.com", "another long passphrase")
    theirs = properties.add(admin, stranger, "Theirs", ["t.example"], "UTC")
    for path in (f"/properties/{theirs}/settings", f"/properties/{theirs}/setup"):
        assert client.get(path).status_code == 404, path
    for path, data in ((f"/properties/{theirs}/settings", {"name": "Mine", "time_zone": "UTC"}),
                       (f"/properties/{theirs}/delete", {"confirm": "Theirs"})):
        assert client.post(path, data={**data, "csrf_token": client.token}).status_code == 404, path
    assert admin.execute("SELECT name FROM accounts.properties WHERE id = %s", (theirs,)).fetchone() == ("Theirs",)


def test_the_purge_refuses_a_property_that_still_exists(admin, property_id):
    import psycopg

    with pytest.raises(psycopg.errors.RaiseException, match="still exists"):
        admin.execute("SELECT metrics.purge_property(%s)", (property_id,))
