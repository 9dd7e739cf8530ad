-- name: active_properties
SELECT id, domains FROM accounts.properties WHERE active;

-- name: listen
-- The channel the trigger in sql/schema/0007_property_changes.sql notifies.
LISTEN parcours_properties;
