-- What the worker does for each page view it stores, done here at once for the traffic this
-- bench COPYs straight into the tables.

-- name: link_page_views
-- Links every page view to the same visitor's previous one (metrics.page_views.previous_at,
-- sql/schema/02_metrics.sql) and records each visitor's latest view (worker/chains.py).
UPDATE metrics.page_views v SET previous_at = linked.previous_at
FROM (SELECT page_view_id, time,
             lag(time) OVER (PARTITION BY property_id, visitor_id ORDER BY time, page_view_id) AS previous_at
      FROM metrics.page_views) AS linked
WHERE v.page_view_id = linked.page_view_id AND v.time = linked.time
  AND v.previous_at IS DISTINCT FROM linked.previous_at;
INSERT INTO metrics.visitor_last_seen (property_id, visitor_id, seen_at)
SELECT property_id, visitor_id, max(time) FROM metrics.page_views GROUP BY property_id, visitor_id
ON CONFLICT (property_id, visitor_id) DO UPDATE SET seen_at = excluded.seen_at;

-- name: record_tag_members
-- Records the members of every tag set stored, as the worker records each new set.
SELECT metrics.add_tag_sets(coalesce(jsonb_agg(jsonb_build_array(property_id, tags)), '[]'))
FROM (SELECT DISTINCT property_id, tags FROM metrics.page_views WHERE tags IS NOT NULL) AS s;
