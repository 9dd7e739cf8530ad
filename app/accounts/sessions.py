"""Server-side login sessions. The cookie carries a random token; the database keeps only its
SHA-256, so sessions can be listed and revoked and a leaked table opens nothing."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import psycopg

from parcours import queries

COOKIE = "parcours_session"
LIFETIME = timedelta(days=14)


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def start(conn: psycopg.Connection, user_id: int, user_agent: str | None = None) -> str:
    """A new session's token; `user_agent` names the browser in the account's session list."""
    token = secrets.token_urlsafe(32)
    conn.execute(queries.load("accounts")["start_session"],
                 {"token_hash": digest(token), "user_id": user_id, "lifetime": LIFETIME, "user_agent": user_agent})
    return token


def listed(conn: psycopg.Connection, user_id: int, current: str | None) -> list[dict]:
    rows = conn.execute(queries.load("accounts")["list_sessions"], {"user_id": user_id, "current": digest(current or "")})
    return [dict(zip(("id", "created_at", "user_agent", "current"), row, strict=True)) for row in rows]


def end_by_id(conn: psycopg.Connection, user_id: int, session_id: int) -> bool:
    return conn.execute(queries.load("accounts")["end_session_by_id"],
                        {"id": session_id, "user_id": user_id}).fetchone() is not None


def set_cookie(response, token: str, secure: bool) -> None:
    """HttpOnly and SameSite=Lax always; Secure behind HTTPS (Web.secure_cookies)."""
    response.set_cookie(COOKIE, token, max_age=int(LIFETIME.total_seconds()), httponly=True, secure=secure,
                        samesite="lax")


def user_for(conn: psycopg.Connection, token: str | None) -> dict | None:
    if not token:
        return None
    row = conn.execute(queries.load("accounts")["session_user"], {"token_hash": digest(token)}).fetchone()
    return dict(zip(("id", "email", "default_period", "week_start"), row, strict=True)) if row else None


def end(conn: psycopg.Connection, token: str | None) -> None:
    if token:
        conn.execute(queries.load("accounts")["end_session"], {"token_hash": digest(token)})
