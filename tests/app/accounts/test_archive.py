"""A site's archive, exported and imported into another site: every report of the copy equals
the original's; a damaged or foreign archive is refused with the reason."""

import json
import zipfile
from datetime import date

import pytest

from app.accounts import annotations, users
from app.reports import events, filters, goals, periods, stats

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.4 Mobile/15E148 Safari/604.1")
TRAFFIC = [("2026-11-02T10:00", "198.51.100.1", FIREFOX, {"r": "https://www.google.com/", "m": {"tags": ["a", "b"]}}),
           ("2026-11-02T10:04", "198.51.100.1", FIREFOX, {"u": "https://example.com/pricing"}),
           ("2026-11-02T10:05", "198.51.100.1", FIREFOX, {"n": "signup", "u": "https://example.com/pricing",
                                                          "props": {"plan": "pro"}}),
           ("2026-11-03T08:00", "198.51.100.2", SAFARI, {"u": "https://example.com/blog?utm_source=news"}),
           ("2026-11-05T23:50", "198.51.100.1", FIREFOX, {"u": "https://example.com/", "e": 4000, "s": 80})]


PLAUSIBLE = {"visitors": ["date,visitors,pageviews,bounces,visits,visit_duration", "2026-10-31,4,9,1,5,300",
                          "2026-11-01,3,4,2,3,60"],
             "pages": ["date,hostname,page,visits,visitors,pageviews", "2026-11-01,example.com,/blog,3,3,4"],
             "devices": ["date,device,visitors,visits,visit_duration,bounces,pageviews", "2026-11-01,Mobile,3,3,60,2,4"]}


def everything(conn, property_id, user_id):
    query = stats.Query(property_id, periods.custom("Asia/Kolkata", date(2026, 11, 1), date(2026, 11, 7)))
    defined = goals.defined(conn, user_id, property_id)
    [funnel] = goals.funnels(conn, user_id, property_id)
    seen = {"summary": stats.compared(conn, query), "raw": stats.summary(conn, query, raw=True),
            "hours": stats.timeseries(conn, query, "hour"), "days": stats.timeseries(conn, query, "day"),
            "visitors": stats.visitors(conn, query), "goals": [{**g, "id": None} for g in goals.report(conn, query, defined)],
            "funnel": goals.funnel_report(conn, query, funnel["steps"]),
            "notes": [{**note, "id": None} for note in annotations.listed(conn, property_id, date(2026, 11, 1),
                                                                           date(2026, 11, 7))]}
    seen.update({dimension: stats.breakdown(conn, query, dimension, 50) for dimension in filters.DIMENSIONS})
    seen.update({f"events:{d}": events.report(conn, query, d, False, 50, 0) for d in (*events.DIMENSIONS, events.NOT_FOUND)})
    return seen


@pytest.fixture
def archived(cli, admin, owner, property_id, load_events, tmp_path):
    load_events(TRAFFIC)
    goals.add(admin, owner["id"], property_id, "Signup", goals.step(event="signup", props={"plan": "pro"}))
    goals.add(admin, owner["id"], property_id, "Pricing", goals.step(page="/pricing"))
    goals.add_funnel(admin, owner["id"], property_id, "Buy", [{"page": "/"}, {"page": "/pricing"}])
    annotations.add(admin, owner["id"], property_id, date(2026, 11, 3), "Launch")
    plausible = tmp_path / "plausible.zip"
    with zipfile.ZipFile(plausible, "w") as export:  # 31 Oct and 1 Nov, before the site's own days
        for name, lines in PLAUSIBLE.items():
            export.writestr(f"imported_{name}_20261031_20261101.csv", "\n".join(lines) + "\n")
    assert cli("import", "plausible", "--site", property_id, str(plausible)).returncode == 0
    target = tmp_path / "site.zip"
    done = cli("export", property_id, "--archive", str(target))
    assert done.returncode == 0, done.stderr
    return target


def test_an_archive_imported_elsewhere_gives_the_same_reports(cli, admin, owner, property_id, archived, refresh_rollups):
    with zipfile.ZipFile(archived) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["files"]["metrics.sessions.csv"]["rows"] == 3
        assert manifest["files"]["metrics.events.csv"]["rows"] == len(TRAFFIC)
        assert "rollups/metrics.sessions_15m.csv" in manifest["files"]
        assert json.loads(archive.read("site.json"))["annotations"] == [{"date": "2026-11-03", "note": "Launch"}]
        assert manifest["files"]["metrics.imported_days.csv"]["rows"] == 2
    other = users.add(admin, "other@example.com", "another long passphrase")
    done = cli("import", "archive", "--owner", "other@example.com", str(archived))
    assert done.returncode == 0, done.stderr
    copy = done.stdout.split()[-1]
    assert copy != property_id  # the id was taken here
    refresh_rollups()
    assert everything(admin, copy, other) == everything(admin, property_id, owner["id"])
    assert stats.summary(admin, stats.Query(copy, periods.custom("Asia/Kolkata", date(2026, 10, 31), date(2026, 10, 31)))) \
        ["page_views"] == 9


@pytest.mark.parametrize("replaced, content, message", [
    ("metrics.sessions.csv", "property_id\n", "does not match its manifest"),
    ("manifest.json", '{"format": "something else"}', "not a version 1 Parcours site archive"),
])
def test_a_damaged_or_foreign_archive_is_refused(cli, admin, archived, tmp_path, replaced, content, message):
    users.add(admin, "other@example.com", "another long passphrase")
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(archived) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            target.writestr(item, content if item.filename == replaced else source.read(item))
    done = cli("import", "archive", "--owner", "other@example.com", str(broken))
    assert done.returncode == 1 and message in done.stderr
    assert admin.execute("SELECT count(*) FROM accounts.properties").fetchone()[0] == 1


def test_the_site_settings_offer_the_same_archive(settings, admin, owner, property_id, load_events, serve, tmp_path):
    import re

    import httpx

    from app.main import create_app

    load_events(TRAFFIC)
    with httpx.Client(base_url=serve(create_app(settings))) as browser:
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text).group(1)
        browser.post("/login", data={"email": owner["email"], "password": owner["password"], "csrf_token": token})
        assert f'href="/properties/{property_id}/archive.zip"' in browser.get(f"/properties/{property_id}/settings").text
        response = browser.get(f"/properties/{property_id}/archive.zip")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert f'filename="parcours-{property_id}.zip"' in response.headers["content-disposition"]
    (tmp_path / "download.zip").write_bytes(response.content)
    with zipfile.ZipFile(tmp_path / "download.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["property"] == property_id and manifest["files"]["metrics.events.csv"]["rows"] == len(TRAFFIC)
    assert manifest["schema"] == admin.execute("SELECT max(name) FROM parcours.migrations WHERE name ~ '^[0-9]{4}_'").fetchone()[0]
