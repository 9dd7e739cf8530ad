"""Ordered plain-SQL migrations, each recorded with a checksum.

Files anywhere under sql/ (except sql/queries/) named `NNNN_description.sql` run in the order
of their number. A file applied once is never re-run, and editing it afterwards is refused: the
database would no longer match what the repository says it is. A file whose first line is
`-- parcours: no-transaction` runs outside a transaction; rollup files (sql/aggregates/) must
be, because a continuous aggregate cannot be refreshed inside one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

from parcours import SQL_DIR, engines, queries, rollups
from parcours.errors import ParcoursError

NO_TRANSACTION = "-- parcours: no-transaction"
_FILE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_ROLLUP = re.compile(r"^-- parcours: rollup (\S+) index \(([^)]*)\)\s*$", re.MULTILINE)
EDITIONS = engines.EDITIONS


@dataclass(frozen=True)
class Migration:
    name: str
    text: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    @property
    def no_transaction(self) -> bool:
        return self.text.startswith(NO_TRANSACTION)

    def rollup(self) -> rollups.Rollup | None:
        match = _ROLLUP.search(self.text)
        if not match:
            return None
        body = _ROLLUP.sub("", self.text.replace(NO_TRANSACTION, "", 1)).strip().rstrip(";")
        index = tuple(column.strip() for column in match.group(2).split(","))
        return rollups.Rollup(name=match.group(1), index=index, select=body)


def declared_rollups(found: list[Migration] | None = None) -> list[rollups.Rollup]:
    """Every rollup the migrations define, dropped ones too, in the order they are created."""
    return [r for r in map(Migration.rollup, discover() if found is None else found) if r]


def discover(root: Path = SQL_DIR) -> list[Migration]:
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.sql")):
        if path.parent.name == "queries" or not _FILE.match(path.name):
            continue
        number = path.name[:4]
        if number in found:
            raise ParcoursError(f"two migrations are numbered {number}: {found[number]} and {path}")
        found[number] = path
    return [Migration(found[n].name, found[n].read_text()) for n in sorted(found)]


def detect_edition(conn: psycopg.Connection) -> str:
    row = conn.execute(queries.load("migrations")["edition"]).fetchone()
    if not row or row[0] not in EDITIONS:
        raise ParcoursError("TimescaleDB is not loaded: add timescaledb to shared_preload_libraries")
    return EDITIONS[row[0]]


def migrate(conn: psycopg.Connection, requested_engine: str = "auto") -> list[str]:
    """Apply every pending migration; returns the names applied. `conn` must be autocommit."""
    q = queries.load("migrations")
    conn.execute(q["lock"])
    try:
        conn.execute(q["ensure_bookkeeping"])
        engine = _instance_engine(conn, requested_engine)
        found = discover()
        pending = _pending(conn, found)
        for migration in pending:
            _apply(conn, migration, engine)
        engine.migrated(conn, declared_rollups(found))
        return [m.name for m in pending]
    finally:
        conn.execute(q["unlock"])


def _instance_engine(conn: psycopg.Connection, requested: str) -> engines.Engine:
    q = queries.load("migrations")
    row = conn.execute(q["instance"]).fetchone()
    if row:
        return engines.ENGINES[row[1]]
    edition = detect_edition(conn)
    engine = engines.choose(edition, requested)
    conn.execute(q["set_instance"], {"edition": edition, "engine": engine.name})
    return engine


def _pending(conn: psycopg.Connection, migrations: list[Migration]) -> list[Migration]:
    applied = dict(conn.execute(queries.load("migrations")["applied"]).fetchall())
    for migration in migrations:
        if migration.name in applied and applied[migration.name] != migration.checksum:
            raise ParcoursError(
                f"migration {migration.name} was edited after it was applied; "
                "restore it and put the change in a new migration"
            )
    return [m for m in migrations if m.name not in applied]


def _apply(conn: psycopg.Connection, migration: Migration, engine: engines.Engine) -> None:
    record = queries.load("migrations")["record"]
    params = {"name": migration.name, "checksum": migration.checksum}
    rollup = migration.rollup()
    if rollup and not migration.no_transaction:
        raise ParcoursError(f"{migration.name} defines a rollup and must start with '{NO_TRANSACTION}'")
    try:
        if rollup:
            rollups.create(conn, rollup, engine)
            conn.execute(record, params)
        elif migration.no_transaction:
            conn.execute(migration.text)
            conn.execute(record, params)
        else:
            with conn.transaction():
                conn.execute(migration.text)
                conn.execute(record, params)
    except psycopg.Error as error:
        raise ParcoursError(f"migration {migration.name} failed: {error.diag.message_primary or error}") from error
