-- Channels are stored under the names people read ("Organic Search", "AI Assistants"), twelve of
-- them (worker/channels.py, docs/definitions.md). Rows loaded before this migration had six
-- codes; they take the names that mean the same. A former "campaign" is placed by its
-- utm_medium and source as the channel rules place them, with the few source names this file
-- knows (rows from before keep no referrer path or click id to read).
CREATE FUNCTION pg_temp.channel_name(channel text, medium text, source text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE channel
        WHEN 'direct' THEN 'Direct'
        WHEN 'organic_search' THEN 'Organic Search'
        WHEN 'social' THEN 'Organic Social'
        WHEN 'email' THEN 'Email'
        WHEN 'referral' THEN 'Referral'
        WHEN 'campaign' THEN CASE
            WHEN lower(medium) ~ 'e[-_ ]?mail|newsletter' OR lower(source) ~ 'e[-_ ]?mail|newsletter' THEN 'Email'
            WHEN lower(medium) IN ('display', 'banner', 'expandable', 'interstitial', 'cpm') THEN 'Display'
            WHEN lower(medium) ~ '^(.*cp.*|ppc|retargeting|paid.*|ads?|sponsored)$' THEN CASE
                WHEN lower(source) IN ('google', 'bing', 'yahoo!', 'yandex', 'baidu', 'duckduckgo') THEN 'Paid Search'
                WHEN lower(source) IN ('facebook', 'fb', 'instagram', 'ig', 'linkedin', 'twitter', 'x', 'reddit',
                                       'tiktok', 'pinterest', 'snapchat') THEN 'Paid Social'
                ELSE 'Other' END
            WHEN lower(medium) = 'organic' THEN 'Organic Search'
            WHEN lower(medium) IN ('social', 'social-network', 'social-media', 'sm', 'social network', 'social media')
                THEN 'Organic Social'
            WHEN lower(medium) LIKE '%video%' THEN 'Video'
            WHEN lower(medium) IN ('affiliate', 'affiliates', 'partner') THEN 'Affiliates'
            WHEN coalesce(medium, '') IN ('', 'referral', 'app', 'link') THEN 'Referral'
            ELSE 'Other' END
        ELSE channel END
$$;

UPDATE metrics.events SET channel = pg_temp.channel_name(channel, utm_medium, source)
WHERE channel IN ('direct', 'organic_search', 'social', 'email', 'referral', 'campaign');
UPDATE metrics.sessions SET channel = pg_temp.channel_name(channel, utm_medium, source)
WHERE channel IN ('direct', 'organic_search', 'social', 'email', 'referral', 'campaign');

-- The source rollups hold what their refreshes saw, older than raw retention included: their
-- rows are renamed where they are stored (a table on the table engine, a continuous
-- aggregate's materialization hypertable on Community).
DO $$
DECLARE
    storage regclass;
BEGIN
    FOR storage IN
        SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'metrics' AND c.relname IN ('sources_15m', 'sources_1d', 'sources_7d') AND c.relkind = 'r'
        UNION ALL
        SELECT format('%I.%I', h.schema_name, h.table_name)::regclass
        FROM _timescaledb_catalog.continuous_agg a JOIN _timescaledb_catalog.hypertable h ON h.id = a.mat_hypertable_id
        WHERE a.user_view_schema = 'metrics' AND a.user_view_name IN ('sources_15m', 'sources_1d', 'sources_7d')
    LOOP
        EXECUTE format($sql$UPDATE %s SET channel = pg_temp.channel_name(channel, utm_medium, source)
                           WHERE channel IN ('direct', 'organic_search', 'social', 'email', 'referral', 'campaign')$sql$,
                       storage);
    END LOOP;
END
$$;
