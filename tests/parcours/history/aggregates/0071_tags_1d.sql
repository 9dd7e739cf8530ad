-- parcours: no-transaction
-- parcours: rollup metrics.tags_1d index (property_id, bucket)
--
-- metrics.tags_15m by UTC day.
SELECT
    property_id,
    time_bucket(INTERVAL '1 day', bucket) AS bucket,
    is_bot,
    tag,
    sum(page_views)::bigint AS page_views,
    sum(engaged_views)::bigint AS engaged_views,
    sum(engaged_ms)::bigint AS engaged_ms,
    sum(scroll_depth)::bigint AS scroll_depth,
    sum(reached_25)::bigint AS reached_25,
    sum(reached_50)::bigint AS reached_50,
    sum(reached_75)::bigint AS reached_75,
    sum(reached_100)::bigint AS reached_100
FROM metrics.tags_15m
GROUP BY property_id, time_bucket(INTERVAL '1 day', bucket), is_bot, tag
