-- Spans with a third level: whole 7-day blocks (Mondays, UTC) inside the range from the 7-day
-- rollups, whole days at the block edges from the day rollups, quarter hours at the range's
-- edges from the 15-minute ones (sql/schema/0027_report_spans.sql). A year is 52 rows per value
-- and up to 12 days, instead of 365 days.
-- Every bound is a plain range on bucket, so each level is an index range scan.

CREATE FUNCTION reports.floor_week(t timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT time_bucket(INTERVAL '7 days', t) $$;

CREATE FUNCTION reports.ceil_week(t timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT time_bucket(INTERVAL '7 days', t + INTERVAL '7 days' - INTERVAL '1 microsecond')
$$;

CREATE OR REPLACE FUNCTION reports.span_visitors(p_property text, lo timestamptz, hi timestamptz, bots boolean)
RETURNS SETOF metrics.visitors_15m
LANGUAGE sql STABLE AS $$
    SELECT * FROM metrics.visitors_7d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= reports.ceil_week(lo) AND bucket < reports.floor_week(hi)
    UNION ALL
    SELECT * FROM metrics.visitors_1d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= reports.ceil_day(lo) AND bucket < least(reports.ceil_week(lo), reports.floor_day(hi)))
        OR (bucket >= greatest(reports.floor_week(hi), reports.ceil_week(lo), reports.ceil_day(lo))
            AND bucket < reports.floor_day(hi)))
    UNION ALL
    SELECT * FROM metrics.visitors_15m
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= lo AND bucket < least(reports.ceil_day(lo), hi))
        OR (bucket >= greatest(reports.floor_day(hi), reports.ceil_day(lo)) AND bucket < hi))
$$;

CREATE OR REPLACE FUNCTION reports.span_sources(p_property text, lo timestamptz, hi timestamptz, bots boolean)
RETURNS SETOF metrics.sources_15m
LANGUAGE sql STABLE AS $$
    SELECT * FROM metrics.sources_7d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= reports.ceil_week(lo) AND bucket < reports.floor_week(hi)
    UNION ALL
    SELECT * FROM metrics.sources_1d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= reports.ceil_day(lo) AND bucket < least(reports.ceil_week(lo), reports.floor_day(hi)))
        OR (bucket >= greatest(reports.floor_week(hi), reports.ceil_week(lo), reports.ceil_day(lo))
            AND bucket < reports.floor_day(hi)))
    UNION ALL
    SELECT * FROM metrics.sources_15m
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= lo AND bucket < least(reports.ceil_day(lo), hi))
        OR (bucket >= greatest(reports.floor_day(hi), reports.ceil_day(lo)) AND bucket < hi))
$$;

CREATE OR REPLACE FUNCTION reports.span_places(p_property text, lo timestamptz, hi timestamptz, bots boolean)
RETURNS SETOF metrics.places_15m
LANGUAGE sql STABLE AS $$
    SELECT * FROM metrics.places_7d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= reports.ceil_week(lo) AND bucket < reports.floor_week(hi)
    UNION ALL
    SELECT * FROM metrics.places_1d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= reports.ceil_day(lo) AND bucket < least(reports.ceil_week(lo), reports.floor_day(hi)))
        OR (bucket >= greatest(reports.floor_week(hi), reports.ceil_week(lo), reports.ceil_day(lo))
            AND bucket < reports.floor_day(hi)))
    UNION ALL
    SELECT * FROM metrics.places_15m
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= lo AND bucket < least(reports.ceil_day(lo), hi))
        OR (bucket >= greatest(reports.floor_day(hi), reports.ceil_day(lo)) AND bucket < hi))
$$;

CREATE OR REPLACE FUNCTION reports.span_devices(p_property text, lo timestamptz, hi timestamptz, bots boolean)
RETURNS SETOF metrics.devices_15m
LANGUAGE sql STABLE AS $$
    SELECT * FROM metrics.devices_7d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= reports.ceil_week(lo) AND bucket < reports.floor_week(hi)
    UNION ALL
    SELECT * FROM metrics.devices_1d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= reports.ceil_day(lo) AND bucket < least(reports.ceil_week(lo), reports.floor_day(hi)))
        OR (bucket >= greatest(reports.floor_week(hi), reports.ceil_week(lo), reports.ceil_day(lo))
            AND bucket < reports.floor_day(hi)))
    UNION ALL
    SELECT * FROM metrics.devices_15m
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= lo AND bucket < least(reports.ceil_day(lo), hi))
        OR (bucket >= greatest(reports.floor_day(hi), reports.ceil_day(lo)) AND bucket < hi))
$$;

CREATE OR REPLACE FUNCTION reports.span_entries(p_property text, lo timestamptz, hi timestamptz, bots boolean)
RETURNS SETOF metrics.entries_15m
LANGUAGE sql STABLE AS $$
    SELECT * FROM metrics.entries_7d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= reports.ceil_week(lo) AND bucket < reports.floor_week(hi)
    UNION ALL
    SELECT * FROM metrics.entries_1d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= reports.ceil_day(lo) AND bucket < least(reports.ceil_week(lo), reports.floor_day(hi)))
        OR (bucket >= greatest(reports.floor_week(hi), reports.ceil_week(lo), reports.ceil_day(lo))
            AND bucket < reports.floor_day(hi)))
    UNION ALL
    SELECT * FROM metrics.entries_15m
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= lo AND bucket < least(reports.ceil_day(lo), hi))
        OR (bucket >= greatest(reports.floor_day(hi), reports.ceil_day(lo)) AND bucket < hi))
$$;

CREATE OR REPLACE FUNCTION reports.span_pages(p_property text, lo timestamptz, hi timestamptz, bots boolean)
RETURNS SETOF metrics.pages_15m
LANGUAGE sql STABLE AS $$
    SELECT * FROM metrics.pages_7d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= reports.ceil_week(lo) AND bucket < reports.floor_week(hi)
    UNION ALL
    SELECT * FROM metrics.pages_1d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= reports.ceil_day(lo) AND bucket < least(reports.ceil_week(lo), reports.floor_day(hi)))
        OR (bucket >= greatest(reports.floor_week(hi), reports.ceil_week(lo), reports.ceil_day(lo))
            AND bucket < reports.floor_day(hi)))
    UNION ALL
    SELECT * FROM metrics.pages_15m
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= lo AND bucket < least(reports.ceil_day(lo), hi))
        OR (bucket >= greatest(reports.floor_day(hi), reports.ceil_day(lo)) AND bucket < hi))
$$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA reports TO parcours_web;
