"""The schema, built in one pass on a new database, and the migrations that change it after.

sql/schema/ is the current schema: files named `NN_concept.sql`, run in name order on a new
database, after which the baseline is recorded. Changes made after the baseline are
migrations in sql/migrations/, `NNNN_description.sql`, each applied once in number order and
recorded with a checksum; editing either after it was applied is refused, since the database
would no longer match what the repository says it is.

Both kinds of file are plain SQL but for rollups: a line `-- parcours: rollup <name> index
(<columns>)` starts one, and the SELECT after it, up to the first line that ends in `;`, is its
definition, which the database's engine materializes (parcours/engines.py). A wider level of a
rollup is the line alone, ending in `sums <finer rollup> by <N> day(s)`: its SELECT sums the
finer one (parcours/rollups.py, summing). A file without rollups runs in one transaction; one
with rollups, or whose first line is `-- parcours: no-transaction`, runs part by part, since a
continuous aggregate cannot be refreshed inside a transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import psycopg

from parcours import SQL_DIR, engines, queries, rollups
from parcours.errors import ParcoursError

BASELINE = "baseline 0.1.0"
# The last of the development migrations the baseline replaced: a database that applied them
# all has the baseline's schema (tests/parcours/test_baseline.py proves it).
HISTORY_END = "0081_signups.sql"
NO_TRANSACTION = "-- parcours: no-transaction"
_MIGRATION = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_ROLLUP = re.compile(r"^-- parcours: rollup (\S+) index \(([^)]*)\)(?: sums (\S+) by (\d+) (day)s?)?[ \t]*$",
                     re.MULTILINE)
_STATEMENT_END = re.compile(r";[ \t]*$", re.MULTILINE)
EDITIONS = engines.EDITIONS

Part = str | rollups.Rollup


@dataclass(frozen=True)
class Migration:
    name: str
    text: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    @property
    def no_transaction(self) -> bool:
        return self.text.startswith(NO_TRANSACTION) or bool(_ROLLUP.search(self.text))

    def parts(self) -> list[Part]:
        """Plain SQL and rollups, in file order."""
        parts: list[Part] = []
        at = 0
        for match in _ROLLUP.finditer(self.text):
            parts.append(self.text[at:match.start()])
            name, columns, sums, days = match.group(1, 2, 3, 4)
            index = tuple(column.strip() for column in columns.split(","))
            if sums:
                parts.append(rollups.Rollup(name, index, sums=sums, by=timedelta(days=int(days))))
                at = match.end()
                continue
            end = _STATEMENT_END.search(self.text, match.end())
            at = end.end() if end else len(self.text)
            parts.append(rollups.Rollup(name, index, self.text[match.end():at].strip().rstrip(";")))
        parts.append(self.text[at:])
        return [p for p in parts if not isinstance(p, str) or _has_sql(p)]

    def rollups(self) -> list[rollups.Rollup]:
        return [p for p in self.parts() if isinstance(p, rollups.Rollup)]


def _has_sql(text: str) -> bool:
    return any(line.strip() and not line.lstrip().startswith("--") for line in text.splitlines())


def schema(root: Path = SQL_DIR / "schema") -> list[Migration]:
    """The baseline's files, in the order they run."""
    return [Migration(path.name, path.read_text()) for path in sorted(root.glob("*.sql"))]


def baseline_checksum(files: list[Migration]) -> str:
    return hashlib.sha256("".join(f"{f.name}\n{f.text}" for f in files).encode()).hexdigest()


def discover(root: Path = SQL_DIR / "migrations") -> list[Migration]:
    """The migrations on top of the baseline, in number order."""
    found: dict[str, Path] = {}
    for path in sorted(root.glob("*.sql")):
        if not _MIGRATION.match(path.name):
            raise ParcoursError(f"{path} is not named NNNN_description.sql")
        if path.name[:4] in found:
            raise ParcoursError(f"two migrations are numbered {path.name[:4]}: {found[path.name[:4]]} and {path}")
        found[path.name[:4]] = path
    return [Migration(found[n].name, found[n].read_text()) for n in sorted(found)]


def declared_rollups() -> list[rollups.Rollup]:
    """Every rollup of the schema and its migrations, in the order they are created."""
    return [r for file in (*schema(), *discover()) for r in file.rollups()]


def detect_edition(conn: psycopg.Connection) -> str:
    row = conn.execute(queries.load("migrations")["edition"]).fetchone()
    if not row or row[0] not in EDITIONS:
        raise ParcoursError("TimescaleDB is not loaded: add timescaledb to shared_preload_libraries")
    return EDITIONS[row[0]]


def migrate(conn: psycopg.Connection, requested_engine: str = "auto") -> list[str]:
    """Build the baseline on a new database, then apply every pending migration; returns what
    was applied. `conn` must be autocommit."""
    q = queries.load("migrations")
    conn.execute(q["lock"])
    try:
        conn.execute(q["ensure_bookkeeping"])
        engine = _instance_engine(conn, requested_engine)
        applied = dict(conn.execute(q["applied"]).fetchall())
        done = _baseline(conn, applied, engine)
        pending = _pending(applied, discover())
        for migration in pending:
            apply(conn, migration, engine)
        engine.migrated(conn, declared_rollups())
        return done + [m.name for m in pending]
    finally:
        conn.execute(q["unlock"])


def pending(applied: Collection[str]) -> list[str]:
    """What `migrate` would apply to a database that has applied the files named `applied`."""
    return ([] if BASELINE in applied or HISTORY_END in applied else [BASELINE]) + \
        [m.name for m in discover() if m.name not in applied]


def _baseline(conn: psycopg.Connection, applied: dict[str, str], engine: engines.Engine) -> list[str]:
    """Build the schema on a new database; take one the development migrations built as it."""
    files = schema()
    checksum = baseline_checksum(files)
    if BASELINE in applied:
        if applied[BASELINE] != checksum:
            raise ParcoursError("sql/schema/ was edited after this database was built from it; "
                                "restore it and put the change in a migration in sql/migrations/")
        return []
    if applied and HISTORY_END not in applied:
        raise ParcoursError(f"this database stopped at development migration {max(applied)}, before the "
                            f"{BASELINE}: export what it holds and build a new one")
    for file in [] if applied else files:
        _run(conn, file, engine)
    conn.execute(queries.load("migrations")["record"], {"name": BASELINE, "checksum": checksum})
    return [BASELINE]


def _instance_engine(conn: psycopg.Connection, requested: str) -> engines.Engine:
    q = queries.load("migrations")
    row = conn.execute(q["instance"]).fetchone()
    if row:
        return engines.ENGINES[row[1]]
    edition = detect_edition(conn)
    engine = engines.choose(edition, requested)
    conn.execute(q["set_instance"], {"edition": edition, "engine": engine.name})
    return engine


def _pending(applied: dict[str, str], migrations: list[Migration]) -> list[Migration]:
    for migration in migrations:
        if migration.name in applied and applied[migration.name] != migration.checksum:
            raise ParcoursError(
                f"migration {migration.name} was edited after it was applied; "
                "restore it and put the change in a new migration"
            )
    return [m for m in migrations if m.name not in applied]


def apply(conn: psycopg.Connection, migration: Migration, engine: engines.Engine) -> None:
    """Run `migration` and record it, in one transaction unless it cannot run in one."""
    with contextlib.nullcontext() if migration.no_transaction else conn.transaction():
        _run(conn, migration, engine)
        conn.execute(queries.load("migrations")["record"], {"name": migration.name, "checksum": migration.checksum})


def _run(conn: psycopg.Connection, file: Migration, engine: engines.Engine) -> None:
    """Run `file` part by part: each rollup as `engine` keeps it, plain SQL as it is."""
    try:
        for part in file.parts():
            if isinstance(part, rollups.Rollup):
                rollups.create(conn, part, engine)
            else:
                conn.execute(part)
    except psycopg.Error as error:
        raise ParcoursError(f"{file.name} failed: {error.diag.message_primary or error}") from error
