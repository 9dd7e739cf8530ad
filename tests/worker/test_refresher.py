"""The 15-minute rollups of each batch, recomputed after its commit beside the next batch: in the
order the batches committed, brought up to date after a crash cut a refresh off, and failing
loudly when the refresher's connection fails."""

from datetime import datetime, timedelta, timezone

import psycopg
import pytest

from parcours import engines, spool
from worker import loader, run
from worker.refresher import Refresher

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
START = datetime(2026, 11, 1, 10, 0, tzinfo=timezone.utc)


def stage(settings, property_id, minutes):
    """One visitor's page views, at START plus each of `minutes`, in one segment."""
    writer = spool.SpoolWriter(settings.spool_dir, 3600, 1 << 20)
    for minute in minutes:
        when = spool.nanoseconds(START + timedelta(minutes=minute))
        event = {"p": property_id, "n": "page_view", "u": f"https://example.com/p{minute}"}
        writer.append(spool.record(when, "198.51.100.7", FIREFOX, event), when)
    writer.close()


def sessions_15m(admin):
    return admin.execute("SELECT bucket, sessions, bounces, session_page_views FROM metrics.sessions_15m"
                         " ORDER BY bucket").fetchall()


@pytest.mark.parametrize("batch_lines", [1, 2, 1000])
def test_a_session_rewritten_by_batch_after_batch_rolls_up_as_one(settings, admin, property_id, refresh_rollups,
                                                                  batch_lines):
    """Each batch rewrites the session the one before it stored, in the same bucket: the bucket
    must end up recomputed from the last of them."""
    stage(settings, property_id, [0, 2, 4, 6, 8])
    assert run.once(settings.model_copy(update={"worker_batch_lines": batch_lines})).events == 5
    refresh_rollups()
    assert sessions_15m(admin) == [(START, 1, 0, 5)]
    pages = admin.execute("SELECT sum(page_views) FROM metrics.pageviews_15m").fetchone()[0]
    assert pages == 5


def test_a_batch_whose_refresh_a_crash_cut_off_is_refreshed_by_the_next_drain(settings, admin, property_id,
                                                                           refresh_rollups):
    stage(settings, property_id, [0, 20])
    [segment] = spool.sealed_segments(settings.spool_dir)
    with psycopg.connect(settings.role_conninfo("worker"), autocommit=True) as conn:
        context = loader.context(conn, settings.require_secret().encode())
        with conn.transaction():  # committed, and the worker gone before its refresh
            loader.store(conn, loader.prepare(spool.read_lines(segment), context).events, engines.of(conn))
    segment.unlink()
    assert sessions_15m(admin) == []
    assert run.once(settings).events == 0
    refresh_rollups()
    assert sessions_15m(admin) == [(START, 1, 0, 2)]
    assert admin.execute("SELECT count(*) FROM metrics.sessions_1d").fetchone()[0] == 1  # the wider ones too


def test_a_refresh_that_fails_is_raised_to_the_loading(settings):
    def unreachable():
        return psycopg.connect(settings.role_conninfo("worker"), port=1, connect_timeout=2)

    with Refresher(unreachable) as refresher:
        refresher.refresh(START, START)
        with pytest.raises(psycopg.OperationalError):
            refresher.wait()
        refresher.wait()  # raised once; nothing pending now
