-- Top-N over a long tail without summing the tail. A page-like breakdown over a long range
-- sums a row per page and week; most pages can never reach the top. Exactly which can:
-- take the total T of the N-th largest among a few likely values (the leaders of the
-- range's last whole week). Any value whose total reaches T has, among its R rows in the
-- range (one per week, day and bot flag, plus one for the summed quarter-hour edges), a row
-- of at least T / R. So the values with such a row, found through an index on the count,
-- together with the likely ones, hold the whole top N, ties included; the report sums only
-- theirs. NULL is never a candidate: reports always sum it in full.

CREATE INDEX entry_pages_7d_sessions_idx ON metrics.entry_pages_7d (property_id, sessions);
CREATE INDEX entry_pages_1d_sessions_idx ON metrics.entry_pages_1d (property_id, sessions);
CREATE INDEX exit_pages_7d_sessions_idx ON metrics.exit_pages_7d (property_id, sessions);
CREATE INDEX exit_pages_1d_sessions_idx ON metrics.exit_pages_1d (property_id, sessions);
CREATE INDEX entry_pages_7d_page_idx ON metrics.entry_pages_7d (property_id, entry_page, bucket);
CREATE INDEX entry_pages_1d_page_idx ON metrics.entry_pages_1d (property_id, entry_page, bucket);
CREATE INDEX entry_pages_15m_page_idx ON metrics.entry_pages_15m (property_id, entry_page, bucket);
CREATE INDEX exit_pages_7d_page_idx ON metrics.exit_pages_7d (property_id, exit_page, bucket);
CREATE INDEX exit_pages_1d_page_idx ON metrics.exit_pages_1d (property_id, exit_page, bucket);
CREATE INDEX exit_pages_15m_page_idx ON metrics.exit_pages_15m (property_id, exit_page, bucket);

-- The candidates for the top `k` values of `value_column` by `count_column` over [lo, hi) in
-- the rollup family `family` (metrics.<family>_7d, _1d, _15m, read by reports.span_<family>);
-- NULL when the range is too short for pruning to pay.
CREATE FUNCTION reports.leading_values(p_property text, lo timestamptz, hi timestamptz, bots boolean,
                                       family text, value_column text, count_column text, k integer)
RETURNS text[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
    weeks_lo constant timestamptz := reports.ceil_week(lo);
    weeks_hi constant timestamptz := greatest(reports.floor_week(hi), weeks_lo);
    days_lo constant timestamptz := reports.ceil_day(lo);
    days_hi constant timestamptz := greatest(reports.floor_day(hi), days_lo);
    weeks constant integer := extract(epoch FROM weeks_hi - weeks_lo) / 604800;
    days constant integer := extract(epoch FROM days_hi - days_lo) / 86400 - 7 * weeks;
    rows_per_value constant integer := (weeks + days) * (CASE WHEN bots THEN 2 ELSE 1 END) + 1;
    seed text[];
    total numeric;
    threshold bigint;  -- counts are integers: n >= T / R exactly when n >= ceil(T / R)
    found text[];
BEGIN
    IF weeks < 2 THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT array_agg(v) FROM (SELECT %1$I AS v FROM metrics.%2$I
                      WHERE property_id = $1 AND ($2 OR NOT is_bot) AND bucket = $3 AND %1$I IS NOT NULL
                      GROUP BY 1 ORDER BY sum(%3$I) DESC LIMIT $4) AS s',
                   value_column, family || '_7d', count_column)
        INTO seed USING p_property, bots, weeks_hi - INTERVAL '7 days', 2 * k;
    IF coalesce(cardinality(seed), 0) < k THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT min(total) FROM (SELECT sum(%3$I) AS total FROM reports.%2$I($1, $2, $3, $4)
                      WHERE %1$I = ANY($5) GROUP BY %1$I ORDER BY 1 DESC LIMIT $6) AS s',
                   value_column, 'span_' || family, count_column)
        INTO total USING p_property, lo, hi, bots, seed, k;
    threshold := ceil(total / rows_per_value);
    EXECUTE format('SELECT array_agg(DISTINCT v) FROM (
                        SELECT %1$I AS v FROM metrics.%2$I
                        WHERE property_id = $1 AND ($2 OR NOT is_bot) AND %4$I >= $3 AND bucket >= $4 AND bucket < $5
                        UNION ALL
                        SELECT %1$I FROM metrics.%3$I
                        WHERE property_id = $1 AND ($2 OR NOT is_bot) AND %4$I >= $3 AND bucket >= $6 AND bucket < $7
                        UNION ALL
                        SELECT %1$I FROM metrics.%5$I
                        WHERE property_id = $1 AND ($2 OR NOT is_bot)
                          AND ((bucket >= $8 AND bucket < $6) OR (bucket >= $7 AND bucket < $9))
                        GROUP BY 1 HAVING sum(%4$I) >= $3) AS s
                    WHERE v IS NOT NULL',
                   value_column, family || '_7d', family || '_1d', count_column, family || '_15m')
        INTO found USING p_property, bots, threshold, weeks_lo, weeks_hi, days_lo, days_hi, lo, hi;
    RETURN seed || coalesce(found, '{}');
END
$$;

-- Sessions by one session dimension over [lo, hi), summed per value: for entry and exit
-- pages, only the values that can be among the top `k` (and NULL).
DROP FUNCTION reports.session_breakdown(text, timestamptz, timestamptz, boolean, text);
CREATE FUNCTION reports.session_breakdown(p_property text, lo timestamptz, hi timestamptz, bots boolean,
                                          dimension text, k integer)
RETURNS TABLE (value text, sessions bigint, bounces bigint, session_page_views bigint, duration_seconds numeric)
LANGUAGE plpgsql STABLE
-- Plans for the values given, so that a list of leaders reads its rows through an index.
SET plan_cache_mode = force_custom_plan AS $$
DECLARE
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
        FROM reports.span_sources(p_property, lo, hi, bots) AS s GROUP BY 1;
    ELSIF dimension IN ('country', 'region', 'city') THEN
        RETURN QUERY
        SELECT CASE dimension WHEN 'country' THEN s.country WHEN 'region' THEN s.region WHEN 'city' THEN s.city END,
               sum(s.sessions)::bigint, sum(s.bounces)::bigint, sum(s.session_page_views)::bigint, sum(s.duration_seconds)
        FROM reports.span_places(p_property, lo, hi, bots) AS s GROUP BY 1;
    ELSIF dimension IN ('browser', 'os', 'device', 'language') THEN
        RETURN QUERY
        SELECT CASE dimension WHEN 'browser' THEN s.browser WHEN 'os' THEN s.os WHEN 'device' THEN s.device
                              WHEN 'language' THEN s.language END,
               sum(s.sessions)::bigint, sum(s.bounces)::bigint, sum(s.session_page_views)::bigint, sum(s.duration_seconds)
        FROM reports.span_devices(p_property, lo, hi, bots) AS s GROUP BY 1;
    ELSIF dimension IN ('entry_page', 'exit_page') THEN
        leaders := reports.leading_values(p_property, lo, hi, bots, dimension || 's', dimension, 'sessions', k);
        RETURN QUERY
        SELECT s.entry_page, sum(s.sessions)::bigint, sum(s.bounces)::bigint, sum(s.session_page_views)::bigint,
               sum(s.duration_seconds)
        FROM reports.span_entry_pages(p_property, lo, hi, bots) AS s
        WHERE dimension = 'entry_page' AND (leaders IS NULL OR s.entry_page = ANY(leaders) OR s.entry_page IS NULL)
        GROUP BY 1;
        RETURN QUERY
        SELECT s.exit_page, sum(s.sessions)::bigint, sum(s.bounces)::bigint, sum(s.session_page_views)::bigint,
               sum(s.duration_seconds)
        FROM reports.span_exit_pages(p_property, lo, hi, bots) AS s
        WHERE dimension = 'exit_page' AND (leaders IS NULL OR s.exit_page = ANY(leaders) OR s.exit_page IS NULL)
        GROUP BY 1;
    END IF;
END
$$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA reports TO parcours_web;
