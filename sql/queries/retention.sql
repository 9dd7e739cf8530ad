-- Retention and compression (parcours/retention.py). Every name is a hypertable or a
-- continuous aggregate of Parcours's own, passed as a regclass.

-- name: rollups
SELECT name FROM parcours.rollups
UNION
SELECT format('%%I.%%I', view_schema, view_name) FROM timescaledb_information.continuous_aggregates
ORDER BY 1;

-- name: drop_chunks
SELECT drop_chunks(%(name)s::regclass, older_than => now() - %(older_than)s::interval);

-- name: remove_retention_policy
SELECT remove_retention_policy(%(name)s::regclass, if_exists => true);

-- name: set_raw_retention
-- Raw events are dropped by Parcours's refresh job, after it has materialized what was loaded.
SELECT alter_job(j.job_id, config => j.config || jsonb_build_object('raw_retention', %(keep)s::interval::text))
FROM timescaledb_information.jobs AS j
WHERE j.proc_schema = 'parcours' AND j.proc_name = 'refresh_rollups';

-- name: add_retention_policy
SELECT add_retention_policy(%(name)s::regclass, drop_after => %(drop_after)s::interval);

-- name: enable_compression
-- Per property and event name, newest first: how reports and replays read raw events. By name,
-- so that the custom-event reports decompress only their own few per cent: at the benchmark's
-- 10 million events, a year's events by name took 213 ms by property alone, 75 ms so
-- (docs/benchmarks.md). Chunks compressed before keep their settings until raw retention drops them.
ALTER TABLE metrics.events SET (timescaledb.compress, timescaledb.compress_segmentby = 'property_id, name',
                                timescaledb.compress_orderby = 'time DESC');

-- name: remove_compression_policy
SELECT remove_compression_policy(%(name)s::regclass, if_exists => true);

-- name: add_compression_policy
SELECT add_compression_policy(%(name)s::regclass, compress_after => %(compress_after)s::interval);

-- name: property_retention
-- Properties that keep their data for less than the server does.
SELECT id, retention_days FROM accounts.properties WHERE retention_days IS NOT NULL ORDER BY id;

-- name: expire_property
SELECT metrics.delete_property_rows(%(id)s, now() - %(keep)s::interval);

-- name: expire_property_imports
-- Days imported from Plausible (sql/migrations/0015_plausible_imports.sql) by the same rule;
-- deleting a site deletes them with its imports.
WITH days AS (
    DELETE FROM metrics.imported_days WHERE property_id = %(id)s AND day < (now() - %(keep)s::interval)::date RETURNING 1
), sessions AS (
    DELETE FROM metrics.imported_sessions WHERE property_id = %(id)s AND day < (now() - %(keep)s::interval)::date RETURNING 1
), pages AS (
    DELETE FROM metrics.imported_pages WHERE property_id = %(id)s AND day < (now() - %(keep)s::interval)::date RETURNING 1
)
SELECT (SELECT count(*) FROM days) + (SELECT count(*) FROM sessions) + (SELECT count(*) FROM pages);
