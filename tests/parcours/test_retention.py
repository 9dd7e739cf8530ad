"""Raw events expire before the rollups, and dropping them never touches rollup history."""

from datetime import timedelta

import pydantic
import pytest

from app.reports import periods, stats
from parcours import engines, retention
from parcours.settings import Settings

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.mark.parametrize("raw_days, rollup_days, problem", [
    (3, 3650, "at least 4"), (1, 1, "at least 4"), (100, 50, "must not be shorter"), (4, 4, None), (180, 3650, None),
])
def test_raw_retention_must_outlast_the_refresh_window(raw_days, rollup_days, problem):
    if problem is None:
        retention.check(raw_days, rollup_days)
        return
    with pytest.raises(ValueError, match=problem):
        retention.check(raw_days, rollup_days)
    with pytest.raises(pydantic.ValidationError, match=problem):
        Settings(raw_retention_days=raw_days, rollup_retention_days=rollup_days)


# Retention drops what is older than the database's clock says: these tests run on the wall clock.
pytestmark = pytest.mark.wall_clock


@pytest.fixture
def days_ago(now):
    def event(days, hour=12, ip="198.51.100.1", **fields):
        when = now.replace(hour=hour, minute=0, second=0) - timedelta(days=days)
        return (when.strftime("%Y-%m-%dT%H:%M"), ip, FIREFOX, {**fields})
    return event


def expire(admin, raw_days, refresh_rollups):
    """Retention now, as production applies it: on Community the refresh job drops raw events
    (after materializing what was loaded) and policies the rest; run them rather than wait."""
    engine = engines.of(admin)
    retention.apply(admin, engine, raw_days, 3650)
    if engine.runs_retention:
        refresh_rollups()
        for (job,) in admin.execute("SELECT job_id FROM timescaledb_information.jobs WHERE proc_name = 'policy_retention'"
                                    ).fetchall():
            admin.execute("CALL run_job(%s)", (job,))


def test_expired_raw_events_go_and_reports_keep_their_history(admin, property_id, load_events, days_ago, now,
                                                             refresh_rollups):
    admin.execute("UPDATE accounts.properties SET time_zone = 'UTC' WHERE id = %s", (property_id,))
    load_events([days_ago(40), days_ago(40, hour=13, u="https://example.com/b"), days_ago(40, ip="198.51.100.2"),
                 days_ago(1, ip="198.51.100.3")])
    day = (now - timedelta(days=40)).date()  # the property's zone is UTC
    old = periods.custom("UTC", first=day, last=day)
    query = stats.Query(property_id, old)
    before = (stats.summary(admin, query), stats.breakdown(admin, query, "page"), stats.timeseries(admin, query, "hour"))
    assert before[0]["page_views"] == 3

    expire(admin, 30, refresh_rollups)
    assert admin.execute("SELECT count(*) FROM metrics.events").fetchone()[0] == 1  # yesterday's only
    assert (stats.summary(admin, query), stats.breakdown(admin, query, "page"), stats.timeseries(admin, query, "hour")) == before
    assert stats.summary(admin, query, raw=True) == before[0]  # sessions and page views are kept too

    load_events([days_ago(0, hour=0, ip="198.51.100.4")])  # later loads refresh only their own buckets
    assert stats.summary(admin, query) == before[0]


def test_a_property_keeping_less_loses_its_older_rows_everywhere_and_only_its_own(admin, owner, property_id, load_events,
                                                                                   days_ago, now, refresh_rollups):
    from app.accounts import properties

    other = properties.add(admin, owner["id"], "Other", ["other.example"], "UTC")
    admin.execute("UPDATE accounts.properties SET time_zone = 'UTC', retention_days = 30 WHERE id = %s", (property_id,))
    load_events([days_ago(40, p=site, ip=ip) for site in (property_id, other) for ip in ("198.51.100.1", "198.51.100.2")]
                + [days_ago(1, p=site) for site in (property_id, other)])
    day = (now - timedelta(days=40)).date()
    old = {site: stats.Query(site, periods.custom("UTC", first=day, last=day)) for site in (property_id, other)}
    recent = {site: stats.Query(site, periods.resolve("7d", "UTC", now=now)) for site in (property_id, other)}

    expire(admin, 180, refresh_rollups)
    for raw in (False, True):
        assert stats.summary(admin, old[property_id], raw=raw)["visitors"] == 0
        assert stats.summary(admin, old[other], raw=raw)["visitors"] == 2
        assert [stats.summary(admin, recent[site], raw=raw)["page_views"] for site in (property_id, other)] == [1, 1]
    assert admin.execute("SELECT count(*) FROM metrics.events WHERE property_id = %s", (property_id,)).fetchone()[0] == 1


def test_history_older_than_the_raw_retention_reaches_the_reports_and_stays(admin, property_id, load_events, days_ago,
                                                                            now, refresh_rollups):
    """Rows from 400 days ago, with raw events kept 180 days (the default): an import, or a
    replay of an old archive. Both engines show them, and keep showing them once the raw rows
    are dropped; a later load into the same day adds to it, and to nothing else."""
    admin.execute("UPDATE accounts.properties SET time_zone = 'UTC' WHERE id = %s", (property_id,))
    expire(admin, 180, refresh_rollups)  # retention in place first, as in production
    load_events([days_ago(400), days_ago(400, hour=13, u="https://example.com/b"), days_ago(400, ip="198.51.100.2"),
                 days_ago(200, ip="198.51.100.5"), days_ago(1, ip="198.51.100.3")])
    day = (now - timedelta(days=400)).date()
    query = stats.Query(property_id, periods.custom("UTC", first=day, last=day))
    before = (stats.summary(admin, query), stats.breakdown(admin, query, "page"), stats.timeseries(admin, query, "hour"))
    assert (before[0]["visitors"], before[0]["page_views"]) == (2, 3)
    year = stats.Query(property_id, periods.custom("UTC", first=day, last=(now - timedelta(days=1)).date()))
    assert stats.summary(admin, year)["visitors"] == 4

    expire(admin, 180, refresh_rollups)
    refresh_rollups()
    assert admin.execute("SELECT count(*) FROM metrics.events WHERE time < now() - interval '181 days'").fetchone()[0] == 0
    assert (stats.summary(admin, query), stats.breakdown(admin, query, "page"), stats.timeseries(admin, query, "hour")) == before

    load_events([days_ago(400, hour=15, ip="198.51.100.4")])
    refresh_rollups()
    after = stats.summary(admin, query)
    assert (after["visitors"], after["page_views"]) == (3, 4)
    assert stats.summary(admin, year)["visitors"] == 5
