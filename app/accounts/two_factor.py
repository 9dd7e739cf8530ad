"""Two-factor sign-in: after the password, a six-digit code from an authenticator app (TOTP,
RFC 6238: SHA-1, 30-second steps, as every authenticator app reads a QR code) or one of ten
single-use recovery codes.

- A code is accepted once. The step of the last accepted code is kept and claimed in one
  statement, so an overheard code, or two requests racing with the same one, cannot pass twice.
- One step of clock drift either way is accepted: phones' clocks drift.
- The wait between the password and the code is a challenge stored server-side (a random token
  in a cookie, its SHA-256 in the database): a code alone never logs in, and a challenge dies
  after ten minutes or five codes.
- "Remember this browser" is a random token, stored as sessions are: revocable, forgotten when
  2FA is turned off or reset, or the password changes.
- The authenticator secret is stored sealed (AES-256-GCM under a key derived from
  PARCOURS_SECRET_KEY, bound to its user), so a copy of the database or a backup does not hand out
  everyone's codes. A secret stored plain, before sealing, is sealed the next time it is read.
  A new PARCOURS_SECRET_KEY leaves sealed secrets unreadable: codes from the app then fail, and the
  recovery codes (hashes, no key) still sign in.
- Time comes from Settings.now(), the one clock tests set.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

import psycopg
import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from parcours import queries

STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODES = 10
CHALLENGE_LIFETIME = timedelta(minutes=10)
CHALLENGE_TRIES = 5
CHALLENGE_COOKIE = "parcours_challenge"
TRUSTED_COOKIE = "parcours_trusted"
TRUSTED_LIFETIME = timedelta(days=30)
SEALED = "v1."  # the stored form's prefix; a secret without it was stored plain

log = logging.getLogger(__name__)


def _q():
    return queries.load("accounts")


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def new_secret() -> str:
    return pyotp.random_base32(32)


def setup_uri(secret: str, email: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="Parcours")


def qr_svg(uri: str) -> str:
    """The QR code of `uri`, as inline SVG drawn on the server (no script, no outside service)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2, omitsize=True,
                                                 title="QR code for your authenticator app")


def sign_secret(key: bytes, user_id: int, secret: str) -> str:
    """Binds a proposed secret to the user while they set up their app: the setup form carries
    it, and a tampered or borrowed one is refused."""
    return hmac.new(key, f"totp\0{user_id}\0{secret}".encode(), hashlib.sha256).hexdigest()


def matching_step(secret: str, code: str, now: datetime, after: int | None = None) -> int | None:
    """The time step whose code `code` is, within the drift allowed and later than `after`."""
    code = code.strip().replace(" ", "")
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp, current = pyotp.TOTP(secret), int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if (after is None or step > after) and secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


@functools.cache
def _sealer(key: bytes) -> AESGCM:
    return AESGCM(hmac.new(key, b"parcours: two-factor secrets", hashlib.sha256).digest())


def seal(key: bytes, user_id: int, secret: str) -> str:
    nonce = secrets.token_bytes(12)
    sealed = _sealer(key).encrypt(nonce, secret.encode(), f"totp\0{user_id}".encode())
    return SEALED + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(key: bytes, user_id: int, stored: str) -> str | None:
    """The secret, or None when this server's key cannot open it (another PARCOURS_SECRET_KEY, or
    another user's row)."""
    if not stored.startswith(SEALED):
        return stored
    raw = base64.urlsafe_b64decode(stored.removeprefix(SEALED))
    try:
        return _sealer(key).decrypt(raw[:12], raw[12:], f"totp\0{user_id}".encode()).decode()
    except InvalidTag:
        log.error("the two-factor secret of user %d does not open with this PARCOURS_SECRET_KEY", user_id)
        return None


def secret_of(conn: psycopg.Connection, user_id: int) -> str | None:
    row = conn.execute(_q()["two_factor_of"], {"user_id": user_id}).fetchone()
    return row[0] if row else None


def enable(conn: psycopg.Connection, key: bytes, user_id: int, secret: str, step: int) -> list[str]:
    """Turns 2FA on with `secret` (its code for `step` just checked), sealed with `key`; returns
    the recovery codes, to be shown once."""
    with conn.transaction():
        conn.execute(_q()["enable_two_factor"], {"user_id": user_id, "secret": seal(key, user_id, secret), "step": step})
        return new_recovery_codes(conn, user_id)


def disable(conn: psycopg.Connection, user_id: int) -> None:
    conn.execute(_q()["disable_two_factor"], {"user_id": user_id})


def new_recovery_codes(conn: psycopg.Connection, user_id: int) -> list[str]:
    """Ten fresh codes, replacing any earlier ones: `xxxxx-xxxxx` in lower-case base32."""
    codes = [_format(base64.b32encode(secrets.token_bytes(10)).decode()[:10]) for _ in range(RECOVERY_CODES)]
    conn.execute(_q()["replace_recovery_codes"], {"user_id": user_id, "hashes": [_recovery_hash(c) for c in codes]})
    return codes


def _format(raw: str) -> str:
    return f"{raw[:5]}-{raw[5:]}".lower()


def _recovery_hash(code: str) -> bytes:
    """Spaces, dashes and case do not matter: people copy codes by hand."""
    return digest("".join(code.split()).replace("-", "").upper())


def recovery_codes_left(conn: psycopg.Connection, user_id: int) -> int:
    return conn.execute(_q()["recovery_codes_left"], {"user_id": user_id}).fetchone()[0]


def verify(conn: psycopg.Connection, key: bytes, user_id: int, code: str, now: datetime) -> bool:
    """Whether `code` is the user's current authenticator code (not used before) or one of
    their unused recovery codes; either is used up by passing."""
    row = conn.execute(_q()["two_factor_of"], {"user_id": user_id}).fetchone()
    if not row or row[0] is None:
        return False
    secret = unseal(key, user_id, row[0])
    if secret is not None and not row[0].startswith(SEALED):
        conn.execute(_q()["seal_two_factor"], {"user_id": user_id, "plain": row[0], "sealed": seal(key, user_id, secret)})
    step = matching_step(secret, code, now, after=row[1]) if secret is not None else None
    if step is not None:
        return conn.execute(_q()["accept_step"], {"user_id": user_id, "step": step}).fetchone() is not None
    used = conn.execute(_q()["use_recovery_code"], {"user_id": user_id, "code_hash": _recovery_hash(code)})
    return used.fetchone() is not None


def start_challenge(conn: psycopg.Connection, user_id: int) -> str:
    token = secrets.token_urlsafe(32)
    conn.execute(_q()["start_challenge"], {"token_hash": digest(token), "user_id": user_id,
                                           "lifetime": CHALLENGE_LIFETIME})
    return token


def challenged(conn: psycopg.Connection, token: str | None) -> tuple[int, str] | None:
    """The user id and email a live challenge is for, or None."""
    if not token:
        return None
    row = conn.execute(_q()["challenged_user"], {"token_hash": digest(token), "tries": CHALLENGE_TRIES}).fetchone()
    return (row[0], row[1]) if row else None


def try_challenge(conn: psycopg.Connection, token: str) -> int | None:
    """Counts a code against the challenge: its user, or None once its tries are spent."""
    row = conn.execute(_q()["try_challenge"], {"token_hash": digest(token), "tries": CHALLENGE_TRIES}).fetchone()
    return row[0] if row else None


def end_challenge(conn: psycopg.Connection, token: str) -> None:
    conn.execute(_q()["end_challenge"], {"token_hash": digest(token)})


def trust_browser(conn: psycopg.Connection, user_id: int) -> str:
    token = secrets.token_urlsafe(32)
    conn.execute(_q()["trust_browser"], {"token_hash": digest(token), "user_id": user_id, "lifetime": TRUSTED_LIFETIME})
    return token


def is_trusted(conn: psycopg.Connection, user_id: int, token: str | None) -> bool:
    if not token:
        return False
    return conn.execute(_q()["is_trusted_browser"], {"token_hash": digest(token), "user_id": user_id}).fetchone()[0]


def trusted_browsers(conn: psycopg.Connection, user_id: int) -> int:
    return conn.execute(_q()["count_trusted_browsers"], {"user_id": user_id}).fetchone()[0]


def forget_browsers(conn: psycopg.Connection, user_id: int) -> None:
    conn.execute(_q()["forget_browsers"], {"user_id": user_id})
