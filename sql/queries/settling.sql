-- Funnels' sessions and goals' conversions, materialized (sql/migrations/0016_funnel_sessions.sql,
-- 0017_goal_conversions.sql) and kept by the worker (worker/settling.py). Each query names `until`,
-- `lo` and `hi` as the module does; a new definition settles from its site's first day.

-- name: unsettled_funnels
-- Each funnel not settled up to `until`, and where its settling resumes: its settled_until, or
-- for a new funnel the UTC day of its site's first session (`until` when it has none).
SELECT f.id,
       coalesce(s.settled_until,
                (SELECT date_trunc('day', min(c.started_at), 'UTC') FROM metrics.sessions c WHERE c.property_id = f.property_id),
                %(until)s) AS since
FROM accounts.funnels f LEFT JOIN metrics.settled_funnels s ON s.funnel_id = f.id
WHERE s.settled_until IS NULL OR s.settled_until < %(until)s
ORDER BY f.id;

-- name: unsettled_goals
-- As unsettled_funnels, from the UTC day of the site's first page view or event.
SELECT g.id,
       coalesce(s.settled_until,
                date_trunc('day', least((SELECT min(v.time) FROM metrics.page_views v WHERE v.property_id = g.property_id),
                                        (SELECT min(e.time) FROM metrics.events e WHERE e.property_id = g.property_id)), 'UTC'),
                %(until)s) AS since
FROM accounts.goals g LEFT JOIN metrics.settled_goals s ON s.goal_id = g.id
WHERE s.settled_until IS NULL OR s.settled_until < %(until)s
ORDER BY g.id;

-- name: settle_funnel
SELECT metrics.settle_funnel(%(id)s, %(lo)s, %(hi)s);

-- name: settle_goal
SELECT metrics.settle_goal(%(id)s, %(lo)s, %(hi)s);

-- name: mark_funnel
-- Nothing for a funnel deleted meanwhile.
INSERT INTO metrics.settled_funnels (funnel_id, settled_until)
SELECT f.id, %(until)s FROM accounts.funnels f WHERE f.id = %(id)s
ON CONFLICT (funnel_id) DO UPDATE SET settled_until = excluded.settled_until;

-- name: mark_goal
-- Nothing for a goal deleted meanwhile.
INSERT INTO metrics.settled_goals (goal_id, settled_until)
SELECT g.id, %(until)s FROM accounts.goals g WHERE g.id = %(id)s
ON CONFLICT (goal_id) DO UPDATE SET settled_until = excluded.settled_until;

-- name: resettle_funnels
-- Recompute, for the funnels of these properties, the settled sessions started in [lo, hi).
SELECT coalesce(sum(metrics.settle_funnel(s.funnel_id, %(lo)s, least(s.settled_until, %(hi)s))), 0)::bigint
FROM metrics.settled_funnels s JOIN accounts.funnels f ON f.id = s.funnel_id
WHERE f.property_id = ANY(%(properties)s) AND s.settled_until > %(lo)s;

-- name: resettle_goals
-- Recompute, for the goals of these properties, the settled conversions made in [lo, hi).
SELECT coalesce(sum(metrics.settle_goal(s.goal_id, %(lo)s, least(s.settled_until, %(hi)s))), 0)::bigint
FROM metrics.settled_goals s JOIN accounts.goals g ON g.id = s.goal_id
WHERE g.property_id = ANY(%(properties)s) AND s.settled_until > %(lo)s;

-- name: erase
-- An erased visitor's rows: their sessions and events are gone.
WITH sessions AS (
    DELETE FROM metrics.funnel_sessions c USING accounts.funnels f
    WHERE c.funnel_id = f.id AND f.property_id = %(property_id)s AND c.visitor_id = ANY(%(ids)s)
)
DELETE FROM metrics.goal_conversions c USING accounts.goals g
WHERE c.goal_id = g.id AND g.property_id = %(property_id)s AND c.visitor_id = ANY(%(ids)s);

-- name: expire
-- Kept as long as sessions and page views: the server's rollup retention, or the site's own
-- when shorter.
WITH sites AS (
    SELECT p.id, now() - make_interval(days => least(coalesce(p.retention_days, %(days)s), %(days)s)) AS kept_from
    FROM accounts.properties p
), sessions AS (
    DELETE FROM metrics.funnel_sessions c USING accounts.funnels f, sites
    WHERE c.funnel_id = f.id AND sites.id = f.property_id AND c.started_at < sites.kept_from
    RETURNING 1
), conversions AS (
    DELETE FROM metrics.goal_conversions c USING accounts.goals g, sites
    WHERE c.goal_id = g.id AND sites.id = g.property_id AND c.time < sites.kept_from
    RETURNING 1
)
SELECT (SELECT count(*) FROM sessions) + (SELECT count(*) FROM conversions);
