import pytest

from parcours import engines, migrations
from parcours.errors import ParcoursError


def test_migrate_twice_is_a_no_op(admin):
    before = admin.execute("SELECT name, checksum, applied_at FROM parcours.migrations ORDER BY name").fetchall()
    assert [row[0] for row in before] == [m.name for m in migrations.discover()]
    assert migrations.migrate(admin) == []
    after = admin.execute("SELECT name, checksum, applied_at FROM parcours.migrations ORDER BY name").fetchall()
    assert after == before


def test_an_edited_applied_migration_is_refused(admin, tmp_path, monkeypatch):
    edited = migrations.discover()
    first = edited[0]
    edited[0] = migrations.Migration(first.name, first.text + "\n-- an afterthought\n")
    monkeypatch.setattr(migrations, "discover", lambda: edited)
    with pytest.raises(ParcoursError, match=f"migration {first.name} was edited after it was applied"):
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


def test_two_files_with_one_number_are_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "0001_one.sql").write_text("SELECT 1;")
    (tmp_path / "b" / "0001_two.sql").write_text("SELECT 1;")
    with pytest.raises(ParcoursError, match="two migrations are numbered 0001"):
        migrations.discover(tmp_path)


def test_files_run_in_number_order_across_directories(tmp_path):
    for folder, name in (("z", "0001_first.sql"), ("a", "0002_second.sql"), ("queries", "0000_not_a_migration.sql")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_text("SELECT 1;")
    assert [m.name for m in migrations.discover(tmp_path)] == ["0001_first.sql", "0002_second.sql"]


def test_rollup_files_declare_no_transaction():
    for migration in migrations.discover():
        if migration.rollup():
            assert migration.no_transaction, migration.name
