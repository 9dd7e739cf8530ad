-- The baseline: each report straight from the raw events table, one SQL query each, the way
-- Umami's PostgreSQL mode computes them. Same parameters as sql/queries/reports.sql.

-- name: summary
WITH visits AS (
    SELECT session_id, visitor_id, count(*) FILTER (WHERE name = 'page_view') AS views,
           max(time) - min(time) AS duration
    FROM metrics.events
    WHERE property_id = %(property_id)s AND time >= %(lo)s AND time < %(hi)s AND NOT is_bot
    GROUP BY session_id, visitor_id
)
SELECT count(DISTINCT visitor_id) FILTER (WHERE views > 0), count(*), sum(views),
       count(*) FILTER (WHERE views = 1), avg(extract(epoch FROM duration))
FROM visits;

-- name: timeseries
SELECT date_trunc(%(interval)s, time AT TIME ZONE %(tz)s) AS bucket,
       count(DISTINCT visitor_id), count(DISTINCT session_id), count(*) FILTER (WHERE name = 'page_view')
FROM metrics.events
WHERE property_id = %(property_id)s AND time >= %(lo)s AND time < %(hi)s AND NOT is_bot
GROUP BY 1 ORDER BY 1;

-- name: breakdown
SELECT value, count(DISTINCT visitor_id) AS visitors, count(*) AS page_views
FROM metrics.events,
     unnest(CASE %(dimension)s
                WHEN 'channel' THEN ARRAY[channel] WHEN 'source' THEN ARRAY[source]
                WHEN 'referrer' THEN ARRAY[referrer_domain]
                WHEN 'utm_source' THEN ARRAY[utm_source] WHEN 'utm_medium' THEN ARRAY[utm_medium]
                WHEN 'utm_campaign' THEN ARRAY[utm_campaign] WHEN 'utm_term' THEN ARRAY[utm_term]
                WHEN 'utm_content' THEN ARRAY[utm_content]
                WHEN 'country' THEN ARRAY[country] WHEN 'region' THEN ARRAY[region] WHEN 'city' THEN ARRAY[city]
                WHEN 'browser' THEN ARRAY[browser] WHEN 'os' THEN ARRAY[os] WHEN 'device' THEN ARRAY[device]
                WHEN 'language' THEN ARRAY[language]
                WHEN 'entry_page' THEN ARRAY[pathname] WHEN 'exit_page' THEN ARRAY[pathname]
                WHEN 'page' THEN ARRAY[pathname] WHEN 'page_type' THEN ARRAY[page_type]
                WHEN 'author' THEN ARRAY[author]
                WHEN 'category' THEN coalesce(categories, ARRAY[NULL]) WHEN 'tag' THEN coalesce(tags, ARRAY[NULL])
            END) AS value
WHERE property_id = %(property_id)s AND time >= %(lo)s AND time < %(hi)s AND NOT is_bot
  AND name = 'page_view'
GROUP BY value ORDER BY visitors DESC LIMIT 10;

-- name: events
SELECT name, count(*) AS events, count(DISTINCT visitor_id) AS visitors
FROM metrics.events
WHERE property_id = %(property_id)s AND time >= %(lo)s AND time < %(hi)s AND NOT is_bot
  AND name NOT IN ('page_view', 'ping', 'scroll', 'page_exit')
GROUP BY name ORDER BY visitors DESC LIMIT 10;

-- name: goals
-- The two goals of bench/reports/run, in one pass over the period's events.
SELECT count(*) FILTER (WHERE name = 'signup') AS signups,
       count(DISTINCT visitor_id) FILTER (WHERE name = 'signup') AS signup_visitors,
       count(*) FILTER (WHERE name = 'page_view' AND pathname LIKE '/posts/1%%') AS posts,
       count(DISTINCT visitor_id) FILTER (WHERE name = 'page_view' AND pathname LIKE '/posts/1%%') AS post_visitors
FROM metrics.events
WHERE property_id = %(property_id)s AND time >= %(lo)s AND time < %(hi)s AND NOT is_bot;

-- name: funnel
-- The 4-step funnel of bench/reports/run, step by step as Umami joins them: each step's first
-- match after the step before, in the same session.
WITH hits AS MATERIALIZED (
    SELECT session_id, visitor_id, time, name, pathname FROM metrics.events
    WHERE property_id = %(property_id)s AND time >= %(lo)s AND time < %(hi)s AND NOT is_bot
      AND name IN ('page_view', 'signup')
), s1 AS (
    SELECT session_id, visitor_id, min(time) AS t FROM hits WHERE name = 'page_view' AND pathname = '/' GROUP BY 1, 2
), s2 AS (
    SELECT s1.session_id, s1.visitor_id, min(h.time) AS t FROM s1 JOIN hits h USING (session_id)
    WHERE h.time > s1.t AND h.name = 'page_view' AND h.pathname LIKE '/posts/%%' GROUP BY 1, 2
), s3 AS (
    SELECT s2.session_id, s2.visitor_id, min(h.time) AS t FROM s2 JOIN hits h USING (session_id)
    WHERE h.time > s2.t AND h.name = 'page_view' AND h.pathname = '/about' GROUP BY 1, 2
), s4 AS (
    SELECT s3.session_id, s3.visitor_id, min(h.time) AS t FROM s3 JOIN hits h USING (session_id)
    WHERE h.time > s3.t AND h.name = 'signup' GROUP BY 1, 2
)
SELECT (SELECT count(DISTINCT visitor_id) FROM s1), (SELECT count(DISTINCT visitor_id) FROM s2),
       (SELECT count(DISTINCT visitor_id) FROM s3), (SELECT count(DISTINCT visitor_id) FROM s4);
