-- parcours: no-transaction
-- parcours: rollup metrics.pages_15m index (property_id, bucket)
--
-- Page views and their engagement by page, per 15-minute UTC bucket (metrics.pages_1d holds
-- whole UTC days). A page's type, author, categories and tags come with it, so the content
-- reports read this too. Time on page averages the views that reported engagement.
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
GROUP BY property_id, time_bucket(INTERVAL '15 minutes', time), is_bot, pathname, page_type, author, categories, tags
