-- The tags of each tag set in use, one row per element, so that a rollup can count a page
-- view once per tag: an aggregate cannot unnest an array, but it can join a table. A post's
-- tags are usually its own set, so a rollup by set holds a row per page; by tag it holds a
-- few dozen rows per bucket. Rows are only ever added (the worker adds a batch's new sets
-- before its page views), so the rollups never miss one. `n` keeps repeated and NULL
-- elements, which the raw reports count as unnest does.
CREATE TABLE metrics.tag_members (
    property_id text NOT NULL,
    tags text[] NOT NULL,
    n integer NOT NULL,
    tag text,
    PRIMARY KEY (property_id, tags, n)
);

-- The members of every tag set stored: for page views written without the worker (the
-- views stored before this migration, bench/reports).
CREATE FUNCTION metrics.record_tag_members() RETURNS void
LANGUAGE sql AS $$
    INSERT INTO metrics.tag_members (property_id, tags, n, tag)
    SELECT s.property_id, s.tags, t.n, t.tag
    FROM (SELECT DISTINCT property_id, tags FROM metrics.page_views WHERE tags IS NOT NULL) AS s,
         unnest(s.tags) WITH ORDINALITY AS t (tag, n)
    ON CONFLICT DO NOTHING
$$;

SELECT metrics.record_tag_members();

GRANT SELECT, INSERT ON metrics.tag_members TO parcours_worker;

-- A property's deletion takes its tag sets too (retention keeps them: they have no time).
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
    IF p_before IS NULL THEN
        DELETE FROM metrics.tag_members WHERE property_id = p_property;
    END IF;
    RETURN total;
END
$$;
