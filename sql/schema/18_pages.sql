-- Page views and their engagement by page with its WordPress metadata, per UTC bucket: the tag
-- report's untagged views (21_tags.sql). Time on page averages the views that reported
-- engagement (docs/definitions.md). Counts and sums only, so any range adds up exactly
-- (03_spans.sql).

-- parcours: rollup metrics.pages_15m index (property_id, bucket)
SELECT
    property_id,
    time_bucket(INTERVAL '15 minutes', time) AS bucket,
    is_bot,
    pathname, page_type, author, categories, tags,
    count(*) AS page_views,
    count(engaged_ms) AS engaged_views,
    sum(engaged_ms)::bigint AS engaged_ms,
    sum(scroll_depth)::bigint AS scroll_depth,
    sum((scroll_depth >= 25)::int) AS reached_25,
    sum((scroll_depth >= 50)::int) AS reached_50,
    sum((scroll_depth >= 75)::int) AS reached_75,
    sum((scroll_depth >= 100)::int) AS reached_100
FROM metrics.page_views
GROUP BY property_id, time_bucket(INTERVAL '15 minutes', time), is_bot, pathname, page_type, author, categories, tags;

-- Wider levels, each the level below summed (parcours/rollups.py, summing): by UTC day for
-- the inside of long ranges, by 7-day blocks from a Monday (UTC) for the inside of longer ones.
-- parcours: rollup metrics.pages_1d index (property_id, bucket) sums metrics.pages_15m by 1 day
-- parcours: rollup metrics.pages_7d index (property_id, bucket) sums metrics.pages_1d by 7 days

CALL pg_temp.create_span_function('pages');

-- The untagged views, for the tag report.
CREATE INDEX pages_7d_untagged_idx ON metrics.pages_7d (property_id, bucket) WHERE tags IS NULL;
CREATE INDEX pages_1d_untagged_idx ON metrics.pages_1d (property_id, bucket) WHERE tags IS NULL;
CREATE INDEX pages_15m_untagged_idx ON metrics.pages_15m (property_id, bucket) WHERE tags IS NULL;
