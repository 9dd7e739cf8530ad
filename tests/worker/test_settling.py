"""Funnels' sessions and goals' conversions, materialized (worker/settling.py, sql/migrations/
0016_funnel_sessions.sql, 0017_goal_conversions.sql): a report that reads them equals the raw
computation, over generated traffic on both sides of the settled horizon, after old events
arrive, and for every range, filter and bot setting; settling resumes where it stopped, an
erasure and retention take the rows with the sessions and page views."""

import itertools
from datetime import date, datetime, timedelta, timezone

import psycopg
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from psycopg.types.json import Jsonb

from app.accounts import properties
from app.reports import filters, goals, periods, stats
from parcours import queries, retention, spool
from worker import run, settling

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.4 Mobile/15E148 Safari/604.1")
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
ZONE = "Asia/Kolkata"
FUNNEL = [{"page": "/"}, {"page": "/pricing"}, {"event": "signup", "props": {}}]


def stage(admin, settings, property_id: str, events, host: str = "example.com") -> None:
    """Events (UTC instant, ip, agent, beacon fields) through the spool and the worker, whose
    drain settles the funnels at the clock's now; then the rollups refreshed, which the raw
    computation reads its paths from (on the continuous engine, by running its job)."""
    writer = spool.SpoolWriter(settings.spool_dir, 3600, 1 << 20)
    for instant, ip, agent, fields in events:
        beacon = {"p": property_id, "n": "page_view", "u": f"https://{host}/", **fields}
        writer.append(spool.record(spool.nanoseconds(instant), ip, agent, beacon), spool.nanoseconds(instant))
    writer.close()
    run.once(settings)
    job = admin.execute(queries.load("migrations")["refresh_job"]).fetchone()
    if job:
        admin.execute("CALL run_job(%s)", job)


def query(property_id: str, first: date, last: date, expressions=(), bots=False) -> stats.Query:
    return stats.Query(property_id, periods.custom(ZONE, first, last), filters=filters.parse(list(expressions)),
                       bots=bots)


def counted(conn, q: stats.Query, steps) -> list[tuple]:
    return conn.execute(queries.load("reports")["funnel"], q.params(steps=Jsonb(steps))).fetchall()


def converted(conn, q: stats.Query, goal: dict) -> tuple:
    return conn.execute(queries.load("reports")["goal_conversions"], q.params(goal=Jsonb(goal))).fetchone()


def raw(conn, q: stats.Query, steps=None, goal=None):
    """The same report with nothing materialized: computed from raw rows."""
    with conn.transaction(force_rollback=True):
        conn.execute("DELETE FROM metrics.settled_funnels; DELETE FROM metrics.settled_goals")
        return counted(conn, q, steps) if goal is None else converted(conn, q, goal)


def materialized(conn) -> int:
    return conn.execute("SELECT count(*) FROM metrics.funnel_sessions").fetchone()[0]


def conversions(conn) -> int:
    return conn.execute("SELECT count(*) FROM metrics.goal_conversions").fetchone()[0]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


# The clock's now is 2026-11-18 09:30 UTC: settled up to 2026-11-15 00:00 UTC.
STEP_POOL = [{"page": "/"}, {"page": "/pricing"}, {"page": "/blog/*"}, {"event": "signup", "props": {}},
             {"event": "signup", "props": {"plan": "pro"}}]
GOALS = STEP_POOL + [{"page": "/*"}, {"page": "/blog/"}]
ACTIONS = st.sampled_from([("/", None), ("/pricing", None), ("/blog/tea", None), ("/blog/", None),
                           ("/pricing", {"plan": "pro"}), ("/pricing", {"plan": "free"}), ("/other", None)])
VISIT = st.tuples(st.integers(0, 5),                        # the visitor
                  st.integers(0, 6 * 24 * 60 - 1),          # minutes from 2026-11-11 00:00 UTC
                  st.lists(st.tuples(st.integers(0, 45), ACTIONS), min_size=1, max_size=5))
WINDOW = at("2026-11-11T00:00")
SITES = itertools.count()


def beacons(visits, host: str) -> list[tuple]:
    """Visitors 0-3 browse with Firefox, 4 with Safari, 5 is a crawler; a gap over 30 minutes
    starts a new session."""
    events = []
    for visitor, start, moves in visits:
        agent = [FIREFOX] * 4 + [SAFARI, BOT]
        when = WINDOW + timedelta(minutes=start)
        for gap, (path, signup) in moves:
            when += timedelta(minutes=gap)
            fields = {"u": f"https://{host}{path}"}
            if signup is not None:
                fields |= {"n": "signup", "d": signup}
            events.append((when, f"198.51.100.{visitor + 1}", agent[visitor], fields))
    return events


@hypothesis_settings(max_examples=30, derandomize=True, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(visits=st.lists(VISIT, min_size=1, max_size=12), late=st.lists(VISIT, max_size=4),
       steps=st.lists(st.sampled_from(STEP_POOL), min_size=2, max_size=4),
       ranges=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), min_size=1, max_size=3))
def test_materialized_funnels_and_goals_equal_the_raw_computation(admin, owner, settings, visits, late, steps,
                                                                  ranges):
    host = f"site{next(SITES)}.example"
    site = properties.add(admin, owner["id"], "Generated", [host], ZONE)
    goals.add_funnel(admin, owner["id"], site, "Generated", steps)
    for n, goal in enumerate(GOALS):
        goals.add(admin, owner["id"], site, f"Goal {n}", goal)
    stage(admin, settings, site, beacons(visits, host), host)
    compare(admin, site, steps, ranges)
    stage(admin, settings, site, beacons(late, host), host)  # those before the settled horizon are resettled
    compare(admin, site, steps, ranges)


def compare(conn, site: str, steps, ranges) -> None:
    for first, days in ranges:
        for expressions in ((), ("browser==Firefox",), ("entry_page==/",)):
            for bots in (False, True):
                q = query(site, date(2026, 11, 10) + timedelta(days=first),
                          date(2026, 11, 10) + timedelta(days=first + days), expressions, bots)
                assert counted(conn, q, steps) == raw(conn, q, steps), (first, days, expressions, bots)
                for goal in GOALS:
                    assert converted(conn, q, goal) == raw(conn, q, goal=goal), (first, days, expressions, bots, goal)


def test_the_worker_settles_a_funnel_up_to_three_days_before_now(admin, owner, property_id, settings):
    goals.add_funnel(admin, owner["id"], property_id, "Signup", FUNNEL)
    stage(admin, settings, property_id, [(at("2026-11-02T10:00"), "198.51.100.1", FIREFOX, {}),
                                  (at("2026-11-02T10:01"), "198.51.100.1", FIREFOX, {"u": "https://example.com/pricing"}),
                                  (at("2026-11-17T10:00"), "198.51.100.2", FIREFOX, {})])
    assert admin.execute("SELECT settled_until FROM metrics.settled_funnels").fetchall() == [(at("2026-11-15T00:00"),)]
    # The session of 2 Nov is materialized; the one of 17 Nov, after the horizon, is computed.
    assert admin.execute("SELECT cardinality(times) FROM metrics.funnel_sessions").fetchall() == [(2,)]
    q = query(property_id, date(2026, 11, 1), date(2026, 11, 18))
    assert [(visitors, sessions) for _, visitors, sessions, _ in counted(admin, q, FUNNEL)] == [(2, 2), (1, 1), (0, 0)]


def test_a_funnel_made_after_the_traffic_is_settled_from_the_first_session(admin, owner, property_id, settings):
    stage(admin, settings, property_id, [(at("2026-10-01T10:00"), "198.51.100.1", FIREFOX, {})])
    funnel_id = goals.add_funnel(admin, owner["id"], property_id, "Signup", FUNNEL)
    assert materialized(admin) == 0
    stage(admin, settings, property_id, [])
    assert materialized(admin) == 1
    # Resumed, not redone: a second drain with nothing new stores nothing.
    assert settling.settle(admin, settings.now()) == 0
    assert admin.execute("SELECT settled_until FROM metrics.settled_funnels WHERE funnel_id = %s",
                         (funnel_id,)).fetchone() == (settling.horizon(settings.now()),)


def test_settling_on_a_budget_takes_a_week_a_call_and_ends_where_settling_at_once_does(admin, owner, property_id,
                                                                                        settings):
    stage(admin, settings, property_id, [(at("2026-10-01T10:00"), "198.51.100.1", FIREFOX, {}),
                                         (at("2026-10-20T10:00"), "198.51.100.2", FIREFOX, {})])
    goals.add_funnel(admin, owner["id"], property_id, "Signup", FUNNEL)
    calls = 0
    while admin.execute(queries.load("settling")["unsettled_funnels"], {"until": settling.horizon(settings.now())}).fetchall():
        settling.settle(admin, settings.now(), budget=0)  # spent at once: one week, then stop
        calls += 1
    assert calls == 7 and materialized(admin) == 2  # 1 Oct to the horizon, 15 Nov: 45 days, 7 weeks
    assert admin.execute("SELECT settled_until FROM metrics.settled_funnels").fetchall() == [
        (settling.horizon(settings.now()),)]


def test_an_old_event_that_completes_a_settled_session_is_counted(admin, owner, property_id, settings):
    goals.add_funnel(admin, owner["id"], property_id, "Signup", FUNNEL)
    stage(admin, settings, property_id, [(at("2026-11-02T10:00"), "198.51.100.1", FIREFOX, {})])
    q = query(property_id, date(2026, 11, 2), date(2026, 11, 2))
    assert [sessions for _, _, sessions, _ in counted(admin, q, FUNNEL)] == [1, 0, 0]
    stage(admin, settings, property_id, [(at("2026-11-02T10:05"), "198.51.100.1", FIREFOX,
                                   {"u": "https://example.com/pricing", "n": "signup", "d": {}}),
                                  (at("2026-11-02T10:04"), "198.51.100.1", FIREFOX, {"u": "https://example.com/pricing"})])
    assert [(sessions, median) for _, _, sessions, median in counted(admin, q, FUNNEL)] == [(1, None), (1, 240), (1, 60)]


def test_an_erased_visitor_leaves_no_materialized_row(cli, admin, owner, property_id, settings):
    goals.add_funnel(admin, owner["id"], property_id, "Signup", FUNNEL)
    goals.add(admin, owner["id"], property_id, "Home", {"page": "/"})
    stage(admin, settings, property_id, [(at("2026-11-02T10:00"), "198.51.100.1", FIREFOX, {}),
                                  (at("2026-11-02T11:00"), "198.51.100.2", SAFARI, {})])
    [(safari,)] = admin.execute("SELECT DISTINCT visitor_id FROM metrics.sessions WHERE browser = 'Mobile Safari'")
    key = stats.visitor_key(safari)
    assert (materialized(admin), conversions(admin)) == (2, 2)
    assert cli("visitor", "delete", "--site", property_id, key, "--by", "privacy@example.com").returncode == 0
    assert (materialized(admin), conversions(admin)) == (1, 1)


@pytest.mark.wall_clock
def test_materialized_rows_go_with_their_site_s_page_views(admin, owner, property_id, settings, now):
    admin.execute("UPDATE accounts.properties SET retention_days = 30 WHERE id = %s", (property_id,))
    goals.add_funnel(admin, owner["id"], property_id, "Signup", FUNNEL)
    goals.add(admin, owner["id"], property_id, "Home", {"page": "/"})
    old, recent = now - timedelta(days=40), now - timedelta(days=10)
    stage(admin, settings, property_id, [(old, "198.51.100.1", FIREFOX, {}), (recent, "198.51.100.2", FIREFOX, {})])
    assert materialized(admin) == 2 and conversions(admin) == 2
    assert retention.expire_settled(admin, 730) == ["funnels' sessions and goals' conversions: deleted 2 rows older "
                                                    "than their site's page views"]
    assert admin.execute("SELECT started_at FROM metrics.funnel_sessions").fetchall() == [(recent,)]
    assert admin.execute("SELECT time FROM metrics.goal_conversions").fetchall() == [(recent,)]


def test_a_funnel_deleted_while_settling_is_not_marked(admin, owner, property_id):
    funnel_id = goals.add_funnel(admin, owner["id"], property_id, "Signup", FUNNEL)
    admin.execute("DELETE FROM accounts.funnels WHERE id = %s", (funnel_id,))
    admin.execute(queries.load("settling")["mark_funnel"], {"id": funnel_id, "until": at("2026-11-15T00:00")})
    assert admin.execute("SELECT count(*) FROM metrics.settled_funnels").fetchone() == (0,)


def test_the_worker_role_may_settle_and_resettle(settings, owner, property_id, admin):
    goals.add_funnel(admin, owner["id"], property_id, "Signup", FUNNEL)
    with psycopg.connect(settings.role_conninfo("worker"), autocommit=True) as conn:
        assert settling.settle(conn, settings.now()) == 0
        with conn.transaction():
            assert settling.resettle(conn, [property_id], at("2026-11-02T10:00"), at("2026-11-02T11:00")) == 0


@pytest.mark.parametrize("first, last, sessions", [
    (date(2026, 11, 2), date(2026, 11, 2), 1),   # ends at 18:30 UTC: the session starting then is the next day's
    (date(2026, 11, 3), date(2026, 11, 3), 1),   # starts at 18:30 UTC
    (date(2026, 11, 2), date(2026, 11, 3), 2),
])
def test_a_session_starting_at_the_range_s_edge_counts_once_on_its_side(admin, owner, property_id, settings,
                                                                         first, last, sessions):
    goals.add_funnel(admin, owner["id"], property_id, "Signup", FUNNEL)
    stage(admin, settings, property_id, [(at("2026-11-02T10:00"), "198.51.100.1", FIREFOX, {}),
                                  (at("2026-11-02T18:30"), "198.51.100.2", FIREFOX, {})])
    q = query(property_id, first, last)
    assert counted(admin, q, FUNNEL)[0][2] == sessions == raw(admin, q, FUNNEL)[0][2]


def test_an_old_view_of_a_path_never_seen_before_meets_a_wildcard_step(admin, owner, property_id, settings):
    # The paths a pattern matches come from the page views themselves, not from the paths
    # rollups: the wider ones are refreshed after the load's transaction, where the load resettles.
    steps = [{"page": "/"}, {"page": "/blog/*"}]
    goals.add_funnel(admin, owner["id"], property_id, "Blog", steps)
    stage(admin, settings, property_id, [(at("2026-11-02T10:00"), "198.51.100.1", FIREFOX, {}),
                                  (at("2026-11-05T10:00"), "198.51.100.2", FIREFOX, {})])
    stage(admin, settings, property_id, [(at("2026-11-02T10:03"), "198.51.100.1", FIREFOX, {"u": "https://example.com/blog/new"})])
    q = query(property_id, date(2026, 11, 1), date(2026, 11, 7))
    assert [sessions for _, _, sessions, _ in counted(admin, q, steps)] == [2, 1] == \
        [sessions for _, _, sessions, _ in raw(admin, q, steps)]


def test_an_old_conversion_is_counted_and_a_new_goal_settles_from_the_first_day(admin, owner, property_id, settings):
    stage(admin, settings, property_id, [(at("2026-10-01T10:00"), "198.51.100.1", FIREFOX, {}),
                                         (at("2026-11-02T10:00"), "198.51.100.2", FIREFOX, {"u": "https://example.com/pricing"})])
    pricing = {"page": "/pricing"}
    goal_id = goals.add(admin, owner["id"], property_id, "Pricing", pricing)
    stage(admin, settings, property_id, [])
    assert conversions(admin) == 1
    assert admin.execute("SELECT settled_until FROM metrics.settled_goals WHERE goal_id = %s",
                         (goal_id,)).fetchone() == (settling.horizon(settings.now()),)
    stage(admin, settings, property_id, [(at("2026-11-02T10:01"), "198.51.100.2", FIREFOX, {"u": "https://example.com/pricing"}),
                                         (at("2026-11-03T09:00"), "198.51.100.3", FIREFOX, {"u": "https://example.com/pricing"})])
    q = query(property_id, date(2026, 11, 1), date(2026, 11, 18))
    assert converted(admin, q, pricing) == (3, 2) == raw(admin, q, goal=pricing)
    assert conversions(admin) == 3
