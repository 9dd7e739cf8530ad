-- Error pages of sites without the WordPress plugin: a property may name the title or path its
-- 404 page has (`*` for any characters; a pattern that starts with / is a path). The worker
-- marks the matching page views page_type 404, as the plugin does (docs/definitions.md).
ALTER TABLE accounts.properties ADD COLUMN not_found text CHECK (length(not_found) BETWEEN 1 AND 200);
