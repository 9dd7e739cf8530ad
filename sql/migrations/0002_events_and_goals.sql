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
-- checks read. The predicate is written as every query that uses the index writes it.
CREATE INDEX events_custom_idx ON metrics.events (property_id, time)
    WHERE name NOT IN ('page_view', 'ping', 'scroll', 'page_exit');
CREATE INDEX events_custom_session_idx ON metrics.events (session_id)
    WHERE name NOT IN ('page_view', 'ping', 'scroll', 'page_exit');
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

CREATE OR REPLACE FUNCTION reports.keep_any(vals text[], rule jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT rule IS NULL
        OR (coalesce(NOT rule ? 'eq' OR rule -> 'eq' ?| vals, false)
            AND NOT coalesce(rule -> 'ne' ?| vals, false)
            AND (NOT rule ? 'has' OR coalesce((SELECT bool_or(reports.contains(v, rule -> 'has')) FROM unnest(vals) AS v), false))
            AND NOT (rule ? 'hasnt' AND coalesce((SELECT bool_or(reports.contains(v, rule -> 'hasnt')) FROM unnest(vals) AS v), false)))
$$;

-- A goal's page pattern as LIKE reads it: `*` is any characters; %, _ and \ are themselves.
CREATE FUNCTION reports.like_pattern(pattern text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT replace(replace(replace(replace(pattern, '\', '\\'), '%', '\%'), '_', '\_'), '*', '%')
$$;

-- Whether an event (a page view has the name page_view) meets a goal or funnel step.
CREATE FUNCTION reports.meets(name text, pathname text, props jsonb, goal jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN goal ? 'page' THEN name = 'page_view' AND pathname LIKE reports.like_pattern(goal ->> 'page')
                ELSE name = goal ->> 'event'
                     AND NOT EXISTS (SELECT 1 FROM jsonb_each_text(coalesce(goal -> 'props', '{}')) AS c
                                     WHERE props ->> c.key IS DISTINCT FROM c.value) END
$$;

-- A stored goal as reports read it.
CREATE FUNCTION reports.goal(page text, event text, props jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN page IS NOT NULL THEN jsonb_build_object('page', page)
                ELSE jsonb_build_object('event', event, 'props', coalesce(props, '{}')) END
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
-- `steps` it reached in order and when. Its events are read in time order; each advances the
-- session by at most one step, when it meets the step after the last one reached (taking the
-- earliest match of each step in turn reaches the furthest step any order could). Other events
-- between steps, and repeats of a step, change nothing.
CREATE FUNCTION reports.funnel_progress(p_property text, lo timestamptz, hi timestamptz, bots boolean,
                                        f jsonb, steps jsonb)
RETURNS TABLE (session_id bigint, visitor_id bigint, step integer, reached_at timestamptz)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    total constant integer := jsonb_array_length(steps);
    hit record;
    wanted integer := 1;
BEGIN
    session_id := NULL;
    FOR hit IN
        WITH goals AS (SELECT g, n::integer FROM jsonb_array_elements(steps) WITH ORDINALITY AS t (g, n)),
        chosen AS MATERIALIZED (SELECT * FROM reports.sessions(p_property, lo, hi, bots, f))
        SELECT s.session_id, s.visitor_id, m.time, m.met
        FROM chosen s
        CROSS JOIN LATERAL (
            SELECT v.time, array_agg(goals.n) AS met FROM metrics.page_views v JOIN goals
                ON goals.g ? 'page' AND reports.meets('page_view', v.pathname, NULL, goals.g)
            WHERE v.session_id = s.session_id AND v.time >= s.started_at AND v.time <= s.ended_at
            GROUP BY v.page_view_id, v.time
            UNION ALL
            SELECT e.time, array_agg(goals.n) FROM metrics.events e JOIN goals
                ON goals.g ? 'event' AND reports.meets(e.name, e.pathname, e.props, goals.g)
            WHERE e.session_id = s.session_id AND e.name NOT IN ('page_view', 'ping', 'scroll', 'page_exit')
              AND e.time >= s.started_at AND e.time <= s.ended_at
            GROUP BY e.tableoid, e.ctid, e.time) AS m
        ORDER BY s.session_id, m.time
    LOOP
        IF hit.session_id IS DISTINCT FROM session_id THEN
            session_id := hit.session_id;
            visitor_id := hit.visitor_id;
            wanted := 1;
        END IF;
        IF wanted <= total AND wanted = ANY(hit.met) THEN
            step := wanted;
            reached_at := hit.time;
            RETURN NEXT;
            wanted := wanted + 1;
        END IF;
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
