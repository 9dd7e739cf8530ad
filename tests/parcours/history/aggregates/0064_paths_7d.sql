-- parcours: no-transaction
-- parcours: rollup metrics.paths_7d index (property_id, bucket)
--
-- metrics.paths_1d by 7-day blocks (from Monday, UTC): the inside of long ranges.
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
GROUP BY property_id, time_bucket(INTERVAL '7 days', bucket), is_bot, pathname
