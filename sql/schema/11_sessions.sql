-- Sessions by the UTC bucket they started in: the session totals of every report (sessions,
-- bounces, pages per session, duration). Counts and sums only, so any range adds up exactly
-- (03_spans.sql); a session counts in the range that holds its start.

-- parcours: rollup metrics.sessions_15m index (property_id, bucket)
SELECT
    property_id,
    time_bucket(INTERVAL '15 minutes', started_at) AS bucket,
    is_bot,
    count(*) AS sessions,
    sum(bounce::int) AS bounces,
    sum(page_views) AS session_page_views,
    sum(extract(epoch FROM ended_at - started_at)) AS duration_seconds
FROM metrics.sessions
GROUP BY property_id, time_bucket(INTERVAL '15 minutes', started_at), is_bot;

-- By UTC day, summed (parcours/rollups.py, summing): the inside of long ranges.
-- parcours: rollup metrics.sessions_1d index (property_id, bucket) sums metrics.sessions_15m by 1 day

CALL pg_temp.create_span_function('sessions');

-- Session totals of a span.
CREATE FUNCTION reports.session_totals(p_property text, s reports.span, bots boolean)
RETURNS TABLE (sessions bigint, bounces bigint, session_page_views bigint, duration_seconds numeric)
LANGUAGE sql STABLE BEGIN ATOMIC
    SELECT coalesce(sum(sessions), 0)::bigint, coalesce(sum(bounces), 0)::bigint,
           coalesce(sum(session_page_views), 0)::bigint, coalesce(sum(duration_seconds), 0)
    FROM reports.span_sessions(p_property, s, bots);
END;
