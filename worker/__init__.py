"""The worker: turns sealed spool segments into rows of metrics.events, exactly once.
It does only what SQL cannot (parsing, enrichment, hashing) and never imports the web app."""
