-- A month of reports sorts and hashes a few hundred thousand visitor rows: with the default 4 MB
-- they spilled to disk (measured in bench/reports: the 30-day time series went from 353 to
-- 189 ms with 64 MB). The reading roles run few queries at once, so they can have more.
DO $$
BEGIN
    EXECUTE format('ALTER ROLE parcours_web IN DATABASE %I SET work_mem = %L', current_database(), '64MB');
    EXECUTE format('ALTER ROLE parcours_analyst IN DATABASE %I SET work_mem = %L', current_database(), '64MB');
END
$$;
