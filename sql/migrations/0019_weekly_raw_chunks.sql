-- Raw events in week chunks, as page views have been since their own day chunks made a year of
-- reports plan over 365 of them. A year of custom events by name, compressed on Community at
-- the benchmark's 10 million events: 88 ms of its 180 ms went to planning over 365 day chunks,
-- 5 ms over 52 week chunks (docs/benchmarks.md). Chunks made before keep their day; retention
-- drops them as before. Raw retention drops whole chunks, so a week chunk's events are kept
-- until its last day has expired: up to six days past raw_retention_days (docs/architecture.md).
SELECT set_chunk_time_interval('metrics.events', INTERVAL '7 days');
