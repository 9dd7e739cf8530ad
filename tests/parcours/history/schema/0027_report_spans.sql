-- The rows of a rollup that cover exactly [lo, hi): whole UTC days inside the range from its
-- 1-day rollup, the 15-minute buckets at either edge from its 15-minute rollup. Local days and
-- hours in any zone start on a quarter hour, so every report range is such a union, exact,
-- and a year is read in about 365 rows per value rather than 35,000.
-- One function per rollup, alike but for the table: SQL cannot take a table as a parameter,
-- and dynamic SQL would not be inlined into the reports that call them.

CREATE FUNCTION reports.floor_day(t timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT time_bucket(INTERVAL '1 day', t) $$;

CREATE FUNCTION reports.ceil_day(t timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT time_bucket(INTERVAL '1 day', t + INTERVAL '1 day' - INTERVAL '1 microsecond')
$$;

CREATE FUNCTION reports.span_visitors(p_property text, lo timestamptz, hi timestamptz, bots boolean)
RETURNS SETOF metrics.visitors_15m
LANGUAGE sql STABLE AS $$
    SELECT * FROM metrics.visitors_1d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= reports.ceil_day(lo) AND bucket < reports.floor_day(hi)
    UNION ALL
    SELECT * FROM metrics.visitors_15m
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= lo AND bucket < least(reports.ceil_day(lo), hi))
        OR (bucket >= greatest(reports.floor_day(hi), reports.ceil_day(lo)) AND bucket < hi))
$$;

CREATE FUNCTION reports.span_sources(p_property text, lo timestamptz, hi timestamptz, bots boolean)
RETURNS SETOF metrics.sources_15m
LANGUAGE sql STABLE AS $$
    SELECT * FROM metrics.sources_1d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= reports.ceil_day(lo) AND bucket < reports.floor_day(hi)
    UNION ALL
    SELECT * FROM metrics.sources_15m
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= lo AND bucket < least(reports.ceil_day(lo), hi))
        OR (bucket >= greatest(reports.floor_day(hi), reports.ceil_day(lo)) AND bucket < hi))
$$;

CREATE FUNCTION reports.span_places(p_property text, lo timestamptz, hi timestamptz, bots boolean)
RETURNS SETOF metrics.places_15m
LANGUAGE sql STABLE AS $$
    SELECT * FROM metrics.places_1d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= reports.ceil_day(lo) AND bucket < reports.floor_day(hi)
    UNION ALL
    SELECT * FROM metrics.places_15m
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= lo AND bucket < least(reports.ceil_day(lo), hi))
        OR (bucket >= greatest(reports.floor_day(hi), reports.ceil_day(lo)) AND bucket < hi))
$$;

CREATE FUNCTION reports.span_devices(p_property text, lo timestamptz, hi timestamptz, bots boolean)
RETURNS SETOF metrics.devices_15m
LANGUAGE sql STABLE AS $$
    SELECT * FROM metrics.devices_1d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= reports.ceil_day(lo) AND bucket < reports.floor_day(hi)
    UNION ALL
    SELECT * FROM metrics.devices_15m
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= lo AND bucket < least(reports.ceil_day(lo), hi))
        OR (bucket >= greatest(reports.floor_day(hi), reports.ceil_day(lo)) AND bucket < hi))
$$;

CREATE FUNCTION reports.span_entries(p_property text, lo timestamptz, hi timestamptz, bots boolean)
RETURNS SETOF metrics.entries_15m
LANGUAGE sql STABLE AS $$
    SELECT * FROM metrics.entries_1d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= reports.ceil_day(lo) AND bucket < reports.floor_day(hi)
    UNION ALL
    SELECT * FROM metrics.entries_15m
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= lo AND bucket < least(reports.ceil_day(lo), hi))
        OR (bucket >= greatest(reports.floor_day(hi), reports.ceil_day(lo)) AND bucket < hi))
$$;

CREATE FUNCTION reports.span_pages(p_property text, lo timestamptz, hi timestamptz, bots boolean)
RETURNS SETOF metrics.pages_15m
LANGUAGE sql STABLE AS $$
    SELECT * FROM metrics.pages_1d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= reports.ceil_day(lo) AND bucket < reports.floor_day(hi)
    UNION ALL
    SELECT * FROM metrics.pages_15m
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= lo AND bucket < least(reports.ceil_day(lo), hi))
        OR (bucket >= greatest(reports.floor_day(hi), reports.ceil_day(lo)) AND bucket < hi))
$$;

-- Sessions by one session dimension over [lo, hi), from whichever rollup holds it.
CREATE FUNCTION reports.session_breakdown(p_property text, lo timestamptz, hi timestamptz, bots boolean, dimension text)
RETURNS TABLE (value text, sessions bigint, bounces bigint, session_page_views bigint, duration_seconds numeric)
LANGUAGE sql STABLE AS $$
    SELECT CASE dimension WHEN 'channel' THEN channel WHEN 'source' THEN source
                          WHEN 'referrer' THEN referrer_domain
                          WHEN 'utm_source' THEN utm_source WHEN 'utm_medium' THEN utm_medium
                          WHEN 'utm_campaign' THEN utm_campaign WHEN 'utm_term' THEN utm_term
                          WHEN 'utm_content' THEN utm_content END,
           sessions, bounces, session_page_views, duration_seconds
    FROM reports.span_sources(p_property, lo, hi, bots)
    WHERE dimension IN ('channel', 'source', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign',
                        'utm_term', 'utm_content')
    UNION ALL
    SELECT CASE dimension WHEN 'country' THEN country WHEN 'region' THEN region WHEN 'city' THEN city END,
           sessions, bounces, session_page_views, duration_seconds
    FROM reports.span_places(p_property, lo, hi, bots)
    WHERE dimension IN ('country', 'region', 'city')
    UNION ALL
    SELECT CASE dimension WHEN 'browser' THEN browser WHEN 'os' THEN os WHEN 'device' THEN device
                          WHEN 'language' THEN language END,
           sessions, bounces, session_page_views, duration_seconds
    FROM reports.span_devices(p_property, lo, hi, bots)
    WHERE dimension IN ('browser', 'os', 'device', 'language')
    UNION ALL
    SELECT CASE dimension WHEN 'entry_page' THEN entry_page WHEN 'exit_page' THEN exit_page END,
           sessions, bounces, session_page_views, duration_seconds
    FROM reports.span_entries(p_property, lo, hi, bots)
    WHERE dimension IN ('entry_page', 'exit_page')
$$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA reports TO parcours_web;
