"""A site's complete archive, and its import into another Parcours: `parcours export SITE
--archive FILE.zip`, `parcours import archive --owner EMAIL FILE.zip`.

The zip holds a manifest (format, version, the schema it came from, each file's rows and
SHA-256), the site's settings, goals, funnels, notes and imports (site.json), and as CSV with a
header: its raw events still kept, sessions, page views, last-seen marks, tag sets and days
imported from Plausible — the rows every report is computed from — and every rollup as it
stood, for the record. An import loads the rows and recomputes the rollups from them on the
target's own engine; the rollups' CSV are not read back, since a continuous aggregate cannot
be written. Reports over the imported site then equal the original's
(tests/app/accounts/test_archive.py).

Ids travel as they are (visitor ids are keyed hashes: the target's own visitors get other
ids, so a person who visits both servers counts twice).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date, datetime
from pathlib import Path

import psycopg
from psycopg import sql

from app.accounts import annotations, properties
from app.reports import goals
from parcours import engines, queries, rollups
from parcours.errors import ParcoursError

FORMAT, VERSION = "parcours-site-archive", 1
TABLES = ("metrics.events", "metrics.sessions", "metrics.page_views", "metrics.visitor_last_seen",
          "metrics.tag_members")
# Days imported from Plausible (worker/plausible.py), each row naming its import in site.json.
IMPORTED = ("metrics.imported_days", "metrics.imported_sessions", "metrics.imported_pages")


def export(conn: psycopg.Connection, property_id: str, target: Path) -> dict:
    """Writes the archive; returns its manifest."""
    q = queries.load("archive")
    site = conn.execute(q["site"], {"id": property_id}).fetchone()
    if site is None:
        raise ParcoursError(f"no property {property_id}; see parcours property list")
    manifest = {"format": FORMAT, "version": VERSION, "schema": conn.execute(q["schema_version"]).fetchone()[0],
                "property": property_id, "exported_at": datetime.now().astimezone().isoformat(), "files": {}}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive, conn.transaction():
        _write(archive, manifest, "site.json", json.dumps(_site(conn, property_id, site), default=str, indent=1).encode(), 1)
        for table in TABLES + IMPORTED:
            _copy_out(conn, archive, manifest, table, f"{table}.csv", property_id)
        for (name,) in conn.execute(q["rollups"]).fetchall():
            _copy_out(conn, archive, manifest, name, f"rollups/{name}.csv", property_id)
        archive.writestr("manifest.json", json.dumps(manifest, indent=1))
    return manifest


def _site(conn: psycopg.Connection, property_id: str, site: tuple) -> dict:
    q = queries.load("archive")
    keys = ("name", "domains", "time_zone", "visitor_id_rotation", "ip_handling", "retention_days", "not_found")
    return {"settings": dict(zip(keys, site, strict=True)),
            "goals": [dict(zip(("name", "page", "event", "props"), row, strict=True))
                      for row in conn.execute(q["goals"], {"id": property_id})],
            "funnels": [{"name": name, "steps": steps} for name, steps in conn.execute(q["funnels"], {"id": property_id})],
            "annotations": [{"date": day.isoformat(), "note": note}
                            for day, note in conn.execute(q["annotations"], {"id": property_id})],
            "imports": [dict(zip(("id", "source", "name", "first_at", "last_at", "events", "digest"), row, strict=True))
                        for row in conn.execute(q["imports"], {"id": property_id})]}


def _columns(conn: psycopg.Connection, table: str) -> list[str]:
    schema, name = table.split(".")
    return [c for (c,) in conn.execute(queries.load("archive")["columns"], {"schema": schema, "table": name})]


def _copy_out(conn, archive: zipfile.ZipFile, manifest: dict, table: str, name: str, property_id: str) -> None:
    columns = sql.SQL(", ").join(map(sql.Identifier, _columns(conn, table)))
    statement = sql.SQL("COPY (SELECT {} FROM {} WHERE property_id = {}) TO STDOUT WITH (FORMAT csv, HEADER)").format(
        columns, sql.Identifier(*table.split(".")), sql.Literal(property_id))
    sha = hashlib.sha256()
    with archive.open(name, "w", force_zip64=True) as sink, conn.cursor().copy(statement) as copy:
        for block in copy:
            sha.update(block)
            sink.write(block)
    rows = conn.execute(sql.SQL("SELECT count(*) FROM {} WHERE property_id = {}").format(
        sql.Identifier(*table.split(".")), sql.Literal(property_id))).fetchone()[0]
    manifest["files"][name] = {"rows": rows, "sha256": sha.hexdigest()}


def _write(archive: zipfile.ZipFile, manifest: dict, name: str, data: bytes, rows: int) -> None:
    archive.writestr(name, data)
    manifest["files"][name] = {"rows": rows, "sha256": hashlib.sha256(data).hexdigest()}


def load(conn: psycopg.Connection, source: Path, owner_id: int, property_id: str | None = None) -> str:
    """Imports an archive as a new site of `owner_id` (its old id, if free, unless `property_id`
    is given); returns the new site's id."""
    with zipfile.ZipFile(source) as archive:
        manifest = _manifest(conn, archive)
        site = json.loads(archive.read("site.json"))
        with conn.transaction():
            new_id = _site_in(conn, site, owner_id, property_id or _free_id(conn, manifest["property"]))
            for table in TABLES:
                _copy_in(conn, archive, table, new_id)
            imports = _imports_in(conn, site.get("imports", []), new_id)
            for table in IMPORTED:
                if f"{table}.csv" in archive.namelist():  # archives from before 0015 have none
                    _copy_in(conn, archive, table, new_id, imports)
        _recompute(conn, new_id)
    return new_id


def _manifest(conn: psycopg.Connection, archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError):
        raise ParcoursError("not a Parcours site archive: it has no readable manifest.json") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise ParcoursError(f"not a version {VERSION} Parcours site archive")
    if not conn.execute(queries.load("archive")["has_migration"], {"name": manifest["schema"]}).fetchone()[0]:
        raise ParcoursError(f"the archive comes from a newer Parcours (schema {manifest['schema']}): upgrade this one first")
    for name, expected in manifest["files"].items():
        if hashlib.sha256(archive.read(name)).hexdigest() != expected["sha256"]:
            raise ParcoursError(f"the archive is damaged: {name} does not match its manifest")
    return manifest


def _free_id(conn: psycopg.Connection, wanted: str) -> str:
    taken = conn.execute(queries.load("archive")["site"], {"id": wanted}).fetchone()
    return properties.new_id() if taken else wanted


def _site_in(conn: psycopg.Connection, site: dict, owner_id: int, property_id: str) -> str:
    settings = site["settings"]
    new_id = properties.add(conn, owner_id, settings.pop("name"), settings.pop("domains"), settings.pop("time_zone"),
                            property_id, **settings)
    for goal in site["goals"]:
        goals.add(conn, owner_id, new_id, goal["name"], goals.step(goal["page"], goal["event"], goal["props"]))
    for funnel in site["funnels"]:
        goals.add_funnel(conn, owner_id, new_id, funnel["name"], funnel["steps"])
    for note in site["annotations"]:
        annotations.add(conn, owner_id, new_id, date.fromisoformat(note["date"]), note["note"])
    return new_id


def _imports_in(conn: psycopg.Connection, imports: list[dict], property_id: str) -> dict[str, int]:
    """The archive's imports recorded for the new site: their old ids → new ones."""
    return {str(found["id"]): conn.execute(queries.load("archive")["add_import"], {**found, "property_id": property_id}).fetchone()[0]
            for found in imports}


def _copy_in(conn: psycopg.Connection, archive: zipfile.ZipFile, table: str, new_id: str,
             imports: dict[str, int] | None = None) -> None:
    """Through a temporary table, so that the rows take the new site's id (and their imports'
    new ids) on the way."""
    with archive.open(f"{table}.csv") as source:
        header = io.TextIOWrapper(source, encoding="utf-8").readline().rstrip("\r\n").split(",")
    columns = sql.SQL(", ").join(map(sql.Identifier, header))
    staging = sql.Identifier(f"archive_{table.split('.')[1]}")
    conn.execute(sql.SQL("CREATE TEMP TABLE {} (LIKE {}) ON COMMIT DROP").format(staging, sql.Identifier(*table.split("."))))
    with archive.open(f"{table}.csv") as source, conn.cursor().copy(
            sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv, HEADER)").format(staging, columns)) as copy:
        while block := source.read(1 << 20):
            copy.write(block)
    conn.execute(sql.SQL("UPDATE {} SET property_id = {}").format(staging, sql.Literal(new_id)))
    if imports is not None:
        conn.execute(sql.SQL("UPDATE {} SET import_id = ({}::jsonb ->> import_id::text)::bigint").format(
            staging, sql.Literal(json.dumps(imports))))
    conn.execute(sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {}").format(
        sql.Identifier(*table.split(".")), columns, columns, staging))


def _recompute(conn: psycopg.Connection, property_id: str) -> None:
    """The rollups over the imported rows, as the target's engine keeps them."""
    conn.execute(queries.load("worker")["sync_time_zones"])
    lo, hi = conn.execute(queries.load("archive")["span"], {"id": property_id}).fetchone()
    if lo is None:
        return
    engine = engines.of(conn)
    with conn.transaction():
        engine.loaded(conn, lo, hi)
    engine.drained(conn)
    job = engine.refresh_job(conn)
    if job:  # continuous: the job materializes the range now rather than within 30 seconds
        conn.execute("CALL run_job(%s)", (job[0],))
