-- What every report is computed over: a property's sessions and page views in a range,
-- with bots left out unless asked for and the user's filters applied. Written once here so that
-- every report query (sql/queries/reports.sql) filters alike. The functions are plain SQL
-- that PostgreSQL inlines into the calling query, so the filters cost no function calls.
--
-- A filter set is a jsonb object: {"country": {"eq": ["DE", "FR"]}, "source": {"ne": ["Google"]}}.
-- "eq" keeps rows whose value is one of those listed, "ne" drops them; dimensions combine with
-- AND. Session dimensions filter sessions; page dimensions (page, page_type, author, category,
-- tag) filter page views, and a session passes them when one of its page views does.
CREATE SCHEMA reports;

-- An unknown value (NULL) passes only "ne" rules.
CREATE FUNCTION reports.keep(value text, rule jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT rule IS NULL
        OR (coalesce(NOT rule ? 'eq' OR rule -> 'eq' ? value, false)
            AND NOT coalesce(rule -> 'ne' ? value, false))
$$;

-- For a list of values (a page's categories or tags): one of them must be listed in "eq",
-- none in "ne".
CREATE FUNCTION reports.keep_any(vals text[], rule jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT rule IS NULL
        OR (coalesce(NOT rule ? 'eq' OR rule -> 'eq' ?| vals, false)
            AND NOT coalesce(rule -> 'ne' ?| vals, false))
$$;

CREATE FUNCTION reports.session_matches(s metrics.sessions, f jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
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
$$;

CREATE FUNCTION reports.page_view_matches(v metrics.page_views, f jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT reports.keep(v.pathname, f -> 'page') AND reports.keep(v.page_type, f -> 'page_type')
       AND reports.keep(v.author, f -> 'author')
       AND reports.keep_any(v.categories, f -> 'category') AND reports.keep_any(v.tags, f -> 'tag')
$$;

CREATE FUNCTION reports.has_page_filter(f jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT f ?| ARRAY['page', 'page_type', 'author', 'category', 'tag']
$$;

CREATE FUNCTION reports.has_session_filter(f jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT f ?| ARRAY['channel', 'source', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign',
                      'utm_term', 'utm_content', 'country', 'region', 'city', 'browser', 'os',
                      'device', 'language', 'entry_page', 'exit_page']
$$;

-- Sessions that started in [lo, hi). Sessions last under two days (docs/definitions.md),
-- which bounds the search for their page views.
CREATE FUNCTION reports.sessions(p_property text, lo timestamptz, hi timestamptz, bots boolean, f jsonb)
RETURNS SETOF metrics.sessions
LANGUAGE sql STABLE AS $$
    SELECT s.*
    FROM metrics.sessions s
    WHERE s.property_id = p_property AND s.started_at >= lo AND s.started_at < hi
      AND (bots OR NOT s.is_bot)
      AND reports.session_matches(s, f)
      AND (NOT reports.has_page_filter(f) OR EXISTS (
          SELECT 1 FROM metrics.page_views v
          WHERE v.session_id = s.session_id AND v.time >= s.started_at AND v.time <= s.ended_at
            AND reports.page_view_matches(v, f)))
$$;

-- Page views made in [lo, hi), of sessions that pass the session filters.
CREATE FUNCTION reports.page_views(p_property text, lo timestamptz, hi timestamptz, bots boolean, f jsonb)
RETURNS SETOF metrics.page_views
LANGUAGE sql STABLE AS $$
    SELECT v.*
    FROM metrics.page_views v
    WHERE v.property_id = p_property AND v.time >= lo AND v.time < hi
      AND (bots OR NOT v.is_bot)
      AND reports.page_view_matches(v, f)
      AND (NOT reports.has_session_filter(f) OR EXISTS (
          SELECT 1 FROM metrics.sessions s
          WHERE s.session_id = v.session_id AND s.started_at <= v.time
            AND s.started_at > v.time - INTERVAL '2 days'
            AND reports.session_matches(s, f)))
$$;

-- The start, as an instant, of the local hour, day, week (Monday) or month holding `t`.
-- Hours are keyed by instant, so the hour a DST change repeats is two buckets, and an hour
-- the change shortens is one bucket of its remaining minutes.
CREATE FUNCTION reports.bucket(t timestamptz, tz text, unit text) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN unit = 'hour'
                THEN t - ((t AT TIME ZONE tz) - date_trunc('hour', t AT TIME ZONE tz))
                ELSE date_trunc(unit, t AT TIME ZONE tz) AT TIME ZONE tz END
$$;

GRANT USAGE ON SCHEMA reports TO parcours_web;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA reports TO parcours_web;
GRANT SELECT ON metrics.events, metrics.sessions, metrics.page_views, metrics.properties TO parcours_web;
