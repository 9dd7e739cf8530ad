"""`parcours backup` and `parcours restore`: pg_dump's custom format, restored the way
TimescaleDB requires (timescaledb_pre_restore, pg_restore, timescaledb_post_restore) into a
new database on a server with the same TimescaleDB version and Parcours's roles.

The dump is the whole database — accounts, events, sessions, rollups, policies — so a
restored database gives the same reports at once. The spool is not in it: back up
var/spool/archive alongside (it is the replayable record of every accepted beacon).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from parcours.errors import ParcoursError
from parcours.settings import Settings


def tool(conn: psycopg.Connection, name: str) -> str:
    """pg_dump or pg_restore of the server's major version, else the newest on PATH."""
    major = conn.info.server_version // 10000
    exact = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    found = str(exact) if exact.exists() else shutil.which(name)
    if not found:
        raise ParcoursError(f"{name} is not installed (apt-get install postgresql-client-{major})")
    return found


def backup(settings: Settings, target: Path | None) -> Path:
    """Dump the database to `target` (default: var/backups/parcours-<UTC time>.dump)."""
    target = target or settings.var_dir / "backups" / f"parcours-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}.dump"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with psycopg.connect(settings.admin_conninfo(), connect_timeout=5) as conn:
        dump = tool(conn, "pg_dump")
    _run([dump, "--format=custom", "--file", str(partial)], settings.admin_conninfo())
    partial.replace(target)  # a dump that stopped halfway never looks like a backup
    return target


def restore(settings: Settings, source: Path, database: str) -> None:
    """Restore `source` into `database`, which must not exist yet."""
    if not source.is_file():
        raise ParcoursError(f"no such backup file: {source}")
    with psycopg.connect(settings.admin_conninfo("postgres"), autocommit=True, connect_timeout=5) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
            raise ParcoursError(f"database {database} exists: restore into a new one, then point DATABASE_URL at it")
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        pg_restore = tool(conn, "pg_restore")
    target = settings.admin_conninfo(database)
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
        conn.execute("SELECT timescaledb_pre_restore()")
        # The extension exists already (it must, before pre_restore): skip the dump's entry for it.
        listing = _run([pg_restore, "--list", str(source)], target).stdout
        with tempfile.NamedTemporaryFile("w", suffix=".list") as entries:
            entries.write("\n".join(line for line in listing.splitlines() if " EXTENSION - timescaledb" not in line
                                     and "COMMENT - EXTENSION timescaledb" not in line))
            entries.flush()
            try:
                _run([pg_restore, "--no-owner", "--exit-on-error", "--use-list", entries.name,
                      "--dbname", conninfo_to_dict(target)["dbname"], str(source)], target)
            finally:
                conn.execute("SELECT timescaledb_post_restore()")


# libpq's environment variables for conninfo keys: a password in argv would show in `ps`.
_ENVIRONMENT = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD",
                "dbname": "PGDATABASE", "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT"}


def _run(command: list[str], conninfo: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **{_ENVIRONMENT[k]: str(v) for k, v in conninfo_to_dict(conninfo).items() if k in _ENVIRONMENT}}
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ParcoursError(f"{Path(command[0]).name} failed: {last}")
    return done
