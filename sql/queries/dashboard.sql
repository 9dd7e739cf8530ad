-- name: daily_page_views
-- Page views per local day. A local day is [midnight, next midnight) in the property's zone,
-- 23 or 25 hours long on DST change days; 15-minute buckets tile it exactly.
WITH days AS (
    SELECT day::date AS day
    FROM generate_series(%(first)s::date, %(last)s::date, INTERVAL '1 day') AS day
), counted AS (
    SELECT (bucket AT TIME ZONE %(tz)s)::date AS day, sum(page_views)::bigint AS page_views
    FROM metrics.pageviews_15m
    WHERE property_id = %(property_id)s
      AND NOT is_bot
      AND bucket >= (%(first)s::date)::timestamp AT TIME ZONE %(tz)s
      AND bucket < (%(last)s::date + 1)::timestamp AT TIME ZONE %(tz)s
    GROUP BY 1
)
SELECT days.day, coalesce(counted.page_views, 0) AS page_views
FROM days LEFT JOIN counted USING (day)
ORDER BY days.day;
