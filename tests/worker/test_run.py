"""SIGKILL the worker at arbitrary instants while it drains thousands of events: after it is
restarted, the database holds every staged event exactly once."""

import os
import random
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

from parcours import spool

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
SEGMENTS, PER_SEGMENT = 30, 150
KILLS = 25  # at most; then a run may finish


def stage(settings, property_id) -> set[tuple[datetime, str]]:
    staged = set()
    for s in range(SEGMENTS):
        writer = spool.SpoolWriter(settings.spool_dir, 3600, 1 << 30)
        for n in range(PER_SEGMENT):
            when = T0 + timedelta(seconds=s * PER_SEGMENT + n)
            path = f"/p/{s}/{n}"
            beacon = {"p": property_id, "n": "page_view", "u": f"https://example.com{path}"}
            writer.append(spool.record(spool.nanoseconds(when), f"203.0.113.{n % 50}", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
                                       beacon), spool.nanoseconds(when))
            staged.add((when, path))
        writer.close()
    return staged


def test_killed_at_any_instant_the_worker_loads_every_event_exactly_once(settings, admin, property_id):
    staged = stage(settings, property_id)
    env = {**os.environ, "DATABASE_URL": settings.database_url, "PARCOURS_VAR_DIR": str(settings.var_dir),
           "PARCOURS_SPOOL_DIR": str(settings.spool_dir), "PARCOURS_SECRET_KEY": settings.secret_key.get_secret_value(),
           "PARCOURS_WORKER_BATCH_LINES": "60"}  # several transactions per segment: kills land mid-segment
    rng, kills = random.Random(4), 0
    while spool.sealed_segments(settings.spool_dir):
        worker = subprocess.Popen([sys.executable, "-m", "cli", "worker", "--once"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.3, 1.0))  # start-up takes ~0.5 s: some kills land before any load
        if worker.poll() is None and kills < KILLS:
            worker.send_signal(signal.SIGKILL)
            kills += 1
        assert worker.wait(timeout=120) in (0, -signal.SIGKILL), worker.stderr.read().decode()
    assert kills >= 5  # the loop really interrupted loads
    loaded = admin.execute("SELECT time, pathname FROM metrics.events").fetchall()
    assert len(loaded) == len(staged) and set(loaded) == staged
    assert admin.execute("SELECT sum(events) FROM metrics.sessions").fetchone()[0] == len(staged)
    assert len(list((settings.spool_dir / "archive").glob("*.gz"))) == SEGMENTS


def test_a_drain_collects_garbage_rarely_and_leaves_the_process_as_it_was(settings, property_id, monkeypatch):
    """The thresholds are the process's: `parcours import` runs a drain inside the command."""
    import gc

    from worker import loader, run

    seen, drain = [], loader.drain
    monkeypatch.setattr(loader, "drain", lambda *args: seen.append(gc.get_threshold()) or drain(*args))
    before = gc.get_threshold()
    stage_one = spool.SpoolWriter(settings.spool_dir, 3600, 1 << 20)
    stage_one.append(spool.record(spool.nanoseconds(T0), "203.0.113.1", "Firefox/133.0",
                                  {"p": property_id, "n": "page_view", "u": "https://example.com/"}), spool.nanoseconds(T0))
    stage_one.close()
    assert run.once(settings).events == 1
    assert seen == [run.LOADING_THRESHOLDS] and gc.get_threshold() == before != run.LOADING_THRESHOLDS
