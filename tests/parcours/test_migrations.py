import re

import pytest

from parcours import engines, migrations
from parcours.errors import ParcoursError


def test_migrate_twice_is_a_no_op(admin):
    before = admin.execute("SELECT name, checksum, applied_at FROM parcours.migrations ORDER BY name").fetchall()
    assert [row[0] for row in before] == sorted([migrations.BASELINE] + [m.name for m in migrations.discover()])
    assert migrations.migrate(admin) == []
    after = admin.execute("SELECT name, checksum, applied_at FROM parcours.migrations ORDER BY name").fetchall()
    assert after == before


def test_an_edited_applied_migration_is_refused(admin, monkeypatch):
    applied = migrations.Migration("9997_applied.sql", "CREATE TABLE parcours.probe (x int);")
    monkeypatch.setattr(migrations, "discover", lambda: [applied])
    migrations.migrate(admin)
    edited = migrations.Migration(applied.name, applied.text + "\n-- an afterthought\n")
    monkeypatch.setattr(migrations, "discover", lambda: [edited])
    with pytest.raises(ParcoursError, match="migration 9997_applied.sql was edited after it was applied"):
        migrations.migrate(admin)


def test_an_edited_baseline_is_refused(admin, monkeypatch):
    files = migrations.schema()
    files[-1] = migrations.Migration(files[-1].name, files[-1].text + "\nCREATE TABLE parcours.probe (x int);\n")
    monkeypatch.setattr(migrations, "schema", lambda: files)
    with pytest.raises(ParcoursError, match="sql/schema/ was edited after this database was built from it"):
        migrations.migrate(admin)
    assert admin.execute("SELECT to_regclass('parcours.probe')").fetchone()[0] is None


def test_a_database_built_by_the_development_migrations_is_taken_as_the_baseline(admin):
    # The migrations after the baseline stay recorded: this database has their changes already
    # (test_baseline.py applies them to a database the history built).
    admin.execute("DELETE FROM parcours.migrations WHERE name <> ALL(%s)", [[m.name for m in migrations.discover()]])
    admin.execute("INSERT INTO parcours.migrations (name, checksum) VALUES (%s, 'x')", [migrations.HISTORY_END])
    assert migrations.migrate(admin) == [migrations.BASELINE]
    assert migrations.migrate(admin) == []


def test_a_database_stopped_before_the_last_development_migration_is_refused(admin):
    admin.execute("DELETE FROM parcours.migrations")
    admin.execute("INSERT INTO parcours.migrations (name, checksum) VALUES ('0064_paths_7d.sql', 'x')")
    with pytest.raises(ParcoursError, match="stopped at development migration 0064_paths_7d.sql"):
        migrations.migrate(admin)


def test_a_new_migration_applies_once_and_is_recorded(admin, monkeypatch):
    added = migrations.Migration("9999_probe.sql", "CREATE TABLE parcours.probe (x int);")
    real = migrations.discover()
    monkeypatch.setattr(migrations, "discover", lambda: [*real, added])
    assert migrations.migrate(admin) == ["9999_probe.sql"]
    assert migrations.migrate(admin) == []
    checksum = admin.execute("SELECT checksum FROM parcours.migrations WHERE name = '9999_probe.sql'").fetchone()[0]
    assert checksum == added.checksum


def test_engine_follows_the_edition(admin):
    edition = migrations.detect_edition(admin)
    engine = admin.execute("SELECT engine FROM parcours.instance").fetchone()[0]
    assert engine == {"Community": "continuous", "Apache-2": "table"}[edition]


@pytest.mark.parametrize("edition, requested, expected", [
    ("Apache-2", "auto", "table"),
    ("Community", "auto", "continuous"),
    ("Community", "table", "table"),
])
def test_choose_engine(edition, requested, expected):
    assert engines.choose(edition, requested).name == expected


def test_continuous_aggregates_are_refused_on_apache():
    with pytest.raises(ParcoursError, match="need the Community edition"):
        engines.choose("Apache-2", "continuous")


def test_a_failing_migration_rolls_back_and_is_not_recorded(admin, monkeypatch):
    bad = migrations.Migration("9998_bad.sql", "CREATE TABLE parcours.half (x int); SELECT 1/0;")
    real = migrations.discover()
    monkeypatch.setattr(migrations, "discover", lambda: [*real, bad])
    with pytest.raises(ParcoursError, match="9998_bad.sql failed: division by zero"):
        migrations.migrate(admin)
    assert admin.execute("SELECT to_regclass('parcours.half')").fetchone()[0] is None
    assert not admin.execute("SELECT 1 FROM parcours.migrations WHERE name = '9998_bad.sql'").fetchone()


@pytest.mark.parametrize("names, error", [
    (["0001_one.sql", "0001_two.sql"], "two migrations are numbered 0001"),
    (["0001_one.sql", "2_two.sql"], "is not named NNNN_description.sql"),
])
def test_badly_named_migrations_are_refused(tmp_path, names, error):
    for name in names:
        (tmp_path / name).write_text("SELECT 1;")
    with pytest.raises(ParcoursError, match=error):
        migrations.discover(tmp_path)


def test_migrations_run_in_number_order(tmp_path):
    for name in ("0002_second.sql", "0010_third.sql", "0001_first.sql"):
        (tmp_path / name).write_text("SELECT 1;")
    assert [m.name for m in migrations.discover(tmp_path)] == ["0001_first.sql", "0002_second.sql", "0010_third.sql"]


def test_a_file_is_split_into_sql_and_rollups():
    text = ("-- intro\nCREATE TABLE t (x int);\n\n-- parcours: rollup metrics.a_15m index (property_id, bucket)\n"
            "SELECT x\nFROM t;\n-- between\nCREATE INDEX ON t (x);\n"
            "-- parcours: rollup metrics.a_1d index (property_id)\nSELECT 1 FROM t")
    parts = migrations.Migration("0001_a.sql", text).parts()
    assert [type(p).__name__ for p in parts] == ["str", "Rollup", "str", "Rollup"]
    assert (parts[1].name, parts[1].index, parts[1].select) == ("metrics.a_15m", ("property_id", "bucket"), "SELECT x\nFROM t")
    assert "CREATE INDEX" in parts[2] and parts[3].select == "SELECT 1 FROM t"
    assert migrations.Migration("0001_a.sql", text).no_transaction


def test_every_rollup_is_created_after_the_rollups_it_reads():
    declared = migrations.declared_rollups()
    for at, rollup in enumerate(declared):
        read = {r.name for r in declared if re.search(rf"\bFROM {re.escape(r.name)}\b", rollup.select)}
        assert read <= {r.name for r in declared[:at]}, rollup.name
    assert len(declared) == 35
