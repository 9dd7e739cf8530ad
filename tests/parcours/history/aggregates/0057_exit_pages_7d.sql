-- parcours: no-transaction
-- parcours: rollup metrics.exit_pages_7d index (property_id, bucket)
--
-- metrics.exit_pages_1d by 7-day blocks (from Monday, UTC): the inside of long ranges.
SELECT
    property_id,
    time_bucket(INTERVAL '7 days', bucket) AS bucket,
    is_bot,
    exit_page,
    sum(sessions)::bigint AS sessions,
    sum(bounces)::bigint AS bounces,
    sum(session_page_views)::bigint AS session_page_views,
    sum(duration_seconds) AS duration_seconds
FROM metrics.exit_pages_1d
GROUP BY property_id, time_bucket(INTERVAL '7 days', bucket), is_bot, exit_page
