-- parcours: no-transaction
-- parcours: rollup metrics.sources_1d index (property_id, bucket)
--
-- metrics.sources_15m by UTC day.
SELECT
    property_id,
    time_bucket(INTERVAL '1 day', bucket) AS bucket,
    is_bot,
    channel, source, referrer_domain, utm_source, utm_medium, utm_campaign, utm_term, utm_content,
    sum(sessions)::bigint AS sessions,
    sum(bounces)::bigint AS bounces,
    sum(session_page_views)::bigint AS session_page_views,
    sum(duration_seconds) AS duration_seconds
FROM metrics.sources_15m
GROUP BY property_id, time_bucket(INTERVAL '1 day', bucket), is_bot, channel, source, referrer_domain, utm_source, utm_medium, utm_campaign, utm_term, utm_content
