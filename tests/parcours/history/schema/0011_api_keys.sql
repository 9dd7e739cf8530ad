-- API keys for the JSON stats API, created per user with `parcours apikey create`. The key is
-- shown once; only its SHA-256 is stored (a key is 32 random bytes: no salt or slow hash is
-- needed against guessing), with a short prefix so the owner can tell keys apart.
CREATE TABLE accounts.api_keys (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES accounts.users ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    prefix       text NOT NULL,
    key_hash     bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_keys_user_id_idx ON accounts.api_keys (user_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON accounts.api_keys TO parcours_web;
