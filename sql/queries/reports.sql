-- Every report a user sees. Parameters shared by all: property_id; lo and hi, the instants that
-- bound the period's local days (app/reports/periods.py); bots (include bot traffic); filters,
-- a jsonb filter set (app/reports/filters.py). Definitions: docs/definitions.md.

-- name: summary
WITH s AS (
    SELECT count(*) AS sessions,
           count(*) FILTER (WHERE bounce) AS bounces,
           coalesce(sum(page_views), 0) AS session_page_views,
           coalesce(sum(extract(epoch FROM duration)), 0) AS duration_seconds
    FROM reports.sessions(%(property_id)s, %(lo)s, %(hi)s, %(bots)s, %(filters)s)
), v AS (
    SELECT count(DISTINCT visitor_id) AS visitors, count(*) AS page_views
    FROM reports.page_views(%(property_id)s, %(lo)s, %(hi)s, %(bots)s, %(filters)s)
)
SELECT v.visitors, s.sessions, v.page_views, s.bounces, s.session_page_views, s.duration_seconds
FROM s, v;

-- name: timeseries
-- One row per local hour, day, week or month of the period, empty ones included, labelled with
-- the local time it starts at within the period. Steps of 15 minutes find every bucket:
-- every zone's offset is a whole number of quarter hours.
WITH steps AS (
    SELECT reports.bucket(t, %(tz)s, %(interval)s) AS bucket, min(t) AS starts
    FROM generate_series(%(lo)s::timestamptz, %(hi)s::timestamptz - INTERVAL '15 minutes',
                         INTERVAL '15 minutes') AS t
    GROUP BY 1
), views AS (
    SELECT reports.bucket(time, %(tz)s, %(interval)s) AS bucket,
           count(DISTINCT visitor_id) AS visitors, count(*) AS page_views
    FROM reports.page_views(%(property_id)s, %(lo)s, %(hi)s, %(bots)s, %(filters)s)
    GROUP BY 1
), visits AS (
    SELECT reports.bucket(started_at, %(tz)s, %(interval)s) AS bucket,
           count(*) AS sessions, count(*) FILTER (WHERE bounce) AS bounces,
           coalesce(sum(page_views), 0) AS session_page_views,
           coalesce(sum(extract(epoch FROM duration)), 0) AS duration_seconds
    FROM reports.sessions(%(property_id)s, %(lo)s, %(hi)s, %(bots)s, %(filters)s)
    GROUP BY 1
)
SELECT steps.starts AT TIME ZONE %(tz)s AS starts,
       coalesce(views.visitors, 0) AS visitors, coalesce(visits.sessions, 0) AS sessions,
       coalesce(views.page_views, 0) AS page_views, coalesce(visits.bounces, 0) AS bounces,
       coalesce(visits.session_page_views, 0) AS session_page_views,
       coalesce(visits.duration_seconds, 0) AS duration_seconds
FROM steps LEFT JOIN views USING (bucket) LEFT JOIN visits USING (bucket)
ORDER BY steps.starts;

-- name: breakdown_sessions
-- Sessions by one of their attributes (app/reports/filters.py SESSION_DIMENSIONS); NULL is
-- "unknown" (for referrer and source: none). Counts that add up across any range, so the
-- rollups answer the same without filters (breakdown_sessions_rollup).
SELECT value, count(*) AS sessions, count(*) FILTER (WHERE bounce) AS bounces,
       sum(page_views)::bigint AS session_page_views, sum(extract(epoch FROM duration)) AS duration_seconds
FROM (
    SELECT CASE %(dimension)s
               WHEN 'channel' THEN channel WHEN 'source' THEN source
               WHEN 'referrer' THEN referrer_domain
               WHEN 'utm_source' THEN utm_source WHEN 'utm_medium' THEN utm_medium
               WHEN 'utm_campaign' THEN utm_campaign WHEN 'utm_term' THEN utm_term
               WHEN 'utm_content' THEN utm_content
               WHEN 'country' THEN country WHEN 'region' THEN region WHEN 'city' THEN city
               WHEN 'browser' THEN browser WHEN 'os' THEN os WHEN 'device' THEN device
               WHEN 'language' THEN language
               WHEN 'entry_page' THEN entry_page WHEN 'exit_page' THEN exit_page
           END AS value,
           page_views, bounce, duration
    FROM reports.sessions(%(property_id)s, %(lo)s, %(hi)s, %(bots)s, %(filters)s)
) AS s
GROUP BY value
ORDER BY sessions DESC, value NULLS LAST
LIMIT %(limit)s OFFSET %(offset)s;

-- name: breakdown_sessions_rollup
-- With the period's imported sessions added, for the dimensions the import has.
SELECT value, sum(sessions)::bigint AS sessions, sum(bounces)::bigint AS bounces,
       sum(session_page_views)::bigint AS session_page_views, sum(duration_seconds) AS duration_seconds
FROM (SELECT * FROM reports.session_breakdown(
          %(property_id)s, %(lo)s, %(hi)s, %(bots)s, %(dimension)s,
          reports.pruning_k(%(property_id)s, %(lo)s, %(hi)s, %(tz)s, %(imported)s, %(limit)s + %(offset)s))
      UNION ALL
      SELECT * FROM reports.imported_sessions(%(property_id)s, %(lo)s, %(hi)s, %(tz)s, %(imported)s, %(dimension)s)) AS b
GROUP BY value
ORDER BY sessions DESC, value NULLS LAST
LIMIT %(limit)s OFFSET %(offset)s;

-- name: breakdown_pages
-- Page views by page, page type, author, category or tag (a page in two categories counts in
-- both), with engagement: time on page averages the views that reported any; scroll depth
-- averages every view, and reached_N counts the views that scrolled at least N %%.
SELECT value, count(*) AS page_views, count(engaged_ms) AS engaged_views,
       coalesce(sum(engaged_ms), 0)::bigint AS engaged_ms,
       sum(scroll_depth)::bigint AS scroll_depth,
       count(*) FILTER (WHERE scroll_depth >= 25) AS reached_25, count(*) FILTER (WHERE scroll_depth >= 50) AS reached_50,
       count(*) FILTER (WHERE scroll_depth >= 75) AS reached_75, count(*) FILTER (WHERE scroll_depth >= 100) AS reached_100,
       0 AS imported_views
FROM reports.page_views(%(property_id)s, %(lo)s, %(hi)s, %(bots)s, %(filters)s) AS v,
     unnest(coalesce(CASE %(dimension)s
                         WHEN 'page' THEN ARRAY[v.pathname] WHEN 'page_type' THEN ARRAY[v.page_type]
                         WHEN 'author' THEN ARRAY[v.author]
                         WHEN 'category' THEN v.categories WHEN 'tag' THEN v.tags
                     END, ARRAY[NULL::text])) AS value
GROUP BY value
ORDER BY page_views DESC, value NULLS LAST
LIMIT %(limit)s OFFSET %(offset)s;

-- name: breakdown_pages_rollup
-- With the period's imported page views by page added; they have no engagement or scroll, so
-- imported_views tells them apart for the averages.
SELECT value, sum(page_views)::bigint AS page_views, sum(engaged_views)::bigint AS engaged_views,
       coalesce(sum(engaged_ms), 0)::bigint AS engaged_ms, sum(scroll_depth)::bigint AS scroll_depth,
       sum(reached_25)::bigint AS reached_25, sum(reached_50)::bigint AS reached_50,
       sum(reached_75)::bigint AS reached_75, sum(reached_100)::bigint AS reached_100,
       sum(imported_views)::bigint AS imported_views
FROM (SELECT *, 0 AS imported_views
      FROM reports.page_breakdown(
          %(property_id)s, %(lo)s, %(hi)s, %(bots)s, %(dimension)s,
          reports.pruning_k(%(property_id)s, %(lo)s, %(hi)s, %(tz)s, %(imported)s, %(limit)s + %(offset)s))
      UNION ALL
      SELECT value, page_views, 0, 0, 0, 0, 0, 0, 0, page_views
      FROM reports.imported_pages(%(property_id)s, %(lo)s, %(hi)s, %(tz)s, %(imported)s AND %(dimension)s = 'page')) AS b
GROUP BY value
ORDER BY page_views DESC, value NULLS LAST
LIMIT %(limit)s OFFSET %(offset)s;

-- name: recent_sessions
-- A page of the period's sessions, latest start first, from before the keyset (before,
-- before_id): the visitor list walks these until it has found enough distinct visitors, rather
-- than grouping every session of the period.
SELECT visitor_id, started_at, session_id
FROM reports.sessions(%(property_id)s, %(lo)s, %(hi)s, %(bots)s, %(filters)s)
WHERE started_at <= %(before)s AND (started_at, session_id) < (%(before)s, %(before_id)s)
ORDER BY started_at DESC, session_id DESC
LIMIT %(page)s;

-- name: visitors
-- The given visitors' sessions in the period, one row per visitor with what their latest
-- session says; latest visit first.
SELECT visitor_id, count(*) AS sessions, sum(page_views) AS page_views,
       min(started_at) AS first_seen, max(ended_at) AS last_seen,
       (array_agg(country ORDER BY started_at DESC))[1] AS country,
       (array_agg(city ORDER BY started_at DESC))[1] AS city,
       (array_agg(device ORDER BY started_at DESC))[1] AS device,
       (array_agg(browser ORDER BY started_at DESC))[1] AS browser,
       (array_agg(os ORDER BY started_at DESC))[1] AS os,
       (array_agg(source ORDER BY started_at DESC))[1] AS source,
       (array_agg(channel ORDER BY started_at DESC))[1] AS channel
FROM reports.sessions(%(property_id)s, %(lo)s, %(hi)s, %(bots)s, %(filters)s)
WHERE visitor_id = ANY(%(visitors)s)
GROUP BY visitor_id
ORDER BY max(started_at) DESC, visitor_id;

-- name: visitor_sessions
-- One visitor's sessions in the period, newest first (filters do not apply: it is one person).
SELECT session_id, started_at, ended_at, extract(epoch FROM duration) AS duration_seconds,
       events, page_views, bounce, entry_page, exit_page, referrer_domain, source, channel,
       utm_source, utm_medium, utm_campaign, country, region, city, browser, browser_version,
       os, os_version, device, language, is_bot
FROM metrics.sessions
WHERE property_id = %(property_id)s AND visitor_id = %(visitor_id)s
  AND started_at >= %(lo)s AND started_at < %(hi)s
ORDER BY started_at DESC
LIMIT %(limit)s;

-- name: visitor_events
-- The events of the given sessions in time order; each session's window bounds the search.
SELECT e.session_id, e.time, e.name, e.pathname, e.title, e.referrer, e.engaged_ms,
       e.scroll_depth, e.props
FROM metrics.sessions s
JOIN LATERAL (
    SELECT * FROM metrics.events e
    WHERE e.property_id = s.property_id AND e.time >= s.started_at AND e.time <= s.ended_at
      AND e.visitor_id = s.visitor_id AND e.session_id = s.session_id
) AS e ON true
WHERE s.property_id = %(property_id)s AND s.session_id = ANY(%(sessions)s)
  AND s.started_at >= %(lo)s AND s.started_at < %(hi)s
ORDER BY e.time, e.name;

-- name: realtime
-- Visitors with any event in the five minutes up to now, and the page views among those events.
SELECT count(DISTINCT visitor_id) AS visitors,
       count(*) FILTER (WHERE name = 'page_view') AS page_views
FROM metrics.events
WHERE property_id = %(property_id)s AND time > %(now)s::timestamptz - INTERVAL '5 minutes' AND time <= %(now)s
  AND (%(bots)s OR NOT is_bot);

-- name: summary_rollup
-- summary without filters, from the rollups: the same numbers (a test compares them), plus
-- the imported days of the period when `imported` (their visitors summed day by day).
WITH i AS (
    SELECT coalesce(sum(visitors), 0)::bigint AS visitors, coalesce(sum(page_views), 0)::bigint AS page_views,
           coalesce(sum(sessions), 0)::bigint AS sessions, coalesce(sum(bounces), 0)::bigint AS bounces,
           coalesce(sum(duration_seconds), 0)::bigint AS duration_seconds
    FROM reports.imported_days(%(property_id)s, %(lo)s, %(hi)s, %(tz)s, %(imported)s)
)
SELECT v.visitors + i.visitors, s.sessions + i.sessions, v.page_views + i.page_views, s.bounces + i.bounces,
       s.session_page_views + i.page_views, s.duration_seconds + i.duration_seconds
FROM reports.visitor_totals(%(property_id)s, reports.span(%(lo)s, %(hi)s), %(bots)s) AS v,
     reports.session_totals(%(property_id)s, reports.span(%(lo)s, %(hi)s), %(bots)s) AS s, i;

-- name: timeseries_rollup
-- timeseries without filters, by hour or day, from the rollups: one pass over the quarter hours
-- (a local day is rarely a UTC day, so day rows would rarely serve). Each quarter hour's local
-- bucket is computed once, in steps, and joined: not once per rollup row.
WITH steps AS (
    SELECT t, reports.bucket(t, %(tz)s, %(interval)s) AS bucket
    FROM generate_series(%(lo)s::timestamptz, %(hi)s::timestamptz - INTERVAL '15 minutes',
                         INTERVAL '15 minutes') AS t
), buckets AS (
    SELECT bucket, min(t) AS starts FROM steps GROUP BY bucket
), arrivals AS (
    SELECT steps.bucket, sum(a.arrivals)::bigint AS arrivals, sum(a.page_views)::bigint AS page_views
    FROM metrics.arrivals_15m a JOIN steps ON steps.t = a.bucket
    WHERE a.property_id = %(property_id)s AND a.bucket >= %(lo)s AND a.bucket < %(hi)s AND (%(bots)s OR NOT a.is_bot)
    GROUP BY steps.bucket
), near_returns AS MATERIALIZED (
    -- Returns within their own hour or day: never more than a day after the previous view, so
    -- only the near ones (the covering partial index returns_15m_near_cover_idx), read in one
    -- range scan: looked up per quarter hour, a year's 35,000 lookups took a second.
    SELECT r.bucket, r.previous, r.returns FROM metrics.returns_15m r
    WHERE r.property_id = %(property_id)s AND r.bucket >= %(lo)s AND r.bucket < %(hi)s AND (%(bots)s OR NOT r.is_bot)
      AND reports.near(r.previous, r.bucket)
), returns AS (
    SELECT steps.bucket, sum(r.returns)::bigint AS returns
    FROM near_returns r JOIN steps ON steps.t = r.bucket JOIN buckets ON buckets.bucket = steps.bucket
    WHERE r.previous >= buckets.starts
    GROUP BY steps.bucket
), views AS (
    SELECT bucket, arrivals.arrivals - coalesce(returns.returns, 0) AS visitors, arrivals.page_views
    FROM arrivals LEFT JOIN returns USING (bucket)
), visits AS (
    SELECT steps.bucket, sum(s.sessions)::bigint AS sessions, sum(s.bounces)::bigint AS bounces,
           sum(s.session_page_views)::bigint AS session_page_views, sum(s.duration_seconds) AS duration_seconds
    FROM metrics.sessions_15m s JOIN steps ON steps.t = s.bucket
    WHERE s.property_id = %(property_id)s AND s.bucket >= %(lo)s AND s.bucket < %(hi)s AND (%(bots)s OR NOT s.is_bot)
    GROUP BY steps.bucket
), imported AS (
    -- Imported days have no hours: an hourly chart shows them empty.
    SELECT reports.bucket(day::timestamp AT TIME ZONE %(tz)s, %(tz)s, 'day') AS bucket, visitors, page_views,
           sessions, bounces, duration_seconds
    FROM reports.imported_days(%(property_id)s, %(lo)s, %(hi)s, %(tz)s, %(imported)s AND %(interval)s = 'day')
)
SELECT buckets.starts AT TIME ZONE %(tz)s AS starts,
       coalesce(views.visitors, 0) + coalesce(imported.visitors, 0) AS visitors,
       coalesce(visits.sessions, 0) + coalesce(imported.sessions, 0) AS sessions,
       coalesce(views.page_views, 0) + coalesce(imported.page_views, 0) AS page_views,
       coalesce(visits.bounces, 0) + coalesce(imported.bounces, 0) AS bounces,
       coalesce(visits.session_page_views, 0) + coalesce(imported.page_views, 0) AS session_page_views,
       coalesce(visits.duration_seconds, 0) + coalesce(imported.duration_seconds, 0) AS duration_seconds
FROM buckets LEFT JOIN views USING (bucket) LEFT JOIN visits USING (bucket) LEFT JOIN imported USING (bucket)
ORDER BY buckets.starts;

-- name: timeseries_spans_rollup
-- timeseries without filters, by week or month: each bucket's numbers from the rows that cover
-- it exactly (whole UTC days inside, quarter hours at its edges). Weeks and months are whole
-- local days, so the quarter hours are grouped into days before the (costlier) bucket of each.
WITH days AS (
    SELECT (t AT TIME ZONE %(tz)s)::date AS day, min(t) AS starts
    FROM generate_series(%(lo)s::timestamptz, %(hi)s::timestamptz - INTERVAL '15 minutes',
                         INTERVAL '15 minutes') AS t
    GROUP BY 1
), steps AS (
    SELECT reports.bucket(starts, %(tz)s, %(interval)s) AS bucket, min(starts) AS starts FROM days GROUP BY 1
), spans AS (
    SELECT starts, ends, reports.span(starts, ends) AS span
    FROM (SELECT starts, lead(starts, 1, %(hi)s::timestamptz) OVER (ORDER BY starts) AS ends FROM steps) AS s
)
SELECT spans.starts AT TIME ZONE %(tz)s AS starts, views.visitors + i.visitors, visits.sessions + i.sessions,
       views.page_views + i.page_views, visits.bounces + i.bounces, visits.session_page_views + i.page_views,
       visits.duration_seconds + i.duration_seconds
FROM spans
CROSS JOIN LATERAL reports.visitor_totals(%(property_id)s, spans.span, %(bots)s) AS views
CROSS JOIN LATERAL reports.session_totals(%(property_id)s, spans.span, %(bots)s) AS visits
CROSS JOIN LATERAL (
    SELECT coalesce(sum(visitors), 0)::bigint AS visitors, coalesce(sum(page_views), 0)::bigint AS page_views,
           coalesce(sum(sessions), 0)::bigint AS sessions, coalesce(sum(bounces), 0)::bigint AS bounces,
           coalesce(sum(duration_seconds), 0)::bigint AS duration_seconds
    FROM reports.imported_days(%(property_id)s, spans.starts, spans.ends, %(tz)s, %(imported)s)) AS i
ORDER BY spans.starts;

-- name: event_breakdown
-- Custom events by name, or one kind of them by what it carries: outbound clicks by URL or
-- domain, downloads by URL or file extension, site searches by term (lower case, trimmed).
-- `events` counts them, `visitors` the distinct visitors who sent one.
SELECT value, count(*) AS events, count(DISTINCT visitor_id) AS visitors
FROM (
    SELECT CASE %(dimension)s
               WHEN 'event' THEN e.name
               WHEN 'outbound' THEN e.props ->> 'url' WHEN 'download' THEN e.props ->> 'url'
               WHEN 'outbound_domain' THEN lower(substring(e.props ->> 'url' FROM '^[A-Za-z][A-Za-z0-9+.-]*://([^/:?#@]+)'))
               WHEN 'download_type' THEN lower(substring(e.props ->> 'url' FROM '\.([A-Za-z0-9]{1,10})(?:[?#].*)?$'))
               WHEN 'search' THEN lower(btrim(e.props ->> 'query'))
           END AS value, e.visitor_id
    FROM reports.events(%(property_id)s, %(lo)s, %(hi)s, %(bots)s, %(filters)s) AS e
    WHERE CASE %(dimension)s WHEN 'event' THEN true
                             WHEN 'outbound' THEN e.name = 'outbound' WHEN 'outbound_domain' THEN e.name = 'outbound'
                             WHEN 'download' THEN e.name = 'download' WHEN 'download_type' THEN e.name = 'download'
                             WHEN 'search' THEN e.name = 'search' END
) AS x
GROUP BY value
ORDER BY visitors DESC, events DESC, value NULLS LAST
LIMIT %(limit)s OFFSET %(offset)s;

-- name: event_properties
-- One custom event's properties: each key and value it was sent with, most visitors first.
SELECT p.key, p.value, count(*) AS events, count(DISTINCT e.visitor_id) AS visitors
FROM reports.events(%(property_id)s, %(lo)s, %(hi)s, %(bots)s, %(filters)s) AS e,
     jsonb_each_text(coalesce(e.props, '{}')) AS p
WHERE e.name = %(name)s
GROUP BY p.key, p.value
ORDER BY visitors DESC, events DESC, p.key, p.value
LIMIT %(limit)s OFFSET %(offset)s;

-- name: not_found
-- Views of error pages (WordPress marks them page_type 404) by path and the page that linked to
-- them: the referrer of the view's page_view event, found by its exact time.
SELECT v.pathname AS value, e.referrer, count(*) AS page_views, count(DISTINCT v.visitor_id) AS visitors
FROM reports.page_views(%(property_id)s, %(lo)s, %(hi)s, %(bots)s, %(filters)s) AS v
LEFT JOIN LATERAL (
    SELECT e.referrer FROM metrics.events e
    WHERE e.property_id = v.property_id AND e.time = v.time AND e.visitor_id = v.visitor_id
      AND e.name = 'page_view' AND e.page_type = '404'
    LIMIT 1
) AS e ON true
WHERE v.page_type = '404'
GROUP BY v.pathname, e.referrer
ORDER BY page_views DESC, value, e.referrer NULLS LAST
LIMIT %(limit)s OFFSET %(offset)s;

-- name: goal_conversions
-- One goal's conversions (the page views or events that met it) and converting visitors, of
-- the sessions the filters keep (reports.goal_conversions: materialized where it can).
SELECT conversions, visitors
FROM reports.goal_conversions(%(property_id)s, %(lo)s, %(hi)s, %(bots)s, %(filters)s, %(goal)s);

-- name: funnel
-- Each step of `steps`: the visitors and sessions that reached it in order within a session, and
-- the median seconds from the step before (reports.funnel).
SELECT step, visitors, sessions, median_seconds
FROM reports.funnel(%(property_id)s, %(lo)s, %(hi)s, %(bots)s, %(filters)s, %(steps)s)
ORDER BY step;

-- name: goal_timeseries
-- One goal's conversions and converting visitors per local hour, day, week or month of the
-- period, empty buckets included (as timeseries).
WITH steps AS (
    SELECT reports.bucket(t, %(tz)s, %(interval)s) AS bucket, min(t) AS starts
    FROM generate_series(%(lo)s::timestamptz, %(hi)s::timestamptz - INTERVAL '15 minutes',
                         INTERVAL '15 minutes') AS t
    GROUP BY 1
), goal AS MATERIALIZED (
    SELECT reports.goal_paths(%(property_id)s, %(lo)s, %(hi)s, %(bots)s, %(goal)s) AS paths
), hits AS (
    SELECT h.time, h.visitor_id
    FROM goal, reports.goal_hits(%(property_id)s, %(lo)s, %(hi)s, %(bots)s, %(filters)s, %(goal)s, goal.paths) AS h
), counted AS (
    SELECT reports.bucket(time, %(tz)s, %(interval)s) AS bucket, count(*) AS conversions,
           count(DISTINCT visitor_id) AS visitors
    FROM hits GROUP BY 1
)
SELECT steps.starts AT TIME ZONE %(tz)s AS starts, coalesce(counted.conversions, 0) AS conversions,
       coalesce(counted.visitors, 0) AS visitors
FROM steps LEFT JOIN counted USING (bucket)
ORDER BY steps.starts;
