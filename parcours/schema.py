"""The readable schema: docs/schema.txt describes, in plain text, every table, view, type,
column, constraint, index, function and rollup that sql/schema/ and the migrations create. A
test proves that a freshly migrated database matches it, so the schema and the description
cannot drift apart, and a reviewer reads a change to the schema as a diff of that file.

It reads the same on both engines: a rollup is described by its columns and the indexes the
schema names on it, not by the relations that hold it (a continuous aggregate, or a table and
the view of its SELECT), and TimescaleDB's own indexes on them are left out.
"""

from __future__ import annotations

import psycopg

from parcours import migrations, queries

SCHEMAS = ["accounts", "metrics", "reports", "analytics", "parcours"]


def describe(conn: psycopg.Connection) -> str:
    q = queries.load("schema")
    declared = migrations.declared_rollups()
    params = {"schemas": SCHEMAS, "excluded": [name for r in declared for name in (r.name, r.source)]}
    lines: list[str] = []
    current = None
    for relation, kind, column, type_, not_null, default in conn.execute(q["columns"], params):
        if relation != current:
            lines += ["", f"{kind} {relation}"]
            current = relation
        extra = (" not null" if not_null else "") + (f" {_default(default)}" if default else "")
        lines.append(f"    {column} {type_}{extra}")
    for rollup in sorted(declared, key=lambda r: r.name):
        lines += ["", f"rollup {rollup.name} ({_width(rollup)}, index on {', '.join(rollup.index)})"]
        columns = conn.execute(queries.load("migrations")["rollup_columns"], {"name": rollup.name})
        lines += [f"    {c} {t}" for c, t in columns]
    lines += ["", "hypertables"] + [f"    {r}" for (r,) in conn.execute(q["hypertables"], params)]
    lines += ["", "constraints"] + [f"    {r}: {n} {d}" for r, n, d in conn.execute(q["constraints"], params)]
    lines += ["", "indexes"] + [f"    {d}" for _, d in conn.execute(q["indexes"], params)]
    lines += ["", "rollup indexes"] + [f"    {d}" for (d,) in conn.execute(q["rollup_indexes"], params)]
    lines += ["", "functions"] + [f"    {s}" for (s,) in conn.execute(q["functions"], params)]
    return "\n".join(lines).lstrip("\n") + "\n"


def _width(rollup) -> str:
    minutes = int(rollup.width.total_seconds() // 60)
    return f"{minutes} minutes" if minutes < 1440 else f"{minutes // 1440} day" + ("s" if minutes > 1440 else "")


def _default(expression: str) -> str:
    return expression if expression.startswith("generated") else f"default {expression}"
