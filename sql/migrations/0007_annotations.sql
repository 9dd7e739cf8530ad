-- Annotations: dated notes on a site (a deploy, a campaign), shown on its chart at their date in
-- the site's zone and listed by the API (app/accounts/annotations.py). A date, not an instant:
-- "we launched on the 3rd" is a local day.
CREATE TABLE accounts.annotations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    property_id text NOT NULL REFERENCES accounts.properties ON DELETE CASCADE,
    day         date NOT NULL,
    note        text NOT NULL CHECK (length(note) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX annotations_property_day_idx ON accounts.annotations (property_id, day);
GRANT SELECT, INSERT, DELETE ON accounts.annotations TO parcours_web;
