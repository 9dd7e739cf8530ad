-- Page views by a page dimension over [lo, hi), from the narrowest rollup that holds it: page
-- type, author and category from the content rollups (a few rows per bucket), page and tag from
-- the page rollups (a row per page). A page in two categories or tags counts in both.

CREATE FUNCTION reports.span_content(p_property text, lo timestamptz, hi timestamptz, bots boolean)
RETURNS SETOF metrics.content_15m
LANGUAGE sql STABLE AS $$
    SELECT * FROM metrics.content_7d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= reports.ceil_week(lo) AND bucket < reports.floor_week(hi)
    UNION ALL
    SELECT * FROM metrics.content_1d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= reports.ceil_day(lo) AND bucket < least(reports.ceil_week(lo), reports.floor_day(hi)))
        OR (bucket >= greatest(reports.floor_week(hi), reports.ceil_week(lo), reports.ceil_day(lo))
            AND bucket < reports.floor_day(hi)))
    UNION ALL
    SELECT * FROM metrics.content_15m
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= lo AND bucket < least(reports.ceil_day(lo), hi))
        OR (bucket >= greatest(reports.floor_day(hi), reports.ceil_day(lo)) AND bucket < hi))
$$;

CREATE FUNCTION reports.page_breakdown(p_property text, lo timestamptz, hi timestamptz, bots boolean, dimension text)
RETURNS TABLE (value text, page_views bigint, engaged_views bigint, engaged_ms bigint, scroll_depth bigint,
               reached_25 bigint, reached_50 bigint, reached_75 bigint, reached_100 bigint)
LANGUAGE sql STABLE AS $$
    SELECT value, v.page_views, v.engaged_views, v.engaged_ms, v.scroll_depth,
           v.reached_25, v.reached_50, v.reached_75, v.reached_100
    FROM reports.span_content(p_property, lo, hi, bots) AS v,
         unnest(coalesce(CASE dimension WHEN 'page_type' THEN ARRAY[v.page_type] WHEN 'author' THEN ARRAY[v.author]
                                        WHEN 'category' THEN v.categories END, ARRAY[NULL::text])) AS value
    WHERE dimension IN ('page_type', 'author', 'category')
    UNION ALL
    SELECT v.pathname, v.page_views, v.engaged_views, v.engaged_ms, v.scroll_depth,
           v.reached_25, v.reached_50, v.reached_75, v.reached_100
    FROM reports.span_pages(p_property, lo, hi, bots) AS v
    WHERE dimension = 'page'
    UNION ALL
    SELECT value, v.page_views, v.engaged_views, v.engaged_ms, v.scroll_depth,
           v.reached_25, v.reached_50, v.reached_75, v.reached_100
    FROM reports.span_pages(p_property, lo, hi, bots) AS v, unnest(coalesce(v.tags, ARRAY[NULL::text])) AS value
    WHERE dimension = 'tag'
$$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA reports TO parcours_web;
