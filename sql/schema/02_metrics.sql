-- The raw tables: every accepted event, and the sessions and page views the worker derives from
-- them before they are inserted. Events are written once and never updated (an UPDATE would make
-- TimescaleDB re-invalidate every continuous aggregate over them); sessions and page views are
-- the worker's running state, rewritten as later events of the same visit arrive. Reports read
-- rollups of sessions and page views (the files that follow), never events.

-- Every accepted event, one row each, stamped with the server's UTC receive time. Enrichment
-- columns are filled by the worker; the raw IP address is never stored.
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
    props           jsonb,
    session_id      bigint,
    page_view_id    bigint,                 -- the page view a ping/scroll/page_exit belongs to
    browser_version text,                   -- major version
    os_version      text,                   -- major[.minor]
    country         text,                   -- ISO 3166-1 alpha-2, NULL when unknown
    region          text,
    city            text,
    source          text,                   -- named referrer source: Google, Hacker News...
    channel         text,                   -- direct, organic_search, social, email, referral, campaign
    utm_source      text,
    utm_medium      text,
    utm_campaign    text,
    utm_term        text,
    utm_content     text,
    page_type       text,                   -- WordPress metadata, when the page sends it
    author          text,
    categories      text[],
    tags            text[]
);
COMMENT ON COLUMN metrics.events.device IS 'desktop, mobile, tablet, bot or other';
SELECT create_hypertable('metrics.events', by_range('time', INTERVAL '1 day'));
CREATE INDEX events_property_time_idx ON metrics.events (property_id, time DESC);

-- One row per session: a visitor's events with no gap over 30 minutes. A session counts in the
-- range that holds its first event (started_at), and lasts under two days (docs/definitions.md).
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

-- One row per page view with the engagement its later events reported (the greatest scroll
-- depth and engaged time) and its page's WordPress metadata, so that content reports read page
-- views alone.
--
-- previous_at links each view to the same visitor's view just before it, ordered by (time,
-- page_view_id), NULL when there is none: the visitors of a range are its views whose previous
-- view is older than the range, so distinct visitors add up from counts (12_visitors.sql). The
-- chain ignores is_bot: bot detection reads the user agent, which is part of the visitor id, so
-- a visitor is a bot on all views or none.
--
-- A week's chunk, as for sessions, holds a few million views at most; day chunks made a year of
-- reports plan over 365 of them.
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
    is_bot          boolean NOT NULL,
    author          text,
    categories      text[],
    tags            text[],
    previous_at     timestamptz
);
SELECT create_hypertable('metrics.page_views', by_range('time', INTERVAL '7 days'));
CREATE INDEX page_views_property_time_idx ON metrics.page_views (property_id, time DESC);
CREATE INDEX page_views_session_idx ON metrics.page_views (session_id);
CREATE INDEX page_views_visitor_idx ON metrics.page_views (property_id, visitor_id, time DESC);

-- The time of each visitor's latest page view: the worker links a new view to it with one
-- lookup, instead of searching the visitor's history chunk by chunk.
CREATE TABLE metrics.visitor_last_seen (
    property_id text NOT NULL,
    visitor_id  bigint NOT NULL,
    seen_at     timestamptz NOT NULL,
    PRIMARY KEY (property_id, visitor_id)
);

-- The tags of each tag set in use, one row per element, so that a rollup can count a page view
-- once per tag (21_tags.sql): an aggregate cannot unnest an array, but it can join a table. A
-- post's tags are usually its own set, so a rollup by set holds a row per page; by tag it holds
-- a few dozen rows per bucket. Rows are only ever added (the worker adds a batch's new sets
-- before its page views), so the rollups never miss one. `n` keeps repeated and NULL elements,
-- which the raw reports count as unnest does.
CREATE TABLE metrics.tag_members (
    property_id text NOT NULL,
    tags text[] NOT NULL,
    n integer NOT NULL,
    tag text,
    PRIMARY KEY (property_id, tags, n)
);

-- The one definition of a tag set's members: `sets` is a JSON array of [property, [tag, ...]]
-- pairs. Elements keep their position, so repeated and NULL tags count as unnest counts them.
CREATE FUNCTION metrics.add_tag_sets(sets jsonb) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO metrics.tag_members (property_id, tags, n, tag)
    SELECT s.property_id, s.tags, t.n, t.tag
    FROM (SELECT x ->> 0, ARRAY(SELECT jsonb_array_elements_text(x -> 1)) FROM jsonb_array_elements(sets) AS x)
             AS s (property_id, tags),
         unnest(s.tags) WITH ORDINALITY AS t (tag, n)
    ON CONFLICT DO NOTHING
$$;

-- The property settings reports need, mirrored by the worker from accounts.properties so that
-- metrics and the analysts' views never read the accounts schema; a changed zone applies to
-- every report at once, because buckets are UTC and the zone is applied when reading.
CREATE TABLE metrics.properties (
    property_id  text PRIMARY KEY,
    time_zone    text NOT NULL,
    owner_id     bigint
);

-- A property's rows older than `before`, or all of them when it is NULL, in every table that
-- holds its data: raw events, sessions, page views, last-seen times, and each rollup (a table on
-- the Apache-2 edition; a continuous aggregate's materialization hypertable, whose columns are
-- named as the aggregate's, on Community). A deletion takes its tag sets too; retention keeps
-- them, since they have no time. Returns the rows deleted.
CREATE FUNCTION metrics.delete_property_rows(p_property text, p_before timestamptz) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    target record;
    deleted bigint;
    total bigint := 0;
BEGIN
    FOR target IN
        SELECT * FROM (VALUES ('metrics.events'::regclass, 'time'), ('metrics.sessions'::regclass, 'started_at'),
                              ('metrics.page_views'::regclass, 'time'),
                              ('metrics.visitor_last_seen'::regclass, 'seen_at')) AS raw (name, time_column)
        UNION ALL
        SELECT name::regclass, 'bucket' FROM parcours.rollups
        UNION ALL
        SELECT format('%I.%I', materialization_hypertable_schema, materialization_hypertable_name)::regclass, 'bucket'
        FROM timescaledb_information.continuous_aggregates WHERE view_schema = 'metrics'
    LOOP
        EXECUTE format('DELETE FROM %s WHERE property_id = $1 AND ($2 IS NULL OR %I < $2)', target.name, target.time_column)
            USING p_property, p_before;
        GET DIAGNOSTICS deleted = ROW_COUNT;
        total := total + deleted;
    END LOOP;
    IF p_before IS NULL THEN
        DELETE FROM metrics.tag_members WHERE property_id = p_property;
    END IF;
    RETURN total;
END
$$;
REVOKE ALL ON FUNCTION metrics.delete_property_rows(text, timestamptz) FROM PUBLIC;

-- Deleting a property deletes its data. The web role may not delete metrics rows itself; this
-- function, run with its owner's rights, does exactly that, and only for a property that no
-- longer exists in accounts.
CREATE FUNCTION metrics.purge_property(p_property text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM accounts.properties WHERE id = p_property) THEN
        RAISE EXCEPTION 'property % still exists: delete it from accounts first', p_property;
    END IF;
    PERFORM metrics.delete_property_rows(p_property, NULL);
    DELETE FROM metrics.properties WHERE property_id = p_property;
END
$$;
REVOKE ALL ON FUNCTION metrics.purge_property(text) FROM PUBLIC;

GRANT SELECT, INSERT ON metrics.events TO parcours_worker;
GRANT SELECT, INSERT, DELETE ON metrics.sessions, metrics.page_views TO parcours_worker;
GRANT UPDATE (previous_at) ON metrics.page_views TO parcours_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON metrics.properties, metrics.visitor_last_seen TO parcours_worker;
GRANT SELECT, INSERT ON metrics.tag_members TO parcours_worker;
GRANT EXECUTE ON FUNCTION metrics.add_tag_sets(jsonb) TO parcours_worker;

GRANT SELECT ON metrics.events, metrics.sessions, metrics.page_views, metrics.properties TO parcours_web;
GRANT EXECUTE ON FUNCTION metrics.purge_property(text) TO parcours_web;
