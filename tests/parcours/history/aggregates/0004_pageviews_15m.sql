-- parcours: no-transaction
-- parcours: rollup metrics.pageviews_15m index (property_id, bucket)
--
-- Page views per property in 15-minute UTC buckets. Every IANA offset in use is a whole
-- number of quarter hours, so any local day or hour is an exact union of these buckets,
-- in any zone and on DST change days; the zone is applied when a report reads them.
SELECT
    property_id,
    time_bucket(INTERVAL '15 minutes', time) AS bucket,
    is_bot,
    count(*) AS page_views
FROM metrics.events
WHERE name = 'page_view'
GROUP BY property_id, time_bucket(INTERVAL '15 minutes', time), is_bot
