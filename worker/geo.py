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
