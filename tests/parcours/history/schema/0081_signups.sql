-- Sign-ups waiting for their address to be confirmed: the mailed token's SHA-256, the address
-- and the already-hashed password. Only a confirmed link creates the account, so the sign-up
-- form answers the same whether or not an address is taken.
CREATE TABLE accounts.signups (
    token_hash    bytea PRIMARY KEY,
    email         text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    password_hash text NOT NULL,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX signups_expires_at_idx ON accounts.signups (expires_at);

GRANT SELECT, INSERT, DELETE ON accounts.signups TO parcours_web;
