-- A page view carries its page's WordPress metadata, so that content reports (author,
-- category, tag) read page views alone, with their engagement, rather than raw events.
ALTER TABLE metrics.page_views
    ADD COLUMN author     text,
    ADD COLUMN categories text[],
    ADD COLUMN tags       text[];
