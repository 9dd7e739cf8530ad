-- parcours: no-transaction
-- parcours: rollup metrics.returns_15m index (property_id, bucket)
--
-- Arrivals that follow an earlier view of the same visitor, by their bucket and the bucket of
-- that previous view (`previous`; date_bin, because an aggregate takes one time_bucket). A
-- range's visitors are its arrivals less those whose previous view is inside the range.
SELECT
    property_id,
    time_bucket(INTERVAL '15 minutes', time) AS bucket,
    is_bot,
    date_bin(INTERVAL '15 minutes', previous_at, '2000-01-03') AS previous,
    count(*) AS returns
FROM metrics.page_views
WHERE previous_at < date_bin(INTERVAL '15 minutes', time, '2000-01-03')
GROUP BY property_id, time_bucket(INTERVAL '15 minutes', time), is_bot,
         date_bin(INTERVAL '15 minutes', previous_at, '2000-01-03')
