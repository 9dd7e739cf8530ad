-- name: ensure_bookkeeping
-- The migrator's own tables, created before any migration file runs. The extension comes
-- first: its edition setting only exists once the extension is loaded.
CREATE EXTENSION IF NOT EXISTS timescaledb;
CREATE SCHEMA IF NOT EXISTS parcours;
CREATE TABLE IF NOT EXISTS parcours.migrations (
    name       text PRIMARY KEY,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
-- Chosen once, at the first migration, from the TimescaleDB edition.
CREATE TABLE IF NOT EXISTS parcours.instance (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    edition     text NOT NULL,
    engine      text NOT NULL CHECK (engine IN ('continuous', 'table')),
    detected_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS parcours.rollups (
    name   text PRIMARY KEY,
    source text NOT NULL  -- the view holding the rollup's SELECT (table engine)
);
-- Rollups of one day (over the 15-minute ones) came later: each records its bucket width.
ALTER TABLE parcours.rollups ADD COLUMN IF NOT EXISTS width interval NOT NULL DEFAULT '15 minutes';

-- name: lock
SELECT pg_advisory_lock(hashtext('parcours.migrate'));

-- name: unlock
SELECT pg_advisory_unlock(hashtext('parcours.migrate'));

-- name: applied
SELECT name, checksum FROM parcours.migrations;

-- name: record
INSERT INTO parcours.migrations (name, checksum) VALUES (%(name)s, %(checksum)s);

-- name: edition
SELECT current_setting('timescaledb.license', true) AS license,
       (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb') AS version;

-- name: instance
SELECT edition, engine FROM parcours.instance;

-- name: set_instance
INSERT INTO parcours.instance (edition, engine) VALUES (%(edition)s, %(engine)s)
ON CONFLICT (singleton) DO NOTHING;

-- name: record_rollup
INSERT INTO parcours.rollups (name, source, width) VALUES (%(name)s, %(source)s, %(width)s);

-- name: bookkept
SELECT to_regclass('parcours.instance') IS NOT NULL AND to_regclass('parcours.migrations') IS NOT NULL;

-- name: continuous_aggregates
SELECT format('%%I.%%I', view_schema, view_name) FROM timescaledb_information.continuous_aggregates;

-- name: refresh_job
-- The job that keeps continuous aggregates current (sql/schema/90_parcours.sql).
SELECT job_id FROM timescaledb_information.jobs WHERE proc_schema = 'parcours' AND proc_name = 'refresh_rollups';

-- name: refresh_job_state
-- For parcours doctor: whether it runs, and how long since it last brought the rollups up to
-- date (TimescaleDB says -infinity before the first success).
SELECT j.job_id, j.scheduled, extract(epoch FROM j.schedule_interval), s.last_run_status,
       CASE WHEN isfinite(s.last_successful_finish) THEN extract(epoch FROM now() - s.last_successful_finish) END
FROM timescaledb_information.jobs AS j LEFT JOIN timescaledb_information.job_stats AS s USING (job_id)
WHERE j.proc_schema = 'parcours' AND j.proc_name = 'refresh_rollups';

-- name: add_refresh_job
SELECT add_job('parcours.refresh_rollups', %(every)s, config => %(config)s);

-- name: configure_refresh_job
-- The rollups are replaced; what else the config holds (the raw retention) stays.
SELECT alter_job(j.job_id, schedule_interval => %(every)s, config => coalesce(j.config, '{}') || %(config)s)
FROM timescaledb_information.jobs AS j WHERE j.job_id = %(job_id)s;

-- name: rollup_columns
-- A rollup's columns in order, each typed as `bigint`, `integer`, `numeric`, `text`..., alike on
-- both engines (a continuous aggregate, or a table made from the rollup's SELECT; no NOT NULL,
-- which the table engine's hypertable adds to its bucket).
SELECT attname, format_type(atttypid, NULL)
FROM pg_attribute WHERE attrelid = %(name)s::regclass AND attnum > 0 AND NOT attisdropped
ORDER BY attnum;
