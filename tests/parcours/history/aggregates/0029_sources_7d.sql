-- parcours: no-transaction
-- parcours: rollup metrics.sources_7d index (property_id, bucket)
--
-- metrics.sources_1d by 7-day blocks (from Monday, UTC): the inside of long ranges.
SELECT
    property_id,
    time_bucket(INTERVAL '7 days', bucket) AS bucket,
    is_bot,
    channel, source, referrer_domain, utm_source, utm_medium, utm_campaign, utm_term, utm_content,
    sum(sessions)::bigint AS sessions,
    sum(bounces)::bigint AS bounces,
    sum(session_page_views)::bigint AS session_page_views,
    sum(duration_seconds) AS duration_seconds
FROM metrics.sources_1d
GROUP BY property_id, time_bucket(INTERVAL '7 days', bucket), is_bot, channel, source, referrer_domain, utm_source, utm_medium, utm_campaign, utm_term, utm_content
