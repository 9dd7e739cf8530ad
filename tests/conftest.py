"""Fixtures on real components: a fresh database per test, cloned from a template migrated once
per run, and a spool in the test's own temporary directory.

The server is the project's local cluster (scripts/test starts it) unless DATABASE_URL names
another one; tests create and drop their own databases there and touch nothing else.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timezone

import psycopg
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from mmdb_writer import MMDBWriter
from netaddr import IPSet
from playwright.sync_api import sync_playwright
from psycopg import sql
from pydantic import SecretStr

from parcours import migrations, queries
from parcours.settings import Settings

TEMPLATE = "parcours_test_template"


def _base_settings() -> Settings:
    return Settings(_env_file=None)


def _admin(dbname: str) -> psycopg.Connection:
    return psycopg.connect(_base_settings().admin_conninfo(dbname), autocommit=True)


def _drop(conn: psycopg.Connection, name: str) -> None:
    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def template_database() -> str:
    with _admin("postgres") as conn:
        conn.execute("UPDATE pg_database SET datistemplate = false WHERE datname = %s", [TEMPLATE])
        _drop(conn, TEMPLATE)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEMPLATE)))
    with _admin(TEMPLATE) as conn:
        migrations.migrate(conn, _base_settings().rollup_engine)
        # On Community, the refresh job runs on the scheduler's clock: whether a report read
        # right after a load counted it would depend on when the scheduler woke. Paused, it runs
        # when a test says (the refresh_rollups fixture), as it would within 30 s in production.
        conn.execute("SELECT alter_job(job_id, scheduled => false) FROM timescaledb_information.jobs"
                     " WHERE proc_schema = 'parcours' AND proc_name = 'refresh_rollups'")
    with _admin("postgres") as conn:
        # TimescaleDB's scheduler connects to every database with the extension; a template
        # must have no connections to be copied.
        conn.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false IS_TEMPLATE true")
                     .format(sql.Identifier(TEMPLATE)))
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [TEMPLATE])
    return TEMPLATE


@pytest.fixture
def database(template_database: str) -> Iterator[str]:
    """The name of a fresh, fully migrated database that only this test uses."""
    name = f"parcours_test_{uuid.uuid4().hex[:10]}"
    with _admin("postgres") as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY")
                     .format(sql.Identifier(name), sql.Identifier(template_database)))
    yield name
    with _admin("postgres") as conn:
        _drop(conn, name)


@pytest.fixture
def empty_databases() -> Iterator[Callable[[], str]]:
    """Makes new databases with nothing in them, that only this test uses; returns their names."""
    made: list[str] = []

    def make() -> str:
        made.append(f"parcours_test_{uuid.uuid4().hex[:10]}")
        with _admin("postgres") as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(made[-1])))
        return made[-1]

    yield make
    with _admin("postgres") as conn:
        for name in made:
            _drop(conn, name)


# The suite's one clock. A fixed instant by default, so that no test passes or fails by the hour
# it runs. Tests marked `every_instant` run at each of INSTANTS: the edges where a date taken in
# the wrong zone, or a day taken as 24 hours, shows. Tests marked `wall_clock` are about what the
# database's own clock decides (retention, the Community refresh job's window, the spool's lag)
# and get the real time, read once.
NOW = datetime(2026, 11, 18, 9, 30, tzinfo=timezone.utc)
INSTANTS = {
    "before-utc-midnight": datetime(2026, 11, 30, 23, 45, tzinfo=timezone.utc),
    "after-utc-midnight": datetime(2026, 12, 1, 0, 15, tzinfo=timezone.utc),
    "before-kathmandu-midnight": datetime(2026, 11, 30, 18, 10, tzinfo=timezone.utc),  # 23:55 at +05:45
    "after-kathmandu-midnight": datetime(2026, 11, 30, 18, 20, tzinfo=timezone.utc),   # 00:05 at +05:45
    "europe-springs-forward": datetime(2026, 3, 29, 12, 0, tzinfo=timezone.utc),
    "america-falls-back": datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc),
}


def pytest_configure(config):
    config.addinivalue_line("markers", "every_instant: run the test at each of conftest.INSTANTS")
    config.addinivalue_line("markers", "wall_clock: the test is about the database's real clock; now is the real time")


def pytest_generate_tests(metafunc):
    if metafunc.definition.get_closest_marker("every_instant"):
        metafunc.parametrize("now", list(INSTANTS.values()), ids=list(INSTANTS), indirect=True)


@pytest.fixture
def now(request) -> datetime:
    """Now, for the test and for the app under test (Settings.clock)."""
    if request.node.get_closest_marker("wall_clock"):
        return datetime.now(timezone.utc).replace(microsecond=0)
    return getattr(request, "param", NOW)


@pytest.fixture
def settings(database: str, tmp_path, now: datetime) -> Settings:
    base = _base_settings()
    return base.model_copy(update={
        "clock": now,
        "database_url": base.admin_conninfo(database),
        "var_dir": tmp_path / "var",
        "spool_dir": tmp_path / "var" / "spool",  # model_copy does not re-derive it
        "secret_key": SecretStr(secrets.token_urlsafe(48)),
        "spool_seal_seconds": 0.2,
        "property_reload_seconds": 0.5,
        # Tests that read the counters choose a free port of their own.
        "serve_metrics_address": "", "worker_metrics_address": "",
    })


@pytest.fixture
def admin(settings: Settings) -> Iterator[psycopg.Connection]:
    with psycopg.connect(settings.admin_conninfo(), autocommit=True) as conn:
        yield conn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def serve():
    """Start an ASGI app on a real port in a thread; returns its base URL. An app that must know
    its own URL (PARCOURS_PUBLIC_URL) is given a `address` ("127.0.0.1:port", see free_address)."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(app, address: str | None = None) -> str:
        port = int(address.rsplit(":", 1)[1]) if address else free_port()
        # proxy_headers off, as `parcours serve` runs it: collect alone decides whom to trust.
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.02)
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


PASSWORD = "correct horse battery staple"


@pytest.fixture
def owner(admin: psycopg.Connection) -> dict:
    from app.accounts import users

    email = "owner@example.com"
    return {"id": users.add(admin, email, PASSWORD), "email": email, "password": PASSWORD}


@pytest.fixture
def property_id(admin: psycopg.Connection, owner: dict) -> str:
    from app.accounts import properties

    # 127.0.0.1: the browser tests' pages are served from loopback.
    return properties.add(admin, owner["id"], "Example", ["example.com", "127.0.0.1"], "Asia/Kolkata")


@pytest.fixture
def refresh_rollups(admin: psycopg.Connection):
    """Bring the rollups up to date with everything loaded: on the continuous engine, run the
    refresh job now; the table engine refreshed them as it loaded."""
    def refresh(conn: psycopg.Connection = admin) -> None:
        job = conn.execute(queries.load("migrations")["refresh_job"]).fetchone()
        if job:
            conn.execute("CALL run_job(%s)", job)

    return refresh


@pytest.fixture
def load_events(settings: Settings, property_id: str, refresh_rollups):
    """Stage events in the spool and run the worker over them, as production does.
    Each event: (UTC time 'YYYY-MM-DDTHH:MM[:SS]', ip, user agent, beacon fields beyond p)."""
    from parcours import spool
    from worker import run

    def load(events: list[tuple[str, str, str, dict]]):
        writer = spool.SpoolWriter(settings.spool_dir, 3600, 1 << 20)
        for when, ip, agent, fields in events:
            instant = datetime.fromisoformat(when).replace(tzinfo=timezone.utc)
            beacon = {"p": property_id, "n": "page_view", "u": "https://example.com/", **fields}
            writer.append(spool.record(spool.nanoseconds(instant), ip, agent, beacon), spool.nanoseconds(instant))
        writer.close()
        loaded = run.once(settings)
        refresh_rollups()
        return loaded

    return load


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


def _log_in_page(page, base: str, user: dict) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(user["email"])
    page.get_by_label("Password").fill(user["password"])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


@pytest.fixture
def log_in_page():
    """log_in_page(page, base, user): the login form filled in and sent in a real browser,
    until the overview shows."""
    return _log_in_page


class Inbox:
    """A local SMTP server's mailbox: the stand-in for the mail provider."""

    def __init__(self):
        self.messages = []  # (recipients, the text part)
        self.mails = []  # the messages whole, headers and parts
        self.open = threading.Event()  # cleared: the provider stalls before taking a message
        self.open.set()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        await asyncio.get_running_loop().run_in_executor(None, self.open.wait, 30)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message.get_body(preferencelist=("plain",)).get_content()))
        self.mails.append(message)
        return "250 OK"

    def link(self, path: str = "/password/reset/") -> str:
        """The first link under `path` in the latest mail, waiting a few seconds for one."""
        _until(lambda: self.messages, seconds=5)
        return re.search(rf"(\S*{re.escape(path)}[\w-]+)", self.messages[-1][1]).group(1)

    def reset_path(self, path: str = "/password/reset/") -> str:
        """The path of the latest mail's link under `path`, whatever server it names."""
        return re.search(rf"({re.escape(path)}[\w-]+)", self.link(path)).group(1)


@pytest.fixture
def inbox():
    box = Inbox()
    box.port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture
def cli(settings: Settings):
    """Run `parcours ARGS...` as an operator does: a real subprocess against the test's database."""
    def run(*args: str, env: dict | None = None, input_: str | None = None) -> subprocess.CompletedProcess[str]:
        environment = {**os.environ, "DATABASE_URL": settings.database_url, "PARCOURS_VAR_DIR": str(settings.var_dir),
                       "PARCOURS_CLOCK": settings.clock.isoformat(),
                       "PARCOURS_SECRET_KEY": settings.secret_key.get_secret_value(), **(env or {})}
        return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True,
                              env=environment, input=input_)
    return run


@pytest.fixture
def free_address() -> str:
    """host:port of a loopback port nothing listens on, for a process's internal listener."""
    return f"127.0.0.1:{free_port()}"


def _until(check, seconds: float = 10.0):
    """check()'s first truthy result, polled until `seconds` pass (then the test fails)."""
    deadline = time.monotonic() + seconds
    while not (result := check()):
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)
    return result


@pytest.fixture
def until():
    """Wait for what a real process does in its own time: until(check, seconds=10)."""
    return _until


@pytest.fixture
def mmdb(tmp_path):
    """build(database_type="GeoIP2-City") → path of a real MaxMind-format database (built with
    `mmdb-writer`) that places 203.0.113.0/24 in Kathmandu, Nepal and 2001:db8::/32 in France."""
    def build(database_type: str = "GeoIP2-City"):
        writer = MMDBWriter(ip_version=6, database_type=database_type, languages=["en"], ipv4_compatible=True)
        writer.insert_network(IPSet(["203.0.113.0/24"]), {
            "country": {"iso_code": "NP", "names": {"en": "Nepal"}}, "city": {"names": {"en": "Kathmandu"}},
            "subdivisions": [{"iso_code": "P3", "names": {"en": "Bagmati"}}]})
        writer.insert_network(IPSet(["2001:db8::/32"]), {"country": {"iso_code": "FR", "names": {"en": "France"}}})
        path = tmp_path / f"{database_type}.mmdb"
        writer.to_db_file(str(path))
        return path
    return build
