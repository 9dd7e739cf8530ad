-- name: try_lock
SELECT pg_try_advisory_lock(hashtext('parcours.worker'));

-- name: engine
SELECT engine FROM parcours.instance;

-- name: finish_segment
INSERT INTO parcours.loaded_segments (name, events, lines, complete)
VALUES (%(name)s, 0, 0, true)
ON CONFLICT (name) DO UPDATE SET complete = true;

-- name: properties
-- Columns in the order of worker.pipeline.Property, after the id.
SELECT id, time_zone, visitor_id_rotation, domains, ip_handling, not_found FROM accounts.properties;

-- name: segment_progress
-- How far a segment is loaded: lines consumed, and whether it is finished.
SELECT lines, complete FROM parcours.loaded_segments WHERE name = %(name)s;

-- name: record_progress
-- In the transaction of the batch that consumed lines up to %(lines)s.
INSERT INTO parcours.loaded_segments (name, events, lines, complete)
VALUES (%(name)s, %(events)s, %(lines)s, %(complete)s)
ON CONFLICT (name) DO UPDATE
SET events = loaded_segments.events + excluded.events, lines = excluded.lines,
    complete = excluded.complete, loaded_at = now();

-- name: copy_events
COPY metrics.events (time, property_id, name, visitor_id, session_id, page_view_id, hostname, pathname,
                     title, referrer, referrer_domain, source, channel, utm_source, utm_medium,
                     utm_campaign, utm_term, utm_content, language, screen_width, browser,
                     browser_version, os, os_version, device, is_bot, country, region, city,
                     engaged_ms, scroll_depth, page_type, author, categories, tags, props)
FROM STDIN (FORMAT BINARY);

-- name: open_sessions
-- Each visitor's sessions that a batch starting at %(since)s can still join. Columns in the
-- order of worker.sessionize.Session. Sessions are assumed to last under two days, which lets
-- TimescaleDB skip older chunks.
SELECT property_id, session_id, visitor_id, started_at, ended_at, events, page_views, entry_page,
       entry_at, exit_page, exit_at, entry_page_type, referrer_domain, source, channel, utm_source,
       utm_medium, utm_campaign, utm_term, utm_content, country, region, city, browser,
       browser_version, os, os_version, device, language, is_bot
FROM metrics.sessions
WHERE property_id = ANY(%(properties)s) AND visitor_id = ANY(%(visitors)s)
  AND ended_at >= %(since)s - INTERVAL '30 minutes' AND started_at >= %(since)s - INTERVAL '2 days'
ORDER BY ended_at;

-- name: open_page_views
-- Columns in the order of worker.sessionize.PageView.
SELECT time, property_id, page_view_id, session_id, visitor_id, pathname, page_type, scroll_depth,
       engaged_ms, is_bot, author, categories, tags, previous_at
FROM metrics.page_views
WHERE session_id = ANY(%(sessions)s) AND time >= %(since)s - INTERVAL '2 days'
ORDER BY time;

-- name: delete_sessions
DELETE FROM metrics.sessions WHERE session_id = ANY(%(ids)s) AND started_at >= %(since)s;

-- name: delete_page_views
DELETE FROM metrics.page_views WHERE page_view_id = ANY(%(ids)s) AND time >= %(since)s;

-- name: copy_sessions
COPY metrics.sessions (property_id, session_id, visitor_id, started_at, ended_at, events, page_views,
                       entry_page, entry_at, exit_page, exit_at, entry_page_type, referrer_domain,
                       source, channel, utm_source, utm_medium, utm_campaign, utm_term, utm_content,
                       country, region, city, browser, browser_version, os, os_version, device,
                       language, is_bot)
FROM STDIN (FORMAT BINARY);

-- name: copy_page_views
COPY metrics.page_views (time, property_id, page_view_id, session_id, visitor_id, pathname, page_type,
                         scroll_depth, engaged_ms, is_bot, author, categories, tags, previous_at)
FROM STDIN (FORMAT BINARY);

-- name: remember_tag_sets
-- The members of each tag set given ([property, [tag, ...]] pairs), once per set.
SELECT metrics.add_tag_sets(%(sets)s);

-- name: column_types
-- The types of a table's columns, in the order given: binary COPY must declare them.
SELECT format_type(a.atttypid, a.atttypmod)
FROM unnest(%(columns)s::text[]) WITH ORDINALITY AS c(name, position)
JOIN pg_attribute a ON a.attrelid = %(table)s::regclass AND a.attname = c.name
ORDER BY c.position;

-- name: sync_time_zones
-- Mirror every property's zone for the reporting SQL; a changed zone applies to all reports at
-- once, because rollup buckets are UTC and the zone is applied when reading them.
-- The owner goes along: it scopes what an analyst role sees (sql/schema/40_analytics.sql).
MERGE INTO metrics.properties AS mirror
USING (SELECT id, time_zone, owner_id FROM accounts.properties) AS source ON mirror.property_id = source.id
WHEN MATCHED AND (mirror.time_zone, mirror.owner_id) IS DISTINCT FROM (source.time_zone, source.owner_id) THEN
    UPDATE SET time_zone = source.time_zone, owner_id = source.owner_id
WHEN NOT MATCHED THEN INSERT (property_id, time_zone, owner_id) VALUES (source.id, source.time_zone, source.owner_id);

-- name: drop_deleted_time_zones
DELETE FROM metrics.properties mirror
WHERE NOT EXISTS (SELECT 1 FROM accounts.properties p WHERE p.id = mirror.property_id);

-- name: last_seen
-- The time of each visitor's latest stored page view (worker/chains.py).
SELECT s.property_id, s.visitor_id, s.seen_at
FROM metrics.visitor_last_seen s
JOIN unnest(%(properties)s::text[], %(visitors)s::bigint[]) AS v (property_id, visitor_id) USING (property_id, visitor_id);

-- name: record_last_seen
INSERT INTO metrics.visitor_last_seen (property_id, visitor_id, seen_at)
SELECT * FROM unnest(%(properties)s::text[], %(visitors)s::bigint[], %(times)s::timestamptz[])
ON CONFLICT (property_id, visitor_id) DO UPDATE SET seen_at = greatest(visitor_last_seen.seen_at, excluded.seen_at);

-- name: views_since
-- One visitor's stored page views from %(since)s on, for re-linking around a late view.
SELECT page_view_id, time, previous_at FROM metrics.page_views
WHERE property_id = %(property_id)s AND visitor_id = %(visitor_id)s AND time >= %(since)s;

-- name: view_before
-- The time of one visitor's latest stored page view before %(since)s: newest chunks first.
SELECT time FROM metrics.page_views
WHERE property_id = %(property_id)s AND visitor_id = %(visitor_id)s AND time < %(since)s
ORDER BY time DESC LIMIT 1;

-- name: relink_view
UPDATE metrics.page_views SET previous_at = %(previous_at)s WHERE page_view_id = %(id)s AND time = %(time)s;

-- name: mark_stale_rollups
INSERT INTO parcours.stale_rollups (lo, hi) VALUES (%(lo)s, %(hi)s);

-- name: stale_span
-- The span of every range awaiting a refresh, left in place.
SELECT min(lo), max(hi) FROM parcours.stale_rollups;

-- name: take_stale_rollups
-- The span of every range awaiting a refresh, cleared in the caller's transaction.
WITH taken AS (DELETE FROM parcours.stale_rollups RETURNING lo, hi)
SELECT min(lo), max(hi) FROM taken;

-- name: lock_free
-- Whether no worker holds the lock (try_lock), without keeping it.
SELECT CASE WHEN pg_try_advisory_lock(hashtext('parcours.worker'))
            THEN pg_advisory_unlock(hashtext('parcours.worker')) ELSE false END;

-- name: segment_loaded
SELECT lines, events, complete FROM parcours.loaded_segments WHERE name = %(name)s;

-- name: pending_erasures
SELECT id, property_id, visitor_ids, requested_by FROM metrics.erasures WHERE done_at IS NULL ORDER BY id;

-- name: erase_visitors
SELECT * FROM metrics.erase(%(id)s);

-- name: erasure_done
UPDATE metrics.erasures
SET done_at = now(), visitor_ids = '{}', events = %(events)s, sessions = %(sessions)s, page_views = %(page_views)s,
    archive_lines = %(archive_lines)s
WHERE id = %(id)s;
