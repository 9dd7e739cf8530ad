"""What `parcours doctor` reports — versions, edition, rollup engine, migrations, the spool, the
GeoIP database — and what it finds wrong, for a non-zero exit a monitor or a timer can act on:
pending migrations, a worker lagging behind the spool, a stale GeoIP database. (An unreachable
database fails before any of this, with its own one-line message.)"""

from __future__ import annotations

import time

import psycopg

from parcours import migrations, queries, spool
from parcours.settings import Settings

ENGINES = {"continuous": "continuous aggregates with refresh policies",
           "table": "worker-refreshed tables"}


def problems(settings: Settings, rows: list[tuple[str, str]]) -> list[str]:
    """What is unhealthy, one sentence each; `rows` as report() returned them."""
    found = []
    if not dict(rows)["migrations"].endswith(", 0 pending"):
        found.append("migrations are pending: run parcours db migrate")
    lag = spool.depth(settings.spool_dir)["lag_seconds"]
    if lag is not None and lag > settings.doctor_max_lag_seconds:
        found.append(f"the worker is lagging: the oldest waiting segment is {lag:.0f} s old "
                     f"(more than {settings.doctor_max_lag_seconds:.0f}); is parcours worker running?")
    age = _geoip_age_days(settings)
    if age is not None and age > settings.doctor_max_geoip_age_days:
        found.append(f"the GeoIP database is {age:.0f} days old: run parcours geoip update")
    return found


def _geoip_age_days(settings: Settings) -> float | None:
    path = settings.geoip_path
    return (time.time() - path.stat().st_mtime) / 86400 if path.exists() else None


def report(settings: Settings) -> list[tuple[str, str]]:
    with psycopg.connect(settings.admin_conninfo(), autocommit=True, connect_timeout=5) as conn:
        server = conn.execute("SHOW server_version").fetchone()[0]
        license_, version = conn.execute(queries.load("migrations")["edition"]).fetchone()
        edition = migrations.EDITIONS.get(license_, "unknown")
        instance, applied = _bookkeeping(conn)
    pending = [m.name for m in migrations.discover() if m.name not in applied]
    engine = f"{instance[1]} ({ENGINES[instance[1]]})" if instance else "not chosen yet: run parcours db migrate"
    depth = spool.depth(settings.spool_dir)
    lag = "none" if depth["lag_seconds"] is None else f"{depth['lag_seconds']:.0f} s"
    return [
        ("postgresql", server.split()[0]),
        ("timescaledb", f"{version} ({edition} edition)" if version else "extension not created: run parcours db migrate"),
        ("rollup engine", engine),
        ("migrations", f"{len(applied)} applied, {len(pending)} pending"),
        ("spool", f"{depth['segments']} segments waiting ({depth['bytes']} bytes), oldest {lag}"),
        ("quarantine", f"{depth['quarantined']} lines in {depth['quarantine_files']} files"
                       + (f" under {settings.spool_dir / 'quarantine'}" if depth["quarantined"] else "")),
        ("geoip", _geoip(settings)),
    ]


def _geoip(settings: Settings) -> str:
    age = _geoip_age_days(settings)
    if age is None:
        return f"none at {settings.geoip_path}: locations are unknown (parcours geoip update installs one)"
    return f"{settings.geoip_path}, {age:.0f} days old"


def _bookkeeping(conn: psycopg.Connection) -> tuple[tuple | None, set[str]]:
    q = queries.load("migrations")
    if not conn.execute(q["bookkept"]).fetchone()[0]:
        return None, set()
    return conn.execute(q["instance"]).fetchone(), {row[0] for row in conn.execute(q["applied"])}
