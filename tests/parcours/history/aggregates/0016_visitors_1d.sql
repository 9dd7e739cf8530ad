-- parcours: no-transaction
-- parcours: rollup metrics.visitors_1d index (property_id, bucket)
--
-- visitors_15m by UTC day. A report takes the whole UTC days inside its range from here and
-- the 15-minute buckets at its edges from visitors_15m: exact in every zone, with a fraction
-- of the rows over months.
SELECT
    property_id,
    time_bucket(INTERVAL '1 day', bucket) AS bucket,
    is_bot,
    visitor_id,
    sum(page_views)::bigint AS page_views
FROM metrics.visitors_15m
GROUP BY property_id, time_bucket(INTERVAL '1 day', bucket), is_bot, visitor_id
