"""Country, region and city of a client address, from a local MaxMind-format database
(DB-IP Lite or GeoLite2, City or Country edition). Parcours works without one: the location
is then unknown. The address itself is never stored; only what is looked up here is."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import NamedTuple

import geoip2.database
import geoip2.errors

log = logging.getLogger(__name__)


class Place(NamedTuple):
    country: str | None = None
    region: str | None = None
    city: str | None = None


UNKNOWN = Place()


def open_database(path: Path | None) -> geoip2.database.Reader | None:
    if path is None or not path.exists():
        return None
    return geoip2.database.Reader(str(path))


def locate(reader: geoip2.database.Reader | None, ip: str) -> Place:
    if reader is None:
        return UNKNOWN
    try:
        if reader.metadata().database_type.endswith("Country"):
            return Place(reader.country(ip).country.iso_code)
        found = reader.city(ip)
    except (geoip2.errors.AddressNotFoundError, ValueError):
        return UNKNOWN
    region = found.subdivisions.most_specific.name if found.subdivisions else None
    return Place(found.country.iso_code, region, found.city.name)


def current_dbip_url(today) -> str:
    """DB-IP's free City Lite database (CC BY 4.0) of `today`'s month."""
    return f"https://download.db-ip.com/free/dbip-city-lite-{today:%Y-%m}.mmdb.gz"


def update(url: str, target: Path) -> str:
    """Download a (gzip-compressed or plain) .mmdb from `url`, check that it opens, and put it
    in place atomically; the worker picks it up on its next drain. Returns its database type."""
    import gzip
    import os
    import urllib.request

    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (operator-given URL)
        data = response.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(data)
    try:
        with geoip2.database.Reader(str(partial)) as reader:
            kind = reader.metadata().database_type
    except Exception as error:
        partial.unlink()
        raise ValueError(f"{url} is not a MaxMind-format database: {error}") from None
    os.replace(partial, target)
    return kind
