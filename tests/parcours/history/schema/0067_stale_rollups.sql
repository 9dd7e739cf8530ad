-- Apache-2 engine: the time ranges whose day and week rollups await a refresh. Each loaded
-- batch recomputes its 15-minute buckets in its own transaction and records its range here;
-- the worker recomputes the wider rollups once per drain of the spool, not once per batch:
-- a day rollup re-aggregates its whole day, which each batch of a busy day would repeat.
CREATE TABLE parcours.stale_rollups (
    lo timestamptz NOT NULL,
    hi timestamptz NOT NULL
);
GRANT SELECT, INSERT, DELETE ON parcours.stale_rollups TO parcours_worker;
