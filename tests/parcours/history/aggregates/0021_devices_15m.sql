-- parcours: no-transaction
-- parcours: rollup metrics.devices_15m index (property_id, bucket)
--
-- Sessions by what visitors used: browser, OS, device class, language, per 15-minute UTC bucket of their start: the edges of a report's range
-- (metrics.devices_1d holds whole UTC days). Counts and sums only, so any range adds up.
SELECT
    property_id,
    time_bucket(INTERVAL '15 minutes', started_at) AS bucket,
    is_bot,
    browser, os, device, language,
    count(*) AS sessions,
    sum(bounce::int) AS bounces,
    sum(page_views) AS session_page_views,
    sum(extract(epoch FROM ended_at - started_at)) AS duration_seconds
FROM metrics.sessions
GROUP BY property_id, time_bucket(INTERVAL '15 minutes', started_at), is_bot, browser, os, device, language
