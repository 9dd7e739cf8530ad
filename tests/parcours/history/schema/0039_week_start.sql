-- Weeks start on Monday (ISO) unless the user prefers Sunday: the time series' week buckets
-- follow the preference. 'week_sunday' is the bucket unit for the latter.
ALTER TABLE accounts.users
    ADD COLUMN week_start text NOT NULL DEFAULT 'monday' CHECK (week_start IN ('monday', 'sunday'));

CREATE OR REPLACE FUNCTION reports.bucket(t timestamptz, tz text, unit text) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN unit = 'hour'
                THEN t - ((t AT TIME ZONE tz) - date_trunc('hour', t AT TIME ZONE tz))
                WHEN unit = 'week_sunday'
                THEN (date_trunc('week', (t AT TIME ZONE tz) + INTERVAL '1 day') - INTERVAL '1 day') AT TIME ZONE tz
                ELSE date_trunc(unit, t AT TIME ZONE tz) AT TIME ZONE tz END
$$;
