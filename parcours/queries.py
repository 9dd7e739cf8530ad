"""Named SQL queries kept in sql/queries/*.sql, each introduced by a `-- name: <query>` line.

Loaded once per file and used by name with named parameters, so SQL stays readable SQL and
no query is ever assembled from strings at run time.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from parcours import SQL_DIR

_NAME = re.compile(r"^--\s*name:\s*(\w+)\s*$", re.MULTILINE)


@functools.cache
def load(group: str) -> dict[str, str]:
    """All queries of sql/queries/<group>.sql by name."""
    return parse(SQL_DIR / "queries" / f"{group}.sql")


def parse(path: Path) -> dict[str, str]:
    parts = _NAME.split(path.read_text())
    queries = {name: body.strip() for name, body in zip(parts[1::2], parts[2::2])}
    if len(queries) != len(parts[1::2]):
        raise ValueError(f"{path} names a query twice")
    return queries
