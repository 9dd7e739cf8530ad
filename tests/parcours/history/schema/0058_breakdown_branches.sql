-- Breakdowns read only the rollup family their dimension lives in. As SQL functions they were
-- a UNION ALL of every family, each branch switched off at run time: the planner still planned
-- each branch over every chunk, which took longer than running the one that was left. As
-- PL/pgSQL, each branch is planned only when taken, and its plan is cached for the session.
-- Entry and exit pages now come from their own rollups, a row per page rather than per pair.

CREATE FUNCTION reports.span_entry_pages(p_property text, lo timestamptz, hi timestamptz, bots boolean)
RETURNS SETOF metrics.entry_pages_15m
LANGUAGE sql STABLE AS $$
    SELECT * FROM metrics.entry_pages_7d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= reports.ceil_week(lo) AND bucket < reports.floor_week(hi)
    UNION ALL
    SELECT * FROM metrics.entry_pages_1d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= reports.ceil_day(lo) AND bucket < least(reports.ceil_week(lo), reports.floor_day(hi)))
        OR (bucket >= greatest(reports.floor_week(hi), reports.ceil_week(lo), reports.ceil_day(lo))
            AND bucket < reports.floor_day(hi)))
    UNION ALL
    SELECT * FROM metrics.entry_pages_15m
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= lo AND bucket < least(reports.ceil_day(lo), hi))
        OR (bucket >= greatest(reports.floor_day(hi), reports.ceil_day(lo)) AND bucket < hi))
$$;

CREATE FUNCTION reports.span_exit_pages(p_property text, lo timestamptz, hi timestamptz, bots boolean)
RETURNS SETOF metrics.exit_pages_15m
LANGUAGE sql STABLE AS $$
    SELECT * FROM metrics.exit_pages_7d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= reports.ceil_week(lo) AND bucket < reports.floor_week(hi)
    UNION ALL
    SELECT * FROM metrics.exit_pages_1d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= reports.ceil_day(lo) AND bucket < least(reports.ceil_week(lo), reports.floor_day(hi)))
        OR (bucket >= greatest(reports.floor_week(hi), reports.ceil_week(lo), reports.ceil_day(lo))
            AND bucket < reports.floor_day(hi)))
    UNION ALL
    SELECT * FROM metrics.exit_pages_15m
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= lo AND bucket < least(reports.ceil_day(lo), hi))
        OR (bucket >= greatest(reports.floor_day(hi), reports.ceil_day(lo)) AND bucket < hi))
$$;

-- Sessions by one session dimension over [lo, hi), summed per value.
DROP FUNCTION reports.session_breakdown(text, timestamptz, timestamptz, boolean, text);
CREATE FUNCTION reports.session_breakdown(p_property text, lo timestamptz, hi timestamptz, bots boolean, dimension text)
RETURNS TABLE (value text, sessions bigint, bounces bigint, session_page_views bigint, duration_seconds numeric)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF dimension IN ('channel', 'source', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content') THEN
        RETURN QUERY
        SELECT CASE dimension WHEN 'channel' THEN s.channel WHEN 'source' THEN s.source
                              WHEN 'referrer' THEN s.referrer_domain
                              WHEN 'utm_source' THEN s.utm_source WHEN 'utm_medium' THEN s.utm_medium
                              WHEN 'utm_campaign' THEN s.utm_campaign WHEN 'utm_term' THEN s.utm_term
                              WHEN 'utm_content' THEN s.utm_content END,
               sum(s.sessions)::bigint, sum(s.bounces)::bigint, sum(s.session_page_views)::bigint, sum(s.duration_seconds)
        FROM reports.span_sources(p_property, lo, hi, bots) AS s GROUP BY 1;
    ELSIF dimension IN ('country', 'region', 'city') THEN
        RETURN QUERY
        SELECT CASE dimension WHEN 'country' THEN s.country WHEN 'region' THEN s.region WHEN 'city' THEN s.city END,
               sum(s.sessions)::bigint, sum(s.bounces)::bigint, sum(s.session_page_views)::bigint, sum(s.duration_seconds)
        FROM reports.span_places(p_property, lo, hi, bots) AS s GROUP BY 1;
    ELSIF dimension IN ('browser', 'os', 'device', 'language') THEN
        RETURN QUERY
        SELECT CASE dimension WHEN 'browser' THEN s.browser WHEN 'os' THEN s.os WHEN 'device' THEN s.device
                              WHEN 'language' THEN s.language END,
               sum(s.sessions)::bigint, sum(s.bounces)::bigint, sum(s.session_page_views)::bigint, sum(s.duration_seconds)
        FROM reports.span_devices(p_property, lo, hi, bots) AS s GROUP BY 1;
    ELSIF dimension = 'entry_page' THEN
        RETURN QUERY
        SELECT s.entry_page, sum(s.sessions)::bigint, sum(s.bounces)::bigint, sum(s.session_page_views)::bigint,
               sum(s.duration_seconds)
        FROM reports.span_entry_pages(p_property, lo, hi, bots) AS s GROUP BY 1;
    ELSIF dimension = 'exit_page' THEN
        RETURN QUERY
        SELECT s.exit_page, sum(s.sessions)::bigint, sum(s.bounces)::bigint, sum(s.session_page_views)::bigint,
               sum(s.duration_seconds)
        FROM reports.span_exit_pages(p_property, lo, hi, bots) AS s GROUP BY 1;
    END IF;
END
$$;

-- Page views by a page dimension over [lo, hi), summed per value: type, author and category
-- from the content rollups, page and tag from the page rollups. A page in two categories or
-- tags counts in both.
DROP FUNCTION reports.page_breakdown(text, timestamptz, timestamptz, boolean, text);
CREATE FUNCTION reports.page_breakdown(p_property text, lo timestamptz, hi timestamptz, bots boolean, dimension text)
RETURNS TABLE (value text, page_views bigint, engaged_views bigint, engaged_ms bigint, scroll_depth bigint,
               reached_25 bigint, reached_50 bigint, reached_75 bigint, reached_100 bigint)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF dimension IN ('page_type', 'author', 'category') THEN
        RETURN QUERY
        SELECT v.value, sum(v.page_views)::bigint, sum(v.engaged_views)::bigint, sum(v.engaged_ms)::bigint,
               sum(v.scroll_depth)::bigint, sum(v.reached_25)::bigint, sum(v.reached_50)::bigint,
               sum(v.reached_75)::bigint, sum(v.reached_100)::bigint
        FROM (SELECT c.*, unnest(coalesce(CASE dimension WHEN 'page_type' THEN ARRAY[c.page_type]
                                                         WHEN 'author' THEN ARRAY[c.author]
                                                         WHEN 'category' THEN c.categories END, ARRAY[NULL::text])) AS value
              FROM reports.span_content(p_property, lo, hi, bots) AS c) AS v
        GROUP BY 1;
    ELSIF dimension = 'page' THEN
        RETURN QUERY
        SELECT v.pathname, sum(v.page_views)::bigint, sum(v.engaged_views)::bigint, sum(v.engaged_ms)::bigint,
               sum(v.scroll_depth)::bigint, sum(v.reached_25)::bigint, sum(v.reached_50)::bigint,
               sum(v.reached_75)::bigint, sum(v.reached_100)::bigint
        FROM reports.span_pages(p_property, lo, hi, bots) AS v GROUP BY 1;
    ELSIF dimension = 'tag' THEN
        RETURN QUERY
        SELECT v.value, sum(v.page_views)::bigint, sum(v.engaged_views)::bigint, sum(v.engaged_ms)::bigint,
               sum(v.scroll_depth)::bigint, sum(v.reached_25)::bigint, sum(v.reached_50)::bigint,
               sum(v.reached_75)::bigint, sum(v.reached_100)::bigint
        FROM (SELECT p.*, unnest(coalesce(p.tags, ARRAY[NULL::text])) AS value
              FROM reports.span_pages(p_property, lo, hi, bots) AS p) AS v
        GROUP BY 1;
    END IF;
END
$$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA reports TO parcours_web;
