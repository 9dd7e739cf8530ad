-- Enrichment, sessions and page views: what the worker derives before rows are inserted.
-- Events are written once and never updated (an UPDATE would make TimescaleDB re-invalidate
-- every continuous aggregate over them); sessions and page views are the worker's running
-- state, rewritten as later events of the same visit arrive.

ALTER TABLE metrics.events
    ADD COLUMN session_id      bigint,
    ADD COLUMN page_view_id    bigint,           -- the page view a ping/scroll/page_exit belongs to
    ADD COLUMN browser_version text,             -- major version
    ADD COLUMN os_version      text,             -- major[.minor]
    ADD COLUMN country         text,             -- ISO 3166-1 alpha-2, NULL when unknown
    ADD COLUMN region          text,
    ADD COLUMN city            text,
    ADD COLUMN source          text,             -- named referrer source: Google, Hacker News...
    ADD COLUMN channel         text,             -- direct, organic_search, social, email, referral, campaign
    ADD COLUMN utm_source      text,
    ADD COLUMN utm_medium      text,
    ADD COLUMN utm_campaign    text,
    ADD COLUMN utm_term        text,
    ADD COLUMN utm_content     text,
    ADD COLUMN page_type       text,             -- WordPress metadata, when the page sends it
    ADD COLUMN author          text,
    ADD COLUMN categories      text[],
    ADD COLUMN tags            text[];
COMMENT ON COLUMN metrics.events.device IS 'desktop, mobile, tablet, bot or other';

-- One row per session: a visitor's events with no gap over 30 minutes. A session counts in
-- the range that holds its first event (started_at).
CREATE TABLE metrics.sessions (
    started_at      timestamptz NOT NULL,
    property_id     text NOT NULL,
    session_id      bigint NOT NULL,
    visitor_id      bigint NOT NULL,
    ended_at        timestamptz NOT NULL,
    duration        interval GENERATED ALWAYS AS (ended_at - started_at) STORED,
    events          integer NOT NULL,
    page_views      integer NOT NULL,
    bounce          boolean GENERATED ALWAYS AS (page_views = 1) STORED,
    entry_page      text,
    entry_at        timestamptz,                 -- time of the first page view (entry_page's)
    exit_page       text,
    exit_at         timestamptz,                 -- time of the last page view (exit_page's)
    entry_page_type text,
    referrer_domain text,
    source          text,
    channel         text NOT NULL,
    utm_source      text,
    utm_medium      text,
    utm_campaign    text,
    utm_term        text,
    utm_content     text,
    country         text,
    region          text,
    city            text,
    browser         text,
    browser_version text,
    os              text,
    os_version      text,
    device          text,
    language        text,
    is_bot          boolean NOT NULL,
    CHECK (ended_at >= started_at)
);
SELECT create_hypertable('metrics.sessions', by_range('started_at', INTERVAL '7 days'));
CREATE INDEX sessions_property_started_idx ON metrics.sessions (property_id, started_at DESC);
CREATE INDEX sessions_visitor_idx ON metrics.sessions (property_id, visitor_id, ended_at DESC);
CREATE INDEX sessions_id_idx ON metrics.sessions (session_id);

-- One row per page view with the engagement its later events reported: the greatest scroll
-- depth and engaged time.
CREATE TABLE metrics.page_views (
    time            timestamptz NOT NULL,
    property_id     text NOT NULL,
    page_view_id    bigint NOT NULL,
    session_id      bigint NOT NULL,
    visitor_id      bigint NOT NULL,
    pathname        text NOT NULL,
    page_type       text,
    scroll_depth    smallint NOT NULL DEFAULT 0 CHECK (scroll_depth BETWEEN 0 AND 100),
    engaged_ms      integer,
    is_bot          boolean NOT NULL
);
SELECT create_hypertable('metrics.page_views', by_range('time', INTERVAL '1 day'));
CREATE INDEX page_views_property_time_idx ON metrics.page_views (property_id, time DESC);
CREATE INDEX page_views_session_idx ON metrics.page_views (session_id);

-- Progress within a segment: a crash resumes after the last committed batch.
ALTER TABLE parcours.loaded_segments
    ADD COLUMN lines    integer NOT NULL DEFAULT 0,    -- lines consumed so far
    ADD COLUMN complete boolean NOT NULL DEFAULT true;

-- The property settings reports need, mirrored by the worker from accounts.properties so that
-- metrics and the analysts' views never read the accounts schema; a changed zone applies to
-- every report at once, because buckets are UTC and the zone is applied when reading.
CREATE TABLE metrics.properties (
    property_id  text PRIMARY KEY,
    time_zone    text NOT NULL
);

GRANT SELECT, INSERT, DELETE ON metrics.sessions, metrics.page_views TO parcours_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON metrics.properties TO parcours_worker;
GRANT UPDATE ON parcours.loaded_segments TO parcours_worker;
GRANT SELECT ON metrics.sessions, metrics.page_views, metrics.properties TO parcours_web;
