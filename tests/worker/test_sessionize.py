"""Sessions and page views as loaded into a real database, through the spool and the worker."""

from datetime import datetime, timedelta, timezone

import pytest

from parcours import spool
from worker import loader, run, sessionize

UA = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
T0 = datetime(2026, 11, 1, 10, 0, tzinfo=timezone.utc)


def segment(settings, property_id, events):
    """One spool segment of (minutes after T0, ip, event name, path, extra beacon fields)."""
    writer = spool.SpoolWriter(settings.spool_dir, 3600, 1 << 20)
    for minutes, ip, name, path, *extra in events:
        when = T0 + timedelta(minutes=minutes)
        beacon = {"p": property_id, "n": name, "u": f"https://example.com{path}", **(extra[0] if extra else {})}
        writer.append(spool.record(spool.nanoseconds(when), ip, UA, beacon), spool.nanoseconds(when))
    writer.close()


def sessions(admin):
    return admin.execute("""SELECT extract(epoch FROM started_at - %s) / 60, events, page_views, bounce,
                                   extract(epoch FROM duration) / 60, entry_page, exit_page
                            FROM metrics.sessions ORDER BY started_at, visitor_id""", [T0]).fetchall()


A, B = "198.51.100.1", "198.51.100.2"


@pytest.mark.parametrize("segments, expected", [
    # A gap of 29 minutes continues the session; 31 minutes starts a new one.
    ([[(0, A, "page_view", "/a"), (29, A, "page_view", "/b")]], [(0, 2, 2, False, 29, "/a", "/b")]),
    ([[(0, A, "page_view", "/a"), (31, A, "page_view", "/b")]],
     [(0, 1, 1, True, 0, "/a", "/a"), (31, 1, 1, True, 0, "/b", "/b")]),
    # Across midnight (UTC and Asia/Kolkata's 18:30 UTC alike): one session.
    ([[(470, A, "page_view", "/a"), (500, A, "ping", "/a"), (520, A, "page_view", "/b")]],
     [(470, 3, 2, False, 50, "/a", "/b")]),
    # Two visitors interleaved.
    ([[(0, A, "page_view", "/a"), (1, B, "page_view", "/x"), (2, A, "page_view", "/b"), (40, B, "page_view", "/y")]],
     [(0, 2, 2, False, 2, "/a", "/b"), (1, 1, 1, True, 0, "/x", "/x"), (40, 1, 1, True, 0, "/y", "/y")]),
    # Out of order: a later segment holds an earlier event of the same visit.
    ([[(5, A, "page_view", "/b")], [(3, A, "page_view", "/a")]], [(3, 2, 2, False, 2, "/a", "/b")]),
    # Separate worker runs (a restart) in the middle of a session.
    ([[(0, A, "page_view", "/a")], None, [(10, A, "page_view", "/b"), (12, A, "custom", "/b")]],
     [(0, 3, 2, False, 12, "/a", "/b")]),
])
def test_sessions(settings, admin, property_id, segments, expected):
    for events in segments:
        if events is None:
            run.once(settings)
        else:
            segment(settings, property_id, events)
    run.once(settings)
    assert sessions(admin) == [tuple(map(_plain, row)) for row in expected]
    # Every event carries the session it was assigned, and every session's count is its events'.
    assert admin.execute("""SELECT count(*) FROM metrics.events e LEFT JOIN metrics.sessions s USING (session_id)
                            WHERE s.session_id IS NULL""").fetchone()[0] == 0


def _plain(value):
    return value if not isinstance(value, (int, float)) or isinstance(value, bool) else pytest.approx(value)


def test_page_views_keep_the_greatest_scroll_depth_and_engaged_time(settings, admin, property_id):
    segment(settings, property_id, [(0, A, "page_view", "/a"), (1, A, "scroll", "/a", {"s": 50}),
                                    (2, A, "page_view", "/b")])
    run.once(settings)
    segment(settings, property_id, [(3, A, "scroll", "/a", {"s": 25}), (4, A, "page_exit", "/a", {"s": 75, "e": 9000}),
                                    (5, A, "page_exit", "/b", {"s": 100, "e": 4000})])
    run.once(settings)
    rows = admin.execute("SELECT pathname, scroll_depth, engaged_ms FROM metrics.page_views ORDER BY time").fetchall()
    assert rows == [("/a", 75, 9000), ("/b", 100, 4000)]
    linked = admin.execute("""SELECT count(*) FROM metrics.events e JOIN metrics.page_views v USING (page_view_id)
                              WHERE e.name IN ('scroll', 'page_exit')""").fetchone()[0]
    assert linked == 4


def test_session_attributes_come_from_the_first_event(settings, admin, property_id):
    segment(settings, property_id, [
        (0, A, "page_view", "/landing?utm_source=nl&utm_medium=email", {"r": "https://mail.google.com/"}),
        (1, A, "page_view", "/next", {"r": "https://example.com/landing"}),
    ])
    run.once(settings)
    row = admin.execute("SELECT channel, source, utm_source, utm_medium, browser, device FROM metrics.sessions").fetchone()
    assert row == ("Email", "nl", "nl", "email", "Firefox", "desktop")


def test_session_columns_match_the_queries():
    assert sessionize.SESSION_COLUMNS == loader.copy_columns("copy_sessions")
    assert sessionize.PAGE_VIEW_COLUMNS == loader.copy_columns("copy_page_views")
