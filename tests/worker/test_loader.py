"""Exactly-once loading and the rollups it keeps current, on a real database and spool."""

import gzip
import json
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import psycopg
import pytest

from app.reports import periods, stats
from cli import doctor
from parcours import engines, queries, retention, rollups, spool
from worker import loader, run


def stage(settings, property_id, instants, name="page_view", **extra):
    writer = spool.SpoolWriter(settings.spool_dir, 3600, 1 << 20)
    for when in instants:
        event = {"p": property_id, "n": name, "u": "https://example.com/", **extra}
        writer.append(spool.record(spool.nanoseconds(when), "198.51.100.7", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", event),
                      spool.nanoseconds(when))
    writer.close()


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def count(admin, table="metrics.events"):
    return admin.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_segment_loads_once_even_if_the_worker_dies_before_archiving(settings, admin, property_id, monkeypatch):
    stage(settings, property_id, [utc("2026-11-01T10:00:00")] * 3)
    monkeypatch.setattr(spool, "archive", lambda *args: (_ for _ in ()).throw(SystemExit("crash")))
    with pytest.raises(SystemExit):
        run.once(settings)
    assert count(admin) == 3 and len(spool.sealed_segments(settings.spool_dir)) == 1
    monkeypatch.undo()
    assert run.once(settings).events == 0
    assert count(admin) == 3 and spool.sealed_segments(settings.spool_dir) == []


def test_a_failed_load_leaves_the_segment_to_load_again(settings, admin, property_id, monkeypatch):
    stage(settings, property_id, [utc("2026-11-01T10:00:00")] * 2)
    monkeypatch.setattr(loader, "copy_rows", lambda conn, query, rows: (_ for _ in ()).throw(RuntimeError("crash mid-COPY")))
    with pytest.raises(RuntimeError):
        run.once(settings)
    monkeypatch.undo()
    assert count(admin) == 0
    assert run.once(settings).events == 2 and count(admin) == 2


def test_unparseable_lines_go_to_quarantine_with_their_reason(settings, admin, property_id):
    stage(settings, property_id, [utc("2026-11-01T10:00:00")])
    [segment] = spool.sealed_segments(settings.spool_dir)
    with open(segment, "ab") as handle:
        handle.write(b'garbage\n{"v": 1, "received_at": "2026-11-01T10:00:01Z"}\n{"v": 1, "received_at": "2026-11-01T10')
    summary = run.once(settings)
    assert (summary.events, summary.quarantined) == (1, 2)  # the torn last line was never acknowledged
    [quarantined] = (settings.spool_dir / "quarantine").glob("*.jsonl")
    garbage, incomplete = map(json.loads, quarantined.read_text().splitlines())
    assert garbage["record"] == "garbage" and garbage["reason"].startswith("not JSON") and garbage["line"] == 2
    assert incomplete["reason"] == "missing fields: ip, user_agent, event" and incomplete["line"] == 3
    assert spool.depth(settings.spool_dir)["quarantined"] == 2
    assert ("quarantine", f"2 lines in 1 files under {settings.spool_dir / 'quarantine'}") in doctor.report(settings)


def test_every_field_reaches_its_typed_column(settings, admin, property_id):
    meta = {"type": "post", "author": "Ada", "categories": ["Travel"], "tags": ["rail", "night"]}
    stage(settings, property_id, [utc("2026-11-01T10:00:00")], name="signup", d={"plan": "pro", "seats": 3},
          m=meta, t="Tickets", l="fr-CA", w=390, s=75, e=1200)
    run.once(settings)
    row = admin.execute("SELECT props, page_type, author, categories, tags, title, language, screen_width,"
                        " scroll_depth, engaged_ms FROM metrics.events").fetchone()
    assert row == ({"plan": "pro", "seats": 3}, "post", "Ada", ["Travel"], ["rail", "night"], "Tickets", "fr-CA",
                   390, 75, 1200)


def daily(admin, property_id, tz, first, last):
    period = periods.custom(tz, first=first, last=last)
    series = stats.timeseries(admin, stats.Query(property_id, period), "day")
    return {date.fromisoformat(row["starts"][:10]): row["page_views"] for row in series}


@pytest.mark.parametrize("tz, instants, first, expected", [
    # +05:30: 18:29 UTC is 23:59 local, 18:31 UTC is 00:01 the next local day.
    ("Asia/Kolkata", ["2026-11-01T18:29:00", "2026-11-01T18:31:00", "2026-11-01T18:44:59"],
     date(2026, 11, 1), {date(2026, 11, 1): 1, date(2026, 11, 2): 2}),
    # +05:45
    ("Asia/Kathmandu", ["2026-11-01T18:14:59", "2026-11-01T18:15:00"],
     date(2026, 11, 1), {date(2026, 11, 1): 1, date(2026, 11, 2): 1}),
    # Paris springs forward on 29 March 2026: a 23-hour local day, 28 Mar 23:00 UTC to 29 Mar 22:00 UTC.
    ("Europe/Paris", ["2026-03-28T22:59:59", "2026-03-28T23:00:00", "2026-03-29T21:59:59", "2026-03-29T22:00:00"],
     date(2026, 3, 28), {date(2026, 3, 28): 1, date(2026, 3, 29): 2, date(2026, 3, 30): 1}),
    # ...and falls back on 25 October 2026: a 25-hour day, 24 Oct 22:00 UTC to 25 Oct 23:00 UTC.
    ("Europe/Paris", ["2026-10-24T21:59:59", "2026-10-24T22:00:00", "2026-10-25T22:59:59", "2026-10-25T23:00:00"],
     date(2026, 10, 24), {date(2026, 10, 24): 1, date(2026, 10, 25): 2, date(2026, 10, 26): 1}),
])
def test_local_days_are_exact(settings, admin, property_id, refresh_rollups, tz, instants, first, expected):
    # Raw events kept ten years: March's DST days lie past the default 180, where the continuous
    # engine's refresh never reaches (their raw rows are as good as dropped).
    retention.apply(admin, engines.of(admin), 3650, 3650)
    stage(settings, property_id, [utc(t) for t in instants])
    run.once(settings)
    refresh_rollups()
    last = max(expected)
    assert daily(admin, property_id, tz, first, last) == expected


def test_day_rollups_catch_up_after_a_drain_that_died_before_refreshing_them(settings, admin, property_id, monkeypatch):
    if engines.of(admin).name != "table":
        pytest.skip("the continuous engine refreshes by its job, not the worker")
    stage(settings, property_id, [utc("2026-11-01T10:00:00"), utc("2026-11-02T23:50:00")])
    monkeypatch.setattr(rollups, "refresh_stale", lambda conn: (_ for _ in ()).throw(SystemExit("crash")))
    with pytest.raises(SystemExit):
        run.once(settings)
    by_day = """SELECT time_bucket('1 day', bucket), sum(sessions)::int FROM metrics.sessions_15m GROUP BY 1 ORDER BY 1"""
    assert admin.execute(by_day).fetchall() != []
    assert admin.execute("SELECT count(*) FROM metrics.sessions_1d").fetchone()[0] == 0
    monkeypatch.undo()
    assert run.once(settings).events == 0
    assert admin.execute("SELECT bucket, sessions::int FROM metrics.sessions_1d ORDER BY 1").fetchall() == \
        admin.execute(by_day).fetchall()
    assert admin.execute("SELECT count(*) FROM parcours.stale_rollups").fetchone()[0] == 0


@pytest.mark.wall_clock  # the continuous engine's refresh window follows the database's clock
def test_events_older_than_every_refresh_window_reach_the_reports_once_loaded(settings, admin, property_id,
                                                                                refresh_rollups, now):
    """A worker back after days away, or `parcours replay`, loads events into buckets refreshed
    long ago, before the window every refresh covers: the range the worker records takes the
    continuous engine's refresh back to them. The table engine refreshes them as it loads."""
    old = now - timedelta(days=40)  # before every window, the weeks' 21 days too
    stage(settings, property_id, [now - timedelta(hours=1)])
    run.once(settings)
    refresh_rollups()
    stage(settings, property_id, [old, old + timedelta(minutes=1)], u="https://example.com/old")
    run.once(settings)
    refresh_rollups()
    assert count(admin, "parcours.stale_rollups") == 0
    tz = admin.execute("SELECT time_zone FROM accounts.properties WHERE id = %s", [property_id]).fetchone()[0]
    zone = ZoneInfo(tz)  # days are the property's: in UTC, `now` may be on another
    q = stats.Query(property_id, periods.custom(tz, first=old.astimezone(zone).date() - timedelta(days=14),
                                                last=now.astimezone(zone).date()))
    assert stats.summary(admin, q) == stats.summary(admin, q, raw=True)
    assert stats.summary(admin, q)["page_views"] == 3
    assert sum(row["page_views"] for row in stats.timeseries(admin, q, "day")) == 3
    assert [(row["value"], row["page_views"]) for row in stats.breakdown(admin, q, "page")] == [("/old", 2), ("/", 1)]


@pytest.mark.wall_clock  # "the bucket still filling" is the database clock's
def test_views_in_the_bucket_still_filling_count_after_one_refresh(settings, admin, property_id, refresh_rollups, now):
    """Each refresh materializes the current 15-minute bucket, day and week, and the next one
    recomputes them with the rows added since: reports need no real-time aggregation."""
    tz = admin.execute("SELECT time_zone FROM accounts.properties WHERE id = %s", [property_id]).fetchone()[0]
    q = stats.Query(property_id, periods.resolve("30d", tz, now=now))
    for views in (1, 2):
        stage(settings, property_id, [now + timedelta(seconds=views)])  # the same instant twice is one event
        run.once(settings)
        refresh_rollups()
        assert stats.summary(admin, q)["page_views"] == views
        assert sum(row["page_views"] for row in stats.timeseries(admin, q, "week")) == views
        assert stats.summary(admin, q) == stats.summary(admin, q, raw=True)


def test_rollup_equals_its_definition_after_many_loads(settings, admin, property_id, refresh_rollups):
    for hour in range(6):
        stage(settings, property_id, [utc(f"2026-11-0{1 + hour % 3}T{hour:02d}:{m:02d}:00") for m in (1, 16, 44)])
        run.once(settings)
        refresh_rollups()
    stage(settings, property_id, [utc("2026-11-01T00:05:00")], name="signup")
    run.once(settings)
    refresh_rollups()
    rollup = admin.execute("SELECT property_id, bucket, is_bot, page_views FROM metrics.pageviews_15m ORDER BY 1, 2, 3").fetchall()
    raw = admin.execute("""SELECT property_id, time_bucket('15 minutes', time) b, is_bot, count(*) FROM metrics.events
                           WHERE name = 'page_view' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""").fetchall()
    assert rollup == raw and sum(r[3] for r in rollup) == 18


@pytest.mark.parametrize("rotation, visitors", [("never", 1), ("daily", 2)])
def test_the_property_s_visitor_id_rotation_applies(settings, admin, property_id, rotation, visitors):
    admin.execute("UPDATE accounts.properties SET visitor_id_rotation = %s WHERE id = %s", [rotation, property_id])
    # The same address and browser before and after midnight in Kolkata (18:30 UTC).
    stage(settings, property_id, [utc("2026-11-01T18:00:00"), utc("2026-11-01T19:00:00")])
    run.once(settings)
    assert count(admin, "(SELECT DISTINCT visitor_id FROM metrics.events) v") == visitors


def test_replay_of_the_archive_rebuilds_the_same_rows_and_adds_nothing_twice(settings, admin, property_id):
    stage(settings, property_id, [utc("2026-11-01T10:00:00"), utc("2026-11-01T10:05:00")])
    stage(settings, property_id, [utc("2026-11-01T12:00:00")])
    run.once(settings)
    snapshot = "SELECT time, visitor_id, session_id, page_view_id FROM metrics.events ORDER BY time"
    before = admin.execute(snapshot).fetchall()
    archived = sorted((settings.spool_dir / "archive").glob("*.jsonl.gz"))
    assert len(archived) == 2

    admin.execute("TRUNCATE metrics.events, metrics.sessions, metrics.page_views, parcours.loaded_segments")
    assert run.replay(settings, archived).events == 3
    assert admin.execute(snapshot).fetchall() == before
    assert count(admin, "metrics.sessions") == 2
    assert run.replay(settings, archived).events == 0 and count(admin) == 3
    assert archived == sorted((settings.spool_dir / "archive").glob("*.jsonl.gz"))  # left in place


def test_time_zones_are_mirrored_for_reports(settings, admin, property_id):
    run.once(settings)
    zone = "SELECT time_zone FROM metrics.properties WHERE property_id = %s"
    assert admin.execute(zone, [property_id]).fetchone() == ("Asia/Kolkata",)
    admin.execute("UPDATE accounts.properties SET time_zone = 'Asia/Kathmandu' WHERE id = %s", [property_id])
    run.once(settings)
    assert admin.execute(zone, [property_id]).fetchone() == ("Asia/Kathmandu",)
    admin.execute("DELETE FROM accounts.properties WHERE id = %s", [property_id])
    run.once(settings)
    assert admin.execute(zone, [property_id]).fetchone() is None


def test_the_archive_keeps_no_address_and_replays_to_the_same_visitors_and_places(settings, admin, property_id, mmdb):
    located = settings.model_copy(update={"geoip_database": mmdb()})
    writer = spool.SpoolWriter(settings.spool_dir, 3600, 1 << 20)
    event = {"p": property_id, "n": "page_view", "u": "https://example.com/"}
    writer.append(spool.record(spool.nanoseconds(utc("2026-11-01T10:00:00")), "203.0.113.9", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", event))
    writer.append(b"not a record from 203.0.113.9")
    writer.close()
    run.once(located)
    snapshot = "SELECT visitor_id, session_id, country, city FROM metrics.events"
    before = admin.execute(snapshot).fetchall()
    [archived] = (settings.spool_dir / "archive").glob("*.gz")
    text = gzip.decompress(archived.read_bytes()).decode()
    assert "203.0.113.9" not in text.splitlines()[0] and '"place":["NP","Bagmati","Kathmandu"]' in text
    admin.execute("TRUNCATE metrics.events, metrics.sessions, metrics.page_views, parcours.loaded_segments")
    assert run.replay(settings, [archived]).events == 1  # no GeoIP database now: the archive has it
    assert admin.execute(snapshot).fetchall() == before == [(before[0][0], before[0][1], "NP", "Kathmandu")]


def test_a_segment_loads_in_batches_and_resumes_after_the_last_committed_one(settings, admin, property_id):
    stage(settings, property_id, [utc(f"2026-11-01T10:{m:02d}:00") for m in range(10)])
    batched = settings.model_copy(update={"worker_batch_lines": 3})
    [segment] = spool.sealed_segments(settings.spool_dir)
    # As if a crash had come after the first two batches committed: lines 1-6 loaded.
    lines = list(spool.read_lines(segment))
    with psycopg.connect(settings.role_conninfo("worker"), autocommit=True) as conn:
        with conn.transaction():
            loader.store(conn, loader.prepare(lines[:6], loader.context(conn, settings.require_secret().encode())).events, engines.of(conn))
            conn.execute(queries.load("worker")["record_progress"],
                         {"name": segment.name, "events": 6, "lines": 6, "complete": False})
    assert run.once(batched).events == 4
    assert count(admin) == 10 and len(set(admin.execute("SELECT time FROM metrics.events").fetchall())) == 10
    assert admin.execute("SELECT events, lines, complete FROM parcours.loaded_segments").fetchall() == [(10, 10, True)]


def _quarantined(settings):
    files = sorted((settings.spool_dir / "quarantine").glob("*.jsonl"))
    assert all(path.stat().st_mode & 0o777 == 0o600 for path in files)
    return [json.loads(line) for path in files for line in path.read_text().splitlines()]


@pytest.mark.parametrize("batch_lines", [1, 4, 1000])
def test_a_row_the_database_refuses_is_quarantined_and_the_rest_load(settings, admin, property_id, batch_lines):
    # A constraint of this test's own database stands for whatever PostgreSQL may refuse that
    # the record contract did not foresee: the worker must set the row aside, never stop.
    admin.execute("ALTER TABLE metrics.events ADD CONSTRAINT poison CHECK (title IS DISTINCT FROM 'poison')")
    titles = ["a", "b", "poison", "c", "d", "e", "poison"]
    for minute, title in enumerate(titles):
        stage(settings, property_id, [utc(f"2026-11-01T10:{minute:02d}:00")], t=title)
    summary = run.once(settings.model_copy(update={"worker_batch_lines": batch_lines}))
    assert (summary.events, summary.quarantined) == (5, 2)
    assert sorted(r[0] for r in admin.execute("SELECT title FROM metrics.events")) == ["a", "b", "c", "d", "e"]
    assert count(admin, "metrics.page_views") == 5 and count(admin, "metrics.sessions") == 1
    refused = _quarantined(settings)
    assert [json.loads(r["record"])["event"]["t"] for r in refused] == ["poison", "poison"]
    assert all(r["reason"].startswith("refused by the database: CheckViolation") for r in refused)
    assert all("198.51.100.7" not in r["record"] and "visitor_id" in json.loads(r["record"]) for r in refused)
    assert spool.sealed_segments(settings.spool_dir) == []


def test_quarantined_lines_keep_no_address_whatever_their_shape(settings, admin, property_id):
    stage(settings, property_id, [utc("2026-11-01T10:00:00")])
    [segment] = spool.sealed_segments(settings.spool_dir)
    with open(segment, "ab") as handle:
        handle.write(b'{"v":1,"received_at":"2026-11-01T10:00:01Z","ip":"203.0.113.9","user_agent":"UA",'
                     b'"event":{"p":"x","n":"page_view","u":"https://example.com/","w":NaN}}\n'
                     b'{"v":1,"ip":"203.0.113.10","event":{"t":"\\ud800"}}\n'
                     b'{"v":1, "ip" : "203.0.113.11", not json\n')
    assert run.once(settings).quarantined == 3
    text = "".join(r["record"] for r in _quarantined(settings))
    assert "203.0.113" not in text and text.count('"v":1') == 3
    archived = gzip.decompress(next((settings.spool_dir / "archive").glob("*.gz")).read_bytes()).decode()
    assert "203.0.113" not in archived


@pytest.mark.parametrize("value, reason", [
    ('"t":"a\\u0000b"', "event.t holds a NUL"),
    ('"t":"x\\ud800y"', "not JSON"),  # orjson refuses a lone surrogate before the contract sees it
    ('"d":{"n":9223372036854775808}', "event.d.n is an integer beyond 64 bits"),
    ('"u":"https://example.com/?utm_source=%00x","s":250', "event.s must be a whole number"),
    ('"r":"http://["', "event.r must be an http(s) URL"),
])
def test_lines_that_break_the_record_contract_are_quarantined_with_the_reason(settings, admin, property_id,
                                                                              value, reason):
    stage(settings, property_id, [utc("2026-11-01T10:00:00")])
    [segment] = spool.sealed_segments(settings.spool_dir)
    with open(segment, "ab") as handle:
        handle.write(b'{"v":1,"received_at":"2026-11-01T10:00:01Z","ip":"198.51.100.7","user_agent":"UA","event":'
                     b'{"p":"%s","n":"page_view","u":"https://example.com/",%s}}\n' % (property_id.encode(), value.encode()))
    summary = run.once(settings)
    assert (summary.events, summary.quarantined) == (1, 1) and count(admin) == 1
    [entry] = _quarantined(settings)
    assert reason in entry["reason"] and entry["line"] == 2


def test_a_backlog_of_small_segments_loads_in_batches_that_span_them(settings, admin, property_id, monkeypatch):
    for segment in range(3):  # a backlog: three sealed segments of two lines each
        stage(settings, property_id, [utc(f"2026-11-01T10:{segment}{m}:00") for m in range(2)])
    batches, store = [], loader.store
    monkeypatch.setattr(loader, "store", lambda conn, events, engine: batches.append(len(events)) or store(conn, events, engine))
    assert run.once(settings.model_copy(update={"worker_batch_lines": 5})).events == 6
    assert batches == [5, 1] and count(admin) == 6
    assert admin.execute("SELECT events, lines, complete FROM parcours.loaded_segments ORDER BY name").fetchall() == \
        [(2, 2, True), (2, 2, True), (2, 2, True)]
    assert len(list((settings.spool_dir / "archive").glob("*.gz"))) == 3 and spool.sealed_segments(settings.spool_dir) == []


def test_a_crash_after_a_batch_that_spans_segments_resumes_inside_the_last_one(settings, admin, property_id, monkeypatch):
    for segment in range(3):
        stage(settings, property_id, [utc(f"2026-11-01T10:{segment}{m}:00") for m in range(2)])
    calls, store = [], loader.store

    def second_fails(conn, events, engine):
        calls.append(len(events))
        if len(calls) == 2:
            raise RuntimeError("crash in the second batch")
        return store(conn, events, engine)
    monkeypatch.setattr(loader, "store", second_fails)
    with pytest.raises(RuntimeError):
        run.once(settings.model_copy(update={"worker_batch_lines": 5}))
    # The first batch committed: two segments finished and archived, the third read to its first line.
    assert count(admin) == 5 and len(spool.sealed_segments(settings.spool_dir)) == 1
    assert admin.execute("SELECT lines, complete FROM parcours.loaded_segments ORDER BY name").fetchall() == \
        [(2, True), (2, True), (1, False)]
    monkeypatch.undo()
    assert run.once(settings).events == 1
    assert count(admin) == 6 and len(set(admin.execute("SELECT time FROM metrics.events").fetchall())) == 6
    assert spool.sealed_segments(settings.spool_dir) == []
