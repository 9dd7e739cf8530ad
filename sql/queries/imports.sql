-- Imports from Plausible's CSV export (worker/plausible.py) into metrics.imported_* (sql/
-- migrations/0015_plausible_imports.sql), and the days an import of events may fill
-- (worker/open_days.py).

-- name: import_with_digest
SELECT id FROM accounts.imports WHERE property_id = %(property_id)s AND digest = %(digest)s;

-- name: lock_imports
-- One import into a site at a time: each reads the days the others took.
SELECT pg_advisory_xact_lock(hashtext('parcours.imports'), hashtext(%(property_id)s));

-- name: first_native_day
-- The site's first local day with native data: in raw events, or, once those expired, in the
-- rollups, which keep history longer.
SELECT (least((SELECT min(time) FROM metrics.events WHERE property_id = %(property_id)s),
              (SELECT min(bucket) FROM metrics.sessions_15m WHERE property_id = %(property_id)s),
              (SELECT min(bucket) FROM metrics.sessions_1d WHERE property_id = %(property_id)s))
        AT TIME ZONE %(tz)s)::date;

-- name: first_tracked_day
-- The site's first local day the tracker collected, or NULL: the first session to start outside
-- every span of a log or GoatCounter import (those load as events and sessions too). Sessions
-- are kept as long as the rollups, longer than raw events. The candidates are the site's first
-- session and the first after each span: the first tracked session follows the last span to end
-- before it, or, should none, is the site's first. Each is one probe of the (property, start) index.
WITH spans AS (
    SELECT first_at, last_at FROM accounts.imports
    WHERE property_id = %(property_id)s AND source IN ('logs', 'goatcounter')
), candidates AS (
    SELECT (SELECT min(started_at) FROM metrics.sessions WHERE property_id = %(property_id)s) AS started_at
    UNION ALL
    SELECT (SELECT min(s.started_at) FROM metrics.sessions AS s
            WHERE s.property_id = %(property_id)s AND s.started_at > spans.last_at)
    FROM spans
)
SELECT (min(c.started_at) AT TIME ZONE %(tz)s)::date FROM candidates AS c
WHERE NOT EXISTS (SELECT FROM spans WHERE c.started_at BETWEEN spans.first_at AND spans.last_at);

-- name: imported_days
SELECT day FROM metrics.imported_days WHERE property_id = %(property_id)s;

-- name: add_plausible_import
-- Its span is its local days', from the first's midnight to the last moment of the last.
INSERT INTO accounts.imports (property_id, source, name, first_at, last_at, events, digest)
VALUES (%(property_id)s, 'plausible', %(name)s, %(first)s::date::timestamp AT TIME ZONE %(tz)s,
        (%(last)s::date + 1)::timestamp AT TIME ZONE %(tz)s - INTERVAL '1 microsecond', %(page_views)s, %(digest)s)
RETURNING id;

-- name: copy_imported_days
COPY metrics.imported_days (property_id, day, import_id, visitors, page_views, sessions, bounces, duration_seconds)
FROM STDIN;

-- name: copy_imported_sessions
COPY metrics.imported_sessions (property_id, day, import_id, dimension, value, sessions, bounces, session_page_views,
                                duration_seconds)
FROM STDIN;

-- name: copy_imported_pages
COPY metrics.imported_pages (property_id, day, import_id, page, page_views) FROM STDIN;

-- name: imports
-- A site's imports, newest first.
SELECT id, source, name, first_at, last_at, events, created_at FROM accounts.imports
WHERE property_id = %(property_id)s ORDER BY created_at DESC, id DESC;

-- name: delete_import
-- Only a Plausible import: a log import's page views are native events.
DELETE FROM accounts.imports WHERE property_id = %(property_id)s AND id = %(id)s AND source = 'plausible'
RETURNING id;
