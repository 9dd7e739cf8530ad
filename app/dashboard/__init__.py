"""What a site owner reads: server-rendered pages and their htmx fragments."""
