-- The page report prunes its long tail as entry and exit pages do (0061_leading_values.sql),
-- from rollups with a row per page and bucket (metrics.paths_*).

CREATE INDEX paths_7d_views_idx ON metrics.paths_7d (property_id, page_views);
CREATE INDEX paths_1d_views_idx ON metrics.paths_1d (property_id, page_views);
CREATE INDEX paths_7d_page_idx ON metrics.paths_7d (property_id, pathname, bucket);
CREATE INDEX paths_1d_page_idx ON metrics.paths_1d (property_id, pathname, bucket);
CREATE INDEX paths_15m_page_idx ON metrics.paths_15m (property_id, pathname, bucket);

CREATE FUNCTION reports.span_paths(p_property text, lo timestamptz, hi timestamptz, bots boolean)
RETURNS SETOF metrics.paths_15m
LANGUAGE sql STABLE AS $$
    SELECT * FROM metrics.paths_7d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= reports.ceil_week(lo) AND bucket < reports.floor_week(hi)
    UNION ALL
    SELECT * FROM metrics.paths_1d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= reports.ceil_day(lo) AND bucket < least(reports.ceil_week(lo), reports.floor_day(hi)))
        OR (bucket >= greatest(reports.floor_week(hi), reports.ceil_week(lo), reports.ceil_day(lo))
            AND bucket < reports.floor_day(hi)))
    UNION ALL
    SELECT * FROM metrics.paths_15m
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= lo AND bucket < least(reports.ceil_day(lo), hi))
        OR (bucket >= greatest(reports.floor_day(hi), reports.ceil_day(lo)) AND bucket < hi))
$$;

-- Page views by a page dimension over [lo, hi), summed per value: type, author and category
-- from the content rollups, page from the path rollups, tag from the page rollups. A page in two categories or
-- tags counts in both. Pages: only those that can be among the top `k`.
DROP FUNCTION reports.page_breakdown(text, timestamptz, timestamptz, boolean, text);
CREATE FUNCTION reports.page_breakdown(p_property text, lo timestamptz, hi timestamptz, bots boolean,
                                       dimension text, k integer)
RETURNS TABLE (value text, page_views bigint, engaged_views bigint, engaged_ms bigint, scroll_depth bigint,
               reached_25 bigint, reached_50 bigint, reached_75 bigint, reached_100 bigint)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    leaders text[];
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
        leaders := reports.leading_values(p_property, lo, hi, bots, 'paths', 'pathname', 'page_views', k);
        RETURN QUERY
        SELECT v.pathname, sum(v.page_views)::bigint, sum(v.engaged_views)::bigint, sum(v.engaged_ms)::bigint,
               sum(v.scroll_depth)::bigint, sum(v.reached_25)::bigint, sum(v.reached_50)::bigint,
               sum(v.reached_75)::bigint, sum(v.reached_100)::bigint
        FROM reports.span_paths(p_property, lo, hi, bots) AS v
        WHERE leaders IS NULL OR v.pathname = ANY(leaders)
        GROUP BY 1;
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
