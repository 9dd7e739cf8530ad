-- Schemas and the account tables every later file builds on.
-- accounts: people, their sessions and their properties (web role writes, collect reads ids)
-- metrics:  raw events and rollups (worker writes, web reads)
-- analytics: stable views for analysts (read-only role)
CREATE EXTENSION IF NOT EXISTS timescaledb;

CREATE SCHEMA accounts;
CREATE SCHEMA metrics;
CREATE SCHEMA analytics;

CREATE FUNCTION accounts.is_time_zone(name text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE pg_timezone_names.name = is_time_zone.name)
$$;

CREATE TABLE accounts.users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    password_hash text NOT NULL,
    is_admin      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON accounts.users (lower(email));

-- The cookie holds a random token; only its SHA-256 is stored, so a database leak
-- does not hand out live sessions.
CREATE TABLE accounts.sessions (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES accounts.users ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_id_idx ON accounts.sessions (user_id);

CREATE TABLE accounts.properties (
    id         text PRIMARY KEY CHECK (id ~ '^[a-z0-9]{6,32}$'),
    owner_id   bigint NOT NULL REFERENCES accounts.users ON DELETE CASCADE,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    domains    text[] NOT NULL DEFAULT '{}',
    time_zone  text NOT NULL DEFAULT 'UTC' CHECK (accounts.is_time_zone(time_zone)),
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX properties_owner_id_idx ON accounts.properties (owner_id);

-- The worker records each spool segment it loaded in the same transaction as its rows:
-- a segment found here after a crash is archived, never loaded twice.
CREATE TABLE parcours.loaded_segments (
    name      text PRIMARY KEY,
    events    integer NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now()
);
