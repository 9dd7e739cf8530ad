"""Exact report numbers on hand-computed fixtures, loaded through the real spool and worker."""

import random
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app.reports import filters, periods, stats

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def view(when, ip="198.51.100.1", agent=FIREFOX, **fields):
    return (when, ip, agent, fields)


def zone(admin, property_id, tz):
    admin.execute("UPDATE accounts.properties SET time_zone = %s WHERE id = %s", (tz, property_id))


def query(property_id, tz, first, last, **more):
    return stats.Query(property_id, periods.custom(tz, first=date.fromisoformat(first),
                                                    last=date.fromisoformat(last)), **more)


def daily(admin, q, key="page_views"):
    series = stats.timeseries(admin, q, "day")
    assert series == stats.timeseries(admin, q, "day", raw=True)  # rollups and raw tables agree
    return {row["starts"][:10]: row[key] for row in series}


# Each case: the zone, page views at UTC instants on either side of a local midnight, and
# the page views each local day must show.
@pytest.mark.parametrize("tz, instants, first, last, expected", [
    ("Asia/Kolkata", ["2026-11-01T18:29", "2026-11-01T18:31"], "2026-11-01", "2026-11-02",
     {"2026-11-01": 1, "2026-11-02": 1}),
    ("Asia/Kathmandu", ["2026-11-01T18:14", "2026-11-01T18:16"], "2026-11-01", "2026-11-02",
     {"2026-11-01": 1, "2026-11-02": 1}),
    # Vancouver leaves DST on 1 November 2026: a 25-hour day from 07:00Z to 08:00Z the next day.
    ("America/Vancouver", ["2026-11-01T06:59", "2026-11-01T07:00", "2026-11-02T07:59", "2026-11-02T08:00"],
     "2026-10-31", "2026-11-02", {"2026-10-31": 1, "2026-11-01": 2, "2026-11-02": 1}),
    # ... and enters it on 8 March 2026: a 23-hour day from 08:00Z to 07:00Z the next day.
    ("America/Vancouver", ["2026-03-08T07:59", "2026-03-08T08:00", "2026-03-09T06:59", "2026-03-09T07:00"],
     "2026-03-07", "2026-03-09", {"2026-03-07": 1, "2026-03-08": 2, "2026-03-09": 1}),
    # Lord Howe moves by 30 minutes on 4 October 2026: +10:30 to +11, a 23.5-hour day.
    ("Australia/Lord_Howe", ["2026-10-03T13:29", "2026-10-03T13:30", "2026-10-04T12:59", "2026-10-04T13:00"],
     "2026-10-03", "2026-10-05", {"2026-10-03": 1, "2026-10-04": 2, "2026-10-05": 1}),
    ("UTC", ["2026-11-01T23:59", "2026-11-02T00:00"], "2026-11-01", "2026-11-02",
     {"2026-11-01": 1, "2026-11-02": 1}),
])
def test_local_days_are_exact_in_every_zone(load_events, admin, property_id, tz, instants, first, last, expected):
    zone(admin, property_id, tz)
    # A visitor per instant, so that sessions do not merge across the boundary.
    load_events([view(when, ip=f"198.51.100.{n}") for n, when in enumerate(instants, 1)])
    q = query(property_id, tz, first, last)
    assert daily(admin, q) == expected
    assert daily(admin, q, "visitors") == expected
    assert stats.summary(admin, q)["page_views"] == len(instants)


@pytest.mark.parametrize("tz, day, hours", [
    ("America/Vancouver", "2026-11-01", 25), ("America/Vancouver", "2026-03-08", 23),
    ("Australia/Lord_Howe", "2026-10-04", 24), ("Asia/Kolkata", "2026-11-01", 24),
])
def test_a_day_has_as_many_hourly_buckets_as_its_local_hours(admin, property_id, tz, day, hours):
    series = stats.timeseries(admin, query(property_id, tz, day, day), "hour")
    assert len(series) == hours
    assert series[0]["starts"] == f"{day}T00:00"


def test_the_repeated_hour_of_a_dst_change_is_two_buckets(load_events, admin, property_id):
    zone(admin, property_id, "America/Vancouver")
    # 01:30 local, first as PDT (08:30Z), then as PST (09:30Z).
    load_events([view("2026-11-01T08:30", ip="198.51.100.1"), view("2026-11-01T09:30", ip="198.51.100.2")])
    series = stats.timeseries(admin, query(property_id, "America/Vancouver", "2026-11-01", "2026-11-01"), "hour")
    ones = [row for row in series if row["starts"] == "2026-11-01T01:00"]
    assert [row["page_views"] for row in ones] == [1, 1]


def test_a_session_across_local_midnight_counts_on_the_day_it_started(load_events, admin, property_id):
    zone(admin, property_id, "Asia/Kolkata")  # midnight is 18:30Z
    load_events([view("2026-11-01T18:20", u="https://example.com/a"),
                                 view("2026-11-01T18:40", u="https://example.com/b")])
    q = query(property_id, "Asia/Kolkata", "2026-11-01", "2026-11-02")
    assert daily(admin, q, "sessions") == {"2026-11-01": 1, "2026-11-02": 0}
    assert daily(admin, q, "page_views") == {"2026-11-01": 1, "2026-11-02": 1}
    assert daily(admin, q, "visitors") == {"2026-11-01": 1, "2026-11-02": 1}
    summary = stats.summary(admin, q)
    assert (summary["visitors"], summary["sessions"], summary["page_views"]) == (1, 1, 2)
    assert (summary["bounce_rate"], summary["views_per_session"], summary["session_duration"]) == (0.0, 2.0, 1200)


def test_a_visitor_on_two_days_is_one_visitor_of_the_week(load_events, admin, property_id):
    zone(admin, property_id, "UTC")
    load_events([view("2026-11-02T10:00"), view("2026-11-04T10:00"),
                                 view("2026-11-04T11:00", ip="203.0.113.9")])
    summary = stats.summary(admin, query(property_id, "UTC", "2026-11-02", "2026-11-08"))
    assert (summary["visitors"], summary["sessions"], summary["page_views"]) == (2, 3, 3)
    assert summary["bounce_rate"] == 100.0


def test_comparison_with_the_previous_period_of_the_same_length(load_events, admin, property_id):
    zone(admin, property_id, "UTC")
    load_events([view("2026-11-01T10:00"), view("2026-11-03T10:00", ip="203.0.113.1"),
                                 view("2026-11-04T10:00", ip="203.0.113.2"), view("2026-11-04T10:05", ip="203.0.113.2")])
    result = stats.compared(admin, query(property_id, "UTC", "2026-11-03", "2026-11-04"))  # previous: 1–2 Nov
    assert (result["visitors"], result["previous"]["visitors"], result["change"]["visitors"]) == (2, 1, 100.0)
    assert (result["page_views"], result["previous"]["page_views"], result["change"]["page_views"]) == (3, 1, 200.0)
    assert result["change"]["bounce_rate"] == -50.0  # 50 % against 100 %


@pytest.mark.parametrize("expressions, visitors, page_views", [
    ([], 3, 4),
    (["source==Google"], 1, 2),
    (["source!=Google"], 2, 2),  # an unknown source passes "not Google"
    (["device==mobile"], 1, 1),
    (["device==mobile", "device==desktop"], 3, 4),
    (["device==desktop", "source!=Google"], 1, 1),
    (["page==/pricing"], 2, 2),
    (["page==/pricing", "source==Google"], 1, 1),
    (["entry_page==/pricing"], 1, 1),
    (["channel==Organic Search"], 1, 2),
    (["channel==Direct"], 2, 2),
])
def test_filters_combine(load_events, admin, property_id, expressions, visitors, page_views):
    zone(admin, property_id, "UTC")
    load_events([
        view("2026-11-02T10:00", ip="198.51.100.1", r="https://www.google.com/"),
        view("2026-11-02T10:01", ip="198.51.100.1", u="https://example.com/pricing"),
        view("2026-11-02T11:00", ip="198.51.100.2", u="https://example.com/pricing"),
        view("2026-11-02T12:00", ip="198.51.100.3", agent=IPHONE),
    ])
    q = query(property_id, "UTC", "2026-11-02", "2026-11-02", filters=filters.parse(expressions))
    summary = stats.summary(admin, q)
    assert (summary["visitors"], summary["page_views"]) == (visitors, page_views)


def test_bots_are_left_out_unless_asked_for(load_events, admin, property_id):
    zone(admin, property_id, "UTC")
    load_events([view("2026-11-02T10:00"), view("2026-11-02T10:00", ip="66.249.66.1", agent=GOOGLEBOT)])
    q = query(property_id, "UTC", "2026-11-02", "2026-11-02")
    assert stats.summary(admin, q)["visitors"] == 1
    assert stats.summary(admin, stats.Query(property_id, q.period, bots=True))["visitors"] == 2
    devices = stats.breakdown(admin, stats.Query(property_id, q.period, bots=True), "device")
    assert sorted(row["value"] for row in devices) == ["bot", "desktop"]
    assert [row["value"] for row in stats.breakdown(admin, q, "device")] == ["desktop"]


def test_a_late_event_joins_the_hour_already_reported(load_events, admin, property_id):
    zone(admin, property_id, "UTC")
    load_events([view("2026-11-02T10:00")])
    q = query(property_id, "UTC", "2026-11-02", "2026-11-02")
    assert stats.summary(admin, q)["page_views"] == 1
    load_events([view("2026-11-02T10:10", u="https://example.com/late")])  # a later segment
    hours = {row["starts"]: row["page_views"] for row in stats.timeseries(admin, q, "hour")}
    assert hours["2026-11-02T10:00"] == 2 and stats.summary(admin, q)["sessions"] == 1


def test_page_breakdown_with_time_on_page_and_scroll_depth(load_events, admin, property_id):
    zone(admin, property_id, "UTC")
    meta = {"type": "post", "author": "Ada", "categories": ["Travel", "Rail"], "tags": ["night"]}
    pricing = "https://example.com/pricing"
    load_events([
        view("2026-11-02T10:00", u=pricing, m=meta),
        view("2026-11-02T10:00:30", n="scroll", u=pricing, s=50, m=meta),
        view("2026-11-02T10:01", n="page_exit", u=pricing, s=100, e=40000, m=meta),
        view("2026-11-02T11:00", ip="198.51.100.2", u=pricing, m=meta),
        view("2026-11-02T11:00:20", ip="198.51.100.2", n="page_exit", u=pricing, s=30, e=20000, m=meta),
        view("2026-11-02T12:00", ip="198.51.100.3"),
    ])
    q = query(property_id, "UTC", "2026-11-02", "2026-11-02")
    pages = {row["value"]: row for row in stats.breakdown(admin, q, "page")}
    assert pages["/pricing"] == {"value": "/pricing", "page_views": 2, "time_on_page": 30,
                                 "scroll_depth": 65.0, "reached_25": 100.0, "reached_50": 50.0,
                                 "reached_75": 50.0, "reached_100": 50.0}
    assert pages["/"]["time_on_page"] is None and pages["/"]["scroll_depth"] == 0.0
    categories = {row["value"]: row["page_views"] for row in stats.breakdown(admin, q, "category")}
    assert categories == {"Travel": 2, "Rail": 2, None: 1}
    assert stats.summary(admin, stats.Query(property_id, q.period, filters.parse(["tag==night"])))["visitors"] == 2


def test_visitor_list_and_timeline(load_events, admin, property_id):
    zone(admin, property_id, "UTC")
    load_events([
        view("2026-11-02T10:00", r="https://news.ycombinator.com/item?id=1"),
        view("2026-11-02T10:00:40", n="ping", e=30000),
        view("2026-11-02T14:00", u="https://example.com/pricing"),
        view("2026-11-02T12:00", ip="198.51.100.2"),
    ])
    q = query(property_id, "UTC", "2026-11-02", "2026-11-02")
    listed = stats.visitors(admin, q)
    assert [(v["sessions"], v["page_views"]) for v in listed] == [(2, 2), (1, 1)]
    timeline = stats.visitor(admin, q, stats.visitor_number(listed[0]["visitor_id"]))
    assert [s["entry_page"] for s in timeline["sessions"]] == ["/pricing", "/"]
    assert [e["name"] for e in timeline["sessions"][1]["events"]] == ["page_view", "ping"]
    assert timeline["sessions"][1]["source"] == "Hacker News"


@pytest.mark.parametrize("interval", ["hour", "day", "week", "month"])
@pytest.mark.parametrize("bots", [False, True])
def test_the_rollups_give_the_numbers_of_the_raw_tables(load_events, admin, property_id, interval, bots):
    zone(admin, property_id, "Asia/Kathmandu")
    load_events([view("2026-11-01T18:10"), view("2026-11-01T18:20", u="https://example.com/b"),
                 view("2026-11-02T09:00", ip="198.51.100.2"), view("2026-11-02T09:00", ip="66.249.66.1", agent=GOOGLEBOT),
                 view("2026-11-03T23:50", ip="198.51.100.3"), view("2026-11-04T00:10", ip="198.51.100.3")])
    # A later segment: a straggler moves a stored session's start back across a bucket boundary.
    load_events([view("2026-11-03T23:40", ip="198.51.100.3", u="https://example.com/early"),
                 view("2026-11-02T09:05", ip="198.51.100.2", n="page_exit", e=5000, s=80)])
    # Local midnight is 18:15Z: these fall just outside, inside, inside and outside November.
    load_events([view("2026-10-31T18:14", ip="203.0.113.1"), view("2026-10-31T18:15", ip="203.0.113.2"),
                 view("2026-11-30T18:14", ip="203.0.113.3", u="https://example.com/last"),
                 view("2026-11-30T18:15", ip="203.0.113.4")])
    q = stats.Query(property_id, query(property_id, "Asia/Kathmandu", "2026-11-01", "2026-11-30").period, bots=bots)
    assert stats.summary(admin, q) == stats.summary(admin, q, raw=True)
    assert stats.timeseries(admin, q, interval) == stats.timeseries(admin, q, interval, raw=True)
    for dimension in filters.DIMENSIONS:
        assert stats.breakdown(admin, q, dimension, 50) == stats.breakdown(admin, q, dimension, 50, raw=True), dimension
    assert stats.summary(admin, q)["sessions"] == 5 + bots  # the straggler joined a session


@pytest.mark.parametrize("tz", ["Asia/Kathmandu", "America/Vancouver", "UTC"])
def test_visitors_of_any_range_add_up_from_arrivals_and_returns(load_events, admin, property_id, tz):
    """Returning visitors over two weeks, loaded in shuffled batches (so with late views): every
    range's visitors from the rollups equal the distinct visitors of the raw page views."""
    zone(admin, property_id, tz)
    rng, start = random.Random(11), datetime(2026, 10, 25)
    events = [view(f"{start + timedelta(minutes=rng.randrange(14 * 24 * 60)):%Y-%m-%dT%H:%M}",
                   ip=f"198.51.100.{rng.randrange(40)}", u=f"https://example.com/{rng.randrange(3)}")
              for _ in range(400)]
    # Views on the first quarter hour of each range tested, of visitors who come back later.
    midnights = [datetime.fromisoformat(day).replace(tzinfo=ZoneInfo(tz)).astimezone(timezone.utc)
                 for day in ("2026-10-27", "2026-10-30", "2026-11-01")]
    events += [view(f"{instant:%Y-%m-%dT%H:%M}", ip=f"198.51.100.{n}") for n, instant in enumerate(midnights)]
    rng.shuffle(events)
    for first in range(0, len(events), 100):
        load_events(events[first:first + 100])
    for first, last in [("2026-10-25", "2026-11-07"), ("2026-10-27", "2026-10-27"), ("2026-10-30", "2026-11-02"),
                        ("2026-11-01", "2026-11-06")]:
        q = query(property_id, tz, first, last)
        assert stats.summary(admin, q) == stats.summary(admin, q, raw=True), (first, last)
        for interval in stats.INTERVALS:
            assert stats.timeseries(admin, q, interval) == stats.timeseries(admin, q, interval, raw=True), interval


@pytest.mark.parametrize("bots", [False, True])
@pytest.mark.parametrize("dimension", ["entry_page", "exit_page", "page"])
def test_top_pages_of_a_long_range_are_exact_though_the_tail_is_not_summed(load_events, admin, property_id, dimension, bots):
    """Five weeks of a skewed long tail, and a page seen once a day that never leads any week
    yet ranks in the top ten: every top N, and every later page of it, as the raw tables say.
    A crawler's views of the tail count only with bots, and then lead the last week."""
    rng, start = random.Random(5), datetime(2026, 10, 1)
    weights = [1 / (n + 1) for n in range(120)]
    events = [view(f"{start + timedelta(minutes=rng.randrange(35 * 24 * 60)):%Y-%m-%dT%H:%M}", ip=f"10.0.{n // 250}.{n % 250}",
                   u=f"https://example.com/p{rng.choices(range(120), weights)[0]}") for n in range(1500)]
    events += [view(f"{start + timedelta(days=day, hours=12):%Y-%m-%dT%H:%M}", ip=f"10.9.0.{day}",
                    u="https://example.com/steady") for day in range(35)]
    events += [view(f"2026-10-{27 + n % 5}T0{n % 10}:00", ip="66.249.66.1", agent=GOOGLEBOT,
                    u=f"https://example.com/p{100 + n % 7}") for n in range(140)]
    load_events(events)
    q = stats.Query(property_id, query(property_id, "Europe/Paris", "2026-10-01", "2026-11-04").period, bots=bots)
    everything = stats.breakdown(admin, q, dimension, 200, raw=True)
    assert "/steady" in [row["value"] for row in everything[:10]]
    for limit, offset in [(10, 0), (5, 0), (3, 7), (10, 10), (1, 0), (200, 0)]:
        assert stats.breakdown(admin, q, dimension, limit, offset) == everything[offset:offset + limit], (limit, offset)


# Local midnight falls at 11:00Z, 03:30Z and 08:00Z (rounded down to the UTC day: the quarter
# hours before it are subtracted), at 18:15Z (rounded up: those after it added), and at 00:00Z.
@pytest.mark.parametrize("tz", ["Pacific/Auckland", "America/St_Johns", "America/Vancouver", "Asia/Kathmandu", "UTC"])
def test_every_report_of_ranges_rounded_either_way_matches_the_raw_tables(load_events, admin, property_id, tz):
    """Ranges are read as whole weeks and days with their edges added or subtracted: every
    report, for ranges of every length starting on every weekday, as the raw tables say."""
    zone(admin, property_id, tz)
    rng, start = random.Random(17), datetime(2026, 10, 5)
    pages = [("/", {}), ("/pricing", {"type": "page"}),
             *((f"/posts/{n}", {"type": "post", "author": f"A{n % 3}", "categories": [f"C{n % 2}"],
                                "tags": [f"t{n % 4}", f"t{n % 5}"]}) for n in range(6))]
    sources = [{}, {"r": "https://www.google.com/"}, {"r": "https://news.ycombinator.com/"}, {"q": "?utm_source=mail"}]
    events = []
    for _ in range(1200):
        path, meta = rng.choice(pages)
        source = rng.choice(sources)
        fields = {"u": f"https://example.com{path}{source.get('q', '')}", "m": meta, **({"r": source["r"]} if "r" in source else {})}
        agent = rng.choices([FIREFOX, IPHONE, GOOGLEBOT], [6, 3, 1])[0]
        events.append(view(f"{start + timedelta(minutes=rng.randrange(42 * 24 * 60)):%Y-%m-%dT%H:%M}",
                           ip=f"198.51.100.{rng.randrange(60)}", agent=agent, **fields))
    load_events(events)
    for n, (first, last) in enumerate([("2026-10-07", "2026-11-11"), ("2026-10-08", "2026-10-08"),
                                       ("2026-10-09", "2026-10-12"), ("2026-10-14", "2026-11-01"),
                                       ("2026-10-10", "2026-10-30"), ("2026-10-05", "2026-11-15")]):
        q = stats.Query(property_id, query(property_id, tz, first, last).period, bots=n % 2 == 1)
        assert stats.summary(admin, q) == stats.summary(admin, q, raw=True), (first, last)
        for dimension in filters.DIMENSIONS:
            assert stats.breakdown(admin, q, dimension) == stats.breakdown(admin, q, dimension, raw=True), (first, dimension)


@pytest.mark.parametrize("number", [0, 1, -1, 2**63 - 1, -(2**63)])
def test_visitor_keys_round_trip(number):
    assert stats.visitor_number(stats.visitor_key(number)) == number


# Vancouver, 1–14 November 2026: Sunday 1 November (the day DST ends) to Saturday the 14th.
# Visitors at local noon on Saturday 7, Sunday 8 and Monday 9 November.
@pytest.mark.parametrize("week_start, expected", [
    ("monday", {"2026-11-01": 0, "2026-11-02": 2, "2026-11-09": 1}),  # the period's first day is a Sunday
    ("sunday", {"2026-11-01": 1, "2026-11-08": 2}),
])
def test_weeks_start_on_the_day_the_owner_prefers(load_events, admin, property_id, week_start, expected):
    zone(admin, property_id, "America/Vancouver")
    load_events([view(f"2026-11-0{day}T20:00", ip=f"198.51.100.{day}") for day in (7, 8, 9)])
    q = query(property_id, "America/Vancouver", "2026-11-01", "2026-11-14")
    weeks = stats.timeseries(admin, q, "week", week_start=week_start)
    assert weeks == stats.timeseries(admin, q, "week", raw=True, week_start=week_start)
    assert {row["starts"][:10]: row["visitors"] for row in weeks} == expected


def test_the_visitor_list_reads_past_pages_of_one_visitor_s_sessions(load_events, admin, property_id):
    zone(admin, property_id, "UTC")
    # Two early visitors, then one visitor with 250 sessions (31 minutes apart): more than the
    # first page of sessions the list reads.
    early = [view("2026-11-01T00:00", ip="198.51.100.2"), view("2026-11-01T01:00", ip="198.51.100.3")]
    start = datetime(2026, 11, 2)
    regular = [view((start + timedelta(minutes=31 * n)).isoformat(timespec="minutes"), ip="198.51.100.1")
               for n in range(250)]
    load_events(early + regular)
    q = query(property_id, "UTC", "2026-11-01", "2026-11-10")
    expected = admin.execute("""SELECT visitor_id, count(*) FROM metrics.sessions GROUP BY visitor_id
                                ORDER BY max(started_at) DESC""").fetchall()
    assert [count for _, count in expected] == [len(regular), 1, 1]
    listed = stats.visitors(admin, q, limit=3)
    assert [(stats.visitor_number(v["visitor_id"]), v["sessions"]) for v in listed] == expected
    assert [stats.visitor_number(v["visitor_id"]) for v in stats.visitors(admin, q, limit=1, offset=1)] == [expected[1][0]]
    assert stats.visitors(admin, q, limit=5, offset=3) == []
