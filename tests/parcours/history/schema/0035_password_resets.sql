-- Password-reset links: the mailed token's SHA-256 only, valid for an hour and once.
CREATE TABLE accounts.password_resets (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES accounts.users ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX password_resets_user_id_idx ON accounts.password_resets (user_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON accounts.password_resets TO parcours_web;
