"""Erasure on request: after the worker carries it out, every report equals what it was before
the visitor ever came, the archive holds none of their lines, and a log line says what went."""

import gzip
from datetime import date

import pytest

from app.reports import filters, periods, stats
from parcours import spool

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.4 Mobile/15E148 Safari/604.1")
OTHERS = [("2026-11-02T10:00", "198.51.100.1", FIREFOX, {"r": "https://www.google.com/"}),
          ("2026-11-02T10:04", "198.51.100.1", FIREFOX, {"u": "https://example.com/pricing"}),
          ("2026-11-03T08:00", "198.51.100.2", FIREFOX, {"u": "https://example.com/blog?utm_source=news"}),
          ("2026-11-05T23:50", "198.51.100.1", FIREFOX, {"u": "https://example.com/"})]
# The visitor to erase: two sessions on two days, sharing pages, buckets and a source with the others.
THEIRS = [("2026-11-02T10:02", "203.0.113.9", SAFARI, {"r": "https://www.google.com/"}),
          ("2026-11-02T10:06", "203.0.113.9", SAFARI, {"u": "https://example.com/pricing"}),
          ("2026-11-04T12:00", "203.0.113.9", SAFARI, {"u": "https://example.com/blog", "r": "https://news.example/"})]


def reports(conn, property_id):
    """Everything a reader sees of the week, from the rollups and from the raw rows."""
    query = stats.Query(property_id, periods.custom("Asia/Kolkata", date(2026, 11, 1), date(2026, 11, 7)))
    seen = {"summary": stats.summary(conn, query), "raw": stats.summary(conn, query, raw=True),
            "hours": stats.timeseries(conn, query, "hour"), "days": stats.timeseries(conn, query, "day"),
            "visitors": stats.visitors(conn, query)}
    for dimension in filters.DIMENSIONS:
        seen[dimension] = stats.breakdown(conn, query, dimension, 50)
    return seen


def test_an_erased_visitor_leaves_every_report_as_if_they_never_came(cli, admin, property_id, load_events,
                                                                    refresh_rollups, settings, caplog):
    load_events(OTHERS)
    never = reports(admin, property_id)
    load_events(THEIRS)
    seen = reports(admin, property_id)
    assert seen["summary"]["visitors"] == never["summary"]["visitors"] + 1
    [key] = [v["visitor_id"] for v in seen["visitors"] if v["visitor_id"] not in {w["visitor_id"] for w in never["visitors"]}]

    done = cli("visitor", "delete", "--site", property_id, key, "--by", "privacy@example.com")
    assert done.returncode == 0, done.stderr
    assert "erased: 3 events, 2 sessions, 3 page views, 3 archived lines" in done.stdout
    refresh_rollups()
    assert reports(admin, property_id) == never
    archived = b"".join(gzip.decompress(path.read_bytes()) for path in spool.paths(settings.spool_dir)["archive"].glob("*.gz"))
    assert archived.count(b"\n") == len(OTHERS) and b"%d," % stats.visitor_number(key) not in archived
    assert admin.execute("SELECT requested_by, visitor_ids, events FROM metrics.erasures").fetchall() == \
        [("privacy@example.com", [], 3)]
    assert "erasure 1 for privacy@example.com" in done.stderr  # the audit line


def test_a_person_is_found_by_address_and_browser_even_with_daily_ids(cli, admin, property_id, load_events,
                                                                       refresh_rollups):
    admin.execute("UPDATE accounts.properties SET visitor_id_rotation = 'daily' WHERE id = %s", (property_id,))
    load_events(OTHERS)
    never = reports(admin, property_id)
    load_events(THEIRS)
    assert reports(admin, property_id)["summary"]["visitors"] == never["summary"]["visitors"] + 2  # one id a day
    done = cli("visitor", "delete", "--site", property_id, "--ip", "203.0.113.9", "--user-agent", SAFARI)
    assert done.returncode == 0, done.stderr
    refresh_rollups()
    assert reports(admin, property_id) == never


@pytest.mark.parametrize("args, message", [
    ([], "name the visitor by their keys, or by --ip and --user-agent together"),
    (["--ip", "203.0.113.9"], "--ip and --user-agent together"),
    (["nothex"], "a visitor key is 16 hex digits"),
])
def test_a_request_that_names_no_visitor_is_refused(cli, admin, property_id, args, message):
    done = cli("visitor", "delete", "--site", property_id, *args)
    assert done.returncode == 1 and message in done.stderr
    assert admin.execute("SELECT count(*) FROM metrics.erasures").fetchone()[0] == 0
