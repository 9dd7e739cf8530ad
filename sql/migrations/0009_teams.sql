-- Teams (app/accounts/members.py): people other than the owner who may read or run a site.
--
-- A site has exactly one owner, accounts.properties.owner_id, who may do everything, deleting
-- and transferring the site included. Everyone else it is shared with is a member here:
--   admin:  the site's settings, goals and funnels, shared links, notes, and its members other
--           than the owner;
--   viewer: its reports and exports, and the API with their own keys.
-- The owner never has a row here: transferring a site moves the new owner's row out and the old
-- owner's in, in one transaction.
CREATE TABLE accounts.members (
    property_id text NOT NULL REFERENCES accounts.properties ON DELETE CASCADE,
    user_id     bigint NOT NULL REFERENCES accounts.users ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('admin', 'viewer')),
    added_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (property_id, user_id)
);
CREATE INDEX members_user_idx ON accounts.members (user_id);

-- Who may do what on which site: every access check reads this one view. `rank` orders the
-- roles (viewer 1, admin 2, owner 3), so "at least admin" is rank >= 2.
CREATE VIEW accounts.site_roles AS
SELECT id AS property_id, owner_id AS user_id, 'owner'::text AS role, 3 AS rank FROM accounts.properties
UNION ALL
SELECT property_id, user_id, role, CASE role WHEN 'admin' THEN 2 ELSE 1 END FROM accounts.members;

-- An invitation mailed to an address: a random token (256 bits) whose SHA-256 is kept, used
-- once within a week. Accepting deletes it; inviting the same address again replaces it.
CREATE TABLE accounts.invitations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash  bytea NOT NULL UNIQUE,
    property_id text NOT NULL REFERENCES accounts.properties ON DELETE CASCADE,
    email       text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    role        text NOT NULL CHECK (role IN ('admin', 'viewer')),
    invited_by  bigint REFERENCES accounts.users ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX invitations_address_key ON accounts.invitations (property_id, lower(email));

GRANT SELECT, INSERT, UPDATE, DELETE ON accounts.members, accounts.invitations TO parcours_web;
GRANT SELECT ON accounts.site_roles TO parcours_web;
