-- parcours: no-transaction
--
-- Rollups no report reads any more, dropped so that the worker stops refreshing them (they were
-- its costliest: a row per visitor, or per entry and exit pair, rebuilt for each day a batch
-- touches). Distinct visitors now come from arrivals and returns (0047), entry and exit pages
-- from their own rollups (0052-0057). metrics.visitors_15m stays for the analysts' views.
-- A rollup is a continuous aggregate on Community, a table with its defining view on Apache-2.

DROP FUNCTION reports.span_visitors(text, timestamptz, timestamptz, boolean);
DROP FUNCTION reports.span_entries(text, timestamptz, timestamptz, boolean);

CREATE PROCEDURE parcours.drop_rollup(p_name text) LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM parcours.rollups WHERE name = p_name) THEN
        EXECUTE format('DROP TABLE %s', p_name);
        EXECUTE format('DROP VIEW %s', p_name || '__source');
        DELETE FROM parcours.rollups WHERE name = p_name;
    ELSE
        EXECUTE format('DROP MATERIALIZED VIEW %s', p_name);
    END IF;
END
$$;

CALL parcours.drop_rollup('metrics.visitors_7d');
CALL parcours.drop_rollup('metrics.visitors_1d');
CALL parcours.drop_rollup('metrics.entries_7d');
CALL parcours.drop_rollup('metrics.entries_1d');
CALL parcours.drop_rollup('metrics.entries_15m');
