-- parcours: no-transaction
-- parcours: rollup metrics.arrivals_15m index (property_id, bucket)
--
-- Page views per 15-minute UTC bucket, and arrivals: the views whose visitor's previous view
-- (metrics.page_views.previous_at) lies in an earlier bucket, or that have none. A visitor
-- arrives in a bucket at most once, so arrivals count distinct visitors per bucket, and over
-- a range they count visitors plus returns within it (metrics.returns_15m takes those off).
SELECT
    property_id,
    time_bucket(INTERVAL '15 minutes', time) AS bucket,
    is_bot,
    count(*) AS page_views,
    sum((previous_at IS NULL OR previous_at < date_bin(INTERVAL '15 minutes', time, '2000-01-03'))::int)::bigint AS arrivals
FROM metrics.page_views
GROUP BY property_id, time_bucket(INTERVAL '15 minutes', time), is_bot
