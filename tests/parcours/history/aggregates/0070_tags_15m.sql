-- parcours: no-transaction
-- parcours: rollup metrics.tags_15m index (property_id, bucket)
--
-- Page views and their engagement by tag, per 15-minute UTC bucket: a view counts once per
-- element of its tag set (metrics.tag_members). Views without tags are in metrics.pages_*.
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
GROUP BY v.property_id, time_bucket(INTERVAL '15 minutes', v.time), v.is_bot, m.tag
