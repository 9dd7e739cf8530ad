-- parcours: no-transaction
-- parcours: rollup metrics.content_15m index (property_id, bucket)
--
-- metrics.pages_15m without the page and its tags: page views and engagement by page type,
-- author and categories. A site has few authors and category sets but many pages, so the
-- type, author and category reports read a few rows per bucket here instead of one per page.
-- (Tags stay with pages: a post's set of tags is usually its own.)
SELECT
    property_id,
    time_bucket(INTERVAL '15 minutes', time) AS bucket,
    is_bot,
    page_type, author, categories,
    count(*) AS page_views,
    count(engaged_ms) AS engaged_views,
    sum(engaged_ms)::bigint AS engaged_ms,
    sum(scroll_depth)::bigint AS scroll_depth,
    sum((scroll_depth >= 25)::int) AS reached_25,
    sum((scroll_depth >= 50)::int) AS reached_50,
    sum((scroll_depth >= 75)::int) AS reached_75,
    sum((scroll_depth >= 100)::int) AS reached_100
FROM metrics.page_views
GROUP BY property_id, time_bucket(INTERVAL '15 minutes', time), is_bot, page_type, author, categories
