"""API keys for the JSON stats API. A key is shown once, when created; the database keeps its
SHA-256 like a session token's (32 random bytes need no slow hash) and a short prefix the owner can recognise it by."""

from __future__ import annotations

import secrets

import psycopg

from app.accounts import sessions
from parcours import queries
from parcours.errors import ParcoursError

PREFIX = "pk_"


def create(conn: psycopg.Connection, user_id: int, name: str) -> str:
    if not 1 <= len(name) <= 100:
        raise ParcoursError("an API key's name is 1 to 100 characters")
    key = PREFIX + secrets.token_urlsafe(32)
    conn.execute(queries.load("accounts")["add_api_key"],
                 {"user_id": user_id, "name": name, "prefix": key[:8], "key_hash": sessions.digest(key)})
    return key


def user_for(conn: psycopg.Connection, key: str) -> dict | None:
    """The owner of a live (not revoked) key, or None."""
    if not key.startswith(PREFIX):
        return None
    row = conn.execute(queries.load("accounts")["api_key_user"], {"key_hash": sessions.digest(key)}).fetchone()
    return dict(zip(("id", "email", "default_period", "week_start"), row, strict=True)) if row else None


def listed(conn: psycopg.Connection, user_id: int) -> list[tuple]:
    return conn.execute(queries.load("accounts")["list_api_keys"], {"user_id": user_id}).fetchall()


def revoke(conn: psycopg.Connection, user_id: int, key_id: int) -> None:
    if conn.execute(queries.load("accounts")["revoke_api_key"], {"id": key_id, "user_id": user_id}).fetchone() is None:
        raise ParcoursError(f"no live API key {key_id} belongs to this user")
