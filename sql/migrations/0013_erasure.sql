-- Erasure on request (worker/erasure.py): everything Parcours holds about one visitor of a
-- site — raw events, sessions, page views, the last-seen mark, and the lines of the spool
-- archive — deleted, and the rollups recomputed over the ranges their rows touched.
--
-- A request is queued here, by the dashboard's button or `parcours visitor delete`, and carried
-- out by the worker: it alone may delete raw events and rewrite the archive, and it refreshes
-- the rollups as it does after a load. Done, a request keeps its counts for the audit, not the
-- visitor ids it erased.
CREATE TABLE metrics.erasures (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    property_id   text NOT NULL,
    visitor_ids   bigint[] NOT NULL CHECK (cardinality(visitor_ids) <= 20000),
    requested_by  text NOT NULL CHECK (length(requested_by) BETWEEN 1 AND 254),
    requested_at  timestamptz NOT NULL DEFAULT now(),
    done_at       timestamptz,
    events        bigint,
    sessions      bigint,
    page_views    bigint,
    archive_lines bigint,
    CHECK ((done_at IS NULL) = (cardinality(visitor_ids) > 0))
);
CREATE INDEX erasures_pending_idx ON metrics.erasures (id) WHERE done_at IS NULL;

-- The deletion itself, for the worker, which may not delete raw events otherwise: exactly what
-- a pending request names. Returns what it deleted and the span of time those rows covered, for
-- the rollups to be recomputed over.
CREATE FUNCTION metrics.erase(request bigint)
RETURNS TABLE (events bigint, sessions bigint, page_views bigint, lo timestamptz, hi timestamptz)
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    WITH asked AS (
        SELECT property_id, visitor_ids FROM metrics.erasures WHERE id = request AND done_at IS NULL
    ), events AS (
        DELETE FROM metrics.events e USING asked a WHERE e.property_id = a.property_id AND e.visitor_id = ANY(a.visitor_ids)
        RETURNING e.time
    ), sessions AS (
        DELETE FROM metrics.sessions s USING asked a WHERE s.property_id = a.property_id AND s.visitor_id = ANY(a.visitor_ids)
        RETURNING s.started_at, s.ended_at
    ), views AS (
        DELETE FROM metrics.page_views v USING asked a WHERE v.property_id = a.property_id AND v.visitor_id = ANY(a.visitor_ids)
        RETURNING v.time
    ), seen AS (
        DELETE FROM metrics.visitor_last_seen l USING asked a
        WHERE l.property_id = a.property_id AND l.visitor_id = ANY(a.visitor_ids)
    )
    SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM sessions), (SELECT count(*) FROM views),
           least((SELECT min(time) FROM events), (SELECT min(started_at) FROM sessions), (SELECT min(time) FROM views)),
           greatest((SELECT max(time) FROM events), (SELECT max(ended_at) FROM sessions), (SELECT max(time) FROM views))
$$;
REVOKE ALL ON FUNCTION metrics.erase(bigint) FROM PUBLIC;

GRANT SELECT, INSERT ON metrics.erasures TO parcours_web;
GRANT SELECT, UPDATE ON metrics.erasures TO parcours_worker;
GRANT EXECUTE ON FUNCTION metrics.erase(bigint) TO parcours_worker;
