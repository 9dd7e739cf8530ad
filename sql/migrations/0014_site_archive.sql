-- A site's archive from the dashboard (app/accounts/archive.py): the web role reads every row
-- the archive holds, and the schema version it is stamped with, which it may not otherwise see.
GRANT SELECT ON metrics.visitor_last_seen, metrics.tag_members TO parcours_web;

CREATE FUNCTION metrics.schema_version() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT max(name) FROM parcours.migrations WHERE name ~ '^[0-9]{4}_'
$$;
GRANT EXECUTE ON FUNCTION metrics.schema_version() TO parcours_web;

-- Every rollup's name, on either engine (parcours.rollups lists the table engine's).
CREATE FUNCTION metrics.rollup_names() RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT name FROM parcours.rollups
    UNION
    SELECT format('%I.%I', view_schema, view_name) FROM timescaledb_information.continuous_aggregates
    ORDER BY 1
$$;
GRANT EXECUTE ON FUNCTION metrics.rollup_names() TO parcours_web;
