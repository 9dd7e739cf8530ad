-- History imported from Plausible (worker/plausible.py, `parcours import plausible`): its CSV
-- export holds daily totals per dimension, not events, so it lands in tables of its own rather
-- than in the rollups, and the reports add them to the native rollups (sql/queries/reports.sql,
-- reports.imported_*). What that makes approximate is in docs/definitions.md.
--
-- Exact where it can be: a day is either imported or native, never both (the import takes only
-- days before the site's first native event, and each day from one import), so a single day's
-- numbers are one source's own. An import is one row of accounts.imports; deleting it or the
-- site deletes its rows.
ALTER TABLE accounts.imports DROP CONSTRAINT imports_source_check;
ALTER TABLE accounts.imports ADD CONSTRAINT imports_source_check CHECK (source IN ('logs', 'plausible'));
-- The export's SHA-256: the same file imported twice adds nothing.
ALTER TABLE accounts.imports ADD COLUMN digest text CHECK (digest ~ '^[0-9a-f]{64}$');
CREATE UNIQUE INDEX imports_digest_idx ON accounts.imports (property_id, digest);

-- A day's totals: Plausible's imported_visitors. Visitors are the day's distinct visitors.
CREATE TABLE metrics.imported_days (
    property_id      text NOT NULL,
    day              date NOT NULL,
    import_id        bigint NOT NULL REFERENCES accounts.imports ON DELETE CASCADE,
    visitors         bigint NOT NULL CHECK (visitors >= 0),
    page_views       bigint NOT NULL CHECK (page_views >= 0),
    sessions         bigint NOT NULL CHECK (sessions >= 0),
    bounces          bigint NOT NULL CHECK (bounces BETWEEN 0 AND sessions),
    duration_seconds bigint NOT NULL CHECK (duration_seconds >= 0),
    PRIMARY KEY (property_id, day)
);
CREATE INDEX imported_days_import_idx ON metrics.imported_days (import_id);

-- Sessions by one session dimension a day (sources and channels, UTM tags, countries,
-- browsers, systems, devices, entry and exit pages); NULL is "none" as in the native reports.
CREATE TABLE metrics.imported_sessions (
    property_id        text NOT NULL,
    day                date NOT NULL,
    import_id          bigint NOT NULL REFERENCES accounts.imports ON DELETE CASCADE,
    dimension          text NOT NULL CHECK (dimension IN ('channel', 'source', 'referrer', 'utm_source', 'utm_medium',
                                                          'utm_campaign', 'utm_term', 'utm_content', 'country',
                                                          'browser', 'os', 'device', 'entry_page', 'exit_page')),
    value              text,
    sessions           bigint NOT NULL CHECK (sessions >= 0),
    bounces            bigint NOT NULL CHECK (bounces >= 0),
    session_page_views bigint NOT NULL CHECK (session_page_views >= 0),
    duration_seconds   bigint NOT NULL CHECK (duration_seconds >= 0)
);
CREATE INDEX imported_sessions_idx ON metrics.imported_sessions (property_id, dimension, day);
CREATE INDEX imported_sessions_import_idx ON metrics.imported_sessions (import_id);

-- Page views by page a day. No engagement or scroll: Plausible's export has none per view.
CREATE TABLE metrics.imported_pages (
    property_id text NOT NULL,
    day         date NOT NULL,
    import_id   bigint NOT NULL REFERENCES accounts.imports ON DELETE CASCADE,
    page        text NOT NULL,
    page_views  bigint NOT NULL CHECK (page_views >= 0)
);
CREATE INDEX imported_pages_idx ON metrics.imported_pages (property_id, day);
CREATE INDEX imported_pages_import_idx ON metrics.imported_pages (import_id);

GRANT SELECT ON metrics.imported_days, metrics.imported_sessions, metrics.imported_pages TO parcours_web;
GRANT DELETE ON accounts.imports TO parcours_web;

-- The imported days of [lo, hi) (instants bounding local days in zone tz), when `wanted`.
CREATE FUNCTION reports.imported_days(p_property text, lo timestamptz, hi timestamptz, tz text, wanted boolean)
RETURNS SETOF metrics.imported_days
LANGUAGE sql STABLE AS $$
    SELECT * FROM metrics.imported_days
    WHERE wanted AND property_id = p_property
      AND day >= (lo AT TIME ZONE tz)::date AND day < (hi AT TIME ZONE tz)::date
$$;

-- Imported sessions by `dimension` over [lo, hi), summed per value.
CREATE FUNCTION reports.imported_sessions(p_property text, lo timestamptz, hi timestamptz, tz text, wanted boolean,
                                          p_dimension text)
RETURNS TABLE (value text, sessions bigint, bounces bigint, session_page_views bigint, duration_seconds numeric)
LANGUAGE sql STABLE AS $$
    SELECT value, sum(sessions)::bigint, sum(bounces)::bigint, sum(session_page_views)::bigint,
           sum(duration_seconds)
    FROM metrics.imported_sessions
    WHERE wanted AND property_id = p_property AND dimension = p_dimension
      AND day >= (lo AT TIME ZONE tz)::date AND day < (hi AT TIME ZONE tz)::date
    GROUP BY value
$$;

-- Imported page views by page over [lo, hi).
CREATE FUNCTION reports.imported_pages(p_property text, lo timestamptz, hi timestamptz, tz text, wanted boolean)
RETURNS TABLE (value text, page_views bigint)
LANGUAGE sql STABLE AS $$
    SELECT page, sum(page_views)::bigint FROM metrics.imported_pages
    WHERE wanted AND property_id = p_property
      AND day >= (lo AT TIME ZONE tz)::date AND day < (hi AT TIME ZONE tz)::date
    GROUP BY page
$$;

-- The `k` for a breakdown's top-N pruning (reports.leading_values): none when imported days
-- fall in the period, since pruning reads the native rollups alone and a value could rank by
-- its imported part.
CREATE FUNCTION reports.pruning_k(p_property text, lo timestamptz, hi timestamptz, tz text, wanted boolean, k integer)
RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN EXISTS (SELECT FROM reports.imported_days(p_property, lo, hi, tz, wanted))
                THEN 1000000000 ELSE k END
$$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA reports TO parcours_web;
