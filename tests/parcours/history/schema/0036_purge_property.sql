-- Deleting a property deletes its data: raw events, sessions, page views and every rollup row.
-- The web role may not delete metrics rows itself; this function, run with its owner's rights,
-- does exactly that and only for a property that no longer exists in accounts.
CREATE FUNCTION metrics.purge_property(p_property text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    target regclass;
BEGIN
    IF EXISTS (SELECT 1 FROM accounts.properties WHERE id = p_property) THEN
        RAISE EXCEPTION 'property % still exists: delete it from accounts first', p_property;
    END IF;
    DELETE FROM metrics.events WHERE property_id = p_property;
    DELETE FROM metrics.sessions WHERE property_id = p_property;
    DELETE FROM metrics.page_views WHERE property_id = p_property;
    DELETE FROM metrics.properties WHERE property_id = p_property;
    -- Table-engine rollups are tables; continuous aggregates keep their rows in a
    -- materialization hypertable, whose columns are named as the aggregate's.
    FOR target IN
        SELECT name::regclass FROM parcours.rollups
        UNION ALL
        SELECT format('%I.%I', materialization_hypertable_schema, materialization_hypertable_name)::regclass
        FROM timescaledb_information.continuous_aggregates WHERE view_schema = 'metrics'
    LOOP
        EXECUTE format('DELETE FROM %s WHERE property_id = $1', target) USING p_property;
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION metrics.purge_property(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION metrics.purge_property(text) TO parcours_web;
