-- The analysts' views of days imported from Plausible (docs/sql.md): the daily totals, the
-- sessions by dimension and the page views by page, as `parcours import plausible` stored them.
-- They are kept apart from the sites' own traffic, as the tables are: an imported day has no
-- visitor ids, so its visitors cannot be counted distinct with another day's. Every row is
-- human traffic (Plausible counts no bots).
CREATE VIEW analytics.imported_days WITH (security_barrier) AS
SELECT d.property_id, d.day, d.import_id, d.visitors, d.sessions, d.page_views, d.bounces, d.duration_seconds
FROM metrics.imported_days d JOIN metrics.visible_properties p USING (property_id);
COMMENT ON VIEW analytics.imported_days IS
    'Per property and local day imported from Plausible: visitors, sessions, page views, bounces, total session seconds.';

CREATE VIEW analytics.imported_sessions WITH (security_barrier) AS
SELECT s.property_id, s.day, s.import_id, s.dimension, s.value, s.sessions, s.bounces, s.session_page_views,
       s.duration_seconds
FROM metrics.imported_sessions s JOIN metrics.visible_properties p USING (property_id);
COMMENT ON VIEW analytics.imported_sessions IS
    'Per property, imported day, dimension (channel, source, referrer, utm_*, country, browser, os, device, '
    'entry_page, exit_page) and value: sessions, bounces, their page views and seconds.';

CREATE VIEW analytics.imported_pages WITH (security_barrier) AS
SELECT i.property_id, i.day, i.import_id, i.page AS pathname, i.page_views
FROM metrics.imported_pages i JOIN metrics.visible_properties p USING (property_id);
COMMENT ON VIEW analytics.imported_pages IS 'Per property, imported day and path: page views.';

GRANT SELECT ON analytics.imported_days, analytics.imported_sessions, analytics.imported_pages TO parcours_analyst;
