-- Goals read their conversions materialized, as funnels read their sessions (0016; bench/reports,
-- docs/benchmarks.md).
--
-- A page goal's conversions were found at each report among the page views of the paths its
-- pattern matches: a year of `/posts/1*` probed 1,111 paths in each of 53 weekly chunks (240 ms).
-- A goal is fixed once made (deleted, never edited), and whether an event meets it depends on
-- that event alone. So each goal keeps its conversions (metrics.goal_conversions), settled by
-- the worker (worker/settling.py) as funnels are, and an unfiltered report reads one range of
-- them.
--
-- Proof that a report equals the computation from raw rows (reports.goal_hits), as for funnels:
-- * A conversion is a page view or event, counted by its own time: the rows in [lo, cut) are
--   read materialized and those in [cut, hi) computed, and visitors are counted distinct over
--   the union.
-- * The rows before a goal's settled_until are what reports.goal_hits gives now, bots included
--   (their is_bot kept): metrics.settle_goal computed them, and every load since recomputed
--   those between its first and last event (a load writes events, and rewrites page views,
--   only at their own times; worker/loader.py); an erasure deletes the visitor's rows.
-- * Paths are read from the page views (reports.viewed_paths, 0016).
-- * Filtered reports compute everything from raw rows: a filter reads a conversion's session
--   and page, which the materialized rows do not keep.
-- As for funnels, the rows stay as long as page views do, where a goal made later finds event
-- conversions within raw retention only.

CREATE TABLE metrics.goal_conversions (
    goal_id    bigint NOT NULL REFERENCES accounts.goals ON DELETE CASCADE,
    "time"     timestamptz NOT NULL,
    visitor_id bigint NOT NULL,
    is_bot     boolean NOT NULL
);
CREATE INDEX goal_conversions_idx ON metrics.goal_conversions (goal_id, time) INCLUDE (visitor_id, is_bot);
CREATE INDEX goal_conversions_visitor_idx ON metrics.goal_conversions (visitor_id);

-- The conversions before `settled_until` are materialized (worker/settling.py).
CREATE TABLE metrics.settled_goals (
    goal_id       bigint PRIMARY KEY REFERENCES accounts.goals ON DELETE CASCADE,
    settled_until timestamptz NOT NULL
);

-- Materialize one goal's conversions in [lo, hi), replacing what was there, and return how many:
-- reports.goal_hits over the raw rows with no filter and bots included, with their is_bot.
CREATE FUNCTION metrics.settle_goal(goal bigint, lo timestamptz, hi timestamptz) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    site text;
    definition jsonb;
    paths text[];
    stored bigint;
BEGIN
    DELETE FROM metrics.goal_conversions c WHERE c.goal_id = goal AND c.time >= lo AND c.time < hi;
    SELECT g.property_id, reports.goal(g.page, g.event, g.props) INTO site, definition
    FROM accounts.goals g WHERE g.id = goal;
    IF site IS NULL THEN
        RETURN 0;
    END IF;
    paths := reports.viewed_paths(site, lo, hi, definition);
    INSERT INTO metrics.goal_conversions (goal_id, time, visitor_id, is_bot)
    SELECT goal, v.time, v.visitor_id, v.is_bot
    FROM metrics.page_views v
    WHERE definition ? 'page' AND v.property_id = site AND v.pathname = ANY (paths) AND v.time >= lo AND v.time < hi
    UNION ALL
    SELECT goal, e.time, e.visitor_id, e.is_bot
    FROM metrics.events e
    WHERE definition ? 'event' AND e.property_id = site AND e.time >= lo AND e.time < hi
      AND e.name NOT IN ('page_view', 'ping', 'scroll', 'page_exit')
      AND e.name = definition ->> 'event' AND reports.meets(e.name, e.pathname, e.props, definition);
    GET DIAGNOSTICS stored = ROW_COUNT;
    RETURN stored;
END
$$;
REVOKE ALL ON FUNCTION metrics.settle_goal(bigint, timestamptz, timestamptz) FROM PUBLIC;

-- A goal's conversions and converting visitors in [lo, hi), of the sessions the filters keep
-- (docs/definitions.md). Unfiltered, those before the goal's settled_until are read
-- materialized; the rest, and every filtered report, come from reports.goal_hits, with the
-- paths a page pattern matches found once, before the query, so that they are constants.
CREATE FUNCTION reports.goal_conversions(p_property text, lo timestamptz, hi timestamptz, bots boolean, f jsonb,
                                         goal jsonb)
RETURNS TABLE (conversions bigint, visitors bigint)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    chosen bigint;
    cut timestamptz;
    paths text[];
BEGIN
    IF f IS NULL OR f = '{}' THEN
        SELECT s.goal_id, least(greatest(lo, s.settled_until), hi) INTO chosen, cut
        FROM accounts.goals g JOIN metrics.settled_goals s ON s.goal_id = g.id
        WHERE g.property_id = p_property AND reports.goal(g.page, g.event, g.props) = goal_conversions.goal
        ORDER BY s.settled_until DESC LIMIT 1;
    END IF;
    cut := coalesce(cut, lo);
    IF cut < hi THEN
        paths := reports.goal_paths(p_property, cut, hi, bots, goal);
    END IF;
    RETURN QUERY
    WITH hits AS (
        SELECT h.visitor_id
        FROM reports.goal_hits(p_property, cut, hi, bots, f, goal, paths) AS h
        UNION ALL
        SELECT c.visitor_id
        FROM metrics.goal_conversions c
        WHERE c.goal_id = chosen AND c.time >= lo AND c.time < cut AND (bots OR NOT c.is_bot)
    )
    SELECT count(*), count(DISTINCT hits.visitor_id) FROM hits;
END
$$;

GRANT SELECT ON metrics.goal_conversions, metrics.settled_goals TO parcours_web;
GRANT SELECT, INSERT, UPDATE, DELETE ON metrics.settled_goals TO parcours_worker;
GRANT SELECT, INSERT, DELETE ON metrics.goal_conversions TO parcours_worker;
GRANT SELECT ON accounts.goals TO parcours_worker;
GRANT EXECUTE ON FUNCTION metrics.settle_goal(bigint, timestamptz, timestamptz) TO parcours_worker;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA reports TO parcours_web, parcours_worker;
