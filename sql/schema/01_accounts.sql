-- People, their sessions and keys, and the properties (sites) they own. The web app writes
-- them; collect reads which properties exist, and the worker their settings.

CREATE FUNCTION accounts.is_time_zone(name text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE pg_timezone_names.name = is_time_zone.name)
$$;

-- default_period: the period a property page opens on when its URL names none.
-- week_start:     weeks start on Monday (ISO) unless the user prefers Sunday; the time series'
--                 week buckets follow it.
-- disabled_at:    set by `parcours user disable`: the account can no longer log in, its sessions
--                 end, its API keys stop working and no reset mail is sent; its sites keep
--                 collecting.
CREATE TABLE accounts.users (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email          text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    password_hash  text NOT NULL,
    is_admin       boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    default_period text NOT NULL DEFAULT '7d'
        CHECK (default_period IN ('today', 'yesterday', '7d', '30d', 'month', 'last_month', 'year')),
    week_start     text NOT NULL DEFAULT 'monday' CHECK (week_start IN ('monday', 'sunday')),
    disabled_at    timestamptz
);
CREATE UNIQUE INDEX users_email_key ON accounts.users (lower(email));

-- The cookie holds a random token; only its SHA-256 is stored, so a database leak does not
-- hand out live sessions.
CREATE TABLE accounts.sessions (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES accounts.users ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_id_idx ON accounts.sessions (user_id);

-- visitor_id_rotation: whether the visitor id may follow a visitor across days. 'never' keeps
--                 one key (the visitor list, timelines and returning visitors work across
--                 days); 'daily' mixes the property's local date into it, so that no identity
--                 survives midnight.
-- ip_handling:    how precisely visitors are located from their address (which is dropped
--                 either way): 'city' (country, region and city), 'country' or 'none'.
-- retention_days: NULL keeps the server's settings; otherwise everything of the property older
--                 than this many days, rollup rows included, is deleted by `parcours db retention`.
CREATE TABLE accounts.properties (
    id                  text PRIMARY KEY CHECK (id ~ '^[a-z0-9]{6,32}$'),
    owner_id            bigint NOT NULL REFERENCES accounts.users ON DELETE CASCADE,
    name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    domains             text[] NOT NULL DEFAULT '{}',
    time_zone           text NOT NULL DEFAULT 'UTC' CHECK (accounts.is_time_zone(time_zone)),
    active              boolean NOT NULL DEFAULT true,
    created_at          timestamptz NOT NULL DEFAULT now(),
    visitor_id_rotation text NOT NULL DEFAULT 'never' CHECK (visitor_id_rotation IN ('never', 'daily')),
    ip_handling         text NOT NULL DEFAULT 'city' CHECK (ip_handling IN ('city', 'country', 'none')),
    retention_days      integer CHECK (retention_days BETWEEN 30 AND 36500)
);
CREATE INDEX properties_owner_id_idx ON accounts.properties (owner_id);

-- Collect keeps the active properties in memory; this tells it at once when they change, rather
-- than after its next periodic reload. The payload is empty: it reloads them all.
CREATE FUNCTION accounts.notify_property_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('parcours_properties', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER properties_changed
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON accounts.properties
FOR EACH STATEMENT EXECUTE FUNCTION accounts.notify_property_change();

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

-- Password-reset links: the mailed token's SHA-256 only, valid for an hour and once.
CREATE TABLE accounts.password_resets (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES accounts.users ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX password_resets_user_id_idx ON accounts.password_resets (user_id);

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

-- collect: only which properties exist, are active, and on which domains.
GRANT SELECT (id, active, domains) ON accounts.properties TO parcours_collect;
GRANT SELECT ON accounts.properties TO parcours_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON accounts.users, accounts.sessions, accounts.properties,
    accounts.api_keys, accounts.password_resets TO parcours_web;
GRANT SELECT, INSERT, DELETE ON accounts.signups TO parcours_web;
