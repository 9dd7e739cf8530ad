-- name: active_properties
SELECT id, domains FROM accounts.properties WHERE active;
