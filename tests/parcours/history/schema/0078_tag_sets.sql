-- One definition of a tag set's members (0069), for the worker's batches and for the page
-- views already stored: `sets` is a JSON array of [property, [tag, ...]] pairs. Elements keep
-- their position, so repeated and NULL tags count as unnest counts them.
CREATE FUNCTION metrics.add_tag_sets(sets jsonb) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO metrics.tag_members (property_id, tags, n, tag)
    SELECT s.property_id, s.tags, t.n, t.tag
    FROM (SELECT x ->> 0, ARRAY(SELECT jsonb_array_elements_text(x -> 1)) FROM jsonb_array_elements(sets) AS x)
             AS s (property_id, tags),
         unnest(s.tags) WITH ORDINALITY AS t (tag, n)
    ON CONFLICT DO NOTHING
$$;

CREATE OR REPLACE FUNCTION metrics.record_tag_members() RETURNS void
LANGUAGE sql AS $$
    SELECT metrics.add_tag_sets(coalesce(jsonb_agg(jsonb_build_array(property_id, tags)), '[]'))
    FROM (SELECT DISTINCT property_id, tags FROM metrics.page_views WHERE tags IS NOT NULL) AS s
$$;

GRANT EXECUTE ON FUNCTION metrics.add_tag_sets(jsonb) TO parcours_worker;
