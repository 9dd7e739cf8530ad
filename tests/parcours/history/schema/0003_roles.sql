-- One least-privilege login role per process, plus a read-only role for analysts.
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

-- collect: only which properties exist and are active.
GRANT USAGE ON SCHEMA accounts TO parcours_collect;
GRANT SELECT (id, active) ON accounts.properties TO parcours_collect;

-- worker: loads events, records progress, reads property settings.
GRANT USAGE ON SCHEMA accounts, metrics, parcours TO parcours_worker;
GRANT SELECT ON accounts.properties TO parcours_worker;
GRANT SELECT, INSERT ON metrics.events TO parcours_worker;
GRANT SELECT, INSERT ON parcours.loaded_segments TO parcours_worker;
GRANT SELECT ON parcours.instance, parcours.rollups TO parcours_worker;

-- web: accounts and properties (the rollups grant their own reads as they are created).
GRANT USAGE ON SCHEMA accounts, metrics TO parcours_web;
GRANT SELECT, INSERT, UPDATE, DELETE ON accounts.users, accounts.sessions, accounts.properties TO parcours_web;

-- analysts: the documented views in analytics, nothing else, and never a write: every
-- transaction of theirs is read-only, whatever object a later migration forgets to lock.
GRANT USAGE ON SCHEMA analytics TO parcours_analyst;
ALTER ROLE parcours_analyst SET default_transaction_read_only = on;
