"""The analysts' views: every example of docs/sql.md runs as the read-only role, the numbers
match the reports, and a scoped analyst sees only one owner's properties."""

import re
import uuid
from datetime import timedelta

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from app.accounts import properties, users
from app.reports import goals, periods, stats
from parcours import PROJECT_ROOT
from worker import loader

EXAMPLES = re.findall(r"```sql\n(.*?)```", (PROJECT_ROOT / "docs" / "sql.md").read_text(), re.DOTALL)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def as_role(settings, role):
    return psycopg.connect(make_conninfo(settings.admin_conninfo(), user=role), autocommit=True)


# The views and the documented examples are plain SQL: their "now" is the database's.
pytestmark = pytest.mark.wall_clock


@pytest.fixture
def traffic(load_events, admin, owner, property_id, now):
    def recent(days_ago, hour, ip, **fields):
        when = now.replace(hour=hour, minute=0, second=0) - timedelta(days=days_ago)
        return (when.strftime("%Y-%m-%dT%H:%M"), ip, FIREFOX, fields)

    # A minute ago: "this month" holds a view even on the 1st, when the others are last month's
    # (local days in Asia/Kolkata, ahead of UTC, are never before the server's current date).
    just_now = (now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    load_events([recent(2, 10, "198.51.100.1", r="https://www.google.com/"),
                 recent(2, 10, "198.51.100.1", u="https://example.com/pricing?utm_campaign=fall&utm_source=news"),
                 recent(1, 9, "198.51.100.2", u="https://example.com/pricing?utm_campaign=fall&utm_source=news"),
                 recent(1, 9, "198.51.100.2", n="page_exit", u="https://example.com/pricing", e=30000, s=75),
                 ("2026-11-05T12:00", "198.51.100.3", FIREFOX, {}),
                 (just_now, "198.51.100.4", FIREFOX, {"u": "https://example.com/news"}),
                 (just_now, "198.51.100.4", FIREFOX, {"u": "https://example.com/news", "n": "signup", "d": {"plan": "pro"}})])
    goals.add(admin, owner["id"], property_id, "Pricing", {"page": "/pricing"})
    goals.add(admin, owner["id"], property_id, "Signup", {"event": "signup", "props": {}})
    return property_id


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"example-{n}" for n in range(1, len(EXAMPLES) + 1)])
def test_every_documented_example_runs_as_the_analyst(settings, traffic, example):
    with as_role(settings, "parcours_analyst") as conn:
        rows = conn.execute(example.replace(":'property'", "%(property)s"), {"property": traffic}).fetchall()
    assert rows, "each example returns rows on this data"


def test_daily_traffic_matches_the_reports(settings, admin, traffic):
    with as_role(settings, "parcours_analyst") as conn:
        days = conn.execute("SELECT day, visitors, sessions, page_views, bounces FROM analytics.daily_traffic"
                            " WHERE property_id = %s ORDER BY day", (traffic,)).fetchall()
    time_zone = admin.execute("SELECT time_zone FROM accounts.properties WHERE id = %s", (traffic,)).fetchone()[0]
    for day, visitors, sessions, page_views, _bounces in days:
        numbers = stats.summary(admin, stats.Query(traffic, periods.custom(time_zone, first=day, last=day)))
        assert (numbers["visitors"], numbers["sessions"], numbers["page_views"]) == (visitors, sessions, page_views)
    assert sum(row[3] for row in days) == 5


def test_goal_conversions_match_the_reports(settings, admin, owner, traffic):
    with as_role(settings, "parcours_analyst") as conn:
        days = conn.execute("SELECT day, goal, conversions, visitors FROM analytics.goal_conversions"
                            " WHERE property_id = %s ORDER BY day, goal", (traffic,)).fetchall()
    defined = goals.defined(admin, owner["id"], traffic)
    for day, goal, conversions, visitors in days:
        query = stats.Query(traffic, periods.custom("Asia/Kolkata", first=day, last=day))
        row = next(r for r in goals.conversions(admin, query, defined, 1) if r["goal"] == goal)
        assert (row["conversions"], row["visitors"]) == (conversions, visitors)
    assert sorted((goal, conversions) for _, goal, conversions, _ in days) == [("Pricing", 1), ("Pricing", 1), ("Signup", 1)]


def test_a_scoped_analyst_sees_only_one_owner_s_properties(settings, admin, owner, traffic, load_events):
    stranger = users.add(admin, "stranger@example.com", "another long passphrase")
    theirs = properties.add(admin, stranger, "Theirs", ["example.com"], "UTC")
    load_events([("2026-11-05T12:00", "203.0.113.1", FIREFOX, {"p": theirs}),
                 ("2026-11-05T12:00", "203.0.113.1", FIREFOX, {"p": theirs, "n": "signup"})])
    goals.add(admin, stranger, theirs, "Signup", {"event": "signup", "props": {}})
    role = f"analyst_{uuid.uuid4().hex[:8]}"
    admin.execute(sql.SQL("CREATE ROLE {} LOGIN IN ROLE parcours_analyst").format(sql.Identifier(role)))
    try:
        admin.execute("INSERT INTO metrics.analyst_scopes (role, owner_id) VALUES (%s, %s)", (role, owner["id"]))
        seen = "SELECT DISTINCT property_id FROM analytics.{} ORDER BY 1"
        for view in ("daily_traffic", "hourly_traffic", "pages", "sources", "sessions", "page_views", "events",
                     "goal_conversions"):
            with as_role(settings, role) as conn:
                assert conn.execute(seen.format(view)).fetchall() == [(traffic,)], view
            with as_role(settings, "parcours_analyst") as conn:
                assert sorted(conn.execute(seen.format(view)).fetchall()) == sorted([(traffic,), (theirs,)]), view
        with as_role(settings, role) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT count(*) FROM metrics.sessions")
    finally:
        admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_the_analyst_cannot_write(settings, traffic):
    with as_role(settings, "parcours_analyst") as conn, pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        conn.execute("CREATE TEMP TABLE scratch (x int)")


def _imported(admin, property_id, day, page_views):
    """A day imported from Plausible, stored as `parcours import plausible` stores it."""
    import_id = admin.execute(
        "INSERT INTO accounts.imports (property_id, source, name, first_at, last_at, events, digest)"
        " VALUES (%s, 'plausible', 'export.zip', %s::date, %s::date + 1, %s, %s) RETURNING id",
        (property_id, day, day, page_views, uuid.uuid4().hex * 2)).fetchone()[0]
    admin.execute("INSERT INTO metrics.imported_days VALUES (%s, %s, %s, 3, %s, 4, 2, 600)",
                  (property_id, day, import_id, page_views))
    admin.execute("INSERT INTO metrics.imported_sessions VALUES (%s, %s, %s, 'source', 'Google', 4, 2, %s, 600)",
                  (property_id, day, import_id, page_views))
    admin.execute("INSERT INTO metrics.imported_pages VALUES (%s, %s, %s, '/', %s)", (property_id, day, import_id, page_views))


def test_days_imported_from_plausible_are_seen_apart_and_scoped(settings, admin, owner, property_id):
    stranger = users.add(admin, "stranger@example.com", "another long passphrase")
    theirs = properties.add(admin, stranger, "Theirs", ["example.com"], "UTC")
    _imported(admin, property_id, "2026-10-01", 9)
    _imported(admin, theirs, "2026-10-02", 5)
    loader.sync_time_zones(admin)  # the sites' zones, as the worker copies them before it loads
    role = f"analyst_{uuid.uuid4().hex[:8]}"
    admin.execute(sql.SQL("CREATE ROLE {} LOGIN IN ROLE parcours_analyst").format(sql.Identifier(role)))
    try:
        admin.execute("INSERT INTO metrics.analyst_scopes (role, owner_id) VALUES (%s, %s)", (role, owner["id"]))
        for view, column in (("imported_days", "page_views"), ("imported_sessions", "session_page_views"),
                             ("imported_pages", "page_views")):
            query = sql.SQL("SELECT property_id, day::text, {} FROM analytics.{} ORDER BY 1").format(
                sql.Identifier(column), sql.Identifier(view))
            with as_role(settings, role) as conn:
                assert conn.execute(query).fetchall() == [(property_id, "2026-10-01", 9)], view
            with as_role(settings, "parcours_analyst") as conn:
                assert sorted(conn.execute(query).fetchall()) == sorted([(property_id, "2026-10-01", 9),
                                                                          (theirs, "2026-10-02", 5)]), view
    finally:
        admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
