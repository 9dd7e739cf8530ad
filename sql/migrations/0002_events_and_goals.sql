-- Events, goals and funnels as reports (docs/definitions.md, "Events, goals and funnels").
--
-- Custom events (a name other than page_view, ping, scroll and page_exit: outbound and
-- download clicks, site searches, the site's own names) are read from metrics.events at query
-- time, through partial indexes that hold only them: a few per cent of the table. Goals and
-- funnels are definitions, not tags on rows, so a goal made today counts every stored event it
-- matches, and editing one rewrites nothing.
--
-- A goal or funnel step is one jsonb object, the same in reports, the API and the analysts'
-- views: {"page": "/blog/*"} (a page view whose path matches; `*` stands for any characters,
-- `/` included) or {"event": "signup", "props": {"plan": "pro"}} (a custom event of that name
-- whose properties include each pair, compared as text).

CREATE TABLE accounts.goals (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    property_id text NOT NULL REFERENCES accounts.properties ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    page        text CHECK (page ~ '^/' AND length(page) <= 2000),
    event       text CHECK (length(event) BETWEEN 1 AND 64),  -- a name collect accepts (app/reports/goals.py)
    props       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(props) = 'object'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((page IS NULL) <> (event IS NULL)),
    CHECK (page IS NULL OR props = '{}'),
    UNIQUE (property_id, name)
);

-- steps: 2 to 8 goal-shaped objects, in the order a session must reach them.
CREATE TABLE accounts.funnels (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    property_id text NOT NULL REFERENCES accounts.properties ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    steps       jsonb NOT NULL CHECK (jsonb_typeof(steps) = 'array' AND jsonb_array_length(steps) BETWEEN 2 AND 8),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (property_id, name)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON accounts.goals, accounts.funnels TO parcours_web;

-- The custom events of a property by time, and of a session: what event reports and goal
-- checks read. The predicate is written as every query that uses the index writes it. The
-- first covers what an unfiltered report reads, so it reads no table page: custom events are
-- scattered among a chunk's pages, one event to a page, and reading those pages was most of
-- an events report's time (bench/reports).
CREATE INDEX events_custom_idx ON metrics.events (property_id, time)
    INCLUDE (name, visitor_id, session_id, is_bot, pathname, props)
    WHERE name NOT IN ('page_view', 'ping', 'scroll', 'page_exit');
CREATE INDEX events_custom_session_idx ON metrics.events (session_id)
    WHERE name NOT IN ('page_view', 'ping', 'scroll', 'page_exit');
-- Goals and funnels match page views by path: this covers what they read, by time.
CREATE INDEX page_views_paths_idx ON metrics.page_views (property_id, time)
    INCLUDE (pathname, visitor_id, session_id, is_bot);
-- The 404 report reads the page_view events of error pages (their referrer is on the event).
CREATE INDEX events_not_found_idx ON metrics.events (property_id, time)
    WHERE name = 'page_view' AND page_type = '404';

-- Filters gain "has" (contains) and "hasnt" (does not contain), case-insensitive, beside "eq"
-- and "ne": {"page": {"has": ["blog"]}}. An unknown value (NULL) contains nothing, so it passes
-- only "ne" and "hasnt". Several values under one operator mean any of them.
CREATE FUNCTION reports.contains(haystack text, needles jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT bool_or(strpos(lower(haystack), lower(n.needle)) > 0) FROM jsonb_array_elements_text(needles) AS n (needle)
$$;

CREATE OR REPLACE FUNCTION reports.keep(value text, rule jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT rule IS NULL
        OR (coalesce(NOT rule ? 'eq' OR rule -> 'eq' ? value, false)
            AND NOT coalesce(rule -> 'ne' ? value, false)
            AND (NOT rule ? 'has' OR coalesce(reports.contains(value, rule -> 'has'), false))
            AND NOT (rule ? 'hasnt' AND coalesce(reports.contains(value, rule -> 'hasnt'), false)))
$$;

-- Whether any of `haystacks` contains any of `needles`.
CREATE FUNCTION reports.contains_any(haystacks text[], needles jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT bool_or(reports.contains(h.haystack, needles)) FROM unnest(haystacks) AS h (haystack)
$$;

-- keep and keep_any stay single expressions, without subqueries, so that PostgreSQL inlines them
-- and folds a rule that is not there (NULL) away: a call per row of every report cost more
-- than the rest of the report.
CREATE OR REPLACE FUNCTION reports.keep_any(vals text[], rule jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT rule IS NULL
        OR (coalesce(NOT rule ? 'eq' OR rule -> 'eq' ?| vals, false)
            AND NOT coalesce(rule -> 'ne' ?| vals, false)
            AND (NOT rule ? 'has' OR coalesce(reports.contains_any(vals, rule -> 'has'), false))
            AND NOT (rule ? 'hasnt' AND coalesce(reports.contains_any(vals, rule -> 'hasnt'), false)))
$$;

-- A goal's page pattern as LIKE reads it: `*` is any characters; %, _ and \ are themselves.
CREATE FUNCTION reports.like_pattern(pattern text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT replace(replace(replace(replace(pattern, '\', '\\'), '%', '\%'), '_', '\_'), '*', '%')
$$;

-- Whether `props` holds each pair of `conditions`, compared as text.
CREATE FUNCTION reports.has_props(props jsonb, conditions jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT NOT EXISTS (SELECT 1 FROM jsonb_each_text(coalesce(conditions, '{}')) AS c
                       WHERE props ->> c.key IS DISTINCT FROM c.value)
$$;

-- Whether an event (a page view has the name page_view) meets a goal or funnel step: the one
-- definition. A single expression, so it is inlined; the conditions are read only for an event
-- of the goal's name.
CREATE FUNCTION reports.meets(name text, pathname text, props jsonb, goal jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN goal ? 'page' THEN name = 'page_view' AND pathname LIKE reports.like_pattern(goal ->> 'page')
                ELSE name = goal ->> 'event' AND (goal -> 'props' = '{}' OR reports.has_props(props, goal -> 'props')) END
$$;

-- A stored goal as reports read it.
CREATE FUNCTION reports.goal(page text, event text, props jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN page IS NOT NULL THEN jsonb_build_object('page', page)
                ELSE jsonb_build_object('event', event, 'props', coalesce(props, '{}')) END
$$;

-- The paths viewed in [lo, hi) that meet each page goal or step of `goals` (a jsonb array),
-- with the goal's position: matched once per path, from the paths rollup's few thousand
-- rows, rather than once per page view and goal.
CREATE FUNCTION reports.matching_paths(p_property text, lo timestamptz, hi timestamptz, bots boolean, goals jsonb)
RETURNS TABLE (pathname text, n integer)
LANGUAGE sql STABLE AS $$
    SELECT p.pathname, t.n::integer
    FROM (SELECT DISTINCT r.pathname FROM reports.span_paths(p_property, reports.span(lo, hi), bots) AS r) AS p
    JOIN jsonb_array_elements(goals) WITH ORDINALITY AS t (g, n)
      ON t.g ? 'page' AND reports.meets('page_view', p.pathname, NULL, t.g)
$$;

-- Whether a session reached any of `goals` (a jsonb array; false for NULL or none).
CREATE FUNCTION reports.converted(s metrics.sessions, goals jsonb) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT goals IS NOT NULL AND (
        EXISTS (SELECT 1 FROM metrics.page_views v, jsonb_array_elements(goals) AS g
                WHERE v.session_id = s.session_id AND v.time >= s.started_at AND v.time <= s.ended_at
                  AND g ? 'page' AND reports.meets('page_view', v.pathname, NULL, g))
        OR EXISTS (SELECT 1 FROM metrics.events e, jsonb_array_elements(goals) AS g
                   WHERE e.session_id = s.session_id AND e.name NOT IN ('page_view', 'ping', 'scroll', 'page_exit')
                     AND e.time >= s.started_at AND e.time <= s.ended_at
                     AND g ? 'event' AND reports.meets(e.name, e.pathname, e.props, g)))
$$;

-- "converted on goal G" is a session filter: {"goal": {"eq": [goal, ...], "ne": [goal, ...]}},
-- the goals' definitions (app/reports filled them in from their names).
CREATE OR REPLACE FUNCTION reports.session_matches(s metrics.sessions, f jsonb) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT reports.keep(s.channel, f -> 'channel') AND reports.keep(s.source, f -> 'source')
       AND reports.keep(s.referrer_domain, f -> 'referrer')
       AND reports.keep(s.utm_source, f -> 'utm_source') AND reports.keep(s.utm_medium, f -> 'utm_medium')
       AND reports.keep(s.utm_campaign, f -> 'utm_campaign') AND reports.keep(s.utm_term, f -> 'utm_term')
       AND reports.keep(s.utm_content, f -> 'utm_content')
       AND reports.keep(s.country, f -> 'country') AND reports.keep(s.region, f -> 'region')
       AND reports.keep(s.city, f -> 'city')
       AND reports.keep(s.browser, f -> 'browser') AND reports.keep(s.os, f -> 'os')
       AND reports.keep(s.device, f -> 'device') AND reports.keep(s.language, f -> 'language')
       AND reports.keep(s.entry_page, f -> 'entry_page') AND reports.keep(s.exit_page, f -> 'exit_page')
       AND (NOT f ? 'goal' OR ((NOT f -> 'goal' ? 'eq' OR reports.converted(s, f -> 'goal' -> 'eq'))
                               AND NOT reports.converted(s, f -> 'goal' -> 'ne')))
$$;

CREATE OR REPLACE FUNCTION reports.has_session_filter(f jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT f ?| ARRAY['channel', 'source', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign',
                      'utm_term', 'utm_content', 'country', 'region', 'city', 'browser', 'os',
                      'device', 'language', 'entry_page', 'exit_page', 'goal']
$$;

-- Custom events made in [lo, hi), of sessions that pass the session filters; page filters
-- apply to the page the event was sent from.
CREATE FUNCTION reports.events(p_property text, lo timestamptz, hi timestamptz, bots boolean, f jsonb)
RETURNS SETOF metrics.events
LANGUAGE sql STABLE AS $$
    SELECT e.*
    FROM metrics.events e
    WHERE e.property_id = p_property AND e.time >= lo AND e.time < hi
      AND e.name NOT IN ('page_view', 'ping', 'scroll', 'page_exit')
      AND (bots OR NOT e.is_bot)
      AND reports.keep(e.pathname, f -> 'page') AND reports.keep(e.page_type, f -> 'page_type')
      AND reports.keep(e.author, f -> 'author')
      AND reports.keep_any(e.categories, f -> 'category') AND reports.keep_any(e.tags, f -> 'tag')
      AND (NOT reports.has_session_filter(f) OR EXISTS (
          SELECT 1 FROM metrics.sessions s
          WHERE s.session_id = e.session_id AND s.started_at <= e.time
            AND s.started_at > e.time - INTERVAL '2 days'
            AND reports.session_matches(s, f)))
$$;

-- Funnel progress: for each session started in [lo, hi) that passes the filters, the steps of
-- `steps` it reached in order and when. A session reaches step 1 at its first event that meets
-- it, and step k at its first event after the moment it reached step k - 1; other events between
-- steps, and repeats of a step, change nothing. Taking the earliest match of each step in turn
-- reaches the furthest step any choice of events could.
--
-- Set-based, a step at a time: the matching events of the chosen sessions are read once (by
-- time, through covering indexes; a session's events lie within two days of its start), then
-- each step's sessions and times come from one grouped join of those events with the step
-- before. (Per session, the same took a second at 30 days of the benchmark's traffic.)
CREATE FUNCTION reports.funnel_progress(p_property text, lo timestamptz, hi timestamptz, bots boolean,
                                        f jsonb, steps jsonb)
RETURNS TABLE (session_id bigint, visitor_id bigint, step integer, reached_at timestamptz)
LANGUAGE plpgsql STABLE
SET enable_nestloop = off AS $$
DECLARE
    hit_sessions bigint[];
    hit_people bigint[];
    hit_times timestamptz[];
    hit_steps integer[];
    sessions bigint[];
    people bigint[];
    times timestamptz[];
BEGIN
    WITH goals AS (SELECT t.g, t.n::integer FROM jsonb_array_elements(steps) WITH ORDINALITY AS t (g, n)),
    chosen AS MATERIALIZED (SELECT s.session_id, s.visitor_id FROM reports.sessions(p_property, lo, hi, bots, f) AS s),
    hits AS (
        SELECT v.session_id, v.time, m.n FROM metrics.page_views v
        JOIN reports.matching_paths(p_property, lo, hi + INTERVAL '2 days', bots, steps) AS m USING (pathname)
        WHERE v.property_id = p_property AND v.time >= lo AND v.time < hi + INTERVAL '2 days' AND (bots OR NOT v.is_bot)
        UNION ALL
        SELECT e.session_id, e.time, goals.n FROM metrics.events e JOIN goals
            ON goals.g ? 'event' AND reports.meets(e.name, e.pathname, e.props, goals.g)
        WHERE e.property_id = p_property AND e.name NOT IN ('page_view', 'ping', 'scroll', 'page_exit')
          AND e.time >= lo AND e.time < hi + INTERVAL '2 days' AND (bots OR NOT e.is_bot))
    SELECT array_agg(h.session_id), array_agg(c.visitor_id), array_agg(h.time), array_agg(h.n)
    INTO hit_sessions, hit_people, hit_times, hit_steps
    FROM hits h JOIN chosen c USING (session_id);

    SELECT array_agg(r.s), array_agg(r.v), array_agg(r.at) INTO sessions, people, times
    FROM (SELECT h.s, h.v, min(h.t) AS at FROM unnest(hit_sessions, hit_people, hit_times, hit_steps) AS h (s, v, t, n)
          WHERE h.n = 1 GROUP BY h.s, h.v) AS r;
    FOR k IN 1 .. jsonb_array_length(steps) LOOP
        IF k > 1 THEN
            SELECT array_agg(r.s), array_agg(r.v), array_agg(r.at) INTO sessions, people, times
            FROM (SELECT p.s, p.v, min(h.t) AS at
                  FROM unnest(sessions, people, times) AS p (s, v, at)
                  JOIN unnest(hit_sessions, hit_times, hit_steps) AS h (s, t, n) ON h.s = p.s
                  WHERE h.n = k AND h.t > p.at
                  GROUP BY p.s, p.v) AS r;
        END IF;
        EXIT WHEN sessions IS NULL;
        RETURN QUERY SELECT p.s, p.v, k, p.at FROM unnest(sessions, people, times) AS p (s, v, at);
    END LOOP;
END
$$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA reports TO parcours_web;

-- The analysts' views of events and goals (docs/sql.md), human traffic only.
CREATE VIEW analytics.events WITH (security_barrier) AS
SELECT e.property_id, (e.time AT TIME ZONE p.time_zone)::date AS day, e.name,
       count(*) AS events, count(DISTINCT e.visitor_id) AS visitors
FROM metrics.events e JOIN metrics.visible_properties p USING (property_id)
WHERE NOT e.is_bot AND e.name NOT IN ('page_view', 'ping', 'scroll', 'page_exit')
GROUP BY e.property_id, (e.time AT TIME ZONE p.time_zone)::date, e.name;
COMMENT ON VIEW analytics.events IS
    'Per property, local day and custom event name: events and visitors (outbound, download, search included).';

CREATE VIEW analytics.goal_conversions WITH (security_barrier) AS
SELECT g.property_id, g.id AS goal_id, g.name AS goal, (c.time AT TIME ZONE p.time_zone)::date AS day,
       count(*) AS conversions, count(DISTINCT c.visitor_id) AS visitors
FROM accounts.goals g
JOIN metrics.visible_properties p ON p.property_id = g.property_id
CROSS JOIN LATERAL (
    SELECT v.time, v.visitor_id FROM metrics.page_views v
    WHERE g.page IS NOT NULL AND v.property_id = g.property_id AND NOT v.is_bot
      AND reports.meets('page_view', v.pathname, NULL, reports.goal(g.page, g.event, g.props))
    UNION ALL
    SELECT e.time, e.visitor_id FROM metrics.events e
    WHERE g.event IS NOT NULL AND e.property_id = g.property_id AND NOT e.is_bot
      AND e.name NOT IN ('page_view', 'ping', 'scroll', 'page_exit')
      AND reports.meets(e.name, e.pathname, e.props, reports.goal(g.page, g.event, g.props))
) AS c
GROUP BY g.property_id, g.id, g.name, (c.time AT TIME ZONE p.time_zone)::date;
COMMENT ON VIEW analytics.goal_conversions IS
    'Per goal and local day: conversions (matching page views or events) and converting visitors.';

GRANT SELECT ON analytics.events, analytics.goal_conversions TO parcours_analyst;
