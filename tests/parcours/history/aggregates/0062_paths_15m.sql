-- parcours: no-transaction
-- parcours: rollup metrics.paths_15m index (property_id, bucket)
--
-- metrics.pages_15m by page alone: one row per page and bucket whatever its metadata, which
-- the page report's top-N pruning needs (sql/schema/0061_leading_values.sql), and narrower.
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
GROUP BY property_id, time_bucket(INTERVAL '15 minutes', time), is_bot, pathname
