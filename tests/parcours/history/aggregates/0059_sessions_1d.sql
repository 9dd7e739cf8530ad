-- parcours: no-transaction
-- parcours: rollup metrics.sessions_1d index (property_id, bucket)
--
-- metrics.sessions_15m by UTC day: the inside of long ranges.
SELECT
    property_id,
    time_bucket(INTERVAL '1 day', bucket) AS bucket,
    is_bot,
    sum(sessions)::bigint AS sessions,
    sum(bounces)::bigint AS bounces,
    sum(session_page_views)::bigint AS session_page_views,
    sum(duration_seconds) AS duration_seconds
FROM metrics.sessions_15m
GROUP BY property_id, time_bucket(INTERVAL '1 day', bucket), is_bot
