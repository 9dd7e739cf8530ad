"""0001_channel_names.sql: rows loaded under the six old channel codes take the new names, in the
raw tables and where each engine stores the source rollups."""

from parcours import migrations

LEGACY = {"Direct": "direct", "Organic Search": "organic_search", "Organic Social": "social", "Email": "campaign",
          "Referral": "referral", "Paid Search": "campaign", "Other": "campaign"}
ROLLUPS = ("metrics.sources_15m", "metrics.sources_1d", "metrics.sources_7d")
# Where the source rollups keep their rows: a table (table engine) or a continuous aggregate's
# materialization hypertable (Community).
STORAGE = """
SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'metrics' AND c.relname LIKE 'sources\\_%' AND c.relkind = 'r'
UNION ALL
SELECT format('%I.%I', h.schema_name, h.table_name)
FROM _timescaledb_catalog.continuous_agg a JOIN _timescaledb_catalog.hypertable h ON h.id = a.mat_hypertable_id
WHERE a.user_view_schema = 'metrics' AND a.user_view_name LIKE 'sources\\_%'"""
UA = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def test_old_channel_codes_take_the_names_that_mean_the_same(admin, load_events):
    load_events([
        ("2026-11-17T08:00", "198.51.100.1", UA, {}),
        ("2026-11-17T08:00", "198.51.100.2", UA, {"r": "https://www.google.com/"}),
        ("2026-11-17T08:00", "198.51.100.3", UA, {"r": "https://t.co/x"}),
        ("2026-11-17T08:00", "198.51.100.4", UA, {"r": "https://someblog.net/"}),
        ("2026-11-17T08:00", "198.51.100.5", UA, {"u": "https://example.com/?utm_source=nl&utm_medium=email"}),
        ("2026-11-17T08:00", "198.51.100.6", UA, {"u": "https://example.com/?utm_source=google&utm_medium=cpc"}),
        ("2026-11-17T08:00", "198.51.100.7", UA, {"u": "https://example.com/?utm_source=partner&utm_medium=sms"}),
    ])
    names = _channels(admin, "metrics.sessions")
    storages = [row[0] for row in admin.execute(STORAGE)]
    assert len(storages) == len(ROLLUPS)
    for table in ("metrics.events", "metrics.sessions", *storages):
        admin.execute(f"UPDATE {table} SET channel = CASE channel {_cases(LEGACY)} END")  # noqa: S608 (names above)
    for table in ROLLUPS:
        assert _channels(admin, table) == set(LEGACY.values()), table
    admin.execute("DELETE FROM parcours.migrations WHERE name = '0001_channel_names.sql'")
    assert migrations.migrate(admin) == ["0001_channel_names.sql"]
    assert names == {"Direct", "Organic Search", "Organic Social", "Referral", "Email", "Paid Search", "Other"}
    for table in ("metrics.events", "metrics.sessions", *ROLLUPS):
        assert _channels(admin, table) == names, table


def _cases(mapping: dict[str, str]) -> str:
    return " ".join(f"WHEN '{new}' THEN '{old}'" for new, old in mapping.items())


def _channels(admin, table: str) -> set[str]:
    return {row[0] for row in admin.execute(f"SELECT DISTINCT channel FROM {table} WHERE channel IS NOT NULL")}  # noqa: S608
