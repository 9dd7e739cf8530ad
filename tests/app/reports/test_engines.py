"""Every rollup engine the server offers gives the same reports, equal to the raw tables'.
On the Apache-2 edition that is the table engine alone; on Community, both engines run side by
side on the same events and are compared."""

import uuid
from datetime import UTC, date, datetime

import psycopg
import pytest
from psycopg import sql

from app.accounts import properties, users
from app.reports import filters, periods, stats
from parcours import migrations, spool
from worker import run

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
EVENTS = [("2026-11-01T18:10", "198.51.100.1", {"r": "https://www.google.com/"}),
          ("2026-11-01T18:20", "198.51.100.1", {"u": "https://example.com/b"}),
          ("2026-11-02T09:00", "198.51.100.2", {"u": "https://example.com/?utm_source=news&utm_medium=email"}),
          ("2026-11-02T09:04", "198.51.100.2", {"n": "page_exit", "e": 9000, "s": 60}),
          ("2026-11-15T23:50", "198.51.100.3", {}), ("2026-11-16T00:10", "198.51.100.3", {}),
          # The edges of November in Kathmandu (+05:45): quarter hours, then whole days, then weeks.
          ("2026-10-31T18:14", "203.0.113.1", {}), ("2026-10-31T18:15", "203.0.113.2", {"u": "https://example.com/first"}),
          ("2026-11-01T03:00", "203.0.113.3", {}), ("2026-11-30T10:00", "203.0.113.4", {"u": "https://example.com/last"}),
          ("2026-11-30T18:14", "203.0.113.5", {}), ("2026-11-30T18:15", "203.0.113.6", {})]
RANGES = [("2026-11-01", "2026-11-30"), ("2026-10-20", "2026-11-20"), ("2026-11-03", "2026-11-04")]


def engines(admin) -> list[str]:
    edition = migrations.detect_edition(admin)
    return ["table", "continuous"] if edition == "Community" else ["table"]


@pytest.fixture
def database_for(settings, admin, tmp_path, refresh_rollups):
    made = []

    def make(engine: str):
        name = f"parcours_engine_{uuid.uuid4().hex[:8]}"
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        made.append(name)
        url = settings.admin_conninfo(name)
        with psycopg.connect(url, autocommit=True) as conn:
            migrations.migrate(conn, engine)
            owner = users.add(conn, "owner@example.com", "a long enough passphrase")
            property_id = properties.add(conn, owner, "Engines", ["example.com"], "Asia/Kathmandu", property_id="engines1")
        local = settings.model_copy(update={"database_url": url, "spool_dir": tmp_path / name})
        writer = spool.SpoolWriter(local.spool_dir, 3600, 1 << 20)
        for when, ip, fields in EVENTS:
            instant = datetime.fromisoformat(when).replace(tzinfo=UTC)
            beacon = {"p": property_id, "n": "page_view", "u": "https://example.com/", **fields}
            writer.append(spool.record(spool.nanoseconds(instant), ip, FIREFOX, beacon), spool.nanoseconds(instant))
        writer.close()
        run.once(local)
        with psycopg.connect(url, autocommit=True) as conn:
            refresh_rollups(conn)
        return url

    yield make
    for name in made:
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def reports(url: str, raw: bool) -> dict:
    found = {}
    with psycopg.connect(url, autocommit=True) as conn:
        for first, last in RANGES:
            period = periods.custom("Asia/Kathmandu", first=date.fromisoformat(first), last=date.fromisoformat(last))
            query = stats.Query("engines1", period)
            found[first, "summary"] = stats.summary(conn, query, raw=raw)
            for interval in stats.INTERVALS:
                found[first, interval] = stats.timeseries(conn, query, interval, raw=raw)
            for dimension in filters.DIMENSIONS:
                found[first, dimension] = stats.breakdown(conn, query, dimension, 50, raw=raw)
    return found


def test_every_engine_gives_the_numbers_of_the_raw_tables(admin, database_for):
    results = {engine: reports(database_for(engine), raw=False) for engine in engines(admin)}
    expected = reports(database_for("table"), raw=True)
    november = expected["2026-11-01", "summary"]
    assert (november["page_views"], november["sessions"]) == (9, 7)  # two events fall outside
    for engine, found in results.items():
        for report, rows in found.items():
            assert rows == expected[report], (engine, report)
