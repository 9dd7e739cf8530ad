-- The functions every report is computed with (sql/queries/reports.sql): the filters that the
-- raw-row reports share, local time buckets, and the breakdowns over the rollups with their
-- top-N pruning. SQL functions are inlined by PostgreSQL into the calling query, so the filters
-- cost no function calls; the breakdowns are PL/pgSQL, so that only the branch a dimension takes
-- is planned.
--
-- A filter set is a jsonb object: {"country": {"eq": ["DE", "FR"]}, "source": {"ne": ["Google"]}}.
-- "eq" keeps rows whose value is one of those listed, "ne" drops them; dimensions combine with
-- AND. Session dimensions filter sessions; page dimensions (page, page_type, author, category,
-- tag) filter page views, and a session passes them when one of its page views does.

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

-- The start, as an instant, of the local hour, day, week (Monday, or Sunday for 'week_sunday')
-- or month holding `t`. Hours are keyed by instant, so the hour a DST change repeats is two
-- buckets, and an hour the change shortens is one bucket of its remaining minutes.
CREATE FUNCTION reports.bucket(t timestamptz, tz text, unit text) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN unit = 'hour'
                THEN t - ((t AT TIME ZONE tz) - date_trunc('hour', t AT TIME ZONE tz))
                WHEN unit = 'week_sunday'
                THEN (date_trunc('week', (t AT TIME ZONE tz) + INTERVAL '1 day') - INTERVAL '1 day') AT TIME ZONE tz
                ELSE date_trunc(unit, t AT TIME ZONE tz) AT TIME ZONE tz END
$$;

-- Top-N over a long tail without summing the tail. A page-like breakdown over a long range sums a
-- row per page and week; most pages can never reach the top. Exactly which can: take the total T
-- of the N-th largest among a few likely values (the leaders of the range's last whole week).
-- A value's total is at most the sum of its rows the span adds (03_spans.sql; subtracted rows
-- only lower it), and it has at most R of those: one per week and day row and bot flag, plus one
-- for the quarter hours, summed as one. So any value whose total reaches T has an added row of
-- at least T / R; the values with such a row, found through an index on the count, together
-- with the likely ones, hold the whole top N, ties included, and the report sums only theirs.
-- NULL is never a candidate: reports always sum it in full. The week's leaders are read through
-- an index on (bucket, count): without bots a week has one row per value, so its largest rows
-- are its leaders.
--
-- Returns the candidates for the top `k` values of `value_column` by `count_column` over the span
-- in the rollup family `family` (metrics.<family>_7d, _1d, _15m, read by reports.span_<family>);
-- NULL when the range is too short for pruning to pay.
CREATE FUNCTION reports.leading_values(p_property text, s reports.span, bots boolean,
                                                  family text, value_column text, count_column text, k integer)
RETURNS text[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
    weeks constant integer := extract(epoch FROM s.weeks_hi - s.weeks_lo) / 604800;
    days constant integer := (abs(extract(epoch FROM s.weeks_lo - s.days_lo))
                              + abs(extract(epoch FROM s.days_hi - s.weeks_hi))) / 86400;
    rows_per_value constant integer := (weeks + days) * (CASE WHEN bots THEN 2 ELSE 1 END) + 1;
    seed text[];
    total numeric;
    threshold bigint;  -- counts are integers: n >= T / R exactly when n >= ceil(T / R)
    found text[];
BEGIN
    IF weeks < 2 THEN
        RETURN NULL;
    END IF;
    IF bots THEN
        EXECUTE format('SELECT array_agg(v) FROM (SELECT %1$I AS v FROM metrics.%2$I
                          WHERE property_id = $1 AND bucket = $2 AND %1$I IS NOT NULL
                          GROUP BY 1 ORDER BY sum(%3$I) DESC LIMIT $3) AS s',
                       value_column, family || '_7d', count_column)
            INTO seed USING p_property, s.weeks_hi - INTERVAL '7 days', 2 * k;
    ELSE  -- a row per value: the index on the count reads just the leaders
        EXECUTE format('SELECT array_agg(v) FROM (SELECT %1$I AS v FROM metrics.%2$I
                          WHERE property_id = $1 AND NOT is_bot AND bucket = $2 AND %1$I IS NOT NULL
                          ORDER BY %3$I DESC LIMIT $3) AS s',
                       value_column, family || '_7d', count_column)
            INTO seed USING p_property, s.weeks_hi - INTERVAL '7 days', 2 * k;
    END IF;
    IF coalesce(cardinality(seed), 0) < k THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT min(total) FROM (SELECT sum(%3$I) AS total FROM reports.%2$I($1, $2, $3)
                      WHERE %1$I = ANY($4) GROUP BY %1$I ORDER BY 1 DESC LIMIT $5) AS s',
                   value_column, 'span_' || family, count_column)
        INTO total USING p_property, s, bots, seed, k;
    threshold := ceil(total / rows_per_value);
    EXECUTE format('SELECT array_agg(DISTINCT v) FROM (
                        SELECT %1$I AS v FROM metrics.%2$I
                        WHERE property_id = $1 AND ($2 OR NOT is_bot) AND %4$I >= $3
                          AND bucket >= ($4).weeks_lo AND bucket < ($4).weeks_hi
                        UNION ALL
                        SELECT %1$I FROM metrics.%3$I
                        WHERE property_id = $1 AND ($2 OR NOT is_bot) AND %4$I >= $3
                          AND bucket >= least(($4).days_lo, ($4).weeks_lo) AND bucket < greatest(($4).days_lo, ($4).weeks_lo)
                        UNION ALL
                        SELECT %1$I FROM metrics.%3$I
                        WHERE property_id = $1 AND ($2 OR NOT is_bot) AND %4$I >= $3
                          AND bucket >= least(($4).weeks_hi, ($4).days_hi) AND bucket < greatest(($4).weeks_hi, ($4).days_hi)
                        UNION ALL
                        SELECT %1$I FROM (
                            SELECT %1$I, %4$I FROM metrics.%5$I
                            WHERE property_id = $1 AND ($2 OR NOT is_bot)
                              AND bucket >= least(($4).lo, ($4).days_lo) AND bucket < greatest(($4).lo, ($4).days_lo)
                            UNION ALL
                            SELECT %1$I, %4$I FROM metrics.%5$I
                            WHERE property_id = $1 AND ($2 OR NOT is_bot)
                              AND bucket >= least(($4).days_hi, ($4).hi) AND bucket < greatest(($4).days_hi, ($4).hi)) AS q
                        GROUP BY 1 HAVING sum(%4$I) >= $3) AS s
                    WHERE v IS NOT NULL',
                   value_column, family || '_7d', family || '_1d', count_column, family || '_15m')
        INTO found USING p_property, bots, threshold, s;
    RETURN seed || coalesce(found, '{}');
END
$$;

-- Sessions by one session dimension over [lo, hi), summed per value; for entry and exit pages,
-- only the values that can be among the top `k` (and NULL). A generic plan, planned once per
-- connection: planning a span's index scans took longer than running them (1 to 2 ms of a 3 ms
-- report). Entry and exit pages are planned for their list of leaders (dynamic SQL), so that
-- the list reads its rows through an index.
CREATE FUNCTION reports.session_breakdown(p_property text, lo timestamptz, hi timestamptz, bots boolean,
                                                     dimension text, k integer)
RETURNS TABLE (value text, sessions bigint, bounces bigint, session_page_views bigint, duration_seconds numeric)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    bounds constant reports.span := reports.span(lo, hi);
    leaders text[];
BEGIN
    IF dimension IN ('channel', 'source', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content') THEN
        RETURN QUERY
        SELECT CASE dimension WHEN 'channel' THEN s.channel WHEN 'source' THEN s.source
                              WHEN 'referrer' THEN s.referrer_domain
                              WHEN 'utm_source' THEN s.utm_source WHEN 'utm_medium' THEN s.utm_medium
                              WHEN 'utm_campaign' THEN s.utm_campaign WHEN 'utm_term' THEN s.utm_term
                              WHEN 'utm_content' THEN s.utm_content END,
               sum(s.sessions)::bigint, sum(s.bounces)::bigint, sum(s.session_page_views)::bigint, sum(s.duration_seconds)
        FROM reports.span_sources(p_property, bounds, bots) AS s GROUP BY 1;
    ELSIF dimension IN ('country', 'region', 'city') THEN
        RETURN QUERY
        SELECT CASE dimension WHEN 'country' THEN s.country WHEN 'region' THEN s.region WHEN 'city' THEN s.city END,
               sum(s.sessions)::bigint, sum(s.bounces)::bigint, sum(s.session_page_views)::bigint, sum(s.duration_seconds)
        FROM reports.span_places(p_property, bounds, bots) AS s GROUP BY 1;
    ELSIF dimension IN ('browser', 'os', 'device', 'language') THEN
        RETURN QUERY
        SELECT CASE dimension WHEN 'browser' THEN s.browser WHEN 'os' THEN s.os WHEN 'device' THEN s.device
                              WHEN 'language' THEN s.language END,
               sum(s.sessions)::bigint, sum(s.bounces)::bigint, sum(s.session_page_views)::bigint, sum(s.duration_seconds)
        FROM reports.span_devices(p_property, bounds, bots) AS s GROUP BY 1;
    ELSIF dimension IN ('entry_page', 'exit_page') THEN
        leaders := reports.leading_values(p_property, bounds, bots, dimension || 's', dimension, 'sessions', k);
        RETURN QUERY EXECUTE format(
            'SELECT %1$I, sum(sessions)::bigint, sum(bounces)::bigint, sum(session_page_views)::bigint,
                    sum(duration_seconds)
             FROM reports.%2$I($1, $2, $3) WHERE $4 IS NULL OR %1$I = ANY($4) OR %1$I IS NULL GROUP BY 1',
            dimension, 'span_' || dimension || 's')
            USING p_property, bounds, bots, leaders;
    END IF;
END
$$;

-- Page views by a page dimension over [lo, hi), from the narrowest rollup family that holds it:
-- page type, author and category from content (a page in two categories counts in both), pages
-- from paths with top-N pruning, tags from tags, with the untagged views from pages.
CREATE FUNCTION reports.page_breakdown(p_property text, lo timestamptz, hi timestamptz, bots boolean,
                                                  dimension text, k integer)
RETURNS TABLE (value text, page_views bigint, engaged_views bigint, engaged_ms bigint, scroll_depth bigint,
               reached_25 bigint, reached_50 bigint, reached_75 bigint, reached_100 bigint)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    bounds constant reports.span := reports.span(lo, hi);
    leaders text[];
BEGIN
    IF dimension IN ('page_type', 'author', 'category') THEN
        RETURN QUERY
        SELECT v.value, sum(v.page_views)::bigint, sum(v.engaged_views)::bigint, sum(v.engaged_ms)::bigint,
               sum(v.scroll_depth)::bigint, sum(v.reached_25)::bigint, sum(v.reached_50)::bigint,
               sum(v.reached_75)::bigint, sum(v.reached_100)::bigint
        FROM (SELECT c.*, unnest(coalesce(CASE dimension WHEN 'page_type' THEN ARRAY[c.page_type]
                                                         WHEN 'author' THEN ARRAY[c.author]
                                                         WHEN 'category' THEN c.categories END, ARRAY[NULL::text])) AS value
              FROM reports.span_content(p_property, bounds, bots) AS c) AS v
        GROUP BY 1;
    ELSIF dimension = 'page' THEN
        leaders := reports.leading_values(p_property, bounds, bots, 'paths', 'pathname', 'page_views', k);
        RETURN QUERY
        SELECT v.pathname, sum(v.page_views)::bigint, sum(v.engaged_views)::bigint, sum(v.engaged_ms)::bigint,
               sum(v.scroll_depth)::bigint, sum(v.reached_25)::bigint, sum(v.reached_50)::bigint,
               sum(v.reached_75)::bigint, sum(v.reached_100)::bigint
        FROM reports.span_paths(p_property, bounds, bots) AS v
        WHERE leaders IS NULL OR v.pathname = ANY(leaders)
        GROUP BY 1;
    ELSIF dimension = 'tag' THEN
        RETURN QUERY
        SELECT v.tag, sum(v.page_views)::bigint, sum(v.engaged_views)::bigint, sum(v.engaged_ms)::bigint,
               sum(v.scroll_depth)::bigint, sum(v.reached_25)::bigint, sum(v.reached_50)::bigint,
               sum(v.reached_75)::bigint, sum(v.reached_100)::bigint
        FROM (SELECT * FROM reports.span_tags(p_property, bounds, bots)
              UNION ALL
              SELECT p.property_id, p.bucket, p.is_bot, NULL, p.page_views, p.engaged_views, p.engaged_ms,
                     p.scroll_depth, p.reached_25, p.reached_50, p.reached_75, p.reached_100
              FROM reports.span_pages(p_property, bounds, bots) AS p WHERE p.tags IS NULL) AS v
        GROUP BY 1;
    END IF;
END
$$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA reports TO parcours_web;
GRANT EXECUTE ON FUNCTION reports.bucket(timestamptz, text, text) TO parcours_analyst;
