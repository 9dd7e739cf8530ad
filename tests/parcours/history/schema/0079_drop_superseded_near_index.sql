-- returns_15m_near_cover_idx (0076) holds the near returns with their counts, so the index it
-- superseded (0047) is only upkeep for the worker. Its schema is the rollup's own on the
-- table engine and the materialization's on Community, so it is found by name.
DO $$
DECLARE
    superseded regclass := (SELECT c.oid::regclass FROM pg_class AS c
                            WHERE c.relname = 'returns_15m_near_idx' AND c.relkind = 'i');
BEGIN
    IF superseded IS NOT NULL THEN
        EXECUTE format('DROP INDEX %s', superseded);
    END IF;
END
$$;
