-- Two-factor secrets are stored sealed (AES-256-GCM under a key derived from PARCOURS_SECRET_KEY,
-- app/accounts/two_factor.py): "v1." and the nonce and ciphertext in URL-safe base64. A secret
-- stored plain before is sealed the next time its user signs in, so both forms are allowed.
ALTER TABLE accounts.users DROP CONSTRAINT users_totp_secret_check;
ALTER TABLE accounts.users ADD CONSTRAINT users_totp_secret_check
    CHECK (totp_secret ~ '^([A-Z2-7]{32}|v1\.[A-Za-z0-9_-]+=*)$');
