-- Page views per property and 15-minute UTC bucket: the analysts' first view
-- (analytics.page_views, 40_analytics.sql). Reports count page views from the arrivals rollups
-- (12_visitors.sql), which hold the same counts.

-- parcours: rollup metrics.pageviews_15m index (property_id, bucket)
SELECT
    property_id,
    time_bucket(INTERVAL '15 minutes', time) AS bucket,
    is_bot,
    count(*) AS page_views
FROM metrics.events
WHERE name = 'page_view'
GROUP BY property_id, time_bucket(INTERVAL '15 minutes', time), is_bot;
