"""The web process: the collect endpoint, accounts and the dashboard, in one FastAPI app."""
