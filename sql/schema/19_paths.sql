-- Page views and their engagement by page alone: one row per page and bucket whatever its
-- metadata, which the page report's top-N pruning needs (reports.leading_values,
-- 30_reports.sql). Counts and sums only, so any range adds up exactly (03_spans.sql).

-- parcours: rollup metrics.paths_15m index (property_id, bucket)
SELECT
    property_id,
    time_bucket(INTERVAL '15 minutes', time) AS bucket,
    is_bot,
    pathname,
    count(*) AS page_views,
    count(engaged_ms) AS engaged_views,
    sum(engaged_ms)::bigint AS engaged_ms,
    sum(scroll_depth)::bigint AS scroll_depth,
    sum((scroll_depth >= 25)::int) AS reached_25,
    sum((scroll_depth >= 50)::int) AS reached_50,
    sum((scroll_depth >= 75)::int) AS reached_75,
    sum((scroll_depth >= 100)::int) AS reached_100
FROM metrics.page_views
GROUP BY property_id, time_bucket(INTERVAL '15 minutes', time), is_bot, pathname;

-- By UTC day, over the 15-minute level.
-- parcours: rollup metrics.paths_1d index (property_id, bucket)
SELECT
    property_id,
    time_bucket(INTERVAL '1 day', bucket) AS bucket,
    is_bot,
    pathname,
    sum(page_views)::bigint AS page_views,
    sum(engaged_views)::bigint AS engaged_views,
    sum(engaged_ms)::bigint AS engaged_ms,
    sum(scroll_depth)::bigint AS scroll_depth,
    sum(reached_25)::bigint AS reached_25,
    sum(reached_50)::bigint AS reached_50,
    sum(reached_75)::bigint AS reached_75,
    sum(reached_100)::bigint AS reached_100
FROM metrics.paths_15m
GROUP BY property_id, time_bucket(INTERVAL '1 day', bucket), is_bot, pathname;

-- By 7-day blocks from a Monday (UTC), over the day level: the inside of long ranges.
-- parcours: rollup metrics.paths_7d index (property_id, bucket)
SELECT
    property_id,
    time_bucket(INTERVAL '7 days', bucket) AS bucket,
    is_bot,
    pathname,
    sum(page_views)::bigint AS page_views,
    sum(engaged_views)::bigint AS engaged_views,
    sum(engaged_ms)::bigint AS engaged_ms,
    sum(scroll_depth)::bigint AS scroll_depth,
    sum(reached_25)::bigint AS reached_25,
    sum(reached_50)::bigint AS reached_50,
    sum(reached_75)::bigint AS reached_75,
    sum(reached_100)::bigint AS reached_100
FROM metrics.paths_1d
GROUP BY property_id, time_bucket(INTERVAL '7 days', bucket), is_bot, pathname;

CALL pg_temp.create_span_function('paths');

-- For the top-N pruning: the rows of one page, the rows with the most views, and the largest
-- rows of a week.
CREATE INDEX paths_7d_views_idx ON metrics.paths_7d (property_id, page_views);
CREATE INDEX paths_1d_views_idx ON metrics.paths_1d (property_id, page_views);
CREATE INDEX paths_7d_page_idx ON metrics.paths_7d (property_id, pathname, bucket);
CREATE INDEX paths_1d_page_idx ON metrics.paths_1d (property_id, pathname, bucket);
CREATE INDEX paths_15m_page_idx ON metrics.paths_15m (property_id, pathname, bucket);
CREATE INDEX paths_7d_bucket_views_idx ON metrics.paths_7d (property_id, bucket, page_views);
