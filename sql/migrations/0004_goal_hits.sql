-- Goals and funnels read only the rows that meet them (bench/reports, docs/benchmarks.md).
--
-- 0002 read every page view and custom event of a range and kept those that met a goal: a
-- goal's cost was the range's traffic, not its own. These indexes lead with what a goal names
-- (the page's path, the event's name), so a goal reads its own rows: the paths that meet a page
-- pattern are found first, once each, from the paths rollup (reports.matching_paths), and each
-- is one index range.
CREATE INDEX page_views_path_time_idx ON metrics.page_views (property_id, pathname, time)
    INCLUDE (visitor_id, session_id, is_bot);
CREATE INDEX events_custom_name_idx ON metrics.events (property_id, name, time)
    INCLUDE (visitor_id, session_id, is_bot, props)
    WHERE name NOT IN ('page_view', 'ping', 'scroll', 'page_exit');
-- What the page goals and funnels of 0002 read by time; nothing does now.
DROP INDEX metrics.page_views_paths_idx;

-- The page views and custom events in [lo, hi) that meet `goal` (reports.meets), of sessions
-- that pass the filters: `paths` are the paths that meet a page goal (reports.matching_paths;
-- ignored for an event goal). The goal report, its chart and each funnel step read their rows
-- here. A single query, so it is inlined and the branch the goal does not take is folded away.
CREATE FUNCTION reports.goal_hits(p_property text, lo timestamptz, hi timestamptz, bots boolean, f jsonb,
                                  goal jsonb, paths text[])
RETURNS TABLE (session_id bigint, visitor_id bigint, "time" timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT v.session_id, v.visitor_id, v.time
    FROM reports.page_views(p_property, lo, hi, bots, f) AS v
    WHERE goal ? 'page' AND v.pathname = ANY (paths)
    UNION ALL
    SELECT e.session_id, e.visitor_id, e.time
    FROM reports.events(p_property, lo, hi, bots, f) AS e
    WHERE goal ? 'event' AND e.name = goal ->> 'event' AND reports.meets(e.name, e.pathname, e.props, goal)
$$;

-- The paths of [lo, hi) that meet a page goal: its pattern itself when it has no wildcard (no
-- lookup; a path never viewed matches no row), else those of reports.matching_paths.
CREATE FUNCTION reports.goal_paths(p_property text, lo timestamptz, hi timestamptz, bots boolean, goal jsonb)
RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN NOT goal ? 'page' THEN NULL
                WHEN strpos(goal ->> 'page', '*') = 0 THEN ARRAY[goal ->> 'page']
                ELSE ARRAY(SELECT m.pathname FROM reports.matching_paths(p_property, lo, hi, bots, jsonb_build_array(goal)) AS m)
           END
$$;

-- A funnel's steps (the definition is 0002's, docs/definitions.md): for each, the visitors and
-- sessions that reached it and the median seconds from the step before. A step at a time, each
-- step's sessions and times from one grouped join of the step's own rows (reports.goal_hits) with
-- the step before; only the counts leave the function.
--
-- Sessions started in [lo, hi) and their events until hi + 2 days (a session's events lie within
-- two days of its start, docs/definitions.md). Unfiltered, the first step reads only the sessions
-- that started within two days of either end: a session first matched at t started in
-- (t - 2 days, t], so one matched in [lo + 2 days, hi) started in the range; one matched before
-- lo + 2 days did if it started in [lo, lo + 2 days), and one matched at or after hi if it started
-- in [hi - 2 days, hi).
DROP FUNCTION reports.funnel_progress(text, timestamptz, timestamptz, boolean, jsonb, jsonb);
CREATE FUNCTION reports.funnel(p_property text, lo timestamptz, hi timestamptz, bots boolean, f jsonb, steps jsonb)
RETURNS TABLE (step integer, visitors bigint, sessions bigint, median_seconds double precision)
LANGUAGE plpgsql STABLE
SET work_mem = '128MB' SET plan_cache_mode = force_custom_plan SET enable_mergejoin = off AS $$
DECLARE
    until timestamptz := hi + INTERVAL '2 days';
    filtered boolean := f IS NOT NULL AND f <> '{}';
    paths text[];
    reached bigint[];
    people bigint[];
    times timestamptz[];
    took double precision[];
BEGIN
    FOR k IN 1 .. jsonb_array_length(steps) LOOP
        paths := reports.goal_paths(p_property, lo, until, bots, steps -> (k - 1));
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
        ELSIF reached IS NOT NULL THEN
            SELECT array_agg(r.s), array_agg(r.v), array_agg(r.at), array_agg(extract(epoch FROM r.at - r.before))
            INTO reached, people, times, took
            FROM (SELECT p.s, p.v, p.at AS before, min(h.time) AS at
                  FROM unnest(reached, people, times) AS p (s, v, at)
                  JOIN reports.goal_hits(p_property, lo, until, bots, '{}', steps -> (k - 1), paths) AS h
                    ON h.session_id = p.s AND h.time > p.at
                  GROUP BY p.s, p.v, p.at) AS r;
        END IF;
        RETURN QUERY SELECT k, count(DISTINCT u.v), count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY u.t)
                     FROM unnest(people, took) AS u (v, t);
    END LOOP;
END
$$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA reports TO parcours_web;
