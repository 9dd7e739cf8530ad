-- A site's archive (cli/archive.py): its settings, definitions and rows, out and back in.

-- name: site
SELECT name, domains, time_zone, visitor_id_rotation, ip_handling, retention_days, not_found
FROM accounts.properties WHERE id = %(id)s;

-- name: goals
SELECT name, page, event, props FROM accounts.goals WHERE property_id = %(id)s ORDER BY name;

-- name: funnels
SELECT name, steps FROM accounts.funnels WHERE property_id = %(id)s ORDER BY name;

-- name: annotations
SELECT day, note FROM accounts.annotations WHERE property_id = %(id)s ORDER BY day, id;

-- name: imports
SELECT id, source, name, first_at, last_at, events, digest FROM accounts.imports WHERE property_id = %(id)s ORDER BY id;

-- name: add_import
INSERT INTO accounts.imports (property_id, source, name, first_at, last_at, events, digest)
VALUES (%(property_id)s, %(source)s, %(name)s, %(first_at)s, %(last_at)s, %(events)s, %(digest)s)
RETURNING id;

-- name: columns
-- A table's columns that take values (not generated), in order: what the archive's CSV holds.
SELECT column_name FROM information_schema.columns
WHERE table_schema = %(schema)s AND table_name = %(table)s AND is_generated = 'NEVER'
ORDER BY ordinal_position;

-- name: rollups
SELECT metrics.rollup_names();

-- name: schema_version
SELECT metrics.schema_version();

-- name: has_migration
SELECT EXISTS (SELECT 1 FROM parcours.migrations WHERE name = %(name)s);

-- name: span
-- The time the imported rows cover, for the rollups to be computed over.
SELECT least((SELECT min(time) FROM metrics.events WHERE property_id = %(id)s),
             (SELECT min(started_at) FROM metrics.sessions WHERE property_id = %(id)s)),
       greatest((SELECT max(time) FROM metrics.events WHERE property_id = %(id)s),
                (SELECT max(ended_at) FROM metrics.sessions WHERE property_id = %(id)s));
