-- parcours: no-transaction
-- parcours: rollup metrics.visitors_15m index (property_id, bucket)
--
-- Which visitors viewed pages in each 15-minute bucket, and how many pages. Distinct visitors
-- do not add up across buckets, so the visitor id stays in the key: the visitors of any range
-- are the distinct ids of its buckets, exactly. About one row per session, against several
-- events per page view.
SELECT
    property_id,
    time_bucket(INTERVAL '15 minutes', time) AS bucket,
    is_bot,
    visitor_id,
    count(*) AS page_views
FROM metrics.page_views
GROUP BY property_id, time_bucket(INTERVAL '15 minutes', time), is_bot, visitor_id
