"""The project's own PostgreSQL cluster under var/pg, for development, tests and the demo.

It listens only on a Unix socket in var/run (on a port number of its own, so it never collides
with a system cluster) and trusts local connections: anyone who can reach that directory is the
owner or root. Production points DATABASE_URL at a real server instead and never uses this.
"""

from __future__ import annotations

import os
import pwd
import subprocess
import time
from pathlib import Path

import psycopg

from parcours.errors import ParcoursError
from parcours.settings import Settings

# Preloaded libraries and settings the local cluster needs; telemetry off because these
# machines reach no network beyond the package registries.
CLUSTER_CONF = """
shared_preload_libraries = 'timescaledb'
listen_addresses = ''
port = {port}
unix_socket_directories = '{socket_dir}'
timescaledb.telemetry_level = off
max_connections = 200
shared_buffers = 256MB
log_min_messages = warning
"""


def postgres_bin_dir() -> Path:
    """The newest installed PostgreSQL whose extension directory carries TimescaleDB."""
    for version in sorted(_installed_majors(), reverse=True):
        if Path(f"/usr/share/postgresql/{version}/extension/timescaledb.control").exists():
            return Path(f"/usr/lib/postgresql/{version}/bin")
    raise ParcoursError("no PostgreSQL with TimescaleDB is installed; run scripts/bootstrap first")


def _installed_majors() -> list[int]:
    base = Path("/usr/lib/postgresql")
    return [int(p.name) for p in base.iterdir() if p.name.isdigit()] if base.exists() else []


def _owner() -> str | None:
    """initdb refuses to run as root; root runs the cluster as the `postgres` system user."""
    return "postgres" if os.geteuid() == 0 else None


def _run(args: list[str], owner: str | None) -> subprocess.CompletedProcess[str]:
    command = ["runuser", "-u", owner, "--", *args] if owner else args
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _chown(path: Path, owner: str | None) -> None:
    if owner:
        entry = pwd.getpwnam(owner)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def is_running(settings: Settings) -> bool:
    pidfile = settings.cluster_dir / "postmaster.pid"
    if not pidfile.exists():
        return False
    result = _run([str(postgres_bin_dir() / "pg_ctl"), "status", "-D", str(settings.cluster_dir)], _owner())
    return result.returncode == 0


def init(settings: Settings) -> None:
    owner = _owner()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    settings.cluster_home.mkdir(parents=True, exist_ok=True)
    for directory in (settings.cluster_dir, settings.socket_dir):
        directory.mkdir(exist_ok=True, mode=0o700)
        _chown(directory, owner)
    initdb = str(postgres_bin_dir() / "initdb")
    result = _run([initdb, "-D", str(settings.cluster_dir), "-U", "postgres", "--auth=trust",
                   "--encoding=UTF8", "--locale=C.UTF-8"], owner)
    if result.returncode != 0:
        raise ParcoursError(f"initdb failed: {result.stderr.strip().splitlines()[-1]}")
    conf = CLUSTER_CONF.format(port=settings.cluster_port, socket_dir=settings.socket_dir)
    with open(settings.cluster_dir / "postgresql.conf", "a") as handle:
        handle.write(conf)


def up(settings: Settings) -> str:
    """Create (first time) and start the cluster, then ensure the `parcours` database exists."""
    if not (settings.cluster_dir / "PG_VERSION").exists():
        init(settings)
    if is_running(settings):
        return "already running"
    owner = _owner()
    log = settings.cluster_home / "postgresql.log"
    log.touch()
    _chown(log, owner)
    pg_ctl = str(postgres_bin_dir() / "pg_ctl")
    result = _run([pg_ctl, "start", "-w", "-D", str(settings.cluster_dir), "-l", str(log)], owner)
    if result.returncode != 0:
        raise ParcoursError(f"the local cluster did not start; see {log}")
    _ensure_database(settings)
    return f"started on {settings.socket_dir} port {settings.cluster_port}"


def _ensure_database(settings: Settings) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            with psycopg.connect(settings.admin_conninfo("postgres"), autocommit=True) as conn:
                if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'parcours'").fetchone():
                    conn.execute("CREATE DATABASE parcours")
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def down(settings: Settings) -> str:
    if not is_running(settings):
        return "not running"
    pg_ctl = str(postgres_bin_dir() / "pg_ctl")
    result = _run([pg_ctl, "stop", "-w", "-m", "fast", "-D", str(settings.cluster_dir)], _owner())
    if result.returncode != 0:
        raise ParcoursError(f"pg_ctl stop failed: {result.stderr.strip()}")
    return "stopped"
