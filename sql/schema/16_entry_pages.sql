-- Sessions by the page they began on, by the UTC bucket of their start. Counts and sums only,
-- so any range adds up exactly (03_spans.sql).

-- parcours: rollup metrics.entry_pages_15m index (property_id, bucket)
SELECT
    property_id,
    time_bucket(INTERVAL '15 minutes', started_at) AS bucket,
    is_bot,
    entry_page,
    count(*) AS sessions,
    sum(bounce::int) AS bounces,
    sum(page_views) AS session_page_views,
    sum(extract(epoch FROM ended_at - started_at)) AS duration_seconds
FROM metrics.sessions
GROUP BY property_id, time_bucket(INTERVAL '15 minutes', started_at), is_bot, entry_page;

-- Wider levels, each the level below summed (parcours/rollups.py, summing): by UTC day for
-- the inside of long ranges, by 7-day blocks from a Monday (UTC) for the inside of longer ones.
-- parcours: rollup metrics.entry_pages_1d index (property_id, bucket) sums metrics.entry_pages_15m by 1 day
-- parcours: rollup metrics.entry_pages_7d index (property_id, bucket) sums metrics.entry_pages_1d by 7 days

CALL pg_temp.create_span_function('entry_pages');

-- For the top-N pruning of the entry page report (reports.leading_values, 30_reports.sql): the
-- rows of one page, the rows with the most sessions, and the largest rows of a week.
CREATE INDEX entry_pages_7d_sessions_idx ON metrics.entry_pages_7d (property_id, sessions);
CREATE INDEX entry_pages_1d_sessions_idx ON metrics.entry_pages_1d (property_id, sessions);
CREATE INDEX entry_pages_7d_page_idx ON metrics.entry_pages_7d (property_id, entry_page, bucket);
CREATE INDEX entry_pages_1d_page_idx ON metrics.entry_pages_1d (property_id, entry_page, bucket);
CREATE INDEX entry_pages_15m_page_idx ON metrics.entry_pages_15m (property_id, entry_page, bucket);
CREATE INDEX entry_pages_7d_bucket_sessions_idx ON metrics.entry_pages_7d (property_id, bucket, sessions);
