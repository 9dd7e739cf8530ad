-- Each page view links to the visitor's previous one, so that distinct visitors add up from
-- counts: the visitors of a range [lo, hi) are its page views whose previous view is older
-- than lo (or that have none) — one per visitor, the first in the range. The rollups
-- metrics.arrivals_* and metrics.returns_* count them (docs/architecture.md).
--
-- previous_at: the time of the same visitor's page view just before this one, ordered by
-- (time, page_view_id); NULL when there is none. The chain ignores is_bot: bot detection reads
-- the user agent, which is part of the visitor id, so a visitor is a bot on all views or none.
ALTER TABLE metrics.page_views ADD COLUMN previous_at timestamptz;
CREATE INDEX page_views_visitor_idx ON metrics.page_views (property_id, visitor_id, time DESC);

-- The time of each visitor's latest page view: the worker links a new view to it with one
-- lookup, instead of searching the visitor's history chunk by chunk.
CREATE TABLE metrics.visitor_last_seen (
    property_id text NOT NULL,
    visitor_id  bigint NOT NULL,
    seen_at     timestamptz NOT NULL,
    PRIMARY KEY (property_id, visitor_id)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON metrics.visitor_last_seen TO parcours_worker;
GRANT UPDATE (previous_at) ON metrics.page_views TO parcours_worker;

-- Links every stored page view and rebuilds visitor_last_seen: once here for the views loaded
-- before this migration, and by bench/reports for the traffic it COPYs.
CREATE FUNCTION metrics.link_page_views() RETURNS void
LANGUAGE sql AS $$
    UPDATE metrics.page_views v SET previous_at = linked.previous_at
    FROM (SELECT page_view_id, time,
                 lag(time) OVER (PARTITION BY property_id, visitor_id ORDER BY time, page_view_id) AS previous_at
          FROM metrics.page_views) AS linked
    WHERE v.page_view_id = linked.page_view_id AND v.time = linked.time
      AND v.previous_at IS DISTINCT FROM linked.previous_at;
    INSERT INTO metrics.visitor_last_seen (property_id, visitor_id, seen_at)
    SELECT property_id, visitor_id, max(time) FROM metrics.page_views GROUP BY property_id, visitor_id
    ON CONFLICT (property_id, visitor_id) DO UPDATE SET seen_at = excluded.seen_at;
$$;
SELECT metrics.link_page_views();

-- delete_property_rows (0040) also clears the property's visitor_last_seen rows.
CREATE OR REPLACE FUNCTION metrics.delete_property_rows(p_property text, p_before timestamptz) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    target record;
    deleted bigint;
    total bigint := 0;
BEGIN
    FOR target IN
        SELECT * FROM (VALUES ('metrics.events'::regclass, 'time'), ('metrics.sessions'::regclass, 'started_at'),
                              ('metrics.page_views'::regclass, 'time'),
                              ('metrics.visitor_last_seen'::regclass, 'seen_at')) AS raw (name, time_column)
        UNION ALL
        SELECT name::regclass, 'bucket' FROM parcours.rollups
        UNION ALL
        SELECT format('%I.%I', materialization_hypertable_schema, materialization_hypertable_name)::regclass, 'bucket'
        FROM timescaledb_information.continuous_aggregates WHERE view_schema = 'metrics'
    LOOP
        EXECUTE format('DELETE FROM %s WHERE property_id = $1 AND ($2 IS NULL OR %I < $2)', target.name, target.time_column)
            USING p_property, p_before;
        GET DIAGNOSTICS deleted = ROW_COUNT;
        total := total + deleted;
    END LOOP;
    RETURN total;
END
$$;
