-- parcours: no-transaction
-- parcours: rollup metrics.exit_pages_15m index (property_id, bucket)
--
-- Sessions by the page they ended on, per 15-minute UTC bucket of their start. metrics.entries_15m
-- holds entry and exit together, a row per pair; this has a row per page, a third as many.
SELECT
    property_id,
    time_bucket(INTERVAL '15 minutes', started_at) AS bucket,
    is_bot,
    exit_page,
    count(*) AS sessions,
    sum(bounce::int) AS bounces,
    sum(page_views) AS session_page_views,
    sum(extract(epoch FROM ended_at - started_at)) AS duration_seconds
FROM metrics.sessions
GROUP BY property_id, time_bucket(INTERVAL '15 minutes', started_at), is_bot, exit_page
