-- The analysts' SQL interface: stable views in schema analytics, in each property's local
-- time, for the read-only role (docs/sql.md). Human traffic only, as in every report.
--
-- Which properties an analyst sees: an analyst role listed in metrics.analyst_scopes sees only
-- that owner's properties; parcours_analyst itself, unlisted, sees all. The views enforce it
-- (security_barrier, so no function in a caller's WHERE clause sees rows before the check)
-- rather than policies on the tables: continuous aggregates cannot carry row-level policies,
-- and the views read with their owner's rights.

CREATE TABLE metrics.analyst_scopes (
    role     name PRIMARY KEY,
    owner_id bigint NOT NULL
);
COMMENT ON TABLE metrics.analyst_scopes IS
    'An analyst role listed here sees only the properties of owner_id in the analytics views.';

CREATE VIEW metrics.visible_properties WITH (security_barrier) AS
SELECT p.property_id, p.time_zone
FROM metrics.properties p
WHERE NOT EXISTS (SELECT 1 FROM metrics.analyst_scopes s WHERE s.role = current_user)
   OR p.owner_id IN (SELECT s.owner_id FROM metrics.analyst_scopes s WHERE s.role = current_user);

-- Rollup rows of both kinds, for one pass that groups them into local hours or days.
CREATE VIEW metrics.traffic_15m AS
SELECT property_id, bucket, visitor_id, page_views, NULL::bigint AS sessions, NULL::bigint AS bounces,
       NULL::numeric AS duration_seconds
FROM metrics.visitors_15m WHERE NOT is_bot
UNION ALL
SELECT property_id, bucket, NULL, NULL, sessions, bounces, duration_seconds
FROM metrics.sessions_15m WHERE NOT is_bot;

CREATE VIEW analytics.hourly_traffic WITH (security_barrier) AS
SELECT t.property_id, reports.bucket(t.bucket, p.time_zone, 'hour') AT TIME ZONE p.time_zone AS local_hour,
       reports.bucket(t.bucket, p.time_zone, 'hour') AS starts_at,
       count(DISTINCT t.visitor_id) AS visitors, coalesce(sum(t.sessions), 0)::bigint AS sessions,
       coalesce(sum(t.page_views), 0)::bigint AS page_views, coalesce(sum(t.bounces), 0)::bigint AS bounces,
       coalesce(sum(t.duration_seconds), 0) AS duration_seconds
FROM metrics.traffic_15m t JOIN metrics.visible_properties p USING (property_id)
GROUP BY t.property_id, p.time_zone, reports.bucket(t.bucket, p.time_zone, 'hour');
COMMENT ON VIEW analytics.hourly_traffic IS
    'Per property and local hour: visitors, sessions started, page views, bounces, total session seconds. '
    'A repeated DST hour is two rows with the same local_hour and different starts_at.';

CREATE VIEW analytics.daily_traffic WITH (security_barrier) AS
SELECT t.property_id, (t.bucket AT TIME ZONE p.time_zone)::date AS day,
       count(DISTINCT t.visitor_id) AS visitors, coalesce(sum(t.sessions), 0)::bigint AS sessions,
       coalesce(sum(t.page_views), 0)::bigint AS page_views, coalesce(sum(t.bounces), 0)::bigint AS bounces,
       coalesce(sum(t.duration_seconds), 0) AS duration_seconds
FROM metrics.traffic_15m t JOIN metrics.visible_properties p USING (property_id)
GROUP BY t.property_id, (t.bucket AT TIME ZONE p.time_zone)::date;
COMMENT ON VIEW analytics.daily_traffic IS
    'Per property and local day: visitors, sessions started, page views, bounces, total session seconds.';

CREATE VIEW analytics.pages WITH (security_barrier) AS
SELECT v.property_id, (v.time AT TIME ZONE p.time_zone)::date AS day, v.pathname,
       count(*) AS page_views, count(DISTINCT v.visitor_id) AS visitors,
       round(avg(v.engaged_ms) / 1000.0, 1) AS avg_seconds_on_page,
       round(avg(v.scroll_depth), 1) AS avg_scroll_depth
FROM metrics.page_views v JOIN metrics.visible_properties p USING (property_id)
WHERE NOT v.is_bot
GROUP BY v.property_id, (v.time AT TIME ZONE p.time_zone)::date, v.pathname;
COMMENT ON VIEW analytics.pages IS
    'Per property, local day and path: page views, visitors, average engaged seconds and scroll depth (%).';

CREATE VIEW analytics.sources WITH (security_barrier) AS
SELECT s.property_id, (s.started_at AT TIME ZONE p.time_zone)::date AS day, s.channel, s.source,
       s.referrer_domain, s.utm_source, s.utm_medium, s.utm_campaign,
       count(*) AS sessions, count(DISTINCT s.visitor_id) AS visitors, count(*) FILTER (WHERE s.bounce) AS bounces
FROM metrics.sessions s JOIN metrics.visible_properties p USING (property_id)
WHERE NOT s.is_bot
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
COMMENT ON VIEW analytics.sources IS
    'Per property, local day (of the session start) and source: sessions, visitors, bounces.';

CREATE VIEW analytics.sessions WITH (security_barrier) AS
SELECT s.property_id, s.started_at AT TIME ZONE p.time_zone AS local_start, s.started_at, s.ended_at,
       extract(epoch FROM s.duration)::bigint AS duration_seconds, s.page_views, s.bounce, s.entry_page,
       s.exit_page, s.channel, s.source, s.referrer_domain, s.utm_source, s.utm_medium, s.utm_campaign,
       s.country, s.region, s.city, s.browser, s.os, s.device, s.language, s.visitor_id
FROM metrics.sessions s JOIN metrics.visible_properties p USING (property_id)
WHERE NOT s.is_bot;
COMMENT ON VIEW analytics.sessions IS
    'Human sessions with their local start time; visitor_id is a pseudonymous keyed hash.';

-- Page views per property and 15-minute UTC bucket (10_page_views.sql).
CREATE VIEW analytics.page_views WITH (security_barrier) AS
SELECT r.property_id, r.bucket, r.page_views
FROM metrics.pageviews_15m r JOIN metrics.visible_properties p USING (property_id)
WHERE NOT r.is_bot;
COMMENT ON VIEW analytics.page_views IS
    'Human page views per property in 15-minute UTC buckets; sum buckets for any local hour or day.';

GRANT SELECT ON analytics.page_views, analytics.hourly_traffic, analytics.daily_traffic, analytics.pages,
    analytics.sources, analytics.sessions TO parcours_analyst;
