-- name: active_properties
SELECT id, domains FROM accounts.properties WHERE active;

-- name: listen
-- The channel the trigger in sql/schema/01_accounts.sql notifies.
LISTEN parcours_properties;
