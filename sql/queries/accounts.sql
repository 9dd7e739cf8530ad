-- name: user_by_email
SELECT id, password_hash, disabled_at IS NOT NULL AS disabled FROM accounts.users WHERE lower(email) = lower(%(email)s);

-- name: add_user
INSERT INTO accounts.users (email, password_hash, is_admin)
VALUES (%(email)s, %(password_hash)s, NOT EXISTS (SELECT 1 FROM accounts.users))
RETURNING id;

-- name: start_session
INSERT INTO accounts.sessions (token_hash, user_id, expires_at)
VALUES (%(token_hash)s, %(user_id)s, now() + %(lifetime)s);

-- name: session_user
SELECT u.id, u.email, u.default_period, u.week_start
FROM accounts.sessions s JOIN accounts.users u ON u.id = s.user_id
WHERE s.token_hash = %(token_hash)s AND s.expires_at > now() AND u.disabled_at IS NULL;

-- name: end_session
DELETE FROM accounts.sessions WHERE token_hash = %(token_hash)s;

-- name: add_property
INSERT INTO accounts.properties (id, owner_id, name, domains, time_zone, visitor_id_rotation, ip_handling,
                                 retention_days, not_found)
VALUES (%(id)s, %(owner_id)s, %(name)s, %(domains)s, %(time_zone)s, %(visitor_id_rotation)s, %(ip_handling)s,
        %(retention_days)s, %(not_found)s);

-- name: domain_in_use
-- Another site of the same owner already tracking one of these domains.
SELECT name, domains FROM accounts.properties
WHERE owner_id = %(owner_id)s AND id <> %(id)s AND domains && %(domains)s::text[]
LIMIT 1;

-- name: list_properties
SELECT p.id, p.name, p.time_zone, p.domains, u.email AS owner
FROM accounts.properties p JOIN accounts.users u ON u.id = p.owner_id
ORDER BY p.created_at, p.id;

-- name: owned_properties
SELECT id, name, time_zone FROM accounts.properties WHERE owner_id = %(user_id)s ORDER BY name, id;

-- name: owned_property
SELECT id, name, time_zone FROM accounts.properties WHERE id = %(id)s AND owner_id = %(user_id)s;

-- name: add_api_key
INSERT INTO accounts.api_keys (user_id, name, prefix, key_hash)
VALUES (%(user_id)s, %(name)s, %(prefix)s, %(key_hash)s)
RETURNING id;

-- name: api_key_user
-- The user a live key belongs to, noting its use (at most once a minute, to spare writes).
WITH key AS (
    SELECT k.id, k.user_id, u.email, u.default_period, u.week_start
    FROM accounts.api_keys k JOIN accounts.users u ON u.id = k.user_id
    WHERE k.key_hash = %(key_hash)s AND k.revoked_at IS NULL AND u.disabled_at IS NULL
), touched AS (
    UPDATE accounts.api_keys SET last_used_at = now()
    WHERE id = (SELECT id FROM key)
      AND (last_used_at IS NULL OR last_used_at < now() - INTERVAL '1 minute')
)
SELECT user_id, email, default_period, week_start FROM key;

-- name: list_api_keys
SELECT k.id, k.name, k.prefix, k.created_at, k.last_used_at, k.revoked_at
FROM accounts.api_keys k
WHERE k.user_id = %(user_id)s
ORDER BY k.created_at, k.id;

-- name: revoke_api_key
UPDATE accounts.api_keys SET revoked_at = now()
WHERE id = %(id)s AND user_id = %(user_id)s AND revoked_at IS NULL
RETURNING id;

-- name: any_user
SELECT EXISTS (SELECT 1 FROM accounts.users);

-- name: has_events
-- Whether a property has received anything yet: its setup page turns live on the first event.
SELECT EXISTS (SELECT 1 FROM metrics.events WHERE property_id = %(id)s);

-- name: password_hash_of
SELECT password_hash FROM accounts.users WHERE id = %(id)s;

-- name: end_other_sessions
-- Everywhere else: every session of the user but the one making the request.
DELETE FROM accounts.sessions WHERE user_id = %(user_id)s AND token_hash <> %(keep)s;

-- name: count_sessions
SELECT count(*) FROM accounts.sessions WHERE user_id = %(user_id)s AND expires_at > now();

-- name: start_reset
INSERT INTO accounts.password_resets (token_hash, user_id, expires_at)
SELECT %(token_hash)s, id, now() + %(lifetime)s FROM accounts.users
WHERE lower(email) = lower(%(email)s) AND disabled_at IS NULL
RETURNING user_id;

-- name: live_reset
SELECT user_id FROM accounts.password_resets
WHERE token_hash = %(token_hash)s AND used_at IS NULL AND expires_at > now();

-- name: claim_reset
-- Spends a live link and returns its user, once: a concurrent claim waits on the row lock,
-- then finds used_at set and claims nothing.
UPDATE accounts.password_resets SET used_at = now()
WHERE token_hash = %(token_hash)s AND used_at IS NULL AND expires_at > now()
RETURNING user_id;

-- name: change_password
-- A new password ends every session but `keep` (the one making the change, if any) and voids
-- every reset link still open: whoever held the old password or a link holds nothing now.
WITH changed AS (
    UPDATE accounts.users SET password_hash = %(password_hash)s WHERE id = %(user_id)s RETURNING id
), voided AS (
    UPDATE accounts.password_resets SET used_at = now()
    WHERE user_id = %(user_id)s AND used_at IS NULL
), ended AS (
    DELETE FROM accounts.sessions
    WHERE user_id = %(user_id)s AND token_hash IS DISTINCT FROM %(keep)s::bytea
)
SELECT id FROM changed;

-- name: start_signup
-- Also forgets the sign-ups whose links expired, so the table stays small.
WITH forgotten AS (DELETE FROM accounts.signups WHERE expires_at <= now())
INSERT INTO accounts.signups (token_hash, email, password_hash, expires_at)
VALUES (%(token_hash)s, %(email)s, %(password_hash)s, now() + %(lifetime)s);

-- name: live_signup
SELECT email FROM accounts.signups WHERE token_hash = %(token_hash)s AND expires_at > now();

-- name: claim_signup
DELETE FROM accounts.signups WHERE token_hash = %(token_hash)s AND expires_at > now()
RETURNING email, password_hash;

-- name: update_property
UPDATE accounts.properties
SET name = %(name)s, domains = %(domains)s, time_zone = %(time_zone)s, visitor_id_rotation = %(visitor_id_rotation)s,
    ip_handling = %(ip_handling)s, retention_days = %(retention_days)s, not_found = %(not_found)s
WHERE id = %(id)s AND owner_id = %(owner_id)s
RETURNING id;

-- name: delete_property
DELETE FROM accounts.properties WHERE id = %(id)s AND owner_id = %(owner_id)s RETURNING id;

-- name: purge_property
SELECT metrics.purge_property(%(id)s);

-- name: property_settings
SELECT id, name, domains, time_zone, visitor_id_rotation, ip_handling, retention_days, not_found
FROM accounts.properties
WHERE id = %(id)s AND owner_id = %(user_id)s;

-- name: set_preferences
UPDATE accounts.users SET default_period = %(period)s, week_start = %(week_start)s WHERE id = %(id)s;

-- name: set_email
-- The unique index on lower(email) refuses an address another account holds.
UPDATE accounts.users SET email = %(email)s WHERE id = %(id)s;

-- name: list_users
SELECT u.id, u.email, u.is_admin, u.created_at, u.disabled_at,
       (SELECT count(*) FROM accounts.properties p WHERE p.owner_id = u.id) AS properties
FROM accounts.users u ORDER BY u.id;

-- name: set_disabled
-- Disabling also ends the user's sessions; enabling restores nothing but the ability to log in.
WITH changed AS (
    UPDATE accounts.users SET disabled_at = CASE WHEN %(disabled)s THEN coalesce(disabled_at, now()) END
    WHERE id = %(id)s RETURNING id
)
DELETE FROM accounts.sessions WHERE %(disabled)s AND user_id = (SELECT id FROM changed);

-- name: property_by_id
-- For the operator's CLI: any property, whoever owns it.
SELECT owner_id, name, domains, time_zone, visitor_id_rotation, ip_handling, retention_days
FROM accounts.properties WHERE id = %(id)s;

-- name: lock_first_account
-- Held to the end of the transaction: two sign-ups racing to be the first make one admin.
SELECT pg_advisory_xact_lock(hashtext('parcours.first_account'));
