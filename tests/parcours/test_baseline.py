"""The 0.1.0 baseline (sql/schema/) builds the very database that the 81 development migrations
it replaced (kept in history/ as this proof's input) built: the same tables and columns,
constraints, indexes, functions with their bodies, views, triggers, grants, comments, role
settings, hypertables, continuous aggregates and jobs, on this server's engine."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from parcours import engines, migrations, queries
from parcours.settings import Settings

HISTORY = Path(__file__).parent / "history"
CATALOG = queries.parse(Path(__file__).parent / "catalog.sql")
SCHEMAS = ["accounts", "metrics", "analytics", "parcours", "reports"]


def history() -> list[migrations.Migration]:
    files = sorted(HISTORY.rglob("*.sql"), key=lambda path: path.name)
    return [migrations.Migration(path.name, path.read_text()) for path in files]


def build_from_history(conn: psycopg.Connection, requested_engine: str) -> None:
    q = queries.load("migrations")
    conn.execute(q["ensure_bookkeeping"])
    edition = migrations.detect_edition(conn)
    engine = engines.choose(edition, requested_engine)
    conn.execute(q["set_instance"], {"edition": edition, "engine": engine.name})
    files = history()
    for file in files:
        migrations.apply(conn, file, engine)
    engine.migrated(conn, [r for file in files for r in file.rollups()])


def snapshot(conn: psycopg.Connection) -> dict[str, list[str]]:
    return {name: sorted(row[0] for row in conn.execute(query, {"schemas": SCHEMAS}))
            for name, query in CATALOG.items()}


def test_the_history_files_are_the_81_development_migrations():
    names = [file.name for file in history()]
    assert len(names) == 81 and names[-1] == migrations.HISTORY_END
    assert [name[:4] for name in names] == [f"{n:04}" for n in range(1, 82)]


# One-time helpers of the development migrations, which the baseline leaves out: they linked and
# recorded the rows stored before 0042 and 0069 (bench/reports/stored.sql does it for its data),
# and dropped rollups in 0066.
RETIRED = ("metrics.link_page_views()", "metrics.record_tag_members()", "parcours.drop_rollup(IN p_name text)")


def _retired(item: str) -> bool:
    return any(f"FUNCTION {name}" in item or f"PROCEDURE {name}" in item for name in RETIRED)


def test_the_baseline_builds_what_the_history_built(empty_databases):
    # Built here rather than cloned from the suite's template: a clone does not copy the role
    # settings made IN DATABASE.
    settings = Settings(_env_file=None)
    with psycopg.connect(settings.admin_conninfo(empty_databases()), autocommit=True) as old:
        build_from_history(old, settings.rollup_engine)
        migrations.migrate(old)  # takes the baseline, then the migrations made after it
        before = snapshot(old)
    with psycopg.connect(settings.admin_conninfo(empty_databases()), autocommit=True) as new:
        migrations.migrate(new, settings.rollup_engine)
        after = snapshot(new)
    assert sum(map(len, after.values())) > 500
    differences = []
    for section in CATALOG:
        lost = [item for item in before[section] if item not in after[section] and not _retired(item)]
        added = [item for item in after[section] if item not in before[section]]
        differences += [f"{section}, only in the history:\n{item}" for item in lost]
        differences += [f"{section}, only in the baseline:\n{item}" for item in added]
    assert not differences, "\n\n".join(differences)
    assert sum(map(_retired, before["functions"])) == len(RETIRED)


@pytest.mark.parametrize("section, probe", [
    ("columns", "ALTER TABLE accounts.users ADD COLUMN nickname text"),
    ("functions", "CREATE OR REPLACE FUNCTION reports.near(previous timestamptz, bucket timestamptz) RETURNS boolean"
                  " LANGUAGE sql IMMUTABLE AS $$ SELECT previous >= bucket - INTERVAL '49 hours' $$"),
    ("grants", "GRANT SELECT ON accounts.users TO parcours_analyst"),
    ("indexes", "CREATE INDEX probe_idx ON metrics.sessions_15m (bucket, is_bot)"),
    ("views", "CREATE OR REPLACE VIEW analytics.page_views AS SELECT property_id, bucket, page_views"
              " FROM metrics.pageviews_15m"),
    ("role_settings", "ALTER ROLE parcours_web SET statement_timeout = '1min'"),
])
def test_the_snapshot_sees_a_change(admin, section, probe):
    before = snapshot(admin)
    try:
        admin.execute(probe)
        assert snapshot(admin)[section] != before[section]
    finally:
        admin.execute("ALTER ROLE parcours_web RESET statement_timeout")
