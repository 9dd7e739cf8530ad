-- Erasure requests (sql/migrations/0013_erasure.sql): queued by the dashboard and the command
-- line, carried out by the worker (worker/erasure.py).

-- name: request_erasure
INSERT INTO metrics.erasures (property_id, visitor_ids, requested_by)
VALUES (%(property_id)s, %(visitor_ids)s, %(requested_by)s)
RETURNING id;

-- name: erasure
SELECT done_at IS NOT NULL, events, sessions, page_views, archive_lines FROM metrics.erasures WHERE id = %(id)s;
