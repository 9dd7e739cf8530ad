"""The collect path: validate, sanitize, stage durably, answer. It never waits on the worker,
on reports or (per request) on the database, and never imports the dashboard."""
