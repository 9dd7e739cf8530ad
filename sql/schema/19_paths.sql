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

-- Wider levels, each the level below summed (parcours/rollups.py, summing): by UTC day for
-- the inside of long ranges, by 7-day blocks from a Monday (UTC) for the inside of longer ones.
-- parcours: rollup metrics.paths_1d index (property_id, bucket) sums metrics.paths_15m by 1 day
-- parcours: rollup metrics.paths_7d index (property_id, bucket) sums metrics.paths_1d by 7 days

CALL pg_temp.create_span_function('paths');

-- For the top-N pruning: the rows of one page, the rows with the most views, and the largest
-- rows of a week.
CREATE INDEX paths_7d_views_idx ON metrics.paths_7d (property_id, page_views);
CREATE INDEX paths_1d_views_idx ON metrics.paths_1d (property_id, page_views);
CREATE INDEX paths_7d_page_idx ON metrics.paths_7d (property_id, pathname, bucket);
CREATE INDEX paths_1d_page_idx ON metrics.paths_1d (property_id, pathname, bucket);
CREATE INDEX paths_15m_page_idx ON metrics.paths_15m (property_id, pathname, bucket);
CREATE INDEX paths_7d_bucket_views_idx ON metrics.paths_7d (property_id, bucket, page_views);
