-- Funnels' materialized sessions (sql/migrations/0016_funnel_sessions.sql), kept by the worker
-- (worker/funnels.py).

-- name: unsettled
-- Each funnel not settled up to `until`, and where its settling resumes: its settled_until, or
-- for a new funnel the UTC day of its site's first session (`until` when it has none).
SELECT f.id,
       coalesce(s.settled_until,
                (SELECT date_trunc('day', min(c.started_at), 'UTC') FROM metrics.sessions c WHERE c.property_id = f.property_id),
                %(until)s) AS since
FROM accounts.funnels f LEFT JOIN metrics.settled_funnels s ON s.funnel_id = f.id
WHERE s.settled_until IS NULL OR s.settled_until < %(until)s
ORDER BY f.id;

-- name: settle
SELECT metrics.settle_funnel(%(funnel)s, %(lo)s, %(hi)s);

-- name: mark_settled
-- Nothing for a funnel deleted meanwhile.
INSERT INTO metrics.settled_funnels (funnel_id, settled_until)
SELECT f.id, %(until)s FROM accounts.funnels f WHERE f.id = %(funnel)s
ON CONFLICT (funnel_id) DO UPDATE SET settled_until = excluded.settled_until;

-- name: resettle
-- Recompute, for the funnels of these properties, the settled sessions started in [lo, hi).
SELECT coalesce(sum(metrics.settle_funnel(s.funnel_id, %(lo)s, least(s.settled_until, %(hi)s))), 0)::bigint
FROM metrics.settled_funnels s JOIN accounts.funnels f ON f.id = s.funnel_id
WHERE f.property_id = ANY(%(properties)s) AND s.settled_until > %(lo)s;

-- name: erase
-- An erased visitor's rows: their sessions are gone.
DELETE FROM metrics.funnel_sessions c USING accounts.funnels f
WHERE c.funnel_id = f.id AND f.property_id = %(property_id)s AND c.visitor_id = ANY(%(ids)s);

-- name: expire
-- Kept as long as sessions: the server's rollup retention, or the site's own when shorter.
WITH expired AS (
    DELETE FROM metrics.funnel_sessions c USING accounts.funnels f, accounts.properties p
    WHERE c.funnel_id = f.id AND p.id = f.property_id
      AND c.started_at < now() - make_interval(days => least(coalesce(p.retention_days, %(days)s), %(days)s))
    RETURNING 1
)
SELECT count(*) FROM expired;
