-- Sessions by what visitors used: browser, OS, device class and language, by the UTC bucket of
-- their start. Counts and sums only, so any range adds up exactly (03_spans.sql).

-- parcours: rollup metrics.devices_15m index (property_id, bucket)
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
GROUP BY property_id, time_bucket(INTERVAL '15 minutes', started_at), is_bot, browser, os, device, language;

-- By UTC day, over the 15-minute level.
-- parcours: rollup metrics.devices_1d index (property_id, bucket)
SELECT
    property_id,
    time_bucket(INTERVAL '1 day', bucket) AS bucket,
    is_bot,
    browser, os, device, language,
    sum(sessions)::bigint AS sessions,
    sum(bounces)::bigint AS bounces,
    sum(session_page_views)::bigint AS session_page_views,
    sum(duration_seconds) AS duration_seconds
FROM metrics.devices_15m
GROUP BY property_id, time_bucket(INTERVAL '1 day', bucket), is_bot, browser, os, device, language;

-- By 7-day blocks from a Monday (UTC), over the day level: the inside of long ranges.
-- parcours: rollup metrics.devices_7d index (property_id, bucket)
SELECT
    property_id,
    time_bucket(INTERVAL '7 days', bucket) AS bucket,
    is_bot,
    browser, os, device, language,
    sum(sessions)::bigint AS sessions,
    sum(bounces)::bigint AS bounces,
    sum(session_page_views)::bigint AS session_page_views,
    sum(duration_seconds) AS duration_seconds
FROM metrics.devices_1d
GROUP BY property_id, time_bucket(INTERVAL '7 days', bucket), is_bot, browser, os, device, language;

CALL pg_temp.create_span_function('devices');
