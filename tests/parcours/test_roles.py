"""Each process's role can do what it must and nothing more."""

import psycopg
import pytest


def _as(settings, role):
    return psycopg.connect(settings.role_conninfo(role), autocommit=True)


ALLOWED = [
    ("collect", "SELECT id, active FROM accounts.properties"),
    ("worker", "SELECT count(*) FROM metrics.events"),
    ("worker", "INSERT INTO metrics.events (time, property_id, name, visitor_id) VALUES (now(), 'abcdef', 'page_view', 1)"),
    ("web", "SELECT count(*) FROM metrics.pageviews_15m"),
    # A visitor's timeline and the realtime count read raw events.
    ("web", "SELECT count(*) FROM metrics.events"),
    ("web", "SELECT count(*) FROM reports.sessions('abcdef', now() - interval '1 day', now(), false, '{}')"),
    ("web", "SELECT count(*) FROM accounts.users"),
    # Raw events go only by an erasure request (worker/erasure.py).
    ("worker", "SELECT * FROM metrics.erase(0)"),
    ("analyst", "SELECT count(*) FROM analytics.page_views"),
]

DENIED = [
    ("collect", "SELECT count(*) FROM metrics.events"),
    ("collect", "SELECT owner_id FROM accounts.properties"),
    ("collect", "SELECT count(*) FROM accounts.users"),
    ("collect", "INSERT INTO metrics.events (time, property_id, name, visitor_id) VALUES (now(), 'abcdef', 'page_view', 1)"),
    ("worker", "SELECT count(*) FROM accounts.users"),
    ("worker", "DELETE FROM metrics.events"),
    ("web", "INSERT INTO metrics.events (time, property_id, name, visitor_id) VALUES (now(), 'abcdef', 'page_view', 1)"),
    ("web", "DELETE FROM metrics.events"),
    ("web", "SELECT * FROM metrics.erase(0)"),
    ("web", "DELETE FROM metrics.sessions"),
    ("analyst", "SELECT count(*) FROM metrics.events"),
    ("analyst", "SELECT count(*) FROM metrics.sessions"),
    ("analyst", "SELECT count(*) FROM accounts.users"),
]

ANALYST_WRITES = [
    "CREATE TABLE analytics.scratch (x int)",
    "CREATE TABLE public.scratch (x int)",
    "CREATE TEMPORARY TABLE scratch (x int)",
]


@pytest.mark.parametrize("role, statement", ALLOWED)
def test_role_may(settings, role, statement):
    with _as(settings, role) as conn:
        conn.execute(statement)


@pytest.mark.parametrize("role, statement", DENIED)
def test_role_may_not(settings, role, statement):
    with _as(settings, role) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)


@pytest.mark.parametrize("statement", ANALYST_WRITES)
def test_analysts_cannot_write(settings, statement):
    with _as(settings, "analyst") as conn, pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        conn.execute(statement)


def test_worker_may_refresh_the_table_engine_rollups(settings, now):
    from parcours import rollups

    with _as(settings, "worker") as conn, conn.transaction():
        rollups.refresh_range(conn, now, now)  # a no-op on the continuous engine, which has no tables
