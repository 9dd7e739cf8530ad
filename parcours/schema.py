"""The readable schema: docs/schema.txt describes, in plain text, every table, view, column,
constraint, index and function the migrations create. A test proves that a freshly migrated
database matches it, so the migrations and the description cannot drift apart, and a reviewer
reads a change to the schema as a diff of that file.

Rollups are left out: their relations are continuous aggregates or tables depending on the
engine. Their definitions are the SELECTs in sql/aggregates/.
"""

from __future__ import annotations

import psycopg

from parcours import migrations, queries

SCHEMAS = ["accounts", "metrics", "analytics", "parcours"]


def _rollup_relations() -> list[str]:
    return [name for r in migrations.declared_rollups() for name in (r.name, r.source)]


def describe(conn: psycopg.Connection) -> str:
    q = queries.load("schema")
    params = {"schemas": SCHEMAS, "excluded": _rollup_relations()}
    lines: list[str] = []
    current = None
    for relation, kind, column, type_, not_null, default in conn.execute(q["columns"], params):
        if relation != current:
            lines += ["", f"{kind} {relation}"]
            current = relation
        extra = (" not null" if not_null else "") + (f" {_default(default)}" if default else "")
        lines.append(f"    {column} {type_}{extra}")
    lines += ["", "hypertables"] + [f"    {r}" for (r,) in conn.execute(q["hypertables"], params)]
    lines += ["", "constraints"] + [f"    {r}: {n} {d}" for r, n, d in conn.execute(q["constraints"], params)]
    lines += ["", "indexes"] + [f"    {d}" for _, d in conn.execute(q["indexes"], params)]
    lines += ["", "functions"] + [f"    {s}" for (s,) in conn.execute(q["functions"], params)]
    return "\n".join(lines).lstrip("\n") + "\n"


def _default(expression: str) -> str:
    return expression if expression.startswith("generated") else f"default {expression}"
