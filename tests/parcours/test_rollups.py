"""The continuous engine's refresh job (sql/schema/90_parcours.sql), run as
TimescaleDB and `parcours db migrate` run it."""

import threading
from datetime import timedelta

import psycopg
import pytest

from parcours import queries


@pytest.mark.wall_clock  # the job refreshes a window that ends at the database's now()
def test_a_run_by_hand_beside_another_waits_for_it_instead_of_failing(settings, admin, load_events, now):
    """TimescaleDB refuses a refresh overlapping one in progress: `parcours db migrate` running
    the job while the scheduler runs it failed (seen in bench/reports) until runs took turns."""
    job = admin.execute(queries.load("migrations")["refresh_job"]).fetchone()
    if job is None:
        pytest.skip("the table engine refreshes its rollups in the worker: there is no job")
    when = (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    load_events([(when, "198.51.100.1", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", {})])
    errors = []

    def run() -> None:
        try:
            with psycopg.connect(settings.admin_conninfo(), autocommit=True) as conn:
                conn.execute("CALL run_job(%s)", job)
        except psycopg.Error as error:
            errors.append(error)

    # Buckets for every run to recompute, so that the runs overlap.
    admin.execute("UPDATE metrics.events SET name = name")
    runs = [threading.Thread(target=run) for _ in range(3)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(timeout=120)
    assert errors == []
    assert admin.execute("SELECT sum(page_views) FROM metrics.pageviews_15m").fetchone()[0] == 1
