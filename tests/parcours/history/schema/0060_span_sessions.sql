-- Session totals of [lo, hi): whole UTC days from sessions_1d, the edges from sessions_15m.
CREATE FUNCTION reports.session_totals(p_property text, lo timestamptz, hi timestamptz, bots boolean)
RETURNS TABLE (sessions bigint, bounces bigint, session_page_views bigint, duration_seconds numeric)
LANGUAGE sql STABLE AS $$
    SELECT coalesce(sum(sessions), 0)::bigint, coalesce(sum(bounces), 0)::bigint,
           coalesce(sum(session_page_views), 0)::bigint, coalesce(sum(duration_seconds), 0)
    FROM (SELECT sessions, bounces, session_page_views, duration_seconds FROM metrics.sessions_1d
          WHERE property_id = p_property AND (bots OR NOT is_bot)
            AND bucket >= reports.ceil_day(lo) AND bucket < reports.floor_day(hi)
          UNION ALL
          SELECT sessions, bounces, session_page_views, duration_seconds FROM metrics.sessions_15m
          WHERE property_id = p_property AND (bots OR NOT is_bot)
            AND ((bucket >= lo AND bucket < least(reports.ceil_day(lo), hi))
              OR (bucket >= greatest(reports.floor_day(hi), reports.ceil_day(lo)) AND bucket < hi))) AS s
$$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA reports TO parcours_web;
