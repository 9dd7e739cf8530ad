from parcours import PROJECT_ROOT, schema


def test_a_migrated_database_matches_the_readable_schema(admin):
    # On failure: run `parcours db schema > docs/schema.txt` and review the diff.
    assert schema.describe(admin) == (PROJECT_ROOT / "docs" / "schema.txt").read_text()


def test_the_description_sees_a_change(admin):
    assert "nickname" not in schema.describe(admin)
    admin.execute("ALTER TABLE accounts.users ADD COLUMN nickname text")
    assert "    nickname text\n" in schema.describe(admin)
