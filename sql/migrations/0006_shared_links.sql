-- Shared links (app/accounts/sharing.py): read-only views of one site's reports for someone
-- without an account. The token in the URL is the credential: 192 random bits, base64url.
-- password_hash: Argon2id, or NULL for none.
-- panels:        the report panels the link shows (app/accounts/sharing.py PANELS); NULL for all.
--                The summary and chart are always shown; the visitor list and timelines never.
-- embed_origins: the origins allowed to show the link in an <iframe> (CSP frame-ancestors);
--                NULL: no page may frame it, as for every other page.
-- Revoking a link deletes it.
CREATE TABLE accounts.shared_links (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    property_id   text NOT NULL REFERENCES accounts.properties ON DELETE CASCADE,
    token         text NOT NULL UNIQUE CHECK (token ~ '^[A-Za-z0-9_-]{32,}$'),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    password_hash text,
    panels        text[],
    embed_origins text[] CHECK (cardinality(embed_origins) BETWEEN 1 AND 20),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX shared_links_property_idx ON accounts.shared_links (property_id);
GRANT SELECT, INSERT, DELETE ON accounts.shared_links TO parcours_web;
