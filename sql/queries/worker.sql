-- name: try_lock
SELECT pg_try_advisory_lock(hashtext('parcours.worker'));

-- name: engine
SELECT engine FROM parcours.instance;

-- name: properties
-- Columns in the order of worker.pipeline.Property, after the id.
SELECT id, time_zone, visitor_id_rotation FROM accounts.properties;

-- name: segment_loaded
SELECT 1 FROM parcours.loaded_segments WHERE name = %(name)s;

-- name: record_segment
INSERT INTO parcours.loaded_segments (name, events) VALUES (%(name)s, %(events)s);

-- name: copy_events
COPY metrics.events (time, property_id, name, visitor_id, hostname, pathname, title, referrer,
                     referrer_domain, language, screen_width, browser, os, is_bot, engaged_ms,
                     scroll_depth)
FROM STDIN;
