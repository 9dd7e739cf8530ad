"""Events, goals and funnels on a hand-computed fixture in Asia/Kolkata (UTC+5:30: local
midnight is 18:30 UTC), loaded through the real spool and worker. docs/definitions.md gives
the rules these numbers follow."""

from datetime import date

import pytest

from app.reports import events, filters, goals, periods, stats

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
SITE = "https://example.com"


def hit(when, ip, path="/", **fields):
    return (when, f"198.51.100.{ip}", FIREFOX, {"u": SITE + path, **fields})


TRAFFIC = [
    # A: a session that starts at 23:50 local on 2 Nov and signs up after local midnight,
    # viewing /pricing twice on the way.
    hit("2026-11-02T18:20", 1, "/"), hit("2026-11-02T18:22", 1, "/pricing"), hit("2026-11-02T18:25", 1, "/pricing"),
    hit("2026-11-02T18:40", 1, "/pricing", n="signup", d={"plan": "pro"}),
    # B: home, then pricing a minute later.
    hit("2026-11-02T10:00", 2, "/"), hit("2026-11-02T10:01", 2, "/pricing"),
    # C: pricing, a free signup, then home: steps out of order.
    hit("2026-11-02T10:00", 3, "/pricing"), hit("2026-11-02T10:05", 3, "/pricing", n="signup", d={"plan": "free"}),
    hit("2026-11-02T10:06", 3, "/"),
    # D: a blog post, an outbound click, a download and a site search.
    hit("2026-11-02T11:00", 4, "/blog/tea"),
    hit("2026-11-02T11:01", 4, "/blog/tea", n="outbound", d={"url": "https://Other.example/a?b=1"}),
    hit("2026-11-02T11:02", 4, "/blog/tea", n="download", d={"url": f"{SITE}/files/report.PDF"}),
    hit("2026-11-02T11:03", 4, "/blog/tea", n="search", d={"query": " Tea "}),
    # E: a WordPress error page, linked from /old.
    hit("2026-11-02T12:00", 5, "/missing", r=f"{SITE}/old", m={"type": "404"}),
]
FUNNEL = [{"page": "/"}, {"page": "/pricing"}, {"event": "signup", "props": {}}]


@pytest.fixture
def site(load_events, property_id):
    load_events(TRAFFIC)
    return property_id


def day(property_id, first, last=None, **more):
    return stats.Query(property_id, periods.custom("Asia/Kolkata", first=date.fromisoformat(first),
                                                   last=date.fromisoformat(last or first)), **more)


def named(*pairs):
    return [{"id": n, "name": name, "definition": definition} for n, (name, definition) in enumerate(pairs)]


def test_a_funnel_counts_sessions_that_reach_each_step_in_order(admin, site):
    report = goals.funnel(admin, day(site, "2026-11-02"), FUNNEL)
    # Step 1: A, B and C (C reached home only after pricing). Step 2: A and B; C's pricing came
    # before its home. Step 3: A, whose signup after local midnight belongs to a session that
    # started on the 2nd. A's repeated /pricing counts once.
    assert [(r["visitors"], r["sessions"]) for r in report] == [(3, 3), (2, 2), (1, 1)]
    assert [r["median_seconds_from_previous"] for r in report] == [None, 90, 1080]
    assert [r["conversion_from_previous"] for r in report] == [None, 66.7, 50.0]
    assert [r["conversion_from_first"] for r in report] == [100.0, 66.7, 33.3]
    assert [r["drop_off"] for r in report] == [1, 1, None]
    assert [r["visitors"] for r in goals.funnel(admin, day(site, "2026-11-03"), FUNNEL)] == [0, 0, 0]


def test_a_funnel_takes_the_filters(admin, site):
    only_b = day(site, "2026-11-02", filters=filters.parse(["entry_page==/", "exit_page==/pricing"]))
    assert [r["visitors"] for r in goals.funnel(admin, only_b, FUNNEL)] == [2, 2, 1]


# Sessions at both ends of 10-14 Nov, local: the range is [9 Nov 18:30, 14 Nov 18:30) UTC.
EDGES = [
    # Before the range: a session that reaches home and pricing just after it opens.
    hit("2026-11-09T17:40", 11, "/blog/tea"), hit("2026-11-09T18:05", 11, "/blog/tea"),
    hit("2026-11-09T18:32", 11, "/"), hit("2026-11-09T18:33", 11, "/pricing"),
    # Inside, far from either end.
    hit("2026-11-12T10:00", 12, "/"), hit("2026-11-12T10:01", 12, "/pricing"),
    # Started in the last minutes of the range; home and pricing come after it closes.
    hit("2026-11-14T18:10", 13, "/blog/tea"), hit("2026-11-14T18:35", 13, "/"), hit("2026-11-14T18:36", 13, "/pricing"),
    # After the range.
    hit("2026-11-14T18:40", 14, "/"), hit("2026-11-14T18:41", 14, "/pricing"),
    # Started just after the range opens: home only.
    hit("2026-11-09T18:40", 15, "/"),
]


@pytest.mark.parametrize("expressions", [[], ["browser==Firefox"]])
def test_a_funnel_counts_the_sessions_started_in_the_range_from_either_end(admin, load_events, property_id,
                                                                           expressions):
    load_events(EDGES)
    query = day(property_id, "2026-11-10", "2026-11-14", filters=filters.parse(expressions))
    assert [r["sessions"] for r in goals.funnel(admin, query, FUNNEL)] == [3, 2, 0]


def test_goal_conversions_count_matching_views_and_events_over_all_history(admin, site):
    defined = named(("Pricing", {"page": "/pricing"}), ("Pro", {"event": "signup", "props": {"plan": "pro"}}),
                    ("Signup", {"event": "signup", "props": {}}), ("Blog", {"page": "/blog/*"}))
    rows = goals.conversions(admin, day(site, "2026-11-02"), defined, visitors=5)
    # A's pro signup was made on the 3rd, local time: a conversion counts when it happens.
    assert [(r["goal"], r["conversions"], r["visitors"], r["conversion_rate"]) for r in rows] == [
        ("Pricing", 4, 3, 60.0), ("Pro", 0, 0, 0.0), ("Signup", 1, 1, 20.0), ("Blog", 1, 1, 20.0)]
    both_days = goals.conversions(admin, day(site, "2026-11-02", "2026-11-03"), defined, visitors=5)
    assert [r["conversions"] for r in both_days] == [4, 1, 2, 1]


@pytest.mark.parametrize("expression, visitors, page_views", [
    ("goal==Signup", 2, 5),          # the sessions of A and C (their events on either day)
    ("goal!=Signup", 3, 4),          # B, D, E
    ("goal==Blog", 1, 1),
])
def test_converted_on_a_goal_filters_sessions(admin, site, expression, visitors, page_views):
    named_goals = {"Signup": {"event": "signup", "props": {}}, "Blog": {"page": "/blog/*"}}
    query = day(site, "2026-11-02", "2026-11-03", filters=filters.parse([expression]), goals=named_goals)
    summary = stats.summary(admin, query)
    assert (summary["visitors"], summary["page_views"]) == (visitors, page_views)


@pytest.mark.parametrize("expression, page_views", [
    ("page=~PRIC", 4),               # contains, whatever the case
    ("page!~pric", 5),
    ("page==/|page==/blog/tea", 0),  # one value with a | is that value
    ("page!~/", 0),
])
def test_contains_and_does_not_contain(admin, site, expression, page_views):
    query = day(site, "2026-11-02", filters=filters.parse([expression]))
    assert stats.summary(admin, query)["page_views"] == page_views


def test_is_one_of(admin, site):
    query = day(site, "2026-11-02", filters=filters.parse(["page==/", "page==/blog/tea"]))
    assert stats.summary(admin, query)["page_views"] == 4


@pytest.mark.parametrize("dimension, expected", [
    ("event", [("download", 1, 1), ("outbound", 1, 1), ("search", 1, 1), ("signup", 1, 1)]),
    ("outbound", [("https://Other.example/a?b=1", 1, 1)]),
    ("outbound_domain", [("other.example", 1, 1)]),
    ("download", [(f"{SITE}/files/report.PDF", 1, 1)]),
    ("download_type", [("pdf", 1, 1)]),
    ("search", [("tea", 1, 1)]),
])
def test_event_reports(admin, site, dimension, expected):
    rows = events.breakdown(admin, day(site, "2026-11-02"), dimension, visitors=5)
    assert [(r["value"], r["events"], r["visitors"]) for r in rows] == expected
    assert all(r["conversion_rate"] == 20.0 for r in rows)


def test_event_properties_and_their_filters(admin, site):
    both = day(site, "2026-11-02", "2026-11-03")
    assert [(r["key"], r["value"], r["events"]) for r in events.properties(admin, both, "signup")] == [
        ("plan", "free", 1), ("plan", "pro", 1)]
    from_home = day(site, "2026-11-02", "2026-11-03", filters=filters.parse(["entry_page==/"]))
    assert [r["value"] for r in events.properties(admin, from_home, "signup")] == ["pro"]


def test_error_pages_with_their_referrer(admin, site):
    rows = events.breakdown(admin, day(site, "2026-11-02"), events.NOT_FOUND)
    assert rows == [{"value": "/missing", "referrer": f"{SITE}/old", "page_views": 1, "visitors": 1}]


def test_an_unknown_goal_name_is_refused():
    with pytest.raises(filters.FilterError, match="no goal named 'Nope'"):
        filters.with_goals(filters.parse(["goal==Nope"]), {})
