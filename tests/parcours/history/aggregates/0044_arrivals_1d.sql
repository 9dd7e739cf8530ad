-- parcours: no-transaction
-- parcours: rollup metrics.arrivals_1d index (property_id, bucket)
--
-- metrics.arrivals_15m by UTC day: the inside of long ranges.
SELECT
    property_id,
    time_bucket(INTERVAL '1 day', bucket) AS bucket,
    is_bot,
    sum(page_views)::bigint AS page_views,
    sum(arrivals)::bigint AS arrivals
FROM metrics.arrivals_15m
GROUP BY property_id, time_bucket(INTERVAL '1 day', bucket), is_bot
