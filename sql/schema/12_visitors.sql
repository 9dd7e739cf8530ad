-- Distinct visitors, from counts that add up.
--
-- Distinct visitors do not add up across buckets: a visitor seen on Monday and Tuesday is one
-- visitor of the week. Each page view therefore links to the same visitor's previous view
-- (metrics.page_views.previous_at, 02_metrics.sql), and two counts are kept:
--
-- * arrivals of a bucket: its views whose previous view lies in an earlier bucket, or that have
--   none. A visitor arrives in a bucket at most once (only their first view there qualifies),
--   so a bucket's arrivals are its distinct visitors.
-- * returns: arrivals whose previous view exists, counted by their bucket and the bucket of that
--   previous view.
--
-- Proof that visitors(lo, hi) = arrivals(lo, hi) - returns with lo <= previous and bucket < hi:
-- a visitor with views in [lo, hi) arrives once in each bucket of the range that holds their
-- views. Every such arrival but the first has its previous view inside the range (the visitor's
-- last view before it, at or after their view in an earlier bucket of the range), and the first
-- has it before lo, or none. So subtracting the returns whose previous view is inside the
-- range leaves exactly one arrival per visitor. Both terms are sums of counts, so they are read
-- from spans (03_spans.sql) like any other count; returns_within reads the second one.

-- Which visitors viewed pages in each 15-minute bucket, and how many pages: a row per visitor and
-- bucket, for the analysts' hourly and daily traffic (40_analytics.sql), which count distinct
-- ids. No report reads it.
-- parcours: rollup metrics.visitors_15m index (property_id, bucket)
SELECT
    property_id,
    time_bucket(INTERVAL '15 minutes', time) AS bucket,
    is_bot,
    visitor_id,
    count(*) AS page_views
FROM metrics.page_views
GROUP BY property_id, time_bucket(INTERVAL '15 minutes', time), is_bot, visitor_id;

-- Page views and arrivals per 15-minute UTC bucket. date_bin, because an aggregate takes one
-- time_bucket; from 2000-01-03 (a Monday), as time_bucket's own origin.
-- parcours: rollup metrics.arrivals_15m index (property_id, bucket)
SELECT
    property_id,
    time_bucket(INTERVAL '15 minutes', time) AS bucket,
    is_bot,
    count(*) AS page_views,
    sum((previous_at IS NULL OR previous_at < date_bin(INTERVAL '15 minutes', time, '2000-01-03'))::int)::bigint AS arrivals
FROM metrics.page_views
GROUP BY property_id, time_bucket(INTERVAL '15 minutes', time), is_bot;

-- By UTC day, summed (parcours/rollups.py, summing): the inside of long ranges.
-- parcours: rollup metrics.arrivals_1d index (property_id, bucket) sums metrics.arrivals_15m by 1 day

-- Returns by the bucket of the arrival and the bucket of the previous view (`previous`).
-- parcours: rollup metrics.returns_15m index (property_id, bucket)
SELECT
    property_id,
    time_bucket(INTERVAL '15 minutes', time) AS bucket,
    is_bot,
    date_bin(INTERVAL '15 minutes', previous_at, '2000-01-03') AS previous,
    count(*) AS returns
FROM metrics.page_views
WHERE previous_at < date_bin(INTERVAL '15 minutes', time, '2000-01-03')
GROUP BY property_id, time_bucket(INTERVAL '15 minutes', time), is_bot,
         date_bin(INTERVAL '15 minutes', previous_at, '2000-01-03');

-- By UTC day of the arrival and of the previous view: the returns between whole days inside
-- long ranges.
-- parcours: rollup metrics.returns_1d index (property_id, bucket)
SELECT
    property_id,
    time_bucket(INTERVAL '1 day', bucket) AS bucket,
    is_bot,
    date_bin(INTERVAL '1 day', previous, '2000-01-03') AS previous,
    sum(returns)::bigint AS returns
FROM metrics.returns_15m
GROUP BY property_id, time_bucket(INTERVAL '1 day', bucket), is_bot, date_bin(INTERVAL '1 day', previous, '2000-01-03');

-- Returns of the same local hour or day: their previous view is at most a day before. The hourly
-- and daily charts read only these (sql/queries/reports.sql), every one of their range, through
-- an index that holds their counts: an index-only scan. Immutable: an interval in hours is the
-- same span in every zone, which an index predicate needs.
CREATE FUNCTION reports.near(previous timestamptz, bucket timestamptz) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT previous >= bucket - INTERVAL '48 hours' $$;
CREATE INDEX returns_15m_near_cover_idx ON metrics.returns_15m (property_id, bucket) INCLUDE (previous, returns, is_bot)
    WHERE reports.near(previous, bucket);
-- Returns whose previous view fell at a range's start.
CREATE INDEX returns_15m_previous_idx ON metrics.returns_15m (property_id, previous);

CALL pg_temp.create_span_function('arrivals');

-- Returns with s.lo <= previous and bucket < s.hi. With F(a, c) the returns with a <= previous
-- and bucket < c, and [D, E) the day rows' range: F(lo, hi) = F(D, E), from the day rows
-- (previous and bucket both days), + (F(lo, hi) - F(D, hi)), the previous views between lo
-- and D, signed, + (F(D, hi) - F(D, E)), the returns between E and hi, signed.
CREATE FUNCTION reports.returns_within(p_property text, s reports.span, bots boolean) RETURNS bigint
LANGUAGE sql STABLE BEGIN ATOMIC
    SELECT (SELECT coalesce(sum(returns), 0) FROM metrics.returns_1d
            WHERE property_id = p_property AND (bots OR NOT is_bot)
              AND bucket >= s.days_lo AND bucket < s.days_hi AND previous >= s.days_lo)
         + (SELECT coalesce(sum(returns), 0) * CASE WHEN s.lo < s.days_lo THEN 1 ELSE -1 END
            FROM metrics.returns_15m
            WHERE property_id = p_property AND (bots OR NOT is_bot)
              AND previous >= least(s.lo, s.days_lo) AND previous < greatest(s.lo, s.days_lo) AND bucket < s.hi)
         + (SELECT coalesce(sum(returns), 0) * CASE WHEN s.days_hi < s.hi THEN 1 ELSE -1 END
            FROM metrics.returns_15m
            WHERE property_id = p_property AND (bots OR NOT is_bot)
              AND bucket >= least(s.days_hi, s.hi) AND bucket < greatest(s.days_hi, s.hi) AND previous >= s.days_lo);
END;

-- Visitors and page views of a span.
CREATE FUNCTION reports.visitor_totals(p_property text, s reports.span, bots boolean)
RETURNS TABLE (visitors bigint, page_views bigint)
LANGUAGE sql STABLE BEGIN ATOMIC
    SELECT (coalesce(sum(arrivals), 0) - reports.returns_within(p_property, s, bots))::bigint,
           coalesce(sum(page_views), 0)::bigint
    FROM reports.span_arrivals(p_property, s, bots);
END;
