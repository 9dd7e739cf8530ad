"""A backup restored into a new database gives the same reports (parcours backup / restore,
as an operator runs them)."""

from datetime import date

import psycopg
import pytest
from psycopg import sql

from app.reports import filters, periods, stats

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def reports(conn, property_id):
    query = stats.Query(property_id, periods.custom("Asia/Kolkata", first=date(2026, 11, 1),
                                                     last=date(2026, 11, 30)))
    return (stats.summary(conn, query), stats.timeseries(conn, query, "day"),
            [stats.breakdown(conn, query, dimension) for dimension in filters.DIMENSIONS],
            stats.visitors(conn, query), stats.summary(conn, query, raw=True))


@pytest.fixture
def restored(settings):
    name = settings.admin_conninfo().split("dbname=")[-1].split()[0] + "_restored"
    yield name
    with psycopg.connect(settings.admin_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_a_restored_backup_gives_identical_reports(cli, settings, admin, property_id, load_events, restored, tmp_path):
    load_events([("2026-11-02T10:00", "198.51.100.1", FIREFOX, {"r": "https://www.google.com/"}),
                 ("2026-11-02T10:03", "198.51.100.1", FIREFOX, {"u": "https://example.com/pricing"}),
                 ("2026-11-05T18:40", "198.51.100.2", FIREFOX, {"u": "https://example.com/?utm_source=news"})])
    before = reports(admin, property_id)
    assert before[0]["page_views"] == 3

    dumped = cli("backup", "--output", str(tmp_path / "parcours.dump"))
    assert dumped.returncode == 0, dumped.stderr
    done = cli("restore", dumped.stdout.strip(), "--database", restored)
    assert done.returncode == 0, done.stderr
    with psycopg.connect(settings.admin_conninfo(restored), autocommit=True) as conn:
        assert reports(conn, property_id) == before
        assert conn.execute("SELECT count(*) FROM metrics.events").fetchone()[0] == 3
    again = cli("restore", dumped.stdout.strip(), "--database", restored)
    assert again.returncode == 1 and f"database {restored} exists" in again.stderr
