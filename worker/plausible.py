"""Plausible CE's CSV export into a site's imported days (sql/migrations/0015_plausible_imports.sql).

The export is daily totals per dimension, not events: nothing here can become a visitor, a
session or a page view of our own, so it lands beside the rollups and the reports add it in.
Names become ours where the two products name the same thing differently (devices, a few
browsers and systems), and each source row gets the channel our own rules give its source and
UTM tags (worker/channels.py), so the reports group native and imported traffic alike.

A day is taken only if it comes before the site's first native data and no earlier import
holds it: a day's numbers are then one source's, never a sum of two counts of the same
visitors. The whole export loads in one transaction, or (a dry run) is rolled back.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import psycopg

from parcours import queries
from parcours.errors import ParcoursError
from worker import channels, referrers

# Each file of the export (named <table>_<first day>_<last day>.csv, `imported_` optional) and
# the columns read from it: those of Plausible CE 2.1 and later.
COLUMNS = {
    "visitors": ("date", "visitors", "pageviews", "bounces", "visits", "visit_duration"),
    "sources": ("date", "source", "referrer", "utm_source", "utm_medium", "utm_campaign", "utm_content",
                "utm_term", "pageviews", "visits", "visit_duration", "bounces"),
    "pages": ("date", "page", "pageviews"),
    "entry_pages": ("date", "entry_page", "entrances", "visit_duration", "bounces", "pageviews"),
    "exit_pages": ("date", "exit_page", "exits", "visit_duration", "bounces", "pageviews"),
    "locations": ("date", "country", "visits", "visit_duration", "bounces", "pageviews"),
    "devices": ("date", "device", "visits", "visit_duration", "bounces", "pageviews"),
    "browsers": ("date", "browser", "visits", "visit_duration", "bounces", "pageviews"),
    "operating_systems": ("date", "operating_system", "visits", "visit_duration", "bounces", "pageviews"),
}
# Read by Plausible, not by Parcours: goals are defined here and counted from native events.
NOT_IMPORTED = frozenset({"custom_events"})
FILE_NAME = re.compile(r"^(?:imported_)?([a-z_]+?)_(\d{8})_(\d{8})\.csv$")

NONE = frozenset({"", "(none)", "(not set)", "Direct / None"})
DEVICES = {"Desktop": "desktop", "Laptop": "desktop", "Mobile": "mobile", "Tablet": "tablet"}
# Plausible's name → ua-parser's, which the worker stores, where they differ.
BROWSERS = {"Microsoft Edge": "Edge", "Samsung Browser": "Samsung Internet", "Yandex Browser": "Yandex Browser"}
SYSTEMS = {"Mac": "Mac OS X", "GNU/Linux": "Linux", "Chrome OS": "Chrome OS"}


class ExportError(ParcoursError):
    """The files are not a Plausible export Parcours can read."""


@dataclass
class Tally:
    days: int = 0
    page_views: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # file's table → rows imported
    skipped: dict[str, int] = field(default_factory=dict)  # reason → rows
    malformed: list[str] = field(default_factory=list)  # "file:line: reason", the first 20
    ignored: list[str] = field(default_factory=list)  # files that are not read
    first: date | None = None
    last: date | None = None
    already: bool = False

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def bad(self, where: str, reason: str) -> None:
        self.skip("malformed")
        if len(self.malformed) < 20:
            self.malformed.append(f"{where}: {reason}")


class Malformed(ValueError):
    pass


@dataclass(frozen=True)
class Export:
    """The export's CSV files by table, each as (name, opener)."""
    files: dict[str, tuple[str, Callable[[], io.TextIOBase]]]
    ignored: list[str]
    digest: str


def open_export(paths: list[Path]) -> Export:
    """A zip of the export, or its CSV files. Every file is read whole here, for the digest, so
    a damaged zip is refused before anything is written."""
    try:
        return _opened(paths)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise ExportError(f"the export is not a readable zip: {error}") from None


def _opened(paths: list[Path]) -> Export:
    files, ignored, digest = {}, [], hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        for name, opener in _members(path):
            match = FILE_NAME.match(Path(name).name)
            table = match and match.group(1)
            if table in COLUMNS and table not in files:
                files[table] = (Path(name).name, opener)
                with opener() as handle:
                    for block in iter(lambda: handle.buffer.read(1 << 20), b""):
                        digest.update(block)
            else:
                ignored.append(Path(name).name)
    if "visitors" not in files:
        raise ExportError("no imported_visitors_*.csv: is this Plausible's CSV export (Site settings → Imports & Exports)?")
    return Export(files, ignored, digest.hexdigest())


def _members(path: Path) -> Iterator[tuple[str, Callable[[], io.TextIOBase]]]:
    if not path.is_file():
        raise ExportError(f"no such file: {path}")
    if zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        for info in archive.infolist():
            if not info.is_dir():
                yield info.filename, lambda info=info: io.TextIOWrapper(archive.open(info), "utf-8-sig", newline="")
    else:
        yield path.name, lambda: open(path, encoding="utf-8-sig", newline="")  # a spreadsheet's BOM


def rows(name: str, opener: Callable[[], io.TextIOBase], table: str, tally: Tally) -> Iterator[dict]:
    """The file's rows with numbers parsed; a row that cannot be read is counted, not raised."""
    try:
        with opener() as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS[table] if c not in (reader.fieldnames or ())]
            if missing:
                raise ExportError(f"{name} lacks the column{'s' * (len(missing) > 1)} {', '.join(missing)} "
                                  "(exports from Plausible CE 2.1 and later have them)")
            for row in reader:
                try:
                    yield _parsed(row, table)
                except Malformed as error:
                    tally.bad(f"{name}:{reader.line_num}", str(error))
    except UnicodeDecodeError:  # decoded a block at a time: no line to name
        raise ExportError(f"{name} is not UTF-8 text, as Plausible writes it: was it saved again in another encoding?") from None


COUNTS = frozenset({"visitors", "pageviews", "bounces", "visits", "visit_duration", "entrances", "exits"})


def _parsed(row: dict, table: str) -> dict:
    """The row's columns that Parcours reads, counts as integers."""
    if None in row or None in row.values():
        raise Malformed("not as many fields as the header")
    if any("\x00" in value for value in row.values()):
        raise Malformed("a NUL character")  # PostgreSQL's text cannot hold one
    parsed = {c: _count(row[c], c) if c in COUNTS else row[c] for c in COLUMNS[table][1:]}
    try:
        parsed["date"] = date.fromisoformat(row["date"])
    except ValueError:
        raise Malformed(f"date is not YYYY-MM-DD: {row['date'][:30]!r}") from None
    if parsed.get("bounces", 0) > session_counts(parsed)[0]:
        raise Malformed("more bounces than visits")
    return parsed


def _count(text: str, column: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 18:  # "²" is a digit to isdigit(), not to int()
        raise Malformed(f"{column} is not a count: {text[:30]!r}")
    return int(text)


def _none(value: str | None) -> str | None:
    return None if value is None or value.strip() in NONE else value.strip()


def session_values(table: str, row: dict) -> Iterable[tuple[str, str | None]]:
    """The (dimension, value) pairs a file's row counts sessions for."""
    if table == "sources":
        yield from _source_values(row)
    elif table == "locations":
        country = _none(row["country"])
        yield "country", None if country in (None, "ZZ", "XX", "T1", "A1", "A2", "O1") else country.upper()
    elif table == "devices":
        device = _none(row["device"])
        yield "device", device and DEVICES.get(device, "other")
    elif table == "browsers":
        browser = _none(row["browser"])
        yield "browser", browser and BROWSERS.get(browser, browser)
    elif table == "operating_systems":
        system = _none(row["operating_system"])
        yield "os", system and SYSTEMS.get(system, system)
    elif table in ("entry_pages", "exit_pages"):
        yield table[:-1], _none(row[table[:-1]])


def _source_values(row: dict) -> Iterable[tuple[str, str | None]]:
    tags = {key: _none(row[key]) for key in ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")}
    named = _none(row["source"])
    domain = (_none(row["referrer"]) or "").split("://")[-1].split("/")[0].lower() or None
    arrival = channels.Arrival(referrers.named(named) if named else None, bool(named or domain),
                               tags["utm_source"], (tags["utm_medium"] or "").lower(), None)
    source, channel = channels.classify(arrival)
    yield "source", source  # an unknown referrer names none: its domain is the referrer's
    yield "channel", channel
    yield "referrer", domain
    yield from tags.items()


def session_counts(row: dict) -> tuple[int, int, int, int]:
    """(sessions, bounces, session page views, seconds) of a row: its visits, or for entry and
    exit pages its entrances or exits."""
    sessions = row.get("visits", row.get("entrances", row.get("exits", 0)))
    return sessions, row.get("bounces", 0), row.get("pageviews", 0), row.get("visit_duration", 0)


def load(conn: psycopg.Connection, site: str, time_zone: str, export: Export, dry_run: bool = False) -> Tally:
    """Import the export into `site`, all of it or nothing; with `dry_run`, count and roll back."""
    q, tally = queries.load("imports"), Tally(ignored=list(export.ignored))
    if conn.execute(q["import_with_digest"], {"property_id": site, "digest": export.digest}).fetchone():
        return Tally(already=True)
    try:
        with conn.transaction():
            conn.execute(q["lock_imports"], {"property_id": site})
            days = _days(conn, site, time_zone, export, tally)
            if not tally.page_views:
                raise psycopg.Rollback()
            import_id = conn.execute(q["add_plausible_import"], {
                "property_id": site, "digest": export.digest, "name": export.files["visitors"][0], "tz": time_zone,
                "first": tally.first, "last": tally.last, "page_views": tally.page_views}).fetchone()[0]
            _copy(conn, "copy_imported_days", ((site, day, import_id, *counts) for day, counts in sorted(days.items())))
            for table in sorted(COLUMNS.keys() & export.files.keys() - {"visitors"}):
                _load_table(conn, site, import_id, table, export.files[table], days.keys(), tally)
            if dry_run:
                raise psycopg.Rollback()
    except psycopg.errors.UniqueViolation:  # the same export, imported by another process meanwhile
        return Tally(already=True)
    return tally


def _days(conn: psycopg.Connection, site: str, time_zone: str, export: Export, tally: Tally) -> dict[date, tuple]:
    """The export's days the site can take, with their totals (visitors, page views, visits,
    bounces, seconds)."""
    q = queries.load("imports")
    native = conn.execute(q["first_native_day"], {"property_id": site, "tz": time_zone}).fetchone()[0]
    taken = {day for (day,) in conn.execute(q["imported_days"], {"property_id": site})}
    name, days = export.files["visitors"][0], {}
    for row in rows(*export.files["visitors"], "visitors", tally):
        day = row["date"]
        if native is not None and day >= native:
            tally.skip("days with native data")
        elif day in taken:
            tally.skip("days imported before")
        elif day in days:
            tally.bad(name, f"{day} appears twice")
        else:
            days[day] = (row["visitors"], row["pageviews"], row["visits"], row["bounces"], row["visit_duration"])
    tally.days, tally.page_views, tally.rows["visitors"] = len(days), sum(d[1] for d in days.values()), len(days)
    tally.first, tally.last = (min(days), max(days)) if days else (None, None)
    return days


def _load_table(conn, site: str, import_id: int, table: str, file: tuple, days: set[date], tally: Tally) -> None:
    def kept() -> Iterator[dict]:
        for row in rows(*file, table, tally):
            if row["date"] in days:
                tally.rows[table] = tally.rows.get(table, 0) + 1
                yield row
            else:
                tally.skip(f"{table} rows of days not imported")

    if table == "pages":
        _copy(conn, "copy_imported_pages", ((site, row["date"], import_id, row["page"] or "/", row["pageviews"])
                                            for row in kept()))
    else:
        _copy(conn, "copy_imported_sessions", ((site, row["date"], import_id, dimension, value, *session_counts(row))
                                               for row in kept() for dimension, value in session_values(table, row)))


def _copy(conn: psycopg.Connection, query: str, records: Iterable[tuple]) -> None:
    with conn.cursor().copy(queries.load("imports")[query]) as copy:
        for record in records:
            copy.write_row(record)
