-- The leaders of a range's last whole week, which seed reports.leading_values, read through an
-- index on (bucket, count): the 20 largest rows of the week rather than its thousands of pages
-- summed and sorted (6 ms of each top-pages report). Without bots a week has one row per
-- value, so the largest rows are the leaders.

CREATE INDEX paths_7d_bucket_views_idx ON metrics.paths_7d (property_id, bucket, page_views);
CREATE INDEX entry_pages_7d_bucket_sessions_idx ON metrics.entry_pages_7d (property_id, bucket, sessions);
CREATE INDEX exit_pages_7d_bucket_sessions_idx ON metrics.exit_pages_7d (property_id, bucket, sessions);

-- 0068's function, with the seed read as above.
CREATE OR REPLACE FUNCTION reports.leading_values(p_property text, s reports.span, bots boolean,
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

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA reports TO parcours_web;
