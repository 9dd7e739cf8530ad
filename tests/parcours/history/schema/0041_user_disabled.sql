-- An operator can disable an account (`parcours user disable`): it can no longer log in, its
-- sessions end, its API keys stop working and no reset mail is sent; its sites keep collecting.
ALTER TABLE accounts.users ADD COLUMN disabled_at timestamptz;
