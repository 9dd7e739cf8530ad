-- History older than the raw retention (an import, a replay of an old archive, a worker back
-- after a long outage) reaches the rollups on the Community engine too, and stays there.
--
-- Before: the refresh job never reached back past the raw retention (less a day), since a
-- refresh over events already dropped would empty their buckets. Rows loaded for older times
-- were therefore never materialized, and the retention policy dropped them a day later.
--
-- Now the job refreshes each range the worker loaded that is older than that (stale_rollups),
-- exactly that range, bucket by bucket of each rollup: the rows were just loaded, so the buckets
-- they touch are recomputed from rows that are there. The window every run refreshes still stops
-- at the raw retention, so no later refresh reaches the buckets of dropped events.
--
-- And the job drops the expired raw events itself, after refreshing, never below a range still
-- waiting for a refresh (config "raw_retention", set by `parcours db retention` in place of a
-- retention policy on metrics.events): a policy ran on its own schedule and could drop an old
-- range's chunk before the job had materialized it. Both engines now show the same history:
-- the table engine refreshes its rollups in the transaction that loads the rows.
--
-- Proof that no history is lost: a bucket is recomputed only (a) inside the regular window,
-- which is younger than every dropped chunk, or (b) inside a range loaded since the last run,
-- whose chunks cannot have been dropped (the drop stops below the oldest range still waiting).
-- One case is left, stated in docs/definitions.md: loading rows into a range whose raw events
-- were already dropped recomputes the one rollup over raw events (metrics.pageviews_15m, for
-- analysts) from the new rows alone; rollups over sessions and page views keep their rows.
CREATE OR REPLACE PROCEDURE parcours.refresh_rollups(job_id integer, config jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    raw_kept interval := (config ->> 'raw_retention')::interval;
    kept_from timestamptz := now() - (config ->> 'raw_retention')::interval + INTERVAL '1 day';
    taken bigint[];
    stale_from timestamptz;
    old_lo timestamptz[];
    old_hi timestamptz[];
    rollup jsonb;
    rollups jsonb[] := ARRAY(SELECT jsonb_array_elements(config -> 'rollups'));
    width interval;
BEGIN
    -- One run at a time: TimescaleDB refuses a refresh that overlaps one in progress (see
    -- sql/schema/90_parcours.sql).
    PERFORM pg_advisory_lock(hashtext('parcours.refresh_rollups'));
    IF raw_kept IS NULL THEN  -- no raw retention set yet: the policy's, if any (databases before 0012)
        SELECT now() - (j.config ->> 'drop_after')::interval + INTERVAL '1 day' INTO kept_from
        FROM timescaledb_information.jobs AS j
        WHERE j.proc_name = 'policy_retention' AND j.hypertable_schema = 'metrics' AND j.hypertable_name = 'events';
    END IF;
    SELECT array_agg(s.id), min(greatest(s.lo, kept_from)) FILTER (WHERE kept_from IS NULL OR s.hi >= kept_from)
    INTO taken, stale_from FROM parcours.stale_rollups AS s;
    -- The ranges older than kept_from, overlapping ones merged: islands over (lo, hi).
    WITH old AS (
        SELECT s.lo, least(s.hi, kept_from) AS hi FROM parcours.stale_rollups AS s
        WHERE s.id = ANY(taken) AND s.lo < kept_from
    ), reach AS (
        SELECT lo, hi, max(hi) OVER (ORDER BY lo, hi ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
        FROM old
    ), islands AS (
        SELECT lo, hi, count(*) FILTER (WHERE before IS NULL OR lo > before) OVER (ORDER BY lo, hi) AS island
        FROM reach
    ), merged AS (
        SELECT min(lo) AS lo, max(hi) AS hi FROM islands GROUP BY island
    )
    SELECT array_agg(lo ORDER BY lo), array_agg(hi ORDER BY lo) INTO old_lo, old_hi FROM merged;
    -- Arrays, not loops over queries: each refresh commits.
    FOREACH rollup IN ARRAY rollups LOOP
        width := (rollup ->> 'width')::interval;
        CALL refresh_continuous_aggregate(
            (rollup ->> 'name')::regclass,
            greatest(time_bucket(width, least(stale_from, now() - (rollup ->> 'window')::interval)), kept_from),
            NULL);
    END LOOP;
    FOR i IN 1 .. coalesce(array_length(old_lo, 1), 0) LOOP
        FOREACH rollup IN ARRAY rollups LOOP
            width := (rollup ->> 'width')::interval;
            CALL refresh_continuous_aggregate((rollup ->> 'name')::regclass, time_bucket(width, old_lo[i]),
                                              time_bucket(width, old_hi[i]) + width);
        END LOOP;
    END LOOP;
    DELETE FROM parcours.stale_rollups WHERE id = ANY(taken);
    IF raw_kept IS NOT NULL THEN
        PERFORM drop_chunks('metrics.events', older_than => least(now() - raw_kept,
                                                                 (SELECT min(lo) FROM parcours.stale_rollups)));
    END IF;
    PERFORM pg_advisory_unlock(hashtext('parcours.refresh_rollups'));
END
$$;
