-- Distinct visitors from counts (sql/hypertables/0042_previous_views.sql): the visitors of
-- [lo, hi) are the arrivals in it less the returns whose previous view is also in it. Exact
-- for any range of whole quarter hours, hence any local hour, day, week or month in any zone;
-- no report reads a row per visitor.

-- Returns of the same local hour or day: their previous view is at most a day before. The
-- hourly and daily charts read only these. Immutable: an interval in hours is the same span
-- in every zone, which an index predicate needs.
CREATE FUNCTION reports.near(previous timestamptz, bucket timestamptz) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT previous >= bucket - INTERVAL '48 hours' $$;
CREATE INDEX returns_15m_near_idx ON metrics.returns_15m (property_id, bucket) WHERE reports.near(previous, bucket);
-- Returns whose previous view fell on a range's first (partial) UTC day.
CREATE INDEX returns_15m_previous_idx ON metrics.returns_15m (property_id, previous);

CREATE FUNCTION reports.span_arrivals(p_property text, lo timestamptz, hi timestamptz, bots boolean)
RETURNS SETOF metrics.arrivals_15m
LANGUAGE sql STABLE AS $$
    SELECT * FROM metrics.arrivals_1d
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= reports.ceil_day(lo) AND bucket < reports.floor_day(hi)
    UNION ALL
    SELECT * FROM metrics.arrivals_15m
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND ((bucket >= lo AND bucket < least(reports.ceil_day(lo), hi))
        OR (bucket >= greatest(reports.floor_day(hi), reports.ceil_day(lo)) AND bucket < hi))
$$;

-- Returns with lo <= previous and bucket < hi, in three disjoint parts: both on whole UTC days
-- strictly after lo's day and before hi's (returns_1d); the previous view on lo's UTC day and
-- the return before hi's; the return on hi's UTC day. `lo` and `hi` are quarter hours.
CREATE FUNCTION reports.returns_within(p_property text, lo timestamptz, hi timestamptz, bots boolean)
RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT (SELECT coalesce(sum(returns), 0) FROM metrics.returns_1d
            WHERE property_id = p_property AND (bots OR NOT is_bot)
              AND bucket > reports.floor_day(lo) AND bucket < reports.floor_day(hi)
              AND previous > reports.floor_day(lo))
         + (SELECT coalesce(sum(returns), 0) FROM metrics.returns_15m
            WHERE property_id = p_property AND (bots OR NOT is_bot)
              AND previous >= lo AND previous < reports.floor_day(lo) + INTERVAL '1 day'
              AND bucket < reports.floor_day(hi))
         + (SELECT coalesce(sum(returns), 0) FROM metrics.returns_15m
            WHERE property_id = p_property AND (bots OR NOT is_bot)
              AND bucket >= reports.floor_day(hi) AND bucket < hi AND previous >= lo)
$$;

-- Visitors and page views of [lo, hi).
CREATE FUNCTION reports.visitor_totals(p_property text, lo timestamptz, hi timestamptz, bots boolean)
RETURNS TABLE (visitors bigint, page_views bigint)
LANGUAGE sql STABLE AS $$
    SELECT (coalesce(sum(arrivals), 0) - reports.returns_within(p_property, lo, hi, bots))::bigint,
           coalesce(sum(page_views), 0)::bigint
    FROM reports.span_arrivals(p_property, lo, hi, bots)
$$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA reports TO parcours_web;
