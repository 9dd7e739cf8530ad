"""`parcours import logs` end to end: a real-format nginx log, built here, loads through the
worker into exact reports (checked against figures computed by hand), once however often it is
imported, gzipped or not; malformed lines are counted with their numbers; a dry run writes nothing."""


import pytest


FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def entry(address, when, request, status=200, referrer="-", agent=FIREFOX):
    return f'{address} - - [{when}] "{request}" {status} 512 "{referrer}" "{agent}"'


# The site is in Asia/Kolkata (+05:30); every request below falls on its 2 November.
#   Visitor A (Firefox): / from Google at 10:00, /pricing at 10:05: one session; /blog from a
#     newsletter campaign at 11:00 (55 minutes later): a second session.
#   Visitor B (Chrome): /pricing answered 304 at 10:10, logged in -0700: one session.
#   Googlebot: / — a bot, kept out of reports.
#   Not page views: an asset, a POST, a 404, a malformed line, and a last line cut off.
LOG = [
    entry("198.51.100.1", "02/Nov/2026:10:00:00 +0530", "GET / HTTP/1.1", referrer="https://www.google.com/"),
    entry("198.51.100.1", "02/Nov/2026:10:00:01 +0530", "GET /assets/site.css HTTP/1.1", referrer="https://example.com/"),
    entry("198.51.100.1", "02/Nov/2026:10:05:00 +0530", "GET /pricing HTTP/1.1", referrer="https://example.com/"),
    entry("198.51.100.1", "02/Nov/2026:10:06:00 +0530", "POST /signup HTTP/1.1", referrer="https://example.com/pricing"),
    entry("198.51.100.2", "01/Nov/2026:21:40:00 -0700", "GET /pricing HTTP/1.1", status=304, agent=CHROME),
    "this line is not a log line",
    entry("198.51.100.3", "02/Nov/2026:10:20:00 +0530", "GET / HTTP/1.1", agent=GOOGLEBOT),
    entry("198.51.100.1", "02/Nov/2026:11:00:00 +0530", "GET /blog?utm_source=newsletter HTTP/1.1"),
    entry("198.51.100.4", "02/Nov/2026:11:10:00 +0530", "GET /missing HTTP/1.1", status=404),
]
TORN = entry("198.51.100.5", "02/Nov/2026:11:20:00 +0530", "GET / HTTP/1.1")[:50]


@pytest.fixture
def access_log(tmp_path):
    path = tmp_path / "access.log"
    path.write_text("\n".join(LOG) + "\n" + TORN)
    return path


def test_a_log_loads_into_exact_reports_once(cli, property_id, access_log, api, refresh_rollups, imports_again, admin):
    done = cli("import", "logs", "--site", property_id, str(access_log))
    assert done.returncode == 0, done.stderr
    assert "10 lines read, 5 page views (1 by bots)" in done.stdout
    assert "skipped: 1 malformed, 1 not a GET, 1 static asset, 1 status not served, 1 truncated last line" in done.stdout
    assert "unreadable lines: 6" in done.stdout and "imported 5 events" in done.stdout
    refresh_rollups()
    summary = api("summary")
    assert (summary["visitors"], summary["sessions"], summary["page_views"]) == (2, 3, 4)
    assert summary["bounce_rate"] == 66.7  # B's and A's second session saw one page each
    assert {row["value"]: row["page_views"] for row in api("breakdown/page")} == {"/pricing": 2, "/": 1, "/blog": 1}
    assert {row["value"]: row["sessions"] for row in api("breakdown/source")} == {"Google": 1, "newsletter": 1, None: 1}
    assert {row["value"]: row["sessions"] for row in api("breakdown/browser")} == {"Firefox": 2, "Chrome": 1}
    assert api("summary", bots="true")["visitors"] == 3

    imports_again("logs", access_log)
    refresh_rollups()
    assert api("summary") == summary
    assert admin.execute("SELECT count(*) FROM accounts.imports WHERE property_id = %s", (property_id,)).fetchone()[0] == 1


def test_files_in_any_order_load_in_time_order(cli, property_id, tmp_path, api, refresh_rollups):
    # The later file is named first: visitor A's second view must still join the first's session.
    early, late = tmp_path / "access.log.2", tmp_path / "access.log.1"
    early.write_text(entry("198.51.100.1", "02/Nov/2026:10:00:00 +0530", "GET / HTTP/1.1") + "\n")
    late.write_text(entry("198.51.100.1", "02/Nov/2026:10:10:00 +0530", "GET /pricing HTTP/1.1") + "\n")
    done = cli("import", "logs", "--site", property_id, str(late), str(early))
    assert done.returncode == 0, done.stderr
    assert done.stdout.index("access.log.2") < done.stdout.index("access.log.1"), done.stdout
    refresh_rollups()
    summary = api("summary")
    assert (summary["sessions"], summary["page_views"], summary["bounce_rate"]) == (1, 2, 0.0), done.stdout


def test_a_dry_run_counts_and_writes_nothing(cli, property_id, access_log, admin):
    done = cli("import", "logs", "--site", property_id, "--dry-run", str(access_log))
    assert done.returncode == 0, done.stderr
    assert "5 page views" in done.stdout and "dry run: nothing imported" in done.stdout
    assert admin.execute("SELECT count(*) FROM metrics.events").fetchone()[0] == 0


@pytest.mark.parametrize("args, message", [
    (["--site", "nosuchsite1"], "no site 'nosuchsite1'"),
    (["--format", "$remote_addr $status"], "logs no time"),
    (["--status", "ok"], "is not a status"),
])
def test_bad_arguments_get_one_line_and_a_failure(cli, property_id, access_log, args, message):
    site = [] if "--site" in args else ["--site", property_id]
    done = cli("import", "logs", *site, *args, str(access_log))
    assert done.returncode != 0 and message in done.stderr


def test_a_missing_file_is_named(cli, property_id, tmp_path):
    done = cli("import", "logs", "--site", property_id, str(tmp_path / "nope.log"))
    assert done.returncode == 1 and "no such file" in done.stderr and "nope.log" in done.stderr


def test_the_dashboard_says_imported_page_views_have_no_engagement(cli, property_id, access_log, dashboard):
    assert cli("import", "logs", "--site", property_id, str(access_log)).returncode == 0
    assert "(2026-11-02 to 2026-11-02): they have no engagement" in dashboard("2026-11-02", "2026-11-02")
    assert 'id="imported"' not in dashboard("2026-11-03", "2026-11-04")


def test_a_large_file_loads_in_parts_as_one_import(settings, admin, property_id, tmp_path, api, refresh_rollups):
    """Parts bound the worker's memory (it holds a segment's derived ids while loading it); the
    file is still imported once, and sessions span the parts."""
    from worker import access_logs, imports

    log = tmp_path / "big.log"
    log.write_text("".join(entry("198.51.100.1", f"02/Nov/2026:10:{minute:02d}:00 +0530", f"GET /p{minute} HTTP/1.1") + "\n"
                           for minute in range(10)))
    options = access_logs.Options("https://example.com")
    [done] = imports.import_logs(settings, admin, property_id, [log], "combined", options, False, part=3)
    assert (len(done.parts), done.loaded) == (4, 10)
    refresh_rollups()
    summary = api("summary")
    assert (summary["sessions"], summary["page_views"]) == (1, 10)
    [again] = imports.import_logs(settings, admin, property_id, [log], "combined", options, False, part=3)
    assert again.already and api("summary") == summary


def _log(path, *days):
    """A log of one page view at 10:00 in Kolkata on each of `days` of November."""
    path.write_text("".join(entry("198.51.100.9", f"{day:02d}/Nov/2026:10:00:00 +0530", f"GET /d{day} HTTP/1.1") + "\n"
                            for day in days))
    return path


def _views_by_day(admin, property_id) -> dict[int, int]:
    rows = admin.execute("SELECT extract(day FROM time AT TIME ZONE 'Asia/Kolkata')::int, count(*) FROM metrics.events"
                         " WHERE property_id = %s AND name = 'page_view' GROUP BY 1", (property_id,))
    return dict(rows.fetchall())


def test_a_log_does_not_count_again_the_days_the_tracker_collected(cli, admin, property_id, load_events, tmp_path):
    """Log lines load as events, as the tracker's do: on a day the tracker collected, from its
    first day on, a line would count that day's visits twice."""
    load_events([("2026-11-03T04:30", "203.0.113.1", CHROME, {})])  # 3 Nov, 10:00 in Kolkata
    done = cli("import", "logs", "--site", property_id, str(_log(tmp_path / "access.log", 1, 2, 3, 4)))
    assert done.returncode == 0, done.stderr
    assert "skipped: 2 on days the tracker collected" in done.stdout and "imported 2 events" in done.stdout, done.stdout
    assert _views_by_day(admin, property_id) == {1: 1, 2: 1, 3: 1}


def test_days_of_earlier_imports_are_not_taken_for_tracked_ones(cli, admin, property_id, load_events, tmp_path):
    """Imported logs make sessions too; only those outside every import's span are the tracker's."""
    assert "imported 1 events" in cli("import", "logs", "--site", property_id, str(_log(tmp_path / "a.log", 5))).stdout
    assert "imported 1 events" in cli("import", "logs", "--site", property_id, str(_log(tmp_path / "b.log", 2))).stdout
    load_events([("2026-11-08T04:30", "203.0.113.1", CHROME, {})])  # 8 Nov in Kolkata
    done = cli("import", "logs", "--site", property_id, str(_log(tmp_path / "c.log", 3, 6, 8, 9)))
    assert "skipped: 2 on days the tracker collected" in done.stdout and "imported 2 events" in done.stdout, done.stdout
    assert _views_by_day(admin, property_id) == {2: 1, 3: 1, 5: 1, 6: 1, 8: 1}
