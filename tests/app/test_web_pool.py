"""The dashboard's connection pool (app/main.py)."""

from app.main import web_pool


def test_reports_are_never_prepared(settings, property_id):
    # A prepared report may be given a generic plan, which keeps every filter it does not use.
    pool = web_pool(settings)
    pool.open(wait=True)
    try:
        with pool.connection() as conn:
            for _ in range(8):
                conn.execute("SELECT count(*) FROM metrics.page_views WHERE property_id = %s", (property_id,))
            assert conn.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()[0] == 0
    finally:
        pool.close()
