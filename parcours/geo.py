"""Country, region and city of a client address, from a local MaxMind-format database: DB-IP
Lite or MaxMind GeoLite2/GeoIP2, City or Country edition, as operators download them (`.mmdb`,
`.mmdb.gz`, MaxMind's `.tar.gz`). Parcours works without one: the location is then unknown.
The address itself is never stored; only what is looked up here is.

The lookup is chosen by the database's own type (a Country database answers country lookups
only), and a database is tried with real lookups before it is used or installed, so a file of
another kind (ASN, ISP, ...) or a broken one is refused up front rather than failing on every
event. Shared by the worker (lookups), the CLI (`geoip update`), doctor and the dashboard
(the attribution the data's license asks for).
"""

from __future__ import annotations

import functools
import gzip
import io
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import geoip2.database
import geoip2.errors
import maxminddb

from parcours.errors import ParcoursError

# Lookups a new database must answer without error (found or not) before it is used.
PROBES = ("8.8.8.8", "1.1.1.1", "203.0.113.1", "2001:4860:4860::8888")


class Place(NamedTuple):
    country: str | None = None
    region: str | None = None
    city: str | None = None


UNKNOWN = Place()


class Unusable(ParcoursError):
    """The file is not a City or Country database Parcours can read; the message says why."""


def lookup_kind(database_type: str) -> str | None:
    """"city" or "country" for the database types Parcours reads, else None."""
    if "City" in database_type or "Enterprise" in database_type or "Location" in database_type:
        return "city"
    return "country" if "Country" in database_type else None


@dataclass
class Database:
    reader: geoip2.database.Reader
    kind: str  # "city" or "country"
    database_type: str

    def close(self) -> None:
        self.reader.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_database(path: Path | None) -> Database | None:
    """The database at `path`, tried with real lookups; None when there is none. Raises
    Unusable for a file that is not a City or Country database."""
    if path is None or not path.exists():
        return None
    try:
        reader = geoip2.database.Reader(str(path))
    except (maxminddb.InvalidDatabaseError, ValueError, OSError) as error:
        raise Unusable(f"{path} is not a MaxMind-format database: {error}") from None
    database_type = reader.metadata().database_type
    kind = lookup_kind(database_type)
    if kind is None:
        reader.close()
        raise Unusable(f"{path} is a {database_type} database; Parcours reads City or Country ones")
    database = Database(reader, kind, database_type)
    _probe(database, path)
    return database


def _probe(database: Database, path: Path) -> None:
    try:
        for ip in PROBES:
            locate(database, ip)
    except Exception as error:  # noqa: BLE001 (whatever a broken file raises, it is refused)
        database.close()
        raise Unusable(f"{path} fails lookups ({type(error).__name__}: {error})") from None


def locate(database: Database | None, ip: str) -> Place:
    if database is None:
        return UNKNOWN
    try:
        if database.kind == "country":
            return Place(database.reader.country(ip).country.iso_code)
        found = database.reader.city(ip)
    except (geoip2.errors.AddressNotFoundError, ValueError):  # not in the data, or not an address
        return UNKNOWN
    region = _name(found.subdivisions.most_specific) if found.subdivisions else None
    return Place(found.country.iso_code, region, _name(found.city))


def _name(record) -> str | None:
    """The place's English name, else the first name the database gives it: a database made in
    another language names its places in that one."""
    return record.name or next(iter(record.names.values()), None)


def attribution(database_type: str) -> tuple[str, str] | None:
    """(text, link) the data's license asks to show with it: DB-IP Lite is CC BY 4.0, and
    GeoLite2's license asks for a credit too."""
    if database_type.startswith("DBIP"):
        return "IP geolocation by DB-IP", "https://db-ip.com"
    if database_type.startswith("GeoLite2"):
        return "Includes GeoLite2 data created by MaxMind", "https://www.maxmind.com"
    return None


def credit(path: Path | None) -> tuple[str, str] | None:
    """The attribution for the database installed at `path`, read again only when it changes."""
    try:
        version = path.stat().st_mtime_ns if path else None
    except OSError:
        return None
    return _credit(path, version) if version else None


@functools.lru_cache(maxsize=4)
def _credit(path: Path, version: int) -> tuple[str, str] | None:
    database_type = installed_type(path)
    return attribution(database_type) if database_type else None


def installed_type(path: Path) -> str | None:
    """The type of the database at `path`, or None when there is none or it does not open."""
    try:
        with maxminddb.open_database(str(path)) as reader:
            return reader.metadata().database_type
    except (OSError, ValueError, maxminddb.InvalidDatabaseError):
        return None


def current_dbip_url(today) -> str:
    """DB-IP's free City Lite database (CC BY 4.0) of `today`'s month."""
    return f"https://download.db-ip.com/free/dbip-city-lite-{today:%Y-%m}.mmdb.gz"


def unpack(data: bytes) -> bytes:
    """The .mmdb inside a download: as it is, gzip-compressed, or in a (gzip) tarball such as
    MaxMind's GeoLite2-City_YYYYMMDD.tar.gz."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if len(data) > 262 and data[257:262] == b"ustar":
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            members = [m for m in archive.getmembers() if m.isfile() and m.name.endswith(".mmdb")]
            if len(members) != 1:
                raise Unusable(f"the archive holds {len(members)} .mmdb files; expected one")
            data = archive.extractfile(members[0]).read()
    return data


def update(url: str, target: Path) -> str:
    """Download a database from `url`, unpack it, try it with real lookups, and put it in place
    atomically; the worker picks it up on its next drain. Returns its database type."""
    import urllib.request

    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (operator-given URL)
        data = unpack(response.read())
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(data)
    try:
        with open_database(partial) as database:
            kind = database.database_type
    except Unusable as error:
        partial.unlink()
        raise Unusable(f"{url}: {str(error).replace(str(partial), 'the download')}") from None
    os.replace(partial, target)
    return kind

