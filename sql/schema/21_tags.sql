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

-- By UTC day, over the 15-minute level.
-- parcours: rollup metrics.tags_1d index (property_id, bucket)
SELECT
    property_id,
    time_bucket(INTERVAL '1 day', bucket) AS bucket,
    is_bot,
    tag,
    sum(page_views)::bigint AS page_views,
    sum(engaged_views)::bigint AS engaged_views,
    sum(engaged_ms)::bigint AS engaged_ms,
    sum(scroll_depth)::bigint AS scroll_depth,
    sum(reached_25)::bigint AS reached_25,
    sum(reached_50)::bigint AS reached_50,
    sum(reached_75)::bigint AS reached_75,
    sum(reached_100)::bigint AS reached_100
FROM metrics.tags_15m
GROUP BY property_id, time_bucket(INTERVAL '1 day', bucket), is_bot, tag;

-- By 7-day blocks from a Monday (UTC), over the day level: the inside of long ranges.
-- parcours: rollup metrics.tags_7d index (property_id, bucket)
SELECT
    property_id,
    time_bucket(INTERVAL '7 days', bucket) AS bucket,
    is_bot,
    tag,
    sum(page_views)::bigint AS page_views,
    sum(engaged_views)::bigint AS engaged_views,
    sum(engaged_ms)::bigint AS engaged_ms,
    sum(scroll_depth)::bigint AS scroll_depth,
    sum(reached_25)::bigint AS reached_25,
    sum(reached_50)::bigint AS reached_50,
    sum(reached_75)::bigint AS reached_75,
    sum(reached_100)::bigint AS reached_100
FROM metrics.tags_1d
GROUP BY property_id, time_bucket(INTERVAL '7 days', bucket), is_bot, tag;

CALL pg_temp.create_span_function('tags');
