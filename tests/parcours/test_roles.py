"""Each process's role can do what it must and nothing more."""

import psycopg
import pytest


def _as(settings, role):
    return psycopg.connect(settings.role_conninfo(role), autocommit=True)


ALLOWED = [
    ("collect", "SELECT id, active FROM accounts.properties"),
    ("worker", "SELECT count(*) FROM metrics.events"),
    ("worker", "INSERT INTO metrics.events (time, property_id, name, visitor_id) VALUES (now(), 'abcdef', 'page_view', 1)"),
    ("worker", "DELETE FROM metrics.pageviews_15m WHERE false"),
    ("web", "SELECT count(*) FROM metrics.pageviews_15m"),
    ("web", "SELECT count(*) FROM accounts.users"),
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
    ("web", "SELECT count(*) FROM metrics.events"),
    ("analyst", "SELECT count(*) FROM metrics.events"),
    ("analyst", "SELECT count(*) FROM accounts.users"),
    ("analyst", "DELETE FROM analytics.page_views"),
    ("analyst", "CREATE TABLE analytics.scratch (x int)"),
    ("analyst", "CREATE TABLE public.scratch (x int)"),
]


@pytest.mark.parametrize("role, statement", ALLOWED)
def test_role_may(settings, role, statement):
    with _as(settings, role) as conn:
        conn.execute(statement)


@pytest.mark.parametrize("role, statement", DENIED)
def test_role_may_not(settings, role, statement):
    with _as(settings, role) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)
