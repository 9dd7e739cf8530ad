-- Spans read a range's edges as signed corrections to its nearest whole days and weeks.
--
-- A span's levels were the whole UTC weeks inside the range, the whole days left at their
-- edges, and the quarter hours left at the range's edges: a 30-day range in Paris read 92
-- quarter hours per value at one end. Now each level's bounds round to the nearest boundary,
-- and the level below adds what lies outside them or subtracts what lies inside: an hour at
-- each end in Paris, at most half a day of quarter hours and three days anywhere. Sums stay
-- exact, since a day row is the sum of its quarter hours and a week row of its days.
--
-- A range's bounds are computed once per report, into a reports.span, and the span functions
-- read its fields: the planner folds them into constants. Bounds from nested SQL functions
-- were run anew for every reference, which cost more to plan than the report cost to run.
-- The span functions' bodies are parsed once, at creation (BEGIN ATOMIC), not at each call.

CREATE TYPE reports.span AS (
    lo timestamptz, hi timestamptz,            -- the range, quarter hours
    days_lo timestamptz, days_hi timestamptz,  -- the day rows' range; both lo when it has no day
    weeks_lo timestamptz, weeks_hi timestamptz -- the week rows' range; both days_lo when empty
);

-- Nearest boundaries, ties rounding up; a level is empty when both ends round to one boundary.
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

DROP FUNCTION reports.visitor_totals(text, timestamptz, timestamptz, boolean);
DROP FUNCTION reports.session_totals(text, timestamptz, timestamptz, boolean);
DROP FUNCTION reports.returns_within(text, timestamptz, timestamptz, boolean);
DROP FUNCTION reports.leading_values(text, timestamptz, timestamptz, boolean, text, text, text, integer);
DROP FUNCTION reports.span_arrivals(text, timestamptz, timestamptz, boolean);
DROP FUNCTION reports.span_sources(text, timestamptz, timestamptz, boolean);
DROP FUNCTION reports.span_places(text, timestamptz, timestamptz, boolean);
DROP FUNCTION reports.span_devices(text, timestamptz, timestamptz, boolean);
DROP FUNCTION reports.span_entry_pages(text, timestamptz, timestamptz, boolean);
DROP FUNCTION reports.span_exit_pages(text, timestamptz, timestamptz, boolean);
DROP FUNCTION reports.span_content(text, timestamptz, timestamptz, boolean);
DROP FUNCTION reports.span_pages(text, timestamptz, timestamptz, boolean);
DROP FUNCTION reports.span_paths(text, timestamptz, timestamptz, boolean);
DROP FUNCTION reports.ceil_day(timestamptz);
DROP FUNCTION reports.floor_day(timestamptz);
DROP FUNCTION reports.ceil_week(timestamptz);
DROP FUNCTION reports.floor_week(timestamptz);

-- The rows of a rollup family that sum exactly to [s.lo, s.hi): week rows, then signed day and
-- quarter-hour rows at either edge. An edge's rows lie between a level's bound and the next
-- level's: added when outside the next level's range, subtracted when inside it.

CREATE FUNCTION reports.span_sources(p_property text, s reports.span, bots boolean)
RETURNS SETOF metrics.sources_15m
LANGUAGE sql STABLE BEGIN ATOMIC
    SELECT * FROM metrics.sources_7d
    WHERE property_id = p_property AND (bots OR NOT is_bot) AND bucket >= s.weeks_lo AND bucket < s.weeks_hi
    UNION ALL
    SELECT property_id, bucket, is_bot, channel, source, referrer_domain, utm_source, utm_medium, utm_campaign, utm_term, utm_content,
           sessions * sign, bounces * sign, session_page_views * sign, duration_seconds * sign
    FROM metrics.sources_1d, (SELECT CASE WHEN s.days_lo < s.weeks_lo THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.days_lo, s.weeks_lo) AND bucket < greatest(s.days_lo, s.weeks_lo)
    UNION ALL
    SELECT property_id, bucket, is_bot, channel, source, referrer_domain, utm_source, utm_medium, utm_campaign, utm_term, utm_content,
           sessions * sign, bounces * sign, session_page_views * sign, duration_seconds * sign
    FROM metrics.sources_1d, (SELECT CASE WHEN s.weeks_hi < s.days_hi THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.weeks_hi, s.days_hi) AND bucket < greatest(s.weeks_hi, s.days_hi)
    UNION ALL
    SELECT property_id, bucket, is_bot, channel, source, referrer_domain, utm_source, utm_medium, utm_campaign, utm_term, utm_content,
           sessions * sign, bounces * sign, session_page_views * sign, duration_seconds * sign
    FROM metrics.sources_15m, (SELECT CASE WHEN s.lo < s.days_lo THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.lo, s.days_lo) AND bucket < greatest(s.lo, s.days_lo)
    UNION ALL
    SELECT property_id, bucket, is_bot, channel, source, referrer_domain, utm_source, utm_medium, utm_campaign, utm_term, utm_content,
           sessions * sign, bounces * sign, session_page_views * sign, duration_seconds * sign
    FROM metrics.sources_15m, (SELECT CASE WHEN s.days_hi < s.hi THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.days_hi, s.hi) AND bucket < greatest(s.days_hi, s.hi);
END;

CREATE FUNCTION reports.span_places(p_property text, s reports.span, bots boolean)
RETURNS SETOF metrics.places_15m
LANGUAGE sql STABLE BEGIN ATOMIC
    SELECT * FROM metrics.places_7d
    WHERE property_id = p_property AND (bots OR NOT is_bot) AND bucket >= s.weeks_lo AND bucket < s.weeks_hi
    UNION ALL
    SELECT property_id, bucket, is_bot, country, region, city,
           sessions * sign, bounces * sign, session_page_views * sign, duration_seconds * sign
    FROM metrics.places_1d, (SELECT CASE WHEN s.days_lo < s.weeks_lo THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.days_lo, s.weeks_lo) AND bucket < greatest(s.days_lo, s.weeks_lo)
    UNION ALL
    SELECT property_id, bucket, is_bot, country, region, city,
           sessions * sign, bounces * sign, session_page_views * sign, duration_seconds * sign
    FROM metrics.places_1d, (SELECT CASE WHEN s.weeks_hi < s.days_hi THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.weeks_hi, s.days_hi) AND bucket < greatest(s.weeks_hi, s.days_hi)
    UNION ALL
    SELECT property_id, bucket, is_bot, country, region, city,
           sessions * sign, bounces * sign, session_page_views * sign, duration_seconds * sign
    FROM metrics.places_15m, (SELECT CASE WHEN s.lo < s.days_lo THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.lo, s.days_lo) AND bucket < greatest(s.lo, s.days_lo)
    UNION ALL
    SELECT property_id, bucket, is_bot, country, region, city,
           sessions * sign, bounces * sign, session_page_views * sign, duration_seconds * sign
    FROM metrics.places_15m, (SELECT CASE WHEN s.days_hi < s.hi THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.days_hi, s.hi) AND bucket < greatest(s.days_hi, s.hi);
END;

CREATE FUNCTION reports.span_devices(p_property text, s reports.span, bots boolean)
RETURNS SETOF metrics.devices_15m
LANGUAGE sql STABLE BEGIN ATOMIC
    SELECT * FROM metrics.devices_7d
    WHERE property_id = p_property AND (bots OR NOT is_bot) AND bucket >= s.weeks_lo AND bucket < s.weeks_hi
    UNION ALL
    SELECT property_id, bucket, is_bot, browser, os, device, language,
           sessions * sign, bounces * sign, session_page_views * sign, duration_seconds * sign
    FROM metrics.devices_1d, (SELECT CASE WHEN s.days_lo < s.weeks_lo THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.days_lo, s.weeks_lo) AND bucket < greatest(s.days_lo, s.weeks_lo)
    UNION ALL
    SELECT property_id, bucket, is_bot, browser, os, device, language,
           sessions * sign, bounces * sign, session_page_views * sign, duration_seconds * sign
    FROM metrics.devices_1d, (SELECT CASE WHEN s.weeks_hi < s.days_hi THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.weeks_hi, s.days_hi) AND bucket < greatest(s.weeks_hi, s.days_hi)
    UNION ALL
    SELECT property_id, bucket, is_bot, browser, os, device, language,
           sessions * sign, bounces * sign, session_page_views * sign, duration_seconds * sign
    FROM metrics.devices_15m, (SELECT CASE WHEN s.lo < s.days_lo THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.lo, s.days_lo) AND bucket < greatest(s.lo, s.days_lo)
    UNION ALL
    SELECT property_id, bucket, is_bot, browser, os, device, language,
           sessions * sign, bounces * sign, session_page_views * sign, duration_seconds * sign
    FROM metrics.devices_15m, (SELECT CASE WHEN s.days_hi < s.hi THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.days_hi, s.hi) AND bucket < greatest(s.days_hi, s.hi);
END;

CREATE FUNCTION reports.span_entry_pages(p_property text, s reports.span, bots boolean)
RETURNS SETOF metrics.entry_pages_15m
LANGUAGE sql STABLE BEGIN ATOMIC
    SELECT * FROM metrics.entry_pages_7d
    WHERE property_id = p_property AND (bots OR NOT is_bot) AND bucket >= s.weeks_lo AND bucket < s.weeks_hi
    UNION ALL
    SELECT property_id, bucket, is_bot, entry_page,
           sessions * sign, bounces * sign, session_page_views * sign, duration_seconds * sign
    FROM metrics.entry_pages_1d, (SELECT CASE WHEN s.days_lo < s.weeks_lo THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.days_lo, s.weeks_lo) AND bucket < greatest(s.days_lo, s.weeks_lo)
    UNION ALL
    SELECT property_id, bucket, is_bot, entry_page,
           sessions * sign, bounces * sign, session_page_views * sign, duration_seconds * sign
    FROM metrics.entry_pages_1d, (SELECT CASE WHEN s.weeks_hi < s.days_hi THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.weeks_hi, s.days_hi) AND bucket < greatest(s.weeks_hi, s.days_hi)
    UNION ALL
    SELECT property_id, bucket, is_bot, entry_page,
           sessions * sign, bounces * sign, session_page_views * sign, duration_seconds * sign
    FROM metrics.entry_pages_15m, (SELECT CASE WHEN s.lo < s.days_lo THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.lo, s.days_lo) AND bucket < greatest(s.lo, s.days_lo)
    UNION ALL
    SELECT property_id, bucket, is_bot, entry_page,
           sessions * sign, bounces * sign, session_page_views * sign, duration_seconds * sign
    FROM metrics.entry_pages_15m, (SELECT CASE WHEN s.days_hi < s.hi THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.days_hi, s.hi) AND bucket < greatest(s.days_hi, s.hi);
END;

CREATE FUNCTION reports.span_exit_pages(p_property text, s reports.span, bots boolean)
RETURNS SETOF metrics.exit_pages_15m
LANGUAGE sql STABLE BEGIN ATOMIC
    SELECT * FROM metrics.exit_pages_7d
    WHERE property_id = p_property AND (bots OR NOT is_bot) AND bucket >= s.weeks_lo AND bucket < s.weeks_hi
    UNION ALL
    SELECT property_id, bucket, is_bot, exit_page,
           sessions * sign, bounces * sign, session_page_views * sign, duration_seconds * sign
    FROM metrics.exit_pages_1d, (SELECT CASE WHEN s.days_lo < s.weeks_lo THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.days_lo, s.weeks_lo) AND bucket < greatest(s.days_lo, s.weeks_lo)
    UNION ALL
    SELECT property_id, bucket, is_bot, exit_page,
           sessions * sign, bounces * sign, session_page_views * sign, duration_seconds * sign
    FROM metrics.exit_pages_1d, (SELECT CASE WHEN s.weeks_hi < s.days_hi THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.weeks_hi, s.days_hi) AND bucket < greatest(s.weeks_hi, s.days_hi)
    UNION ALL
    SELECT property_id, bucket, is_bot, exit_page,
           sessions * sign, bounces * sign, session_page_views * sign, duration_seconds * sign
    FROM metrics.exit_pages_15m, (SELECT CASE WHEN s.lo < s.days_lo THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.lo, s.days_lo) AND bucket < greatest(s.lo, s.days_lo)
    UNION ALL
    SELECT property_id, bucket, is_bot, exit_page,
           sessions * sign, bounces * sign, session_page_views * sign, duration_seconds * sign
    FROM metrics.exit_pages_15m, (SELECT CASE WHEN s.days_hi < s.hi THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.days_hi, s.hi) AND bucket < greatest(s.days_hi, s.hi);
END;

CREATE FUNCTION reports.span_content(p_property text, s reports.span, bots boolean)
RETURNS SETOF metrics.content_15m
LANGUAGE sql STABLE BEGIN ATOMIC
    SELECT * FROM metrics.content_7d
    WHERE property_id = p_property AND (bots OR NOT is_bot) AND bucket >= s.weeks_lo AND bucket < s.weeks_hi
    UNION ALL
    SELECT property_id, bucket, is_bot, page_type, author, categories,
           page_views * sign, engaged_views * sign, engaged_ms * sign, scroll_depth * sign, reached_25 * sign, reached_50 * sign, reached_75 * sign, reached_100 * sign
    FROM metrics.content_1d, (SELECT CASE WHEN s.days_lo < s.weeks_lo THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.days_lo, s.weeks_lo) AND bucket < greatest(s.days_lo, s.weeks_lo)
    UNION ALL
    SELECT property_id, bucket, is_bot, page_type, author, categories,
           page_views * sign, engaged_views * sign, engaged_ms * sign, scroll_depth * sign, reached_25 * sign, reached_50 * sign, reached_75 * sign, reached_100 * sign
    FROM metrics.content_1d, (SELECT CASE WHEN s.weeks_hi < s.days_hi THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.weeks_hi, s.days_hi) AND bucket < greatest(s.weeks_hi, s.days_hi)
    UNION ALL
    SELECT property_id, bucket, is_bot, page_type, author, categories,
           page_views * sign, engaged_views * sign, engaged_ms * sign, scroll_depth * sign, reached_25 * sign, reached_50 * sign, reached_75 * sign, reached_100 * sign
    FROM metrics.content_15m, (SELECT CASE WHEN s.lo < s.days_lo THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.lo, s.days_lo) AND bucket < greatest(s.lo, s.days_lo)
    UNION ALL
    SELECT property_id, bucket, is_bot, page_type, author, categories,
           page_views * sign, engaged_views * sign, engaged_ms * sign, scroll_depth * sign, reached_25 * sign, reached_50 * sign, reached_75 * sign, reached_100 * sign
    FROM metrics.content_15m, (SELECT CASE WHEN s.days_hi < s.hi THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.days_hi, s.hi) AND bucket < greatest(s.days_hi, s.hi);
END;

CREATE FUNCTION reports.span_pages(p_property text, s reports.span, bots boolean)
RETURNS SETOF metrics.pages_15m
LANGUAGE sql STABLE BEGIN ATOMIC
    SELECT * FROM metrics.pages_7d
    WHERE property_id = p_property AND (bots OR NOT is_bot) AND bucket >= s.weeks_lo AND bucket < s.weeks_hi
    UNION ALL
    SELECT property_id, bucket, is_bot, pathname, page_type, author, categories, tags,
           page_views * sign, engaged_views * sign, engaged_ms * sign, scroll_depth * sign, reached_25 * sign, reached_50 * sign, reached_75 * sign, reached_100 * sign
    FROM metrics.pages_1d, (SELECT CASE WHEN s.days_lo < s.weeks_lo THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.days_lo, s.weeks_lo) AND bucket < greatest(s.days_lo, s.weeks_lo)
    UNION ALL
    SELECT property_id, bucket, is_bot, pathname, page_type, author, categories, tags,
           page_views * sign, engaged_views * sign, engaged_ms * sign, scroll_depth * sign, reached_25 * sign, reached_50 * sign, reached_75 * sign, reached_100 * sign
    FROM metrics.pages_1d, (SELECT CASE WHEN s.weeks_hi < s.days_hi THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.weeks_hi, s.days_hi) AND bucket < greatest(s.weeks_hi, s.days_hi)
    UNION ALL
    SELECT property_id, bucket, is_bot, pathname, page_type, author, categories, tags,
           page_views * sign, engaged_views * sign, engaged_ms * sign, scroll_depth * sign, reached_25 * sign, reached_50 * sign, reached_75 * sign, reached_100 * sign
    FROM metrics.pages_15m, (SELECT CASE WHEN s.lo < s.days_lo THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.lo, s.days_lo) AND bucket < greatest(s.lo, s.days_lo)
    UNION ALL
    SELECT property_id, bucket, is_bot, pathname, page_type, author, categories, tags,
           page_views * sign, engaged_views * sign, engaged_ms * sign, scroll_depth * sign, reached_25 * sign, reached_50 * sign, reached_75 * sign, reached_100 * sign
    FROM metrics.pages_15m, (SELECT CASE WHEN s.days_hi < s.hi THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.days_hi, s.hi) AND bucket < greatest(s.days_hi, s.hi);
END;

CREATE FUNCTION reports.span_paths(p_property text, s reports.span, bots boolean)
RETURNS SETOF metrics.paths_15m
LANGUAGE sql STABLE BEGIN ATOMIC
    SELECT * FROM metrics.paths_7d
    WHERE property_id = p_property AND (bots OR NOT is_bot) AND bucket >= s.weeks_lo AND bucket < s.weeks_hi
    UNION ALL
    SELECT property_id, bucket, is_bot, pathname,
           page_views * sign, engaged_views * sign, engaged_ms * sign, scroll_depth * sign, reached_25 * sign, reached_50 * sign, reached_75 * sign, reached_100 * sign
    FROM metrics.paths_1d, (SELECT CASE WHEN s.days_lo < s.weeks_lo THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.days_lo, s.weeks_lo) AND bucket < greatest(s.days_lo, s.weeks_lo)
    UNION ALL
    SELECT property_id, bucket, is_bot, pathname,
           page_views * sign, engaged_views * sign, engaged_ms * sign, scroll_depth * sign, reached_25 * sign, reached_50 * sign, reached_75 * sign, reached_100 * sign
    FROM metrics.paths_1d, (SELECT CASE WHEN s.weeks_hi < s.days_hi THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.weeks_hi, s.days_hi) AND bucket < greatest(s.weeks_hi, s.days_hi)
    UNION ALL
    SELECT property_id, bucket, is_bot, pathname,
           page_views * sign, engaged_views * sign, engaged_ms * sign, scroll_depth * sign, reached_25 * sign, reached_50 * sign, reached_75 * sign, reached_100 * sign
    FROM metrics.paths_15m, (SELECT CASE WHEN s.lo < s.days_lo THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.lo, s.days_lo) AND bucket < greatest(s.lo, s.days_lo)
    UNION ALL
    SELECT property_id, bucket, is_bot, pathname,
           page_views * sign, engaged_views * sign, engaged_ms * sign, scroll_depth * sign, reached_25 * sign, reached_50 * sign, reached_75 * sign, reached_100 * sign
    FROM metrics.paths_15m, (SELECT CASE WHEN s.days_hi < s.hi THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.days_hi, s.hi) AND bucket < greatest(s.days_hi, s.hi);
END;

CREATE FUNCTION reports.span_arrivals(p_property text, s reports.span, bots boolean)
RETURNS SETOF metrics.arrivals_15m
LANGUAGE sql STABLE BEGIN ATOMIC
    SELECT * FROM metrics.arrivals_1d
    WHERE property_id = p_property AND (bots OR NOT is_bot) AND bucket >= s.days_lo AND bucket < s.days_hi
    UNION ALL
    SELECT property_id, bucket, is_bot,
           page_views * sign, arrivals * sign
    FROM metrics.arrivals_15m, (SELECT CASE WHEN s.lo < s.days_lo THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.lo, s.days_lo) AND bucket < greatest(s.lo, s.days_lo)
    UNION ALL
    SELECT property_id, bucket, is_bot,
           page_views * sign, arrivals * sign
    FROM metrics.arrivals_15m, (SELECT CASE WHEN s.days_hi < s.hi THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.days_hi, s.hi) AND bucket < greatest(s.days_hi, s.hi);
END;

CREATE FUNCTION reports.span_sessions(p_property text, s reports.span, bots boolean)
RETURNS SETOF metrics.sessions_15m
LANGUAGE sql STABLE BEGIN ATOMIC
    SELECT * FROM metrics.sessions_1d
    WHERE property_id = p_property AND (bots OR NOT is_bot) AND bucket >= s.days_lo AND bucket < s.days_hi
    UNION ALL
    SELECT property_id, bucket, is_bot,
           sessions * sign, bounces * sign, session_page_views * sign, duration_seconds * sign
    FROM metrics.sessions_15m, (SELECT CASE WHEN s.lo < s.days_lo THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.lo, s.days_lo) AND bucket < greatest(s.lo, s.days_lo)
    UNION ALL
    SELECT property_id, bucket, is_bot,
           sessions * sign, bounces * sign, session_page_views * sign, duration_seconds * sign
    FROM metrics.sessions_15m, (SELECT CASE WHEN s.days_hi < s.hi THEN 1 ELSE -1 END) AS edge (sign)
    WHERE property_id = p_property AND (bots OR NOT is_bot)
      AND bucket >= least(s.days_hi, s.hi) AND bucket < greatest(s.days_hi, s.hi);
END;


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

-- Session totals of a span.
CREATE FUNCTION reports.session_totals(p_property text, s reports.span, bots boolean)
RETURNS TABLE (sessions bigint, bounces bigint, session_page_views bigint, duration_seconds numeric)
LANGUAGE sql STABLE BEGIN ATOMIC
    SELECT coalesce(sum(sessions), 0)::bigint, coalesce(sum(bounces), 0)::bigint,
           coalesce(sum(session_page_views), 0)::bigint, coalesce(sum(duration_seconds), 0)
    FROM reports.span_sessions(p_property, s, bots);
END;

-- As in 0061_leading_values.sql, over signed spans: a value's total is at most the sum of its
-- added rows, so one of those still reaches T / R; subtracted rows only add candidates. R
-- counts every week and day row read, and the quarter hours summed as one.
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
    EXECUTE format('SELECT array_agg(v) FROM (SELECT %1$I AS v FROM metrics.%2$I
                      WHERE property_id = $1 AND ($2 OR NOT is_bot) AND bucket = $3 AND %1$I IS NOT NULL
                      GROUP BY 1 ORDER BY sum(%3$I) DESC LIMIT $4) AS s',
                   value_column, family || '_7d', count_column)
        INTO seed USING p_property, bots, s.weeks_hi - INTERVAL '7 days', 2 * k;
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

CREATE OR REPLACE FUNCTION reports.session_breakdown(p_property text, lo timestamptz, hi timestamptz, bots boolean,
                                                     dimension text, k integer)
RETURNS TABLE (value text, sessions bigint, bounces bigint, session_page_views bigint, duration_seconds numeric)
LANGUAGE plpgsql STABLE
-- Plans for the values given, so that a list of leaders reads its rows through an index.
SET plan_cache_mode = force_custom_plan AS $$
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
        RETURN QUERY
        SELECT s.entry_page, sum(s.sessions)::bigint, sum(s.bounces)::bigint, sum(s.session_page_views)::bigint,
               sum(s.duration_seconds)
        FROM reports.span_entry_pages(p_property, bounds, bots) AS s
        WHERE dimension = 'entry_page' AND (leaders IS NULL OR s.entry_page = ANY(leaders) OR s.entry_page IS NULL)
        GROUP BY 1;
        RETURN QUERY
        SELECT s.exit_page, sum(s.sessions)::bigint, sum(s.bounces)::bigint, sum(s.session_page_views)::bigint,
               sum(s.duration_seconds)
        FROM reports.span_exit_pages(p_property, bounds, bots) AS s
        WHERE dimension = 'exit_page' AND (leaders IS NULL OR s.exit_page = ANY(leaders) OR s.exit_page IS NULL)
        GROUP BY 1;
    END IF;
END
$$;

-- The breakdowns of 0061 and 0065, over the span of [lo, hi).
CREATE OR REPLACE FUNCTION reports.page_breakdown(p_property text, lo timestamptz, hi timestamptz, bots boolean,
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
        SELECT v.value, sum(v.page_views)::bigint, sum(v.engaged_views)::bigint, sum(v.engaged_ms)::bigint,
               sum(v.scroll_depth)::bigint, sum(v.reached_25)::bigint, sum(v.reached_50)::bigint,
               sum(v.reached_75)::bigint, sum(v.reached_100)::bigint
        FROM (SELECT p.*, unnest(coalesce(p.tags, ARRAY[NULL::text])) AS value
              FROM reports.span_pages(p_property, bounds, bots) AS p) AS v
        GROUP BY 1;
    END IF;
END
$$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA reports TO parcours_web;
