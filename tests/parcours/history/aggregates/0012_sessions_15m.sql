-- parcours: no-transaction
-- parcours: rollup metrics.sessions_15m index (property_id, bucket)
--
-- Sessions by the 15-minute UTC bucket they started in: every local hour and day in any zone
-- is an exact union of these buckets (sql/aggregates/0004_pageviews_15m.sql). Counts and sums
-- only, so any range adds up exactly.
SELECT
    property_id,
    time_bucket(INTERVAL '15 minutes', started_at) AS bucket,
    is_bot,
    count(*) AS sessions,
    sum(bounce::int) AS bounces,
    sum(page_views) AS session_page_views,
    sum(extract(epoch FROM ended_at - started_at)) AS duration_seconds
FROM metrics.sessions
GROUP BY property_id, time_bucket(INTERVAL '15 minutes', started_at), is_bot
