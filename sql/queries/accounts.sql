-- name: user_by_email
SELECT id, password_hash, disabled_at IS NOT NULL AS disabled FROM accounts.users WHERE lower(email) = lower(%(email)s);

-- name: add_user
INSERT INTO accounts.users (email, password_hash, is_admin)
VALUES (%(email)s, %(password_hash)s, NOT EXISTS (SELECT 1 FROM accounts.users))
RETURNING id;

-- name: start_session
INSERT INTO accounts.sessions (token_hash, user_id, expires_at, user_agent)
VALUES (%(token_hash)s, %(user_id)s, now() + %(lifetime)s, left(%(user_agent)s, 300));

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
-- Every site the user owns or is a member of, with their role.
SELECT p.id, p.name, p.time_zone, r.role
FROM accounts.properties p JOIN accounts.site_roles r ON r.property_id = p.id
WHERE r.user_id = %(user_id)s ORDER BY p.name, p.id;

-- name: site_role
-- The site and the user's role on it; no row when they have none.
SELECT p.id, p.name, p.time_zone, r.role, r.rank
FROM accounts.properties p JOIN accounts.site_roles r ON r.property_id = p.id
WHERE p.id = %(id)s AND r.user_id = %(user_id)s;

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
-- every reset link still open, and forgets the browsers remembered for two-factor sign-in and
-- the logins awaiting a code: whoever held the old password or a link holds nothing now.
WITH changed AS (
    UPDATE accounts.users SET password_hash = %(password_hash)s WHERE id = %(user_id)s RETURNING id
), voided AS (
    UPDATE accounts.password_resets SET used_at = now()
    WHERE user_id = %(user_id)s AND used_at IS NULL
), ended AS (
    DELETE FROM accounts.sessions
    WHERE user_id = %(user_id)s AND token_hash IS DISTINCT FROM %(keep)s::bytea
), forgotten AS (
    DELETE FROM accounts.trusted_browsers WHERE user_id = %(user_id)s
), abandoned AS (
    DELETE FROM accounts.login_challenges WHERE user_id = %(user_id)s
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
-- For its admins and owner only.
SELECT p.id, p.name, p.domains, p.time_zone, p.visitor_id_rotation, p.ip_handling, p.retention_days, p.not_found,
       p.owner_id
FROM accounts.properties p JOIN accounts.site_roles r ON r.property_id = p.id
WHERE p.id = %(id)s AND r.user_id = %(user_id)s AND r.rank >= 2;

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

-- name: two_factor_of
-- Whether the user has two-factor sign-in on: the secret and the step of the last code accepted.
SELECT totp_secret, totp_last_step FROM accounts.users WHERE id = %(user_id)s;

-- name: enable_two_factor
UPDATE accounts.users SET totp_secret = %(secret)s, totp_last_step = %(step)s WHERE id = %(user_id)s;

-- name: seal_two_factor
-- A secret stored plain, sealed in place (app/accounts/two_factor.py); unless it changed meanwhile.
UPDATE accounts.users SET totp_secret = %(sealed)s WHERE id = %(user_id)s AND totp_secret = %(plain)s;

-- name: disable_two_factor
-- Off: the secret, the recovery codes, pending challenges and remembered browsers all go.
WITH codes AS (DELETE FROM accounts.recovery_codes WHERE user_id = %(user_id)s),
     challenges AS (DELETE FROM accounts.login_challenges WHERE user_id = %(user_id)s),
     browsers AS (DELETE FROM accounts.trusted_browsers WHERE user_id = %(user_id)s)
UPDATE accounts.users SET totp_secret = NULL, totp_last_step = NULL WHERE id = %(user_id)s;

-- name: accept_step
-- Claims a code's time step: in one statement, so two requests with the same code cannot both pass.
UPDATE accounts.users SET totp_last_step = %(step)s
WHERE id = %(user_id)s AND totp_secret IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < %(step)s)
RETURNING id;

-- name: replace_recovery_codes
WITH gone AS (DELETE FROM accounts.recovery_codes WHERE user_id = %(user_id)s)
INSERT INTO accounts.recovery_codes (user_id, code_hash)
SELECT %(user_id)s, h FROM unnest(%(hashes)s::bytea[]) AS h;

-- name: use_recovery_code
UPDATE accounts.recovery_codes SET used_at = now()
WHERE user_id = %(user_id)s AND code_hash = %(code_hash)s AND used_at IS NULL
RETURNING user_id;

-- name: recovery_codes_left
SELECT count(*) FROM accounts.recovery_codes WHERE user_id = %(user_id)s AND used_at IS NULL;

-- name: start_challenge
INSERT INTO accounts.login_challenges (token_hash, user_id, expires_at)
VALUES (%(token_hash)s, %(user_id)s, now() + %(lifetime)s);

-- name: challenged_user
-- The user a live challenge is for, and their email (the login rate limits count by it).
SELECT u.id, u.email FROM accounts.login_challenges c JOIN accounts.users u ON u.id = c.user_id
WHERE c.token_hash = %(token_hash)s AND c.expires_at > now() AND c.tries < %(tries)s AND u.disabled_at IS NULL;

-- name: try_challenge
-- Counts one code against the challenge; none once it has had its tries.
UPDATE accounts.login_challenges SET tries = tries + 1
WHERE token_hash = %(token_hash)s AND expires_at > now() AND tries < %(tries)s
RETURNING user_id;

-- name: end_challenge
DELETE FROM accounts.login_challenges WHERE token_hash = %(token_hash)s OR expires_at <= now();

-- name: trust_browser
INSERT INTO accounts.trusted_browsers (token_hash, user_id, expires_at)
VALUES (%(token_hash)s, %(user_id)s, now() + %(lifetime)s);

-- name: is_trusted_browser
SELECT EXISTS (SELECT 1 FROM accounts.trusted_browsers
               WHERE token_hash = %(token_hash)s AND user_id = %(user_id)s AND expires_at > now());

-- name: count_trusted_browsers
SELECT count(*) FROM accounts.trusted_browsers WHERE user_id = %(user_id)s AND expires_at > now();

-- name: forget_browsers
DELETE FROM accounts.trusted_browsers WHERE user_id = %(user_id)s;

-- name: add_shared_link
-- A link on a site the user is an admin or the owner of; nothing for anyone else.
INSERT INTO accounts.shared_links (property_id, token, name, password_hash, panels, embed_origins)
SELECT r.property_id, %(token)s, %(name)s, %(password_hash)s, %(panels)s, %(embed_origins)s
FROM accounts.site_roles r WHERE r.property_id = %(property_id)s AND r.user_id = %(user_id)s AND r.rank >= 2
RETURNING id;

-- name: shared_links
SELECT l.id, l.token, l.name, l.password_hash IS NOT NULL, l.panels, l.embed_origins, l.created_at
FROM accounts.shared_links l JOIN accounts.site_roles r ON r.property_id = l.property_id
WHERE l.property_id = %(property_id)s AND r.user_id = %(user_id)s AND r.rank >= 2
ORDER BY l.created_at, l.id;

-- name: revoke_shared_link
DELETE FROM accounts.shared_links l USING accounts.site_roles r
WHERE l.id = %(id)s AND l.property_id = %(property_id)s AND r.property_id = l.property_id
  AND r.user_id = %(user_id)s AND r.rank >= 2
RETURNING l.id;

-- name: shared_link
-- A live link with its property and owner; none once revoked, or when the owner is disabled.
SELECT l.id, l.name, l.password_hash, l.panels, l.embed_origins,
       p.id, p.name, p.time_zone, p.owner_id
FROM accounts.shared_links l
JOIN accounts.properties p ON p.id = l.property_id
JOIN accounts.users u ON u.id = p.owner_id
WHERE l.token = %(token)s AND u.disabled_at IS NULL;

-- name: add_annotation
INSERT INTO accounts.annotations (property_id, day, note)
SELECT r.property_id, %(day)s, %(note)s
FROM accounts.site_roles r WHERE r.property_id = %(property_id)s AND r.user_id = %(user_id)s AND r.rank >= 2
RETURNING id;

-- name: annotations
-- A property's notes from `first` to `last`, local dates, oldest first.
SELECT id, day, note FROM accounts.annotations
WHERE property_id = %(property_id)s AND day BETWEEN %(first)s AND %(last)s
ORDER BY day, id;

-- name: delete_annotation
DELETE FROM accounts.annotations a USING accounts.site_roles r
WHERE a.id = %(id)s AND a.property_id = %(property_id)s AND r.property_id = a.property_id
  AND r.user_id = %(user_id)s AND r.rank >= 2
RETURNING a.id;

-- name: list_sessions
-- The user's live sessions, newest first, and which one is asking.
SELECT id, created_at, user_agent, token_hash = %(current)s AS current
FROM accounts.sessions WHERE user_id = %(user_id)s AND expires_at > now()
ORDER BY created_at DESC, id DESC;

-- name: end_session_by_id
DELETE FROM accounts.sessions WHERE id = %(id)s AND user_id = %(user_id)s RETURNING id;

-- name: owned_property_names
SELECT id, name FROM accounts.properties WHERE owner_id = %(user_id)s ORDER BY name, id;

-- name: delete_user
DELETE FROM accounts.users WHERE id = %(user_id)s;

-- name: start_email_change
-- One pending change per user: a newer request replaces the older.
WITH gone AS (DELETE FROM accounts.email_changes WHERE user_id = %(user_id)s)
INSERT INTO accounts.email_changes (token_hash, user_id, new_email, expires_at)
VALUES (%(token_hash)s, %(user_id)s, %(email)s, now() + %(lifetime)s);

-- name: pending_email_change
SELECT c.new_email, u.email FROM accounts.email_changes c JOIN accounts.users u ON u.id = c.user_id
WHERE c.token_hash = %(token_hash)s AND c.used_at IS NULL AND c.expires_at > now() AND u.disabled_at IS NULL;

-- name: claim_email_change
-- Spends the link and returns the change, once (as claim_reset).
UPDATE accounts.email_changes SET used_at = now()
WHERE token_hash = %(token_hash)s AND used_at IS NULL AND expires_at > now()
RETURNING user_id, new_email;

-- name: site_people
-- A site's owner and members (sql/migrations/0009_teams.sql), the owner first.
SELECT u.id, u.email, r.role, r.rank
FROM accounts.site_roles r JOIN accounts.users u ON u.id = r.user_id
WHERE r.property_id = %(property_id)s
ORDER BY r.rank DESC, lower(u.email);

-- name: site_invitations
SELECT id, email, role, expires_at FROM accounts.invitations
WHERE property_id = %(property_id)s AND expires_at > now()
ORDER BY created_at, id;

-- name: invite
-- One live invitation per site and address: a newer one replaces the older, role and all.
INSERT INTO accounts.invitations (token_hash, property_id, email, role, invited_by, expires_at)
VALUES (%(token_hash)s, %(property_id)s, %(email)s, %(role)s, %(invited_by)s, now() + %(lifetime)s)
ON CONFLICT (property_id, lower(email)) DO UPDATE
SET token_hash = EXCLUDED.token_hash, role = EXCLUDED.role, invited_by = EXCLUDED.invited_by,
    created_at = now(), expires_at = EXCLUDED.expires_at;

-- name: has_role
-- Whether the account with this address already has a role on the site.
SELECT EXISTS (SELECT 1 FROM accounts.site_roles r JOIN accounts.users u ON u.id = r.user_id
               WHERE r.property_id = %(property_id)s AND lower(u.email) = lower(%(email)s));

-- name: live_invitation
-- A live invitation with its site, and the account its address already has, if any.
SELECT i.email, i.role, p.id, p.name, (SELECT u.id FROM accounts.users u WHERE lower(u.email) = lower(i.email))
FROM accounts.invitations i JOIN accounts.properties p ON p.id = i.property_id
WHERE i.token_hash = %(token_hash)s AND i.expires_at > now();

-- name: claim_invitation
DELETE FROM accounts.invitations WHERE token_hash = %(token_hash)s AND expires_at > now()
RETURNING property_id, email, role;

-- name: add_member
-- The owner never becomes a member of their own site; a member keeps the higher of two roles.
INSERT INTO accounts.members (property_id, user_id, role)
SELECT p.id, %(user_id)s, %(role)s FROM accounts.properties p WHERE p.id = %(property_id)s AND p.owner_id <> %(user_id)s
ON CONFLICT (property_id, user_id) DO UPDATE
SET role = CASE WHEN 'admin' IN (members.role, EXCLUDED.role) THEN 'admin' ELSE 'viewer' END;

-- name: set_member_role
UPDATE accounts.members SET role = %(role)s WHERE property_id = %(property_id)s AND user_id = %(user_id)s
RETURNING user_id;

-- name: remove_member
-- Their email reports of the site stop too.
WITH reports AS (
    DELETE FROM accounts.email_reports r USING accounts.members m
    WHERE r.property_id = %(property_id)s AND r.user_id = %(user_id)s
      AND m.property_id = r.property_id AND m.user_id = r.user_id
)
DELETE FROM accounts.members WHERE property_id = %(property_id)s AND user_id = %(user_id)s RETURNING user_id;

-- name: revoke_invitation
DELETE FROM accounts.invitations WHERE id = %(id)s AND property_id = %(property_id)s RETURNING id;

-- name: transfer_property
-- The heir leaves the members and becomes the owner; the old owner stays on as an admin. Every
-- step names the current owner, so nothing happens unless they asked.
WITH heir AS (
    DELETE FROM accounts.members m USING accounts.properties p
    WHERE m.property_id = %(property_id)s AND m.user_id = %(heir)s AND p.id = m.property_id
      AND p.owner_id = %(owner_id)s
    RETURNING m.user_id
), moved AS (
    UPDATE accounts.properties SET owner_id = (SELECT user_id FROM heir)
    WHERE id = %(property_id)s AND owner_id = %(owner_id)s AND EXISTS (SELECT 1 FROM heir)
    RETURNING id
)
INSERT INTO accounts.members (property_id, user_id, role)
SELECT id, %(owner_id)s, 'admin' FROM moved
RETURNING property_id;

-- name: email_reports_of
SELECT kind FROM accounts.email_reports WHERE property_id = %(property_id)s AND user_id = %(user_id)s;

-- name: subscribe_email_report
INSERT INTO accounts.email_reports (property_id, user_id, kind, token, sent_for)
VALUES (%(property_id)s, %(user_id)s, %(kind)s, %(token)s, %(sent_for)s)
ON CONFLICT (property_id, user_id, kind) DO NOTHING;

-- name: unsubscribe_email_reports
-- The kinds not asked for any more.
DELETE FROM accounts.email_reports
WHERE property_id = %(property_id)s AND user_id = %(user_id)s AND kind <> ALL (%(kinds)s::text[]);

-- name: email_report_by_token
SELECT r.kind, p.name, u.email
FROM accounts.email_reports r JOIN accounts.properties p ON p.id = r.property_id JOIN accounts.users u ON u.id = r.user_id
WHERE r.token = %(token)s;

-- name: unsubscribe_by_token
DELETE FROM accounts.email_reports WHERE token = %(token)s RETURNING kind;

-- name: email_reports
-- Every report that may be due: its reader still on the site's team, their account enabled.
SELECT r.property_id, r.user_id, r.kind, r.token, r.sent_for, p.name, p.time_zone, u.email
FROM accounts.email_reports r
JOIN accounts.site_roles s ON s.property_id = r.property_id AND s.user_id = r.user_id
JOIN accounts.properties p ON p.id = r.property_id
JOIN accounts.users u ON u.id = r.user_id
WHERE u.disabled_at IS NULL
ORDER BY r.property_id, r.kind, r.user_id;

-- name: email_report_sent
UPDATE accounts.email_reports SET sent_for = %(sent_for)s
WHERE property_id = %(property_id)s AND user_id = %(user_id)s AND kind = %(kind)s AND sent_for < %(sent_for)s;

-- name: add_import
INSERT INTO accounts.imports (property_id, source, name, first_at, last_at, events)
VALUES (%(property_id)s, %(source)s, %(name)s, %(first_at)s, %(last_at)s, %(events)s);

-- name: imported_ranges
-- The span of a site's imports that overlap [lo, hi), by source (logs, plausible, goatcounter).
SELECT source, min(first_at), max(last_at) FROM accounts.imports
WHERE property_id = %(property_id)s AND first_at < %(hi)s AND last_at >= %(lo)s
GROUP BY source ORDER BY source;
