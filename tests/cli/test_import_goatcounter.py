"""`parcours import goatcounter` end to end: a GoatCounter CSV export (format version 2), built
here, loads through the worker into exact reports (checked against figures computed by hand),
once however often it is imported, gzipped or not; rows that cannot be read are counted with
their line numbers; a dry run writes nothing."""

import csv
import io

import pytest

from worker import goatcounter


def export(rows: list[dict], torn: str = "") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(goatcounter.HEADER)
    for row in rows:
        writer.writerow([row.get(field, "") for field in goatcounter.HEADER] if isinstance(row, dict) else row)
    return out.getvalue() + torn


def hit(path, date, session, **fields):
    return {"2Path": path, "Event": "false", "Session": session, "Bot": "0", "Date": date, "FirstVisit": "false",
            "Browser": "Chrome 120", "System": "Windows 10", "Screen size": "1920,1080,1", "Location": "DE-BE", **fields}


# The site is in Asia/Kolkata (+05:30); every row below falls on its 2 November.
#   Session a (Chrome on Windows, Germany): / from Google at 10:00, /pricing at 10:05, the event
#     "signup" at 10:06: one session; /blog from Hacker News at 11:00 (54 minutes after the
#     event): a second session.
#   Session b (Safari on an iPhone, the US): /pricing from a "newsletter" campaign at 10:10.
#   Left out: a row GoatCounter marked as a bot, a row whose date is not one, a row of too few
#   fields, and a last line cut off mid-row.
ROWS = [
    hit("/", "2026-11-02T04:30:00Z", "a", Title="Home", Referrer="www.google.com/search", **{"Referrer scheme": "h"}),
    hit("/pricing", "2026-11-02T04:35:00Z", "a", Title="Pricing"),
    hit("signup", "2026-11-02T04:36:00Z", "a", Event="true"),
    hit("/blog", "2026-11-02T05:30:00Z", "a", Referrer="Hacker News", **{"Referrer scheme": "g"}),
    hit("/pricing", "2026-11-02T04:40:00Z", "b", Browser="Safari 17.1", System="iOS 17.1", Location="US-TX",
        Referrer="newsletter", **{"Referrer scheme": "c", "Screen size": "390,844,3"}),
    hit("/", "2026-11-02T04:50:00Z", "bot", Bot="7", Browser="", System=""),
    hit("/", "yesterday", "c"),
    ["/", "too", "few"],
]
TORN = '/about,"About us,false,,Chrome 1'


@pytest.fixture
def exported(tmp_path):
    path = tmp_path / "goatcounter-export.csv"
    path.write_text(export(ROWS, TORN))
    return path


def test_an_export_loads_into_exact_reports_once(cli, property_id, exported, api, refresh_rollups, imports_again, admin):
    dry = cli("import", "goatcounter", "--site", property_id, "--dry-run", str(exported))
    assert "5 page views and events" in dry.stdout and "dry run: nothing imported" in dry.stdout, dry.stderr
    assert admin.execute("SELECT count(*) FROM metrics.events").fetchone()[0] == 0

    done = cli("import", "goatcounter", "--site", property_id, str(exported))
    assert done.returncode == 0, done.stderr
    assert "9 rows read, 5 page views and events" in done.stdout, done.stdout
    assert "skipped: 1 bot (as GoatCounter marked it), 2 malformed, 1 truncated last line" in done.stdout, done.stdout
    assert "unreadable lines: 8, 9" in done.stdout and "imported 5 events" in done.stdout
    refresh_rollups()
    summary = api("summary")
    assert (summary["visitors"], summary["sessions"], summary["page_views"]) == (2, 3, 4)
    assert summary["bounce_rate"] == 66.7  # b's session and a's second saw one page each
    assert {row["value"]: row["page_views"] for row in api("breakdown/page")} == {"/pricing": 2, "/": 1, "/blog": 1}
    assert {row["value"]: row["sessions"] for row in api("breakdown/source")} == {"Google": 1, "Hacker News": 1, "newsletter": 1}
    assert {row["value"]: row["sessions"] for row in api("breakdown/browser")} == {"Chrome": 2, "Mobile Safari": 1}
    assert {row["value"]: row["sessions"] for row in api("breakdown/os")} == {"Windows": 2, "iOS": 1}
    assert {row["value"]: row["sessions"] for row in api("breakdown/device")} == {"desktop": 2, "mobile": 1}
    assert {row["value"]: row["sessions"] for row in api("breakdown/country")} == {"DE": 2, "US": 1}
    assert [(row["value"], row["events"], row["visitors"]) for row in api("events")] == [("signup", 1, 1)]

    imports_again("goatcounter", exported)
    refresh_rollups()
    assert api("summary") == summary
    assert admin.execute("SELECT source FROM accounts.imports WHERE property_id = %s", (property_id,)).fetchall() == [("goatcounter",)]


def test_a_visitor_is_a_goatcounter_session_hashed_with_the_server_s_secret(cli, settings, property_id, exported, admin):
    from worker import pipeline

    assert cli("import", "goatcounter", "--site", property_id, str(exported)).returncode == 0
    secret = settings.secret_key.get_secret_value().encode()
    expected = {pipeline.keyed_hash(secret, property_id, "goatcounter", session) for session in ("a", "b")}
    assert {row[0] for row in admin.execute("SELECT DISTINCT visitor_id FROM metrics.events")} == expected


@pytest.mark.parametrize("text, message", [
    ("1Path,Title,Event,Bot,Session,FirstVisit,Referrer,Referrer scheme,Browser,Screen size,Location,Date\n",
     "format version 1"),
    ("time,path,visitors\n2026-11-02,/,3\n", "not a GoatCounter CSV export"),
    ("", "not a GoatCounter CSV export"),
])
def test_a_file_that_is_not_a_version_2_export_is_refused_before_anything_loads(cli, property_id, exported, tmp_path,
                                                                                 admin, text, message):
    other = tmp_path / "other.csv"
    other.write_text(text)
    done = cli("import", "goatcounter", "--site", property_id, str(exported), str(other))
    assert done.returncode == 1 and message in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert admin.execute("SELECT count(*) FROM metrics.events").fetchone()[0] == 0


def test_the_dashboard_says_where_goatcounter_rows_are(cli, property_id, exported, dashboard):
    assert cli("import", "goatcounter", "--site", property_id, str(exported)).returncode == 0
    day = dashboard("2026-11-02", "2026-11-02")
    assert 'id="imported-goatcounter"' in day and "(2026-11-02 to 2026-11-02)" in day
    assert 'id="imported-goatcounter"' not in dashboard("2026-11-03", "2026-11-04")
