-- Sessions by where visitors were: country, region and city, by the UTC bucket of their start.
-- Counts and sums only, so any range adds up exactly (03_spans.sql).

-- parcours: rollup metrics.places_15m index (property_id, bucket)
SELECT
    property_id,
    time_bucket(INTERVAL '15 minutes', started_at) AS bucket,
    is_bot,
    country, region, city,
    count(*) AS sessions,
    sum(bounce::int) AS bounces,
    sum(page_views) AS session_page_views,
    sum(extract(epoch FROM ended_at - started_at)) AS duration_seconds
FROM metrics.sessions
GROUP BY property_id, time_bucket(INTERVAL '15 minutes', started_at), is_bot, country, region, city;

-- By UTC day, over the 15-minute level.
-- parcours: rollup metrics.places_1d index (property_id, bucket)
SELECT
    property_id,
    time_bucket(INTERVAL '1 day', bucket) AS bucket,
    is_bot,
    country, region, city,
    sum(sessions)::bigint AS sessions,
    sum(bounces)::bigint AS bounces,
    sum(session_page_views)::bigint AS session_page_views,
    sum(duration_seconds) AS duration_seconds
FROM metrics.places_15m
GROUP BY property_id, time_bucket(INTERVAL '1 day', bucket), is_bot, country, region, city;

-- By 7-day blocks from a Monday (UTC), over the day level: the inside of long ranges.
-- parcours: rollup metrics.places_7d index (property_id, bucket)
SELECT
    property_id,
    time_bucket(INTERVAL '7 days', bucket) AS bucket,
    is_bot,
    country, region, city,
    sum(sessions)::bigint AS sessions,
    sum(bounces)::bigint AS bounces,
    sum(session_page_views)::bigint AS session_page_views,
    sum(duration_seconds) AS duration_seconds
FROM metrics.places_1d
GROUP BY property_id, time_bucket(INTERVAL '7 days', bucket), is_bot, country, region, city;

CALL pg_temp.create_span_function('places');
