-- Community engine: continuous aggregates read their materialization alone, and one job keeps
-- them all current, in creation order, twice a minute.
--
-- Real-time aggregation (materialized_only = false) made every read of an aggregate the union
-- of its stored rows with a GROUP BY over the raw chunks above its watermark. A report span names
-- five aggregates, so reports ran seven times slower than on the table engine (861 against 124 ms
-- for the 30-day set, docs/benchmarks.md). Materialized-only aggregates read as fast as tables,
-- provided their materialization is never more than a few seconds behind: a refresh whose window
-- has no end materializes the bucket still filling, and the next one recomputes it from the rows
-- added since (the invalidation log).
--
-- One job rather than a policy per aggregate: policies run in no set order, so a day aggregate
-- could refresh just before the 15-minute one it is built over and show the new rows a run
-- later, and a week aggregate a run after that. This job refreshes each aggregate from the
-- start of its window, or from the oldest range the worker loaded since the last run if that is
-- older (parcours.stale_rollups, see 0077), to the end. A refresh recomputes only the buckets the
-- invalidation log marks in its window, so a wide window costs what its changes cost. It never
-- reaches back to raw events older than their retention less a day: refreshing buckets whose
-- events were dropped would empty them (parcours/retention.py).

-- config: {"rollups": [{"name", "width", "window"}, ...]} in creation order, so that an aggregate
-- built over another refreshes after it (parcours/rollups.py schedule_refresh).
CREATE PROCEDURE parcours.refresh_rollups(job_id integer, config jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    taken bigint[];
    stale_from timestamptz;
    kept_from timestamptz;
    rollup jsonb;
    width interval;
BEGIN
    -- One run at a time: TimescaleDB refuses a refresh that overlaps one in progress, so a run
    -- started by hand (CALL run_job, as `parcours db migrate` does) beside the scheduled one
    -- would fail. The lock is the session's, to hold across the refreshes' commits; a second
    -- run waits for the first, then refreshes what came since.
    PERFORM pg_advisory_lock(hashtext('parcours.refresh_rollups'));
    SELECT array_agg(s.id), min(s.lo) INTO taken, stale_from FROM parcours.stale_rollups AS s;
    SELECT now() - (j.config ->> 'drop_after')::interval + INTERVAL '1 day' INTO kept_from
    FROM timescaledb_information.jobs AS j
    WHERE j.proc_name = 'policy_retention' AND j.hypertable_schema = 'metrics' AND j.hypertable_name = 'events';
    -- An array, not a loop over a query: each refresh commits. least() and greatest() skip a
    -- NULL: no stale range, or no retention policy.
    FOREACH rollup IN ARRAY ARRAY(SELECT jsonb_array_elements(config -> 'rollups')) LOOP
        width := (rollup ->> 'width')::interval;
        CALL refresh_continuous_aggregate(
            (rollup ->> 'name')::regclass,
            greatest(time_bucket(width, least(stale_from, now() - (rollup ->> 'window')::interval)), kept_from),
            NULL);
    END LOOP;
    DELETE FROM parcours.stale_rollups WHERE id = ANY(taken);
    PERFORM pg_advisory_unlock(hashtext('parcours.refresh_rollups'));
END
$$;

-- Aggregates made before this migration: real-time, each with a policy that stopped a bucket
-- short of now, and the job 0077 added for ranges older than the policies' windows. The new job
-- covers both; `parcours db migrate` schedules it once this file has run.
DO $$
DECLARE
    aggregate regclass;
    superseded integer;
BEGIN
    FOR aggregate IN SELECT format('%I.%I', view_schema, view_name)::regclass
                     FROM timescaledb_information.continuous_aggregates LOOP
        PERFORM remove_continuous_aggregate_policy(aggregate, if_exists => true);
        EXECUTE format('ALTER MATERIALIZED VIEW %s SET (timescaledb.materialized_only = true)', aggregate);
    END LOOP;
    FOR superseded IN SELECT job_id FROM timescaledb_information.jobs
                      WHERE proc_schema = 'parcours' AND proc_name = 'refresh_backfill' LOOP
        PERFORM delete_job(superseded);
    END LOOP;
END
$$;
DROP PROCEDURE parcours.refresh_backfill(integer, jsonb);
-- Only the superseded job read it.
DROP FUNCTION parcours.watermark(regclass);
