"""The worker's loop: drain the spool, wait, repeat; wait out database and disk outages with
backoff. Nothing in a spool line can stop it: the loader quarantines what it cannot load.
Only one worker runs per database (an advisory lock says so), because segments load in order."""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg

from parcours import queries, spool
from parcours.counters import Registry, serve_counters, spool_gauges
from parcours.errors import ParcoursError
from parcours.settings import Settings
from parcours import geo
from worker import loader, settling
from worker.refresher import Refresher

log = logging.getLogger(__name__)
MAX_BACKOFF = 30.0


def connect(settings: Settings) -> psycopg.Connection:
    conn = psycopg.connect(settings.role_conninfo("worker"), autocommit=True, connect_timeout=5)
    if not conn.execute(queries.load("worker")["try_lock"]).fetchone()[0]:
        conn.close()
        raise ParcoursError("another worker is already running against this database")
    return conn


def refresher(settings: Settings) -> Refresher:
    """The 15-minute rollups' refresher, on a connection of its own (worker/refresher.py)."""
    return Refresher(functools.partial(psycopg.connect, settings.role_conninfo("worker"), autocommit=True,
                                       connect_timeout=5))


# The cyclic garbage collector's thresholds while loading: its youngest generation collected
# every 50,000 allocations rather than 700. A batch allocates millions of dicts and tuples that
# reference counting frees, and at the default the collector walked them (and, twenty times a
# 200,000-event load, the whole heap: the parser's tables) for a tenth of the worker's time
# (docs/benchmarks.md). The few cycles a batch makes wait a little longer.
LOADING_THRESHOLDS = (50_000, 20, 100)


@contextlib.contextmanager
def _collecting_rarely() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(*LOADING_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _drain(conn: psycopg.Connection, settings: Settings, refreshing: Refresher,
           segments: list[Path] | None = None) -> loader.Summary:
    spool.recover_abandoned(settings.spool_dir)
    database = _geo_database(settings.geoip_path)
    try:
        with _collecting_rarely():
            summary = loader.drain(conn, settings.spool_dir, settings.require_secret().encode(), database, segments,
                                   settings.worker_batch_lines, refreshing)
        settling.settle(conn, settings.now(), settling.BUDGET)
        return summary
    finally:
        if database is not None:
            database.close()


def _geo_database(path: Path | None) -> geo.Database | None:
    """The GeoIP database, or None (locations unknown) when there is none or it is unusable:
    a wrong file from an operator must not stop loading."""
    try:
        return geo.open_database(path)
    except geo.Unusable as error:
        _unusable(str(error), path.stat().st_mtime_ns if path and path.exists() else 0)
        return None


@functools.lru_cache(maxsize=8)
def _unusable(message: str, version: int) -> None:
    # Once per file version, not once per drain.
    log.error("locations stay unknown: %s (install another with parcours geoip update)", message)


def once(settings: Settings) -> loader.Summary:
    with connect(settings) as conn, refresher(settings) as refreshing:
        return _drain(conn, settings, refreshing)


def replay(settings: Settings, segments: list[Path]) -> loader.Summary:
    """Load archived (or any) segment files again; those already loaded add nothing."""
    missing = [str(path) for path in segments if not path.is_file()]
    if missing:
        raise ParcoursError(f"no such segment file: {', '.join(missing)}")
    with connect(settings) as conn, refresher(settings) as refreshing:
        return _drain(conn, settings, refreshing, segments)


def forever(settings: Settings) -> None:
    settings.require_secret()
    counted = _counters(settings)
    serve_counters(counted, settings.worker_metrics_address)
    conn, backoff, refreshing = None, settings.worker_poll_seconds, refresher(settings)
    while True:
        try:
            conn = conn if conn is not None and not conn.closed else connect(settings)
            summary = _drain(conn, settings, refreshing)
            count(counted, summary)
            if summary.segments:
                log.info("loaded %d events from %d segments", summary.events, summary.segments)
            backoff = settings.worker_poll_seconds
        except psycopg.OperationalError as error:
            if conn is not None:
                conn.close()
            refreshing.close()  # reconnects on its next refresh
            conn, backoff = None, min(MAX_BACKOFF, backoff * 2)
            counted.inc("parcours_worker_database_errors_total")
            log.warning("database unavailable (%s); retrying in %.0f s", str(error).strip(), backoff)
        except OSError as error:  # the spool's disk: full, read-only, gone; nothing a line did
            refreshing.close()  # a refresh may trail the batch the disk stopped
            backoff = min(MAX_BACKOFF, backoff * 2)
            counted.inc("parcours_worker_disk_errors_total")
            log.warning("spool unavailable (%s); retrying in %.0f s", error, backoff)
        time.sleep(backoff)


def _counters(settings: Settings) -> Registry:
    counted = Registry()
    counted.counter("parcours_rows_loaded_total", "Events loaded into the database.")
    counted.counter("parcours_segments_loaded_total", "Spool segments loaded and archived.")
    counted.counter("parcours_events_quarantined_total", "Spool lines set aside as unreadable.")
    counted.counter("parcours_events_dropped_total", "Events dropped by the pipeline, by reason.")
    counted.counter("parcours_worker_database_errors_total", "Times the database was unreachable.")
    counted.counter("parcours_worker_disk_errors_total", "Times the spool could not be read or written.")
    counted.gauges(spool_gauges(settings.spool_dir))
    return counted


def count(counted: Registry, summary: loader.Summary) -> None:
    counted.inc("parcours_rows_loaded_total", summary.events)
    counted.inc("parcours_segments_loaded_total", summary.segments)
    counted.inc("parcours_events_quarantined_total", summary.quarantined)
    for reason, dropped in summary.dropped.items():
        counted.inc("parcours_events_dropped_total", dropped, reason=reason)
