-- Funnels read their own sessions, materialized (bench/reports, docs/benchmarks.md).
--
-- 0004 computed a funnel from the raw page views and events of its range at every report: a
-- year of a funnel whose first steps match most views grouped millions of them (4.6 s). A funnel
-- is fixed once made (it can be deleted, not edited), and a session's progress through it
-- depends on that session's own events alone. So each funnel keeps, for every session that
-- reached its first step, the time it reached each step (metrics.funnel_sessions), and a report
-- aggregates those rows. The raw computation stays, as reports.funnel_runs, and serves both the
-- materialization and what is not materialized yet.
--
-- Proof that a report equals the raw computation of 0004:
-- * A session's steps are a function of its own events (the first match of step 1, then of each
--   next step after the one before), and its events lie within two days of its start
--   (docs/definitions.md). So reports.funnel_runs over the sessions started in [a, b) yields
--   the same rows for a session whichever range holds it, and a report over [lo, hi) is the
--   union of its sessions' rows: those started in [lo, cut) from the materialized rows, those
--   started in [cut, hi) computed. Visitors are counted distinct over the union, and medians
--   taken over it, so the split changes no number.
-- * The rows of sessions started before a funnel's `settled_until` are those reports.funnel_runs
--   would yield now: metrics.settle_funnel computed them, and every load of events since
--   recomputed the sessions it could change — those started from two days before its first
--   event (a session holding that event started at most two days before it) to its last
--   (worker/settling.py calls metrics.settle_funnel for that range, in the loading transaction).
--   An erasure deletes the visitor's rows, whose sessions it deletes.
-- * Paths: the materialization finds the paths a pattern matches among the page views
--   (reports.viewed_paths), where a report finds them in the paths rollups: the same paths once
--   the rollups are refreshed, which the materialization cannot wait for.
-- * Bots: a session's events share its visitor's user agent, so they are all bots or none, and
--   keeping the session's is_bot filters exactly as filtering each event would.
-- * Filters: a session passes them or not as a whole (reports.sessions), so the materialized
--   rows of a filtered report are those of the sessions reports.sessions keeps.
--
-- What differs on purpose: materialized rows stay as long as sessions do (rollup retention),
-- while the raw events an event step reads go with the raw retention; a funnel keeps the history
-- it saw, as the rollups do, where one made later counts event steps within raw retention only.

-- Each session that reached a funnel's first step, and when it reached each step (times[k] is
-- step k's; its length is the furthest step reached).
CREATE TABLE metrics.funnel_sessions (
    funnel_id  bigint NOT NULL REFERENCES accounts.funnels ON DELETE CASCADE,
    started_at timestamptz NOT NULL,
    session_id bigint NOT NULL,
    visitor_id bigint NOT NULL,
    is_bot     boolean NOT NULL,
    times      timestamptz[] NOT NULL CHECK (cardinality(times) BETWEEN 1 AND 8),
    -- Stored: a report filters on it once per step and row, cheaper than reading the array.
    reached    smallint NOT NULL GENERATED ALWAYS AS (cardinality(times)) STORED,
    PRIMARY KEY (funnel_id, started_at, session_id)
);
CREATE INDEX funnel_sessions_visitor_idx ON metrics.funnel_sessions (visitor_id);

-- The sessions started before `settled_until` are materialized; the worker moves it forward to
-- a few days before now (worker/settling.py), so that live traffic never needs a recompute.
CREATE TABLE metrics.settled_funnels (
    funnel_id     bigint PRIMARY KEY REFERENCES accounts.funnels ON DELETE CASCADE,
    settled_until timestamptz NOT NULL
);

-- The paths viewed in [lo, hi) that meet a page goal, from the page views themselves: what the
-- materialization matches patterns against. reports.goal_paths reads the paths rollups, which
-- the table engine brings up to date only after a load's transaction (where the load resettles)
-- and the continuous engine on its job's next run.
CREATE FUNCTION reports.viewed_paths(p_property text, lo timestamptz, hi timestamptz, goal jsonb)
RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN NOT goal ? 'page' THEN NULL
                WHEN strpos(goal ->> 'page', '*') = 0 THEN ARRAY[goal ->> 'page']
                ELSE ARRAY(SELECT DISTINCT v.pathname FROM metrics.page_views v
                           WHERE v.property_id = p_property AND v.time >= lo AND v.time < hi
                             AND reports.meets('page_view', v.pathname, NULL, goal))
           END
$$;

-- A funnel's steps for the sessions started in [lo, hi) that pass the filters: a row per session
-- and step reached, with when. A step
-- at a time, each step's sessions and times from one grouped join of the step's own rows
-- (reports.goal_hits) with the step before. Sessions' events are read until hi + 2 days (a
-- session's events lie within two days of its start). Unfiltered, the first step reads only the
-- sessions that started within two days of either end: a session first matched at t started in
-- (t - 2 days, t], so one matched in [lo + 2 days, hi) started in the range; one matched before
-- lo + 2 days did if it started in [lo, lo + 2 days), and one matched at or after hi if it
-- started in [hi - 2 days, hi). With `viewed`, a pattern's paths come from reports.viewed_paths.
CREATE FUNCTION reports.funnel_runs(p_property text, lo timestamptz, hi timestamptz, bots boolean, f jsonb, steps jsonb,
                                    viewed boolean DEFAULT false)
RETURNS TABLE (step integer, session_id bigint, visitor_id bigint, at timestamptz)
LANGUAGE plpgsql STABLE
SET work_mem = '128MB' SET plan_cache_mode = force_custom_plan SET enable_mergejoin = off AS $$
DECLARE
    until timestamptz := hi + INTERVAL '2 days';
    filtered boolean := f IS NOT NULL AND f <> '{}';
    paths text[];
    reached bigint[];
    people bigint[];
    times timestamptz[];
BEGIN
    IF lo >= hi THEN
        RETURN;
    END IF;
    FOR k IN 1 .. jsonb_array_length(steps) LOOP
        paths := CASE WHEN viewed THEN reports.viewed_paths(p_property, lo, until, steps -> (k - 1))
                      ELSE reports.goal_paths(p_property, lo, until, bots, steps -> (k - 1)) END;
        IF k = 1 THEN
            SELECT array_agg(r.s), array_agg(r.v), array_agg(r.at) INTO reached, people, times
            FROM (SELECT h.session_id AS s, h.visitor_id AS v, min(h.time) AS at
                  FROM reports.goal_hits(p_property, lo, until, bots, '{}', steps -> 0, paths) AS h
                  GROUP BY 1, 2) AS r
            WHERE CASE WHEN filtered
                       THEN r.s IN (SELECT c.session_id FROM reports.sessions(p_property, lo, hi, bots, f) AS c)
                       ELSE (r.at >= lo + INTERVAL '2 days' AND r.at < hi)
                            OR r.s IN (SELECT c.session_id FROM metrics.sessions c
                                       WHERE c.property_id = p_property AND c.started_at >= lo AND c.started_at < hi
                                         AND (c.started_at < lo + INTERVAL '2 days' OR c.started_at >= hi - INTERVAL '2 days')) END;
        ELSE
            SELECT array_agg(r.s), array_agg(r.v), array_agg(r.at) INTO reached, people, times
            FROM (SELECT p.s, p.v, p.at AS before, min(h.time) AS at
                  FROM unnest(reached, people, times) AS p (s, v, at)
                  JOIN reports.goal_hits(p_property, lo, until, bots, '{}', steps -> (k - 1), paths) AS h
                    ON h.session_id = p.s AND h.time > p.at
                  GROUP BY p.s, p.v, p.at) AS r;
        END IF;
        EXIT WHEN reached IS NULL;
        RETURN QUERY SELECT k, u.s, u.v, u.at FROM unnest(reached, people, times) AS u (s, v, at);
    END LOOP;
END
$$;

-- A funnel's report (docs/definitions.md): for each step, the visitors and sessions that reached
-- it and the median seconds from the step before, over the sessions started in [lo, hi). The
-- sessions started before the funnel's settled_until are read from metrics.funnel_sessions; the
-- rest are computed (reports.funnel_runs). `steps` names the funnel: funnels are never edited,
-- so a funnel with these steps has materialized exactly these steps. One row per session, each
-- step's numbers an aggregate of the rows that reached it (a step per column, up to the eight a
-- funnel may have): a year of a busy funnel is one scan, with no row per session and step.
DROP FUNCTION reports.funnel(text, timestamptz, timestamptz, boolean, jsonb, jsonb);
CREATE FUNCTION reports.funnel(p_property text, lo timestamptz, hi timestamptz, bots boolean, f jsonb, steps jsonb)
RETURNS TABLE (step integer, visitors bigint, sessions bigint, median_seconds double precision)
LANGUAGE plpgsql STABLE SET work_mem = '256MB' SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    filtered boolean := f IS NOT NULL AND f <> '{}';
    chosen bigint;
    cut timestamptz;
BEGIN
    SELECT s.funnel_id, least(greatest(lo, s.settled_until), hi) INTO chosen, cut
    FROM accounts.funnels d JOIN metrics.settled_funnels s ON s.funnel_id = d.id
    WHERE d.property_id = p_property AND d.steps = funnel.steps
    ORDER BY s.settled_until DESC LIMIT 1;
    cut := coalesce(cut, lo);
    RETURN QUERY
    WITH runs AS (
        SELECT r.visitor_id AS v, array_agg(r.at ORDER BY r.step) AS times, max(r.step) AS reached
        FROM reports.funnel_runs(p_property, cut, hi, bots, f, steps) AS r
        GROUP BY r.session_id, r.visitor_id
        UNION ALL
        SELECT c.visitor_id, c.times, c.reached
        FROM metrics.funnel_sessions c
        WHERE c.funnel_id = chosen AND c.started_at >= lo AND c.started_at < cut AND (bots OR NOT c.is_bot)
          AND (NOT filtered OR c.session_id IN (SELECT s.session_id FROM reports.sessions(p_property, lo, cut, bots, f) AS s))
    ), counted AS (
        SELECT ARRAY[count(DISTINCT r.v),
                     count(DISTINCT r.v) FILTER (WHERE r.reached >= 2),
                     count(DISTINCT r.v) FILTER (WHERE r.reached >= 3),
                     count(DISTINCT r.v) FILTER (WHERE r.reached >= 4),
                     count(DISTINCT r.v) FILTER (WHERE r.reached >= 5),
                     count(DISTINCT r.v) FILTER (WHERE r.reached >= 6),
                     count(DISTINCT r.v) FILTER (WHERE r.reached >= 7),
                     count(DISTINCT r.v) FILTER (WHERE r.reached >= 8)] AS visitors,
               ARRAY[count(*),
                     count(*) FILTER (WHERE r.reached >= 2),
                     count(*) FILTER (WHERE r.reached >= 3),
                     count(*) FILTER (WHERE r.reached >= 4),
                     count(*) FILTER (WHERE r.reached >= 5),
                     count(*) FILTER (WHERE r.reached >= 6),
                     count(*) FILTER (WHERE r.reached >= 7),
                     count(*) FILTER (WHERE r.reached >= 8)] AS sessions,
               ARRAY[NULL,
                     percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', r.times[2] - r.times[1])) FILTER (WHERE r.reached >= 2),
                     percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', r.times[3] - r.times[2])) FILTER (WHERE r.reached >= 3),
                     percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', r.times[4] - r.times[3])) FILTER (WHERE r.reached >= 4),
                     percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', r.times[5] - r.times[4])) FILTER (WHERE r.reached >= 5),
                     percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', r.times[6] - r.times[5])) FILTER (WHERE r.reached >= 6),
                     percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', r.times[7] - r.times[6])) FILTER (WHERE r.reached >= 7),
                     percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', r.times[8] - r.times[7])) FILTER (WHERE r.reached >= 8)]::double precision[] AS medians
        FROM runs r
    )
    SELECT g.k, c.visitors[g.k], c.sessions[g.k], c.medians[g.k]
    FROM counted c, generate_series(1, jsonb_array_length(steps)) AS g (k)
    ORDER BY g.k;
END
$$;

-- Materialize one funnel's sessions started in [lo, hi), replacing what was there, and return
-- how many. For the worker (worker/settling.py).
CREATE FUNCTION metrics.settle_funnel(funnel bigint, lo timestamptz, hi timestamptz) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    stored bigint;
BEGIN
    DELETE FROM metrics.funnel_sessions c WHERE c.funnel_id = funnel AND c.started_at >= lo AND c.started_at < hi;
    INSERT INTO metrics.funnel_sessions (funnel_id, started_at, session_id, visitor_id, is_bot, times)
    SELECT d.id, s.started_at, r.session_id, r.visitor_id, s.is_bot, array_agg(r.at ORDER BY r.step)
    FROM accounts.funnels d
    CROSS JOIN LATERAL reports.funnel_runs(d.property_id, lo, hi, true, '{}', d.steps, viewed => true) AS r
    JOIN metrics.sessions s ON s.session_id = r.session_id AND s.property_id = d.property_id
                           AND s.started_at >= lo AND s.started_at < hi
    WHERE d.id = funnel
    GROUP BY d.id, s.started_at, r.session_id, r.visitor_id, s.is_bot;
    GET DIAGNOSTICS stored = ROW_COUNT;
    RETURN stored;
END
$$;
REVOKE ALL ON FUNCTION metrics.settle_funnel(bigint, timestamptz, timestamptz) FROM PUBLIC;

GRANT SELECT ON metrics.funnel_sessions, metrics.settled_funnels TO parcours_web;
GRANT SELECT, INSERT, UPDATE, DELETE ON metrics.settled_funnels TO parcours_worker;
GRANT SELECT, INSERT, DELETE ON metrics.funnel_sessions TO parcours_worker;
GRANT SELECT ON accounts.funnels TO parcours_worker;
GRANT USAGE ON SCHEMA reports TO parcours_worker;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA reports TO parcours_worker;
GRANT EXECUTE ON FUNCTION metrics.settle_funnel(bigint, timestamptz, timestamptz) TO parcours_worker;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA reports TO parcours_web;
