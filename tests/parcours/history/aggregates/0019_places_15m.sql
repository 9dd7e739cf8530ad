-- parcours: no-transaction
-- parcours: rollup metrics.places_15m index (property_id, bucket)
--
-- Sessions by where visitors were: country, region, city, per 15-minute UTC bucket of their start: the edges of a report's range
-- (metrics.places_1d holds whole UTC days). Counts and sums only, so any range adds up.
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
GROUP BY property_id, time_bucket(INTERVAL '15 minutes', started_at), is_bot, country, region, city
