-- Reports read weeks to months of many small chunks: the planner's JIT compiles such plans in
-- seconds, longer than they run (measured in bench/reports), so the reading roles go without.
DO $$
BEGIN
    EXECUTE format('ALTER ROLE parcours_web IN DATABASE %I SET jit = off', current_database());
    EXECUTE format('ALTER ROLE parcours_analyst IN DATABASE %I SET jit = off', current_database());
END
$$;

-- Page views came in one-day chunks: a year of reports planned over 365 of them. A week's
-- chunk, as for sessions, holds a few million views at most.
SELECT set_chunk_time_interval('metrics.page_views', INTERVAL '7 days');
