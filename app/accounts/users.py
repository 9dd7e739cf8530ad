"""Creating users and checking their passwords."""

from __future__ import annotations

import contextlib
import functools

import psycopg

from app.accounts import passwords
from parcours import queries
from parcours.errors import ParcoursError


def add(conn: psycopg.Connection, email: str, password: str) -> int:
    """A new user; the very first one becomes the admin."""
    return add_hashed(conn, email, new_hash(password))


def add_hashed(conn: psycopg.Connection, email: str, password_hash: str) -> int:
    with address_errors(email):
        return conn.execute(queries.load("accounts")["add_user"],
                            {"email": email, "password_hash": password_hash}).fetchone()[0]


def set_email(conn: psycopg.Connection, user_id: int, email: str) -> None:
    with address_errors(email):
        conn.execute(queries.load("accounts")["set_email"], {"id": user_id, "email": email})


@contextlib.contextmanager
def address_errors(email: str):
    """The database's constraints on addresses, as messages a person can act on."""
    try:
        yield
    except psycopg.errors.UniqueViolation:
        raise ParcoursError(f"a user with email {email} already exists") from None
    except psycopg.errors.CheckViolation:
        raise ParcoursError(f"{email!r} is not an email address") from None


def new_hash(password: str) -> str:
    """The hash to store for a new password; ParcoursError says why a password is refused."""
    try:
        return passwords.hash_password(password)
    except ValueError as error:
        raise ParcoursError(str(error)) from None


def change_password(conn: psycopg.Connection, user_id: int, password_hash: str, keep: bytes | None = None) -> None:
    """Store a new password, ending every session but `keep` and voiding open reset links."""
    conn.execute(queries.load("accounts")["change_password"],
                 {"user_id": user_id, "password_hash": password_hash, "keep": keep})


def set_password(conn: psycopg.Connection, email: str, password: str) -> None:
    """The operator's reset: a new password, and the user logged out everywhere."""
    change_password(conn, id_for(conn, email), new_hash(password))


def id_for(conn: psycopg.Connection, email: str) -> int:
    row = conn.execute(queries.load("accounts")["user_by_email"], {"email": email}).fetchone()
    if row is None:
        raise ParcoursError(f"no user with email {email}; add one with: parcours user add {email}")
    return row[0]


def authenticate(conn: psycopg.Connection, email: str, password: str) -> int | None:
    """The user's id if the password is right and the account not disabled; else None."""
    row = conn.execute(queries.load("accounts")["user_by_email"], {"email": email}).fetchone()
    if row is None:
        passwords.verify(_dummy_hash(), password)  # same cost whether or not the user exists
        return None
    return row[0] if passwords.verify(row[1], password) and not row[2] else None


@functools.cache
def _dummy_hash() -> str:
    return passwords.hash_password("parcours-timing-equaliser")


def set_disabled(conn: psycopg.Connection, email: str, disabled: bool) -> None:
    conn.execute(queries.load("accounts")["set_disabled"], {"id": id_for(conn, email), "disabled": disabled})


def listed(conn: psycopg.Connection) -> list[dict]:
    cursor = conn.execute(queries.load("accounts")["list_users"])
    return [dict(zip([c.name for c in cursor.description], row, strict=True)) for row in cursor]
