-- Collect keeps the active properties in memory; this tells it at once when they change,
-- rather than after its next periodic reload. The payload is empty: it reloads them all.
CREATE FUNCTION accounts.notify_property_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('parcours_properties', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER properties_changed
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON accounts.properties
FOR EACH STATEMENT EXECUTE FUNCTION accounts.notify_property_change();

-- Whether the visitor id may follow a visitor across days: 'never' keeps one key (the
-- visitor list, timelines and returning visitors work across days); 'daily' mixes the
-- property's local date into it, so that no identity survives midnight.
ALTER TABLE accounts.properties
    ADD COLUMN visitor_id_rotation text NOT NULL DEFAULT 'never'
        CHECK (visitor_id_rotation IN ('never', 'daily'));
