"""`parcours import plausible` end to end: a Plausible CE CSV export, built here in its real
file names and columns, merges into the site's reports beside native traffic. Every imported
figure below is added up by hand from the files; the native part is the reports' own with
imports left out (those are checked exactly elsewhere). Days with native data and days imported
before are not taken; the same export twice adds nothing; unreadable rows are counted with
their file and line; a dry run and a deleted import leave no trace."""

import csv
import io
import re
import zipfile
from datetime import date, timedelta

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from app.accounts import api_keys
from app.main import create_app
from app.reports import filters, periods, stats
from parcours import retention
from worker import plausible

HEADERS = {
    "visitors": "date,visitors,pageviews,bounces,visits,visit_duration",
    "sources": "date,source,referrer,utm_source,utm_medium,utm_campaign,utm_content,utm_term,pageviews,visitors,"
               "visits,visit_duration,bounces",
    "pages": "date,hostname,page,visits,visitors,pageviews,scroll_depth,pageleave_visitors",
    "entry_pages": "date,entry_page,visitors,entrances,visit_duration,bounces,pageviews",
    "exit_pages": "date,exit_page,visitors,visit_duration,exits,bounces,pageviews",
    "locations": "date,country,region,city,visitors,visits,visit_duration,bounces,pageviews",
    "devices": "date,device,visitors,visits,visit_duration,bounces,pageviews",
    "browsers": "date,browser,browser_version,visitors,visits,visit_duration,bounces,pageviews",
    "operating_systems": "date,operating_system,operating_system_version,visitors,visits,visit_duration,bounces,pageviews",
    "custom_events": "date,name,link_url,path,visitors,events",
}
# Three imported days (30 Oct to 1 Nov), and 2 Nov, which the site has native data for.
ROWS = {
    "visitors": ["2026-10-30,10,30,4,12,600", "2026-10-31,20,50,5,25,1000", "2026-11-01,5,9,2,6,120",
                 "2026-11-02,7,7,7,7,0"],
    "sources": ["2026-10-30,Google,,,,,,,20,7,8,500,2", "2026-10-30,Direct / None,,,,,,,10,3,4,100,2",
                "2026-10-31,Google,,,,,,,30,10,12,600,2", "2026-10-31,newsletter,,newsletter,email,nov,,,20,10,13,400,3",
                "2026-11-01,Hacker News,news.ycombinator.com/item,,,,,,9,5,6,120,2",
                "2026-11-02,Google,,,,,,,7,7,7,0,7"],
    "pages": ["2026-10-30,example.com,/,10,8,20,,0", "2026-10-30,example.com,/pricing,5,4,10,,0",
              "2026-10-31,example.com,/,20,15,50,,0", "2026-11-01,example.com,/blog,6,5,9,,0",
              "2026-11-02,example.com,/,7,7,7,,0"],
    "entry_pages": ["2026-10-30,/,8,12,600,4,30", "2026-10-31,/,20,25,1000,5,50", "2026-11-01,/blog,5,6,120,2,9"],
    "exit_pages": ["2026-10-30,/pricing,8,600,12,4,30", "2026-10-31,/,20,1000,25,5,50", "2026-11-01,/blog,5,120,6,2,9"],
    "locations": ["2026-10-30,DE,DE-BE,2950159,7,8,400,2,20", "2026-10-30,,,0,3,4,200,2,10",
                  "2026-10-31,DE,,0,20,25,1000,5,50", "2026-11-01,FR,,0,5,6,120,2,9"],
    "devices": ["2026-10-30,Desktop,10,12,600,4,30", "2026-10-31,Mobile,20,25,1000,5,50", "2026-11-01,Laptop,5,6,120,2,9"],
    "browsers": ["2026-10-30,Microsoft Edge,131,10,12,600,4,30", "2026-10-31,Chrome,131,20,25,1000,5,50",
                 "2026-11-01,Firefox,133,5,6,120,2,9"],
    "operating_systems": ["2026-10-30,Mac,14,10,12,600,4,30", "2026-10-31,Windows,11,20,25,1000,5,50",
                          "2026-11-01,GNU/Linux,,5,6,120,2,9"],
    "custom_events": ["2026-10-30,Signup,,/,3,3"],
}
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def export(path, rows=ROWS, headers=HEADERS):
    with zipfile.ZipFile(path, "w") as archive:
        for table, lines in rows.items():
            text = "\n".join([headers[table], *lines]) + "\n"
            archive.writestr(f"imported_{table}_20261030_20261102.csv", text.encode("utf-8", "surrogateescape"))
    return path


@pytest.fixture
def native(load_events):
    """2 Nov in Kolkata: a Chrome visitor from Google sees / (scrolling 80 %) then /pricing; a
    Firefox visitor comes straight to /."""
    load_events([
        ("2026-11-02T05:00", "198.51.100.1", CHROME, {"r": "https://www.google.com/"}),
        ("2026-11-02T05:01", "198.51.100.1", CHROME, {"n": "page_exit", "s": 80, "e": 30000}),
        ("2026-11-02T05:02", "198.51.100.1", CHROME, {"u": "https://example.com/pricing"}),
        ("2026-11-02T06:00", "198.51.100.2", FIREFOX, {}),
    ])


def query(property_id, first="2026-10-30", last="2026-11-02", **more):
    return stats.Query(property_id, periods.custom("Asia/Kolkata", first=date.fromisoformat(first),
                                                    last=date.fromisoformat(last)), **more)


def by_value(rows, metric="sessions"):
    return {row["value"]: row[metric] for row in rows}


def added(combined: dict, native: dict) -> dict:
    return {key: combined.get(key, 0) - native.get(key, 0) for key in combined.keys() | native.keys()
            if combined.get(key, 0) - native.get(key, 0)}


@pytest.mark.parametrize("dimension, imported", [
    ("source", {"Google": 20, None: 4, "newsletter": 13, "Hacker News": 6}),
    ("channel", {"Organic Search": 20, "Direct": 4, "Email": 13, "Organic Social": 6}),
    ("referrer", {None: 37, "news.ycombinator.com": 6}),
    ("utm_campaign", {None: 30, "nov": 13}),
    ("country", {"DE": 33, None: 4, "FR": 6}),
    ("device", {"desktop": 18, "mobile": 25}),
    ("browser", {"Edge": 12, "Chrome": 25, "Firefox": 6}),
    ("os", {"Mac OS X": 12, "Windows": 25, "Linux": 6}),
    ("entry_page", {"/": 37, "/blog": 6}),
    ("exit_page", {"/pricing": 12, "/": 25, "/blog": 6}),
])
def test_imported_sessions_add_to_every_session_breakdown(cli, admin, property_id, native, tmp_path, dimension, imported):
    assert cli("import", "plausible", "--site", property_id, str(export(tmp_path / "export.zip"))).returncode == 0
    own = stats.breakdown(admin, query(property_id, imported=False), dimension, limit=50)
    both = stats.breakdown(admin, query(property_id), dimension, limit=50)
    assert added(by_value(both), by_value(own)) == imported


def test_an_export_merges_into_the_reports_once(cli, admin, property_id, native, tmp_path):
    path = export(tmp_path / "export.zip")
    own = stats.summary(admin, query(property_id, imported=False))
    assert (own["visitors"], own["page_views"]) == (2, 3)

    done = cli("import", "plausible", "--site", property_id, str(path))
    assert done.returncode == 0, done.stderr
    assert "3 days, 89 page views from 2026-10-30 to 2026-11-01" in done.stdout
    assert "1 days with native data" in done.stdout and "imported_custom_events_20261030_20261102.csv" in done.stdout

    both = stats.summary(admin, query(property_id))
    sessions = own["sessions"] + 43
    assert (both["visitors"], both["sessions"], both["page_views"]) == (own["visitors"] + 35, sessions, 92)
    assert both["bounce_rate"] == round(100 * (own["bounce_rate"] * own["sessions"] / 100 + 11) / sessions, 1)
    assert both["session_duration"] == round((own["session_duration"] * own["sessions"] + 1720) / sessions)

    days = {row["starts"][:10]: row for row in stats.timeseries(admin, query(property_id), "day")}
    assert [(days[d]["visitors"], days[d]["sessions"], days[d]["page_views"]) for d in ("2026-10-30", "2026-10-31", "2026-11-01")] \
        == [(10, 12, 30), (20, 25, 50), (5, 6, 9)]
    assert days["2026-11-02"]["page_views"] == 3
    months = stats.timeseries(admin, query(property_id, "2026-10-01", "2026-11-30"), "month")
    assert [(m["starts"][:7], m["visitors"], m["sessions"]) for m in months] \
        == [("2026-10", 30, 37), ("2026-11", 5 + own["visitors"], 6 + own["sessions"])]

    pages = {row["value"]: row for row in stats.breakdown(admin, query(property_id), "page")}
    assert {page: row["page_views"] for page, row in pages.items()} == {"/": 72, "/pricing": 11, "/blog": 9}
    assert pages["/"]["scroll_depth"] == stats.breakdown(admin, query(property_id, imported=False), "page")[0]["scroll_depth"]
    assert pages["/blog"]["scroll_depth"] is None  # imported views alone: no scroll to average

    assert len(stats.visitors(admin, query(property_id))) == 2  # per-visitor reports are native
    google = query(property_id, filters=filters.parse(["source==Google"]))
    assert stats.summary(admin, google)["sessions"] == 1  # a filtered report reads native events

    again = cli("import", "plausible", "--site", property_id, str(path))
    assert again.returncode == 0 and "imported into the site before; nothing added" in again.stdout
    assert stats.summary(admin, query(property_id)) == both


def test_days_imported_before_are_not_taken_again(cli, admin, property_id, tmp_path):
    assert cli("import", "plausible", "--site", property_id, str(export(tmp_path / "a.zip"))).returncode == 0
    first = stats.summary(admin, query(property_id))
    assert first["page_views"] == 96  # no native data: 2 Nov is imported too
    wider = {**ROWS, "visitors": ROWS["visitors"] + ["2026-11-03,1,2,0,1,30"]}
    done = cli("import", "plausible", "--site", property_id, str(export(tmp_path / "b.zip", wider)))
    assert "1 days, 2 page views" in done.stdout and "4 days imported before" in done.stdout
    assert stats.summary(admin, query(property_id, last="2026-11-03"))["page_views"] == 98


def test_unreadable_rows_are_counted_with_their_line(cli, admin, property_id, tmp_path):
    broken = {**ROWS, "visitors": [ROWS["visitors"][0], "2026-10-31,many,50,5,25,1000", "2026-11-01,5,9,9,6,120",
                                   "not a date,1,1,0,1,0", "2026-11-02,7", "2026-11-03,1,²,0,1,0"]}
    done = cli("import", "plausible", "--site", property_id, str(export(tmp_path / "export.zip", broken)))
    assert done.returncode == 0, done.stderr
    assert "1 days, 30 page views" in done.stdout
    for line, reason in ((3, "visitors is not a count: 'many'"), (4, "more bounces than visits"),
                         (5, "date is not YYYY-MM-DD: 'not a date'"), (6, "not as many fields as the header"),
                         (7, "pageviews is not a count: '²'")):
        assert f"imported_visitors_20261030_20261102.csv:{line}: {reason}" in done.stdout
    assert stats.summary(admin, query(property_id))["page_views"] == 30


@pytest.mark.parametrize("rows, headers, message", [
    ({"sources": ROWS["sources"]}, HEADERS, "no imported_visitors_*.csv"),
    (ROWS, {**HEADERS, "devices": "date,device,visitors"}, "lacks the columns visits, visit_duration, bounces, pageviews"),
    ({**ROWS, "pages": [*ROWS["pages"], "2026-10-31,example.com,/caf\udce9,1,1,1,,0"]}, HEADERS,
     "imported_pages_20261030_20261102.csv is not UTF-8 text"),
])
def test_what_is_not_an_export_is_refused(cli, admin, property_id, tmp_path, rows, headers, message):
    done = cli("import", "plausible", "--site", property_id, str(export(tmp_path / "export.zip", rows, headers)))
    assert done.returncode == 1 and message in done.stderr
    assert admin.execute("SELECT count(*) FROM metrics.imported_days").fetchone()[0] == 0


def test_a_damaged_zip_is_refused(cli, admin, property_id, tmp_path):
    path = export(tmp_path / "export.zip")
    data = bytearray(path.read_bytes())
    start = data.index(b"2026-10-30,10")  # inside the first member, stored uncompressed
    data[start:start + 4] = b"1999"
    path.write_bytes(bytes(data))
    done = cli("import", "plausible", "--site", property_id, str(path))
    assert done.returncode == 1 and "the export is not a readable zip: Bad CRC-32" in done.stderr
    assert admin.execute("SELECT count(*) FROM accounts.imports").fetchone()[0] == 0


def test_a_dry_run_and_a_deleted_import_leave_nothing(cli, admin, property_id, tmp_path):
    path = export(tmp_path / "export.zip")
    dry = cli("import", "plausible", "--site", property_id, "--dry-run", str(path))
    assert "4 days, 96 page views" in dry.stdout and "dry run: nothing imported" in dry.stdout
    assert stats.summary(admin, query(property_id))["page_views"] == 0
    assert cli("import", "plausible", "--site", property_id, str(path)).returncode == 0
    listed = cli("import", "list", "--site", property_id).stdout
    import_id = listed.split("\t")[0]
    assert "plausible\timported_visitors_20261030_20261102.csv\t2026-10-29 18:30 to 2026-11-02 18:29 UTC" in listed
    assert cli("import", "delete", "--site", property_id, import_id).returncode == 0
    assert stats.summary(admin, query(property_id))["page_views"] == 0
    for table in ("imported_days", "imported_sessions", "imported_pages"):
        assert admin.execute(f"SELECT count(*) FROM metrics.{table}").fetchone()[0] == 0
    gone = cli("import", "delete", "--site", property_id, import_id)
    assert gone.returncode == 1 and f"no Plausible import {import_id}" in gone.stderr


@pytest.mark.parametrize("source, referrer, medium, expected", [
    ("Facebook", "m.facebook.com/", "cpc", {"channel": "Paid Social", "source": "Facebook", "referrer": "m.facebook.com"}),
    ("Hacker News", "https://news.ycombinator.com/item?id=1", "", {"channel": "Organic Social", "referrer": "news.ycombinator.com"}),
    ("Direct / None", "", "", {"channel": "Direct", "source": None, "referrer": None}),
    ("someblog.example", "someblog.example/post", "", {"channel": "Referral", "source": None, "referrer": "someblog.example"}),
])
def test_channels_and_sources_come_from_our_rules(source, referrer, medium, expected):
    row = {"source": source, "referrer": referrer, "utm_source": "", "utm_medium": medium,
           "utm_campaign": "", "utm_content": "", "utm_term": ""}
    values = dict(plausible.session_values("sources", row))
    assert {key: values[key] for key in expected} == expected


def test_the_dashboard_and_the_api_mark_imported_days(cli, settings, admin, owner, property_id, tmp_path, serve):
    assert cli("import", "plausible", "--site", property_id, str(export(tmp_path / "export.zip"))).returncode == 0
    key = api_keys.create(admin, owner["id"], "check")
    with httpx.Client(base_url=serve(create_app(settings))) as browser:
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text).group(1)
        browser.post("/login", data={"email": owner["email"], "password": owner["password"], "csrf_token": token})
        page = f"/properties/{property_id}?period=custom&from=2026-10-01&to=2026-10-31"
        assert "imported from Plausible\n  (2026-10-30 to 2026-11-02)." in browser.get(page).text
        assert "which filtered reports leave out" in browser.get(page + "&filter=country==DE").text
        assert 'id="imported-plausible"' not in browser.get(f"/properties/{property_id}?period=custom&from=2026-11-03&to=2026-11-04").text
        api = f"/api/v1/properties/{property_id}/summary?period=custom&from=2026-10-30&to=2026-10-31"
        headers = {"Authorization": f"Bearer {key}"}
        assert browser.get(api, headers=headers).json()["results"]["page_views"] == 80
        native = browser.get(api + "&imported=false", headers=headers).json()
        assert (native["imported"], native["results"]["page_views"]) == (False, 0)


@pytest.mark.wall_clock  # retention compares with the database's clock
def test_a_site_keeping_less_loses_its_older_imported_days(admin, property_id, now, tmp_path):
    old, recent = (now - timedelta(days=40)).date(), (now - timedelta(days=20)).date()
    rows = {"visitors": [f"{old},1,2,0,1,10", f"{recent},3,4,0,3,10"],
            "pages": [f"{old},example.com,/,1,1,2,,0", f"{recent},example.com,/,3,3,4,,0"]}
    imported = plausible.load(admin, property_id, "UTC", plausible.open_export([export(tmp_path / "e.zip", rows)]))
    assert imported.page_views == 6
    admin.execute("UPDATE accounts.properties SET retention_days = 30 WHERE id = %s", (property_id,))
    assert retention.expire_properties(admin) == [f"property {property_id}: deleted 2 rows older than 30 days"]
    assert admin.execute("SELECT array_agg(day) FROM metrics.imported_days").fetchone()[0] == [recent]
    assert admin.execute("SELECT array_agg(day) FROM metrics.imported_pages").fetchone()[0] == [recent]


# Text with CSV's and PostgreSQL's troublemakers, or any characters.
TEXT = st.text(st.sampled_from('\x00\r\n,"é/ a²1'), min_size=1, max_size=6) \
    | st.text(st.characters(blacklist_categories=("Cs",)), max_size=20) | st.sampled_from(["", "(not set)", "Direct / None"])
COUNT = st.integers(0, 10**6).map(str) | TEXT
DAY = st.sampled_from(["2020-01-01", "2020-01-02"]) | TEXT
# Most rows of a day's totals are sound, so that the other files' rows meet a day to belong to.
SOUND_DAY = st.tuples(st.sampled_from(["2020-01-01", "2020-01-02"]), st.integers(1, 9), st.integers(1, 9),
                      st.just(0), st.integers(1, 9), st.integers(0, 99)).map(lambda row: tuple(map(str, row)))


@hypothesis_settings(max_examples=150, derandomize=True, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days=st.lists(SOUND_DAY | st.tuples(DAY, COUNT, COUNT, COUNT, COUNT, COUNT), max_size=6),
       pages=st.lists(st.tuples(DAY, TEXT, COUNT), max_size=6),
       sources=st.lists(st.tuples(DAY, TEXT, TEXT, TEXT, TEXT, COUNT), max_size=6))
def test_whatever_an_export_holds_each_row_is_stored_or_counted(admin, owner, tmp_path_factory, days, pages, sources):
    """The parser and the tables share one contract: a row it accepts is one PostgreSQL stores,
    so no value can fail the import; every other row is counted as malformed."""
    from app.accounts import properties

    site = properties.add(admin, owner["id"], "Fuzz", [], "UTC")
    rows = {"visitors": [_csv(row) for row in days],
            "pages": [_csv((d, "example.com", page, "1", "1", views, "", "0")) for d, page, views in pages],
            "sources": [_csv((d, source, referrer, tag, medium, "", "", "", views, "1", "1", "0", "0"))
                        for d, source, referrer, tag, medium, views in sources]}
    tally = plausible.load(admin, site, "UTC", plausible.open_export([export(tmp_path_factory.mktemp("e") / "e.zip", rows)]))
    stored = admin.execute("SELECT coalesce(sum(page_views), 0) FROM metrics.imported_days WHERE property_id = %s", (site,)).fetchone()[0]
    assert stored == tally.page_views
    if tally.page_views:  # else nothing to import: the other files are not read
        assert sum(tally.rows.values()) + sum(tally.skipped.values()) == len(days) + len(pages) + len(sources)


def _csv(values) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(values)  # its line end, \r\n, makes it quote a field holding either
    return out.getvalue().removesuffix("\r\n")


def test_conversion_rates_divide_by_native_visitors(cli, admin, owner, property_id, native, load_events, tmp_path):
    """Goals and events count native events only, so their rates leave imported visitors out."""
    from app.reports import events, goals

    load_events([("2026-11-02T05:03", "198.51.100.1", CHROME, {"n": "signup"})])
    goals.add(admin, owner["id"], property_id, "Pricing", goals.step(page="/pricing"))
    defined = goals.defined(admin, owner["id"], property_id)
    before = goals.report(admin, query(property_id), defined)
    assert cli("import", "plausible", "--site", property_id, str(export(tmp_path / "export.zip"))).returncode == 0
    assert stats.summary(admin, query(property_id))["visitors"] == 37  # imported ones included
    [pricing] = goals.report(admin, query(property_id), defined)
    assert (pricing["visitors"], pricing["conversion_rate"]) == (1, 50.0) == (before[0]["visitors"], before[0]["conversion_rate"])
    [signup] = events.report(admin, query(property_id), "event")
    assert (signup["value"], signup["visitors"], signup["conversion_rate"]) == ("signup", 1, 50.0)


def test_a_log_does_not_count_days_imported_from_plausible_again(cli, admin, property_id, refresh_rollups, tmp_path):
    assert cli("import", "plausible", "--site", property_id, str(export(tmp_path / "export.zip"))).returncode == 0
    log = tmp_path / "access.log"  # 2 Nov (imported) and 3 Nov in Kolkata
    log.write_text("".join(f'198.51.100.1 - - [{when} +0530] "GET / HTTP/1.1" 200 512 "-" "{FIREFOX}"\n'
                           for when in ("02/Nov/2026:10:00:00", "03/Nov/2026:10:00:00")))
    done = cli("import", "logs", "--site", property_id, str(log))
    assert "1 on days imported from Plausible" in done.stdout and "imported 1 events" in done.stdout, done.stdout
    refresh_rollups()
    days = {row["starts"][:10]: row["page_views"] for row in stats.timeseries(admin, query(property_id, last="2026-11-03"), "day")}
    assert (days["2026-11-02"], days["2026-11-03"]) == (7, 1)  # Plausible's own figure, and the log's


def test_an_export_of_days_the_site_has_imports_nothing(cli, admin, property_id, native, tmp_path):
    later = {"visitors": [ROWS["visitors"][-1]], "pages": [ROWS["pages"][-1]]}
    done = cli("import", "plausible", "--site", property_id, str(export(tmp_path / "export.zip", later)))
    assert done.returncode == 0 and "nothing to import" in done.stdout and "1 days with native data" in done.stdout
    assert admin.execute("SELECT count(*) FROM accounts.imports").fetchone()[0] == 0
