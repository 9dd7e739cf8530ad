-- Community engine: rows the worker loads into buckets that no refresh policy reaches.
--
-- A refresh policy recomputes the last few days of its continuous aggregate (its window,
-- parcours/rollups.py refresh_window), and real-time aggregation reads raw rows only above the
-- aggregate's watermark. Rows loaded for an older bucket — by a worker back after days away,
-- by `parcours replay` of archived segments, or a straggler — were seen by neither: no report
-- showed them. The worker now records each batch's range in parcours.stale_rollups on both
-- engines. On Community this procedure runs as a job every minute, as the owner (a refresh
-- needs the aggregate's owner, which the worker's role is not). It refreshes the part of those
-- ranges that lies below each aggregate's watermark and before its policy's window, then
-- forgets the ranges it read. A refresh recomputes only the changed buckets of its window, so a
-- wide window costs what its changes cost. It never reaches back to raw events older than
-- their retention less a day: refreshing buckets whose events were dropped would empty them
-- (parcours/retention.py).

-- Which rows a run read, so that it forgets those alone: a batch committing meanwhile stays.
ALTER TABLE parcours.stale_rollups ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;

-- The end of what a continuous aggregate has materialized; NULL for any other relation.
-- Late-bound (PL/pgSQL): the catalog functions it names are the Community edition's.
CREATE FUNCTION parcours.watermark(aggregate regclass) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT _timescaledb_functions.to_timestamp(_timescaledb_functions.cagg_watermark(c.mat_hypertable_id))
            FROM _timescaledb_catalog.continuous_agg AS c
            WHERE format('%I.%I', c.user_view_schema, c.user_view_name)::regclass = aggregate);
END
$$;

-- config: {"rollups": [{"name", "width", "policy_start"}, ...]} in creation order, so that an
-- aggregate built over another refreshes after it (parcours/rollups.py schedule_backfill).
CREATE PROCEDURE parcours.refresh_backfill(job_id integer, config jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    taken bigint[];
    lo timestamptz;
    hi timestamptz;
    kept_from timestamptz;
    rollup jsonb;
    width interval;
    window_lo timestamptz;
    window_hi timestamptz;
BEGIN
    SELECT array_agg(s.id), min(s.lo), max(s.hi) INTO taken, lo, hi FROM parcours.stale_rollups AS s;
    IF taken IS NULL THEN
        RETURN;
    END IF;
    SELECT now() - (j.config ->> 'drop_after')::interval + INTERVAL '1 day' INTO kept_from
    FROM timescaledb_information.jobs AS j
    WHERE j.proc_name = 'policy_retention' AND j.hypertable_schema = 'metrics' AND j.hypertable_name = 'events';
    -- An array, not a loop over a query: each refresh commits.
    FOREACH rollup IN ARRAY ARRAY(SELECT jsonb_array_elements(config -> 'rollups')) LOOP
        width := (rollup ->> 'width')::interval;
        window_lo := greatest(time_bucket(width, lo), kept_from);
        -- The next policy run starts its window a little later than now less its start: an
        -- hour's margin, and whole buckets, since a policy refreshes only buckets inside it.
        window_hi := least(time_bucket(width, hi) + width,
                           parcours.watermark((rollup ->> 'name')::regclass),
                           time_bucket(width, now() - (rollup ->> 'policy_start')::interval + INTERVAL '1 hour') + width);
        IF window_lo < window_hi THEN
            CALL refresh_continuous_aggregate((rollup ->> 'name')::regclass, window_lo, window_hi);
        END IF;
    END LOOP;
    DELETE FROM parcours.stale_rollups WHERE id = ANY(taken);
END
$$;
