-- parcours: no-transaction
-- parcours: rollup metrics.visitors_7d index (property_id, bucket)
--
-- metrics.visitors_1d by 7-day blocks (from Monday, UTC): the inside of long ranges.
SELECT
    property_id,
    time_bucket(INTERVAL '7 days', bucket) AS bucket,
    is_bot,
    visitor_id,
    sum(page_views)::bigint AS page_views
FROM metrics.visitors_1d
GROUP BY property_id, time_bucket(INTERVAL '7 days', bucket), is_bot, visitor_id
