-- Account care (app/accounts/account.py, app/accounts/email_change.py): a user's sessions are
-- listed, with the browser that made each, and ended one by one; a new email address takes
-- effect only from a link mailed to it.
ALTER TABLE accounts.sessions
    ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    ADD COLUMN user_agent text CHECK (length(user_agent) <= 300);

-- A change waits here until the link mailed to the new address is used (once, within a day).
CREATE TABLE accounts.email_changes (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES accounts.users ON DELETE CASCADE,
    new_email  text NOT NULL CHECK (new_email ~ '^[^@\s]+@[^@\s]+$'),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX email_changes_user_idx ON accounts.email_changes (user_id);
GRANT SELECT, INSERT, UPDATE, DELETE ON accounts.email_changes TO parcours_web;
