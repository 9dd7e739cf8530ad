-- Spans: how a report reads a range from a rollup family's 15-minute, day and week levels.
--
-- Every rollup counts or sums rows of one UTC bucket: 15 minutes, a day, or 7 days from a
-- Monday. Every IANA offset in use is a whole number of quarter hours, so any local hour, day,
-- week or month, in any zone and across DST changes, is an exact union of 15-minute buckets, and
-- a report's range [lo, hi) always starts and ends on a quarter hour. Reading only 15-minute
-- rows would be exact but slow (35,000 rows a year per value); a span reads the same sum from
-- far fewer rows:
--
-- * days_lo, days_hi: lo and hi rounded to the nearest UTC midnight (ties up); weeks_lo,
--   weeks_hi: those rounded to the nearest week boundary. A level whose two ends round to the
--   same boundary is empty (both ends at the level below's lo).
-- * The week rows of [weeks_lo, weeks_hi) are added; then, at each end, the day rows between
--   days_x and weeks_x, added where that strip lies outside [weeks_lo, weeks_hi) and subtracted
--   where it lies inside; then likewise the quarter hours between lo and days_lo, and between
--   days_hi and hi, against [days_lo, days_hi).
-- * Why it is exact: a day row is the sum of its 96 quarter-hour rows, and a week row of its
--   7 day rows (the day and week rollups are built over the level below, 11_sessions.sql and
--   on). So sum(weeks) + signed edges telescopes: sum over [weeks_lo, weeks_hi) of days,
--   corrected to [days_lo, days_hi), then of quarter hours, corrected to [lo, hi). Only sums and
--   counts can be read this way; distinct visitors need their own proof (12_visitors.sql).
-- * Why it is fast: at most half a day of quarter hours and three days at each end, instead of
--   up to 95 quarter hours and 6 days; a range in Paris reads an hour at each end.
--
-- A range's bounds are computed once per report, into a reports.span, and the span functions
-- read its fields: the planner folds them into constants. (Bounds from nested SQL functions were
-- computed anew at every reference, which cost more to plan than the report cost to run.)
CREATE TYPE reports.span AS (
    lo timestamptz, hi timestamptz,            -- the range, quarter hours
    days_lo timestamptz, days_hi timestamptz,  -- the day rows' range; both lo when it has no day
    weeks_lo timestamptz, weeks_hi timestamptz -- the week rows' range; both days_lo when empty
);

CREATE FUNCTION reports.span(lo timestamptz, hi timestamptz) RETURNS reports.span
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    s reports.span;
BEGIN
    s.lo := lo;
    s.hi := hi;
    s.days_lo := time_bucket(INTERVAL '1 day', lo + INTERVAL '12 hours');
    s.days_hi := time_bucket(INTERVAL '1 day', hi + INTERVAL '12 hours');
    IF s.days_lo >= s.days_hi THEN
        s.days_lo := lo;
        s.days_hi := lo;
    END IF;
    s.weeks_lo := time_bucket(INTERVAL '7 days', s.days_lo + INTERVAL '84 hours');
    s.weeks_hi := time_bucket(INTERVAL '7 days', s.days_hi + INTERVAL '84 hours');
    IF s.weeks_lo >= s.weeks_hi THEN
        s.weeks_lo := s.days_lo;
        s.weeks_hi := s.days_lo;
    END IF;
    RETURN s;
END
$$;

-- Writes reports.span_<family>(p_property, s, bots), which returns the rows of the rollups
-- metrics.<family>_7d (when the family has a week level), _1d and _15m that sum exactly to
-- [s.lo, s.hi): the top level's rows, then each edge's rows with their counts and sums (the
-- rollup's numeric columns) multiplied by the edge's sign. One function per family, since SQL
-- cannot take a table as a parameter and dynamic SQL would not be inlined into the reports that
-- call them; their bodies are parsed once, at creation (BEGIN ATOMIC), not at each call. It
-- lives only while the schema is built.
CREATE PROCEDURE pg_temp.create_span_function(family text)
LANGUAGE plpgsql AS $$
DECLARE
    finest constant regclass := format('metrics.%I', family || '_15m')::regclass;
    weeks constant boolean := to_regclass(format('metrics.%I', family || '_7d')) IS NOT NULL;
    signed text;
    edges text[];
    top text;
BEGIN
    SELECT string_agg(CASE WHEN atttypid IN ('bigint'::regtype, 'integer'::regtype, 'numeric'::regtype)
                           THEN format('%I * sign', attname) ELSE quote_ident(attname) END, ', ' ORDER BY attnum)
    INTO signed FROM pg_attribute WHERE attrelid = finest AND attnum > 0 AND NOT attisdropped;
    top := CASE WHEN weeks THEN format('SELECT * FROM metrics.%I WHERE property_id = p_property AND (bots OR NOT is_bot)'
                                       ' AND bucket >= s.weeks_lo AND bucket < s.weeks_hi', family || '_7d')
                ELSE format('SELECT * FROM metrics.%I WHERE property_id = p_property AND (bots OR NOT is_bot)'
                            ' AND bucket >= s.days_lo AND bucket < s.days_hi', family || '_1d') END;
    edges := CASE WHEN weeks THEN ARRAY['1d', 's.days_lo', 's.weeks_lo', '1d', 's.weeks_hi', 's.days_hi'] ELSE '{}' END
             || ARRAY['15m', 's.lo', 's.days_lo', '15m', 's.days_hi', 's.hi'];
    FOR i IN 1 .. cardinality(edges) BY 3 LOOP
        -- The rows between bounds a and b: added when a < b, subtracted otherwise.
        top := top || format(' UNION ALL SELECT %s FROM metrics.%I, (SELECT CASE WHEN %s < %s THEN 1 ELSE -1 END) AS edge (sign)'
                             ' WHERE property_id = p_property AND (bots OR NOT is_bot)'
                             ' AND bucket >= least(%3$s, %4$s) AND bucket < greatest(%3$s, %4$s)',
                             signed, family || '_' || edges[i], edges[i + 1], edges[i + 2]);
    END LOOP;
    EXECUTE format('CREATE FUNCTION reports.%I(p_property text, s reports.span, bots boolean) RETURNS SETOF %s'
                   ' LANGUAGE sql STABLE BEGIN ATOMIC %s; END', 'span_' || family, finest, top);
END
$$;
