-- Per-property privacy: how precisely visitors are located from their address (which is
-- dropped either way), and how long the property's data is kept.
--   ip_handling:    'city' (country, region and city), 'country' (country only), 'none'.
--   retention_days: NULL keeps the server's settings; otherwise everything of the property
--                   older than this many days — events, sessions, page views, rollup rows —
--                   is deleted by `parcours db retention`.
ALTER TABLE accounts.properties
    ADD COLUMN ip_handling text NOT NULL DEFAULT 'city' CHECK (ip_handling IN ('city', 'country', 'none')),
    ADD COLUMN retention_days integer CHECK (retention_days BETWEEN 30 AND 36500);

-- A property's rows older than `before`, or all of them when it is NULL, in every table that
-- holds its data: raw events, sessions, page views, and each rollup (a table on the Apache-2
-- edition; a continuous aggregate's materialization hypertable, whose columns are named as the
-- aggregate's, on Community). Returns the rows deleted.
CREATE FUNCTION metrics.delete_property_rows(p_property text, p_before timestamptz) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    target record;
    deleted bigint;
    total bigint := 0;
BEGIN
    FOR target IN
        SELECT * FROM (VALUES ('metrics.events'::regclass, 'time'), ('metrics.sessions'::regclass, 'started_at'),
                              ('metrics.page_views'::regclass, 'time')) AS raw (name, time_column)
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
REVOKE ALL ON FUNCTION metrics.delete_property_rows(text, timestamptz) FROM PUBLIC;

CREATE OR REPLACE FUNCTION metrics.purge_property(p_property text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM accounts.properties WHERE id = p_property) THEN
        RAISE EXCEPTION 'property % still exists: delete it from accounts first', p_property;
    END IF;
    PERFORM metrics.delete_property_rows(p_property, NULL);
    DELETE FROM metrics.properties WHERE property_id = p_property;
END
$$;
