-- The tag report from the tag rollups (0069_tag_members.sql): a few dozen rows per bucket
-- instead of a row per page. Views without tags still come from the page rollups, through
-- partial indexes that hold only their rows.

CREATE INDEX pages_7d_untagged_idx ON metrics.pages_7d (property_id, bucket) WHERE tags IS NULL;
CREATE INDEX pages_1d_untagged_idx ON metrics.pages_1d (property_id, bucket) WHERE tags IS NULL;
CREATE INDEX pages_15m_untagged_idx ON metrics.pages_15m (property_id, bucket) WHERE tags IS NULL;

CREATE FUNCTION reports.span_tags(p_property text, s reports.span, bots boolean)
RETURNS SETOF metrics.tags_15m
LANGUAGE sql STABLE BEGIN ATOMIC
    SELECT * FROM metrics.tags_7d
    WHERE property_id = p_property AND (bots OR NOT is_bot) AND bucket >= s.weeks_lo AND bucket < s.weeks_hi
    UNION ALL
    SELECT property_id, bucket, is_bot, tag,
           page_views * sign, engaged_views * sign, engaged_ms * sign, scroll_depth * sign, reached_25 * sign, reached_50 * sign, reached_75 * sign, reached_100 * sign
    FROM metrics.tags_1d, (SELECT CASE WHEN s.days_lo < s.weeks_lo THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.days_lo, s.weeks_lo) AND bucket < greatest(s.days_lo, s.weeks_lo)
    UNION ALL
    SELECT property_id, bucket, is_bot, tag,
           page_views * sign, engaged_views * sign, engaged_ms * sign, scroll_depth * sign, reached_25 * sign, reached_50 * sign, reached_75 * sign, reached_100 * sign
    FROM metrics.tags_1d, (SELECT CASE WHEN s.weeks_hi < s.days_hi THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.weeks_hi, s.days_hi) AND bucket < greatest(s.weeks_hi, s.days_hi)
    UNION ALL
    SELECT property_id, bucket, is_bot, tag,
           page_views * sign, engaged_views * sign, engaged_ms * sign, scroll_depth * sign, reached_25 * sign, reached_50 * sign, reached_75 * sign, reached_100 * sign
    FROM metrics.tags_15m, (SELECT CASE WHEN s.lo < s.days_lo THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.lo, s.days_lo) AND bucket < greatest(s.lo, s.days_lo)
    UNION ALL
    SELECT property_id, bucket, is_bot, tag,
           page_views * sign, engaged_views * sign, engaged_ms * sign, scroll_depth * sign, reached_25 * sign, reached_50 * sign, reached_75 * sign, reached_100 * sign
    FROM metrics.tags_15m, (SELECT CASE WHEN s.days_hi < s.hi THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.days_hi, s.hi) AND bucket < greatest(s.days_hi, s.hi);
END;

-- The page breakdown of 0068, its tag branch from the tag rollups.
CREATE OR REPLACE FUNCTION reports.page_breakdown(p_property text, lo timestamptz, hi timestamptz, bots boolean,
                                                  dimension text, k integer)
RETURNS TABLE (value text, page_views bigint, engaged_views bigint, engaged_ms bigint, scroll_depth bigint,
               reached_25 bigint, reached_50 bigint, reached_75 bigint, reached_100 bigint)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    bounds constant reports.span := reports.span(lo, hi);
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
              FROM reports.span_content(p_property, bounds, bots) AS c) AS v
        GROUP BY 1;
    ELSIF dimension = 'page' THEN
        leaders := reports.leading_values(p_property, bounds, bots, 'paths', 'pathname', 'page_views', k);
        RETURN QUERY
        SELECT v.pathname, sum(v.page_views)::bigint, sum(v.engaged_views)::bigint, sum(v.engaged_ms)::bigint,
               sum(v.scroll_depth)::bigint, sum(v.reached_25)::bigint, sum(v.reached_50)::bigint,
               sum(v.reached_75)::bigint, sum(v.reached_100)::bigint
        FROM reports.span_paths(p_property, bounds, bots) AS v
        WHERE leaders IS NULL OR v.pathname = ANY(leaders)
        GROUP BY 1;
    ELSIF dimension = 'tag' THEN
        RETURN QUERY
        SELECT v.tag, sum(v.page_views)::bigint, sum(v.engaged_views)::bigint, sum(v.engaged_ms)::bigint,
               sum(v.scroll_depth)::bigint, sum(v.reached_25)::bigint, sum(v.reached_50)::bigint,
               sum(v.reached_75)::bigint, sum(v.reached_100)::bigint
        FROM (SELECT * FROM reports.span_tags(p_property, bounds, bots)
              UNION ALL
              SELECT p.property_id, p.bucket, p.is_bot, NULL, p.page_views, p.engaged_views, p.engaged_ms,
                     p.scroll_depth, p.reached_25, p.reached_50, p.reached_75, p.reached_100
              FROM reports.span_pages(p_property, bounds, bots) AS p WHERE p.tags IS NULL) AS v
        GROUP BY 1;
    END IF;
END
$$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA reports TO parcours_web;
