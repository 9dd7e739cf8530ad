-- Every accepted event, one row each, stamped with the server's UTC receive time.
-- Enrichment columns are filled by the worker; the raw IP address is never stored.
CREATE TABLE metrics.events (
    time            timestamptz NOT NULL,
    property_id     text NOT NULL,
    name            text NOT NULL,          -- page_view, ping, scroll, page_exit or a custom name
    visitor_id      bigint NOT NULL,        -- keyed hash of property, IP and user agent
    hostname        text NOT NULL DEFAULT '',
    pathname        text NOT NULL DEFAULT '',
    title           text,
    referrer        text,
    referrer_domain text,
    language        text,
    screen_width    integer,
    browser         text,
    os              text,
    device          text,
    is_bot          boolean NOT NULL DEFAULT false,
    engaged_ms      integer,
    scroll_depth    smallint CHECK (scroll_depth BETWEEN 0 AND 100),
    props           jsonb
);
SELECT create_hypertable('metrics.events', by_range('time', INTERVAL '1 day'));
CREATE INDEX events_property_time_idx ON metrics.events (property_id, time DESC);
