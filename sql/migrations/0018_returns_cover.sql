-- A year's summary reads the returns between whole days (reports.returns_within,
-- sql/schema/12_visitors.sql) through an index that holds their counts: an index-only scan of the
-- site's rows, on both engines, as returns_15m_near_cover_idx serves the hourly and daily charts.
-- On Community the continuous aggregate's own indexes (by bucket, by is_bot, by previous) led the
-- planner to read every site's rows of the range: 21 ms of the 12-month summary's 24 ms at the
-- benchmark's 10 million events, 8 ms with this index (docs/benchmarks.md).
CREATE INDEX returns_1d_cover_idx ON metrics.returns_1d (property_id, bucket) INCLUDE (previous, returns, is_bot);
