"""What `parcours doctor` reports: versions, edition, rollup engine, migrations and the spool."""

from __future__ import annotations

import psycopg

from parcours import migrations, queries, spool
from parcours.settings import Settings

ENGINES = {"continuous": "continuous aggregates with refresh policies",
           "table": "worker-refreshed tables"}


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
    ]


def _bookkeeping(conn: psycopg.Connection) -> tuple[tuple | None, set[str]]:
    q = queries.load("migrations")
    if not conn.execute(q["bookkept"]).fetchone()[0]:
        return None, set()
    return conn.execute(q["instance"]).fetchone(), {row[0] for row in conn.execute(q["applied"])}
