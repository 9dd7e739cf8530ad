"""What `parcours doctor` reports — versions, edition, rollup engine, migrations, the spool, the
GeoIP database, and on Community the rollups' refresh job — and what it finds wrong, for a
non-zero exit a monitor or a timer can act on: pending migrations, a worker lagging behind the
spool, a refresh job paused, failing or behind, a stale GeoIP database. (An unreachable
database fails before any of this, with its own one-line message.)"""

from __future__ import annotations

import time

import psycopg

from parcours import engines, geo, migrations, queries, spool
from parcours.settings import Settings

def problems(settings: Settings, rows: list[tuple[str, str]]) -> list[str]:
    """What is unhealthy, one sentence each; `rows` as report() returned them."""
    found = []
    if not dict(rows)["migrations"].endswith(", 0 pending"):
        found.append("migrations are pending: run parcours db migrate")
    lag = spool.depth(settings.spool_dir)["lag_seconds"]
    if lag is not None and lag > settings.doctor_max_lag_seconds:
        found.append(f"the worker is lagging: the oldest waiting segment is {lag:.0f} s old "
                     f"(more than {settings.doctor_max_lag_seconds:.0f}); is parcours worker running?")
    found += _refresh_problems(settings, _refresh_state(settings))
    age = _geoip_age_days(settings)
    if age is not None and age > settings.doctor_max_geoip_age_days:
        found.append(f"the GeoIP database is {age:.0f} days old: run parcours geoip update")
    if age is not None and (unusable := _geoip_unusable(settings)):
        found.append(f"locations are unknown: {unusable}")
    return found


def _geoip_unusable(settings: Settings) -> str | None:
    try:
        geo.open_database(settings.geoip_path).close()
    except geo.Unusable as error:
        return str(error)
    return None


def _refresh_state(settings: Settings) -> tuple | None:
    """The continuous engine's refresh job: (id, scheduled, every, last status, seconds since its
    last success); None on the table engine, which needs no job."""
    with psycopg.connect(settings.admin_conninfo(), autocommit=True, connect_timeout=5) as conn:
        instance, _ = _bookkeeping(conn)
        return engines.ENGINES[instance[1]].refresh_job(conn) if instance else None


def _refresh_problems(settings: Settings, state: tuple | None) -> list[str]:
    if state is None:
        return []
    if not state:
        return ["the rollups have no refresh job: run parcours db migrate"]
    job, scheduled, _, status, since = state
    if not scheduled:
        return [f"the rollups' refresh job is paused, so reports stand still: SELECT alter_job({job}, scheduled => true)"]
    if status == "Failed":
        return [f"the rollups' refresh job failed on its last run: see timescaledb_information.job_errors (job {job})"]
    if since is not None and since > settings.doctor_max_lag_seconds:
        return [f"the rollups are behind: their refresh job last succeeded {since:.0f} s ago "
                f"(more than {settings.doctor_max_lag_seconds:.0f})"]
    return []


def _refresh(state: tuple) -> str:
    if not state:
        return "no job: run parcours db migrate"
    _, scheduled, every, status, since = state
    last = "not run yet" if status is None else f"last run {status.lower()}" + \
        ("" if since is None else f", last success {since:.0f} s ago")
    return f"every {every:.0f} s, {last}" if scheduled else f"paused, {last}"


def _geoip_age_days(settings: Settings) -> float | None:
    path = settings.geoip_path
    return (time.time() - path.stat().st_mtime) / 86400 if path.exists() else None


def report(settings: Settings) -> list[tuple[str, str]]:
    with psycopg.connect(settings.admin_conninfo(), autocommit=True, connect_timeout=5) as conn:
        server = conn.execute("SHOW server_version").fetchone()[0]
        license_, version = conn.execute(queries.load("migrations")["edition"]).fetchone()
        edition = migrations.EDITIONS.get(license_, "unknown")
        instance, applied = _bookkeeping(conn)
    pending = migrations.pending(applied)
    engine = engines.ENGINES[instance[1]] if instance else None
    engine = f"{engine.name} ({engine.description})" if engine else "not chosen yet: run parcours db migrate"
    depth = spool.depth(settings.spool_dir)
    lag = "none" if depth["lag_seconds"] is None else f"{depth['lag_seconds']:.0f} s"
    rows = [
        ("postgresql", server.split()[0]),
        ("timescaledb", f"{version} ({edition} edition)" if version else "extension not created: run parcours db migrate"),
        ("rollup engine", engine),
        ("migrations", f"{len(applied)} applied, {len(pending)} pending"),
        ("spool", f"{depth['segments']} segments waiting ({depth['bytes']} bytes), oldest {lag}"),
        ("quarantine", f"{depth['quarantined']} lines in {depth['quarantine_files']} files"
                       + (f" under {settings.spool_dir / 'quarantine'}" if depth["quarantined"] else "")),
        ("geoip", _geoip(settings)),
    ]
    state = _refresh_state(settings)
    return rows if state is None else rows + [("rollup refresh", _refresh(state))]


def _geoip(settings: Settings) -> str:
    age = _geoip_age_days(settings)
    if age is None:
        return f"none at {settings.geoip_path}: locations are unknown (parcours geoip update installs one)"
    kind = geo.installed_type(settings.geoip_path) or "unreadable"
    return f"{settings.geoip_path} ({kind}), {age:.0f} days old"


def _bookkeeping(conn: psycopg.Connection) -> tuple[tuple | None, set[str]]:
    q = queries.load("migrations")
    if not conn.execute(q["bookkept"]).fetchone()[0]:
        return None, set()
    return conn.execute(q["instance"]).fetchone(), {row[0] for row in conn.execute(q["applied"])}
