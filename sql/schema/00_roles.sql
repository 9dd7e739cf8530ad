-- The schemas and the roles that use them: one least-privilege login role per process, plus a
-- read-only role for analysts. Each later file grants its own objects.
--   accounts:  people, their sessions and their properties (web writes, collect reads ids)
--   metrics:   raw events, the worker's derived tables and the rollups (worker writes, web reads)
--   reports:   the functions every report is computed with (web)
--   analytics: stable views for analysts (read-only role)
--   parcours:  Parcours's own bookkeeping (created with the migrator's tables)
CREATE EXTENSION IF NOT EXISTS timescaledb;

CREATE SCHEMA accounts;
CREATE SCHEMA metrics;
CREATE SCHEMA analytics;
CREATE SCHEMA reports;

-- Roles belong to the cluster, so they are created only where missing; grants are per database.
-- Passwords are set by the operator (the playbook), never here.
DO $$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['parcours_collect', 'parcours_worker', 'parcours_web', 'parcours_analyst']
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
            EXECUTE format('CREATE ROLE %I LOGIN', role_name);
        END IF;
    END LOOP;
END
$$;

GRANT USAGE ON SCHEMA accounts TO parcours_collect;
GRANT USAGE ON SCHEMA accounts, metrics, parcours TO parcours_worker;
GRANT USAGE ON SCHEMA accounts, metrics, reports TO parcours_web;
GRANT USAGE ON SCHEMA analytics, reports TO parcours_analyst;

-- Analysts never write: every transaction of theirs is read-only, whatever object a later
-- change forgets to lock.
ALTER ROLE parcours_analyst SET default_transaction_read_only = on;

-- The reading roles, in this database:
-- - no JIT: reports read weeks to months of many small chunks, and the planner's JIT compiled
--   such plans in seconds, longer than they ran (measured in bench/reports);
-- - 64 MB of work_mem: a month of reports sorts and hashes a few hundred thousand rows, which
--   spilled to disk with the default 4 MB (the 30-day time series went from 353 to 189 ms).
--   They run few queries at once, so they can have more.
DO $$
BEGIN
    EXECUTE format('ALTER ROLE parcours_web IN DATABASE %I SET jit = off', current_database());
    EXECUTE format('ALTER ROLE parcours_analyst IN DATABASE %I SET jit = off', current_database());
    EXECUTE format('ALTER ROLE parcours_web IN DATABASE %I SET work_mem = %L', current_database(), '64MB');
    EXECUTE format('ALTER ROLE parcours_analyst IN DATABASE %I SET work_mem = %L', current_database(), '64MB');
END
$$;
