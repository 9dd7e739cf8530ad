-- Page views and their engagement by tag: a view counts once per element of its tag set
-- (metrics.tag_members, 02_metrics.sql), so the tag report reads a few dozen rows per bucket
-- instead of a row per page. Views without tags are read from metrics.pages_* (18_pages.sql).
-- Counts and sums only, so any range adds up exactly (03_spans.sql).

-- parcours: rollup metrics.tags_15m index (property_id, bucket)
SELECT
    v.property_id,
    time_bucket(INTERVAL '15 minutes', v.time) AS bucket,
    v.is_bot,
    m.tag,
    count(*) AS page_views,
    count(v.engaged_ms) AS engaged_views,
    sum(v.engaged_ms)::bigint AS engaged_ms,
    sum(v.scroll_depth)::bigint AS scroll_depth,
    sum((v.scroll_depth >= 25)::int) AS reached_25,
    sum((v.scroll_depth >= 50)::int) AS reached_50,
    sum((v.scroll_depth >= 75)::int) AS reached_75,
    sum((v.scroll_depth >= 100)::int) AS reached_100
FROM metrics.page_views AS v
JOIN metrics.tag_members AS m ON m.property_id = v.property_id AND m.tags = v.tags
GROUP BY v.property_id, time_bucket(INTERVAL '15 minutes', v.time), v.is_bot, m.tag;

-- Wider levels, each the level below summed (parcours/rollups.py, summing): by UTC day for
-- the inside of long ranges, by 7-day blocks from a Monday (UTC) for the inside of longer ones.
-- parcours: rollup metrics.tags_1d index (property_id, bucket) sums metrics.tags_15m by 1 day
-- parcours: rollup metrics.tags_7d index (property_id, bucket) sums metrics.tags_1d by 7 days

CALL pg_temp.create_span_function('tags');
