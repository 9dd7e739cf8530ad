-- Goals and funnels of a property (sql/migrations/0002_events_and_goals.sql). Every query names
-- the owner, so that another owner's goal or funnel reads as none. `definition` is the jsonb a
-- report matches events with (reports.goal).

-- name: goals
SELECT g.id, g.name, reports.goal(g.page, g.event, g.props) AS definition
FROM accounts.goals g JOIN accounts.properties p ON p.id = g.property_id
WHERE g.property_id = %(property_id)s AND p.owner_id = %(user_id)s
ORDER BY g.name, g.id;

-- name: add_goal
INSERT INTO accounts.goals (property_id, name, page, event, props)
SELECT p.id, %(name)s, %(page)s, %(event)s, %(props)s
FROM accounts.properties p WHERE p.id = %(property_id)s AND p.owner_id = %(user_id)s
ON CONFLICT (property_id, name) DO NOTHING
RETURNING id;

-- name: delete_goal
DELETE FROM accounts.goals g USING accounts.properties p
WHERE g.id = %(id)s AND g.property_id = %(property_id)s AND p.id = g.property_id AND p.owner_id = %(user_id)s
RETURNING g.id;

-- name: funnels
SELECT f.id, f.name, f.steps
FROM accounts.funnels f JOIN accounts.properties p ON p.id = f.property_id
WHERE f.property_id = %(property_id)s AND p.owner_id = %(user_id)s
ORDER BY f.name, f.id;

-- name: add_funnel
INSERT INTO accounts.funnels (property_id, name, steps)
SELECT p.id, %(name)s, %(steps)s
FROM accounts.properties p WHERE p.id = %(property_id)s AND p.owner_id = %(user_id)s
ON CONFLICT (property_id, name) DO NOTHING
RETURNING id;

-- name: delete_funnel
DELETE FROM accounts.funnels f USING accounts.properties p
WHERE f.id = %(id)s AND f.property_id = %(property_id)s AND p.id = f.property_id AND p.owner_id = %(user_id)s
RETURNING f.id;
