-- Two-factor sign-in (app/accounts/two_factor.py): a time-based one-time code (TOTP, RFC 6238)
-- after the password, or a single-use recovery code; a browser may be remembered for 30 days.
--
-- totp_secret: the authenticator's shared secret, base32 (160 bits); NULL while 2FA is off.
-- totp_last_step: the time step of the last code accepted. A code of that step or an earlier
--                 one is refused, so an overheard code cannot be used again (RFC 6238, 5.2).
ALTER TABLE accounts.users
    ADD COLUMN totp_secret text CHECK (totp_secret ~ '^[A-Z2-7]{32}$'),
    ADD COLUMN totp_last_step bigint;

-- Ten per user, each shown once; only the SHA-256 is kept (50 random bits each, so a slow hash
-- buys nothing). A used one stays, marked, so the account page can say how many are left.
CREATE TABLE accounts.recovery_codes (
    user_id   bigint NOT NULL REFERENCES accounts.users ON DELETE CASCADE,
    code_hash bytea NOT NULL,
    used_at   timestamptz,
    PRIMARY KEY (user_id, code_hash)
);

-- The step between the password and the code: the password was right, a code is awaited. The
-- browser holds a random token, the database its SHA-256; a challenge lasts ten minutes and
-- takes five codes, after which the password must be given again.
CREATE TABLE accounts.login_challenges (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES accounts.users ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    tries      integer NOT NULL DEFAULT 0
);
CREATE INDEX login_challenges_user_idx ON accounts.login_challenges (user_id);

-- Browsers whose owner ticked "remember this browser": they skip the code for 30 days. Stored
-- as sessions are, so they can be counted and forgotten.
CREATE TABLE accounts.trusted_browsers (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES accounts.users ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX trusted_browsers_user_idx ON accounts.trusted_browsers (user_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON accounts.recovery_codes, accounts.login_challenges,
    accounts.trusted_browsers TO parcours_web;
