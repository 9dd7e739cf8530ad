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

-- Wider levels, each the level below summed (parcours/rollups.py, summing): by UTC day for
-- the inside of long ranges, by 7-day blocks from a Monday (UTC) for the inside of longer ones.
-- parcours: rollup metrics.places_1d index (property_id, bucket) sums metrics.places_15m by 1 day
-- parcours: rollup metrics.places_7d index (property_id, bucket) sums metrics.places_1d by 7 days

CALL pg_temp.create_span_function('places');
