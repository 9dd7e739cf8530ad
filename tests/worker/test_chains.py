"""Each page view's link to the visitor's previous one, as the worker stores it: always the
link a full recomputation over every stored view gives, whatever order the events came in."""

import random
from datetime import datetime, timedelta, timezone

import pytest

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
RECOMPUTED = """
    SELECT page_view_id, previous_at,
           lag(time) OVER (PARTITION BY property_id, visitor_id ORDER BY time, page_view_id)
    FROM metrics.page_views"""


def links(admin):
    """(time, previous) of every stored view, after checking each against the recomputation."""
    wrong = [row for row in admin.execute(RECOMPUTED) if row[1] != row[2]]
    assert wrong == []
    seen = admin.execute("""SELECT count(*) FROM metrics.visitor_last_seen s FULL JOIN
                              (SELECT property_id, visitor_id, max(time) AS seen_at FROM metrics.page_views
                               GROUP BY 1, 2) v USING (property_id, visitor_id)
                            WHERE s.seen_at IS DISTINCT FROM v.seen_at""").fetchone()[0]
    assert seen == 0
    return [(f"{t:%d %H:%M}", p and f"{p:%d %H:%M}")
            for t, p in admin.execute("SELECT time, previous_at FROM metrics.page_views ORDER BY time, page_view_id")]


def views(*times, ip="198.51.100.1", path="/"):
    return [(when, ip, FIREFOX, {"u": f"https://example.com{path}"}) for when in times]


@pytest.mark.parametrize("batches, expected", [
    # In order, across batches and days: each view links to the one before.
    ([views("2026-11-01T10:00", "2026-11-01T10:20"), views("2026-11-03T08:00")],
     [("01 10:00", None), ("01 10:20", "01 10:00"), ("03 08:00", "01 10:20")]),
    # A late view in a later batch, before two stored views of another, earlier session: the
    # first of them now follows the late one.
    ([views("2026-11-01T10:00"), views("2026-11-02T09:00", "2026-11-02T09:10"), views("2026-11-01T18:00")],
     [("01 10:00", None), ("01 18:00", "01 10:00"), ("02 09:00", "01 18:00"), ("02 09:10", "02 09:00")]),
    # A late view inside the open session, and one before every stored view.
    ([views("2026-11-01T10:00", "2026-11-01T10:20"), views("2026-11-01T10:10", "2026-10-30T07:00")],
     [("30 07:00", None), ("01 10:00", "30 07:00"), ("01 10:10", "01 10:00"), ("01 10:20", "01 10:10")]),
    # Two views at the same instant still chain, one after the other.
    ([views("2026-11-01T10:00", path="/a") + views("2026-11-01T10:00", path="/b")],
     [("01 10:00", None), ("01 10:00", "01 10:00")]),
])
def test_each_view_links_to_the_visitor_s_previous_one(load_events, admin, batches, expected):
    for batch in batches:
        load_events(batch)
    assert links(admin) == expected


def test_visitors_keep_separate_chains(load_events, admin):
    load_events(views("2026-11-01T10:00") + views("2026-11-01T10:05", ip="198.51.100.2"))
    load_events(views("2026-11-01T09:00", ip="198.51.100.2"))
    assert links(admin) == [("01 09:00", None), ("01 10:00", None), ("01 10:05", "01 09:00")]


def test_links_hold_for_shuffled_batches_of_many_visitors(load_events, admin):
    rng, start = random.Random(7), datetime(2026, 11, 1, tzinfo=timezone.utc)
    events = [(f"{start + timedelta(minutes=rng.randrange(6 * 24 * 60)):%Y-%m-%dT%H:%M}", f"198.51.100.{rng.randrange(12)}",
               FIREFOX, {"u": f"https://example.com/{rng.randrange(5)}"}) for _ in range(150)]
    for first in range(0, len(events), 30):  # five batches, each in no particular order
        load_events(events[first:first + 30])
    assert len(links(admin)) == 150
