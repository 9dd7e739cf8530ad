-- Page views and their engagement by page type, author and categories. A site has few authors
-- and category sets but many pages, so the type, author and category reports read a few rows
-- per bucket here instead of one per page. Counts and sums only, so any range adds up exactly
-- (03_spans.sql).

-- parcours: rollup metrics.content_15m index (property_id, bucket)
SELECT
    property_id,
    time_bucket(INTERVAL '15 minutes', time) AS bucket,
    is_bot,
    page_type, author, categories,
    count(*) AS page_views,
    count(engaged_ms) AS engaged_views,
    sum(engaged_ms)::bigint AS engaged_ms,
    sum(scroll_depth)::bigint AS scroll_depth,
    sum((scroll_depth >= 25)::int) AS reached_25,
    sum((scroll_depth >= 50)::int) AS reached_50,
    sum((scroll_depth >= 75)::int) AS reached_75,
    sum((scroll_depth >= 100)::int) AS reached_100
FROM metrics.page_views
GROUP BY property_id, time_bucket(INTERVAL '15 minutes', time), is_bot, page_type, author, categories;

-- Wider levels, each the level below summed (parcours/rollups.py, summing): by UTC day for
-- the inside of long ranges, by 7-day blocks from a Monday (UTC) for the inside of longer ones.
-- parcours: rollup metrics.content_1d index (property_id, bucket) sums metrics.content_15m by 1 day
-- parcours: rollup metrics.content_7d index (property_id, bucket) sums metrics.content_1d by 7 days

CALL pg_temp.create_span_function('content');
