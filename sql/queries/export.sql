-- `parcours export`: a property's raw events or sessions in a range, oldest first. Ids as the
-- API gives them (16 hex digits: JSON numbers lose precision past 2**53); times in UTC.

-- name: events
SELECT time, name, lpad(to_hex(visitor_id), 16, '0') AS visitor_id, lpad(to_hex(session_id), 16, '0') AS session_id,
       hostname, pathname, title, referrer, referrer_domain, source, channel,
       utm_source, utm_medium, utm_campaign, utm_term, utm_content,
       country, region, city, browser, browser_version, os, os_version, device, language, screen_width,
       engaged_ms, scroll_depth, page_type, author, categories, tags, props, is_bot
FROM metrics.events
WHERE property_id = %(property_id)s AND time >= %(lo)s AND time < %(hi)s
ORDER BY time, session_id;

-- name: sessions
SELECT started_at, ended_at, extract(epoch FROM duration)::integer AS duration_seconds,
       lpad(to_hex(visitor_id), 16, '0') AS visitor_id, lpad(to_hex(session_id), 16, '0') AS session_id,
       events, page_views, bounce, entry_page, exit_page, referrer_domain, source, channel,
       utm_source, utm_medium, utm_campaign, utm_term, utm_content,
       country, region, city, browser, browser_version, os, os_version, device, language, is_bot
FROM metrics.sessions
WHERE property_id = %(property_id)s AND started_at >= %(lo)s AND started_at < %(hi)s
ORDER BY started_at, session_id;
