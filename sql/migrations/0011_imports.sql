-- Imports (worker/imports.py, `parcours import`): history a site brought from elsewhere. The
-- events themselves are loaded like live ones; this notes what came from where, so the
-- dashboard can say that page views imported from access logs have no engagement, scroll or
-- screen data.
CREATE TABLE accounts.imports (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    property_id text NOT NULL REFERENCES accounts.properties ON DELETE CASCADE,
    source      text NOT NULL CHECK (source IN ('logs')),
    name        text NOT NULL,
    first_at    timestamptz NOT NULL,
    last_at     timestamptz NOT NULL CHECK (last_at >= first_at),
    events      bigint NOT NULL CHECK (events > 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX imports_property_idx ON accounts.imports (property_id, first_at);
GRANT SELECT ON accounts.imports TO parcours_web;
