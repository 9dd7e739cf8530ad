-- The analysts' first stable view. Views run with their owner's rights, so the read-only
-- role needs SELECT on the view alone.
CREATE VIEW analytics.page_views AS
SELECT property_id, bucket, page_views
FROM metrics.pageviews_15m
WHERE NOT is_bot;
COMMENT ON VIEW analytics.page_views IS
    'Human page views per property in 15-minute UTC buckets; sum buckets for any local hour or day.';
GRANT SELECT ON analytics.page_views TO parcours_analyst;
