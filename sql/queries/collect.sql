-- name: active_properties
SELECT id FROM accounts.properties WHERE active;
