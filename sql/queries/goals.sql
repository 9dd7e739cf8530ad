-- Goals and funnels of a property (sql/migrations/0002_events_and_goals.sql). Every query names
-- the user and checks their role (accounts.site_roles): any member reads them, an admin or the
-- owner changes them; for anyone else a goal or funnel reads as none. `definition` is the jsonb a
-- report matches events with (reports.goal).

-- name: goals
SELECT g.id, g.name, reports.goal(g.page, g.event, g.props) AS definition
FROM accounts.goals g JOIN accounts.site_roles r ON r.property_id = g.property_id
WHERE g.property_id = %(property_id)s AND r.user_id = %(user_id)s
ORDER BY g.name, g.id;

-- name: add_goal
INSERT INTO accounts.goals (property_id, name, page, event, props)
SELECT r.property_id, %(name)s, %(page)s, %(event)s, %(props)s
FROM accounts.site_roles r WHERE r.property_id = %(property_id)s AND r.user_id = %(user_id)s AND r.rank >= 2
ON CONFLICT (property_id, name) DO NOTHING
RETURNING id;

-- name: delete_goal
DELETE FROM accounts.goals g USING accounts.site_roles r
WHERE g.id = %(id)s AND g.property_id = %(property_id)s AND r.property_id = g.property_id
  AND r.user_id = %(user_id)s AND r.rank >= 2
RETURNING g.id;

-- name: funnels
SELECT f.id, f.name, f.steps
FROM accounts.funnels f JOIN accounts.site_roles r ON r.property_id = f.property_id
WHERE f.property_id = %(property_id)s AND r.user_id = %(user_id)s
ORDER BY f.name, f.id;

-- name: add_funnel
INSERT INTO accounts.funnels (property_id, name, steps)
SELECT r.property_id, %(name)s, %(steps)s
FROM accounts.site_roles r WHERE r.property_id = %(property_id)s AND r.user_id = %(user_id)s AND r.rank >= 2
ON CONFLICT (property_id, name) DO NOTHING
RETURNING id;

-- name: delete_funnel
DELETE FROM accounts.funnels f USING accounts.site_roles r
WHERE f.id = %(id)s AND f.property_id = %(property_id)s AND r.property_id = f.property_id
  AND r.user_id = %(user_id)s AND r.rank >= 2
RETURNING f.id;
