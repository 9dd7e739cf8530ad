"""Ingestion as a pipeline of small steps. Each step enriches the event or drops it with a typed
reason; a record that is not an event at all is quarantined with its reason, never lost.

Steps are plain functions (event, record, context) → event | Dropped. Sessionization is not a
step: it needs the visitor's earlier events, so it runs over a whole batch (sessionize.py).
"""

from __future__ import annotations

import enum
import functools
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import orjson

from parcours import geo
from parcours import record as contract
from worker import agents, channels


class Quarantine(Exception):
    """The record is not a staged event; it goes to the quarantine file with this reason."""


class DropReason(enum.StrEnum):
    UNKNOWN_PROPERTY = "unknown_property"  # deleted after the beacon was accepted


@dataclass
class Dropped:
    reason: DropReason


@dataclass(frozen=True)
class Property:
    time_zone: str
    visitor_id_rotation: str = "never"  # or "daily"
    domains: tuple[str, ...] = ()
    ip_handling: str = "city"  # or "country", or "none": how precisely to locate visitors
    not_found: str | None = None  # the title, or a path starting with /, of the site's 404 page; * is any characters


@dataclass(frozen=True)
class Context:
    secret: bytes
    properties: dict[str, Property]
    geo: Any = field(default=None)  # a parcours.geo.Database, or None: locations unknown


REQUIRED = ("received_at", "user_agent", "event")


def parse_record(line: bytes) -> dict[str, Any]:
    return validate(_json(line))


def _json(line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as error:
        raise Quarantine(f"not JSON: {error}") from None


def validate(record: Any) -> dict[str, Any]:
    """A spool record checked and with `received_at` parsed, as a new dict."""
    if not isinstance(record, dict) or record.get("v") != 1:
        raise Quarantine("not a version 1 spool record")
    missing = [key for key in REQUIRED if key not in record]
    if "ip" not in record and "visitor_id" not in record:  # an archived record has the latter
        missing.insert(0, "ip")
    if missing or not isinstance(record["event"], dict) or not {"p", "n", "u"} <= record["event"].keys():
        raise Quarantine(f"missing fields: {', '.join(missing) or 'event.p/event.n/event.u'}")
    try:
        received_at = datetime.fromisoformat(record["received_at"])
        if received_at.tzinfo is not timezone.utc:  # spool.record() writes Z: already UTC
            received_at = received_at.astimezone(timezone.utc)
    except (TypeError, ValueError):
        raise Quarantine("received_at is not an ISO 8601 time") from None
    try:
        contract.check(record["event"], record["user_agent"])
    except contract.Unloadable as error:
        raise Quarantine(str(error)) from None
    return {**record, "received_at": received_at}  # the parsed JSON itself stays as written


def check_property(event: dict, record: dict, context: Context) -> dict | Dropped:
    return event if record["event"]["p"] in context.properties else Dropped(DropReason.UNKNOWN_PROPERTY)


def split_url(event: dict, record: dict, context: Context) -> dict:
    event["hostname"], event["pathname"] = _host_and_path(record["event"]["u"])
    referrer = record["event"].get("r")
    event["referrer_domain"] = _host_and_path(referrer)[0] if referrer else None
    return event


@functools.lru_cache(maxsize=16384)
def _host_and_path(url: str) -> tuple[str, str]:
    # Cached: the same pages and referrers recur across a site's traffic.
    parts = urlsplit(url)
    return parts.hostname or "", parts.path or "/"


def user_agent(event: dict, record: dict, context: Context) -> dict:
    found = agents.agent(record["user_agent"])
    device = agents.with_screen(found.device, found.os, record["event"].get("w"))
    event.update(browser=found.browser, browser_version=found.browser_version, os=found.os,
                 os_version=found.os_version, device=device, is_bot=found.is_bot)
    return event


def referrer(event: dict, record: dict, context: Context) -> dict:
    """Source and channel; a referrer on the property's own domains is internal, not a source."""
    page_url, referrer_url = record["event"]["u"], record["event"].get("r")
    event.update(contract.campaign(page_url))
    event["source"], event["channel"] = channels.of(
        event["referrer_domain"], _host_and_path(referrer_url)[1] if referrer_url else "/",
        bool(referrer_url and referrer_url.startswith(contract.ANDROID_APP)),
        context.properties[event["property_id"]].domains, page_url)
    return event


def location(event: dict, record: dict, context: Context) -> dict:
    """Country, region and city, as precisely as the property allows."""
    precision = context.properties[event["property_id"]].ip_handling
    if precision == "none":
        place = (None, None, None)
    elif "ip" in record:
        place = geo.locate(context.geo, record["ip"])
    else:  # archived: located when first loaded
        place = (record.get("place") or [None] * 3)[:3]
    event["country"], event["region"], event["city"] = place if precision == "city" else (place[0], None, None)
    return event


def content(event: dict, record: dict, context: Context) -> dict:
    """WordPress metadata for content reports, and a custom event's properties. A page the
    property names as its error page is a 404, as the WordPress plugin marks one."""
    meta = record["event"].get("m") or {}
    pattern = context.properties[event["property_id"]].not_found
    error_page = pattern and not meta.get("type") and _glob(pattern).fullmatch(
        event["pathname"] if pattern.startswith("/") else record["event"].get("t") or "")
    event.update(page_type="404" if error_page else meta.get("type"), author=meta.get("author"),
                 categories=meta.get("categories"), tags=meta.get("tags"))
    event["props"] = record["event"].get("d") or None  # an object, for the jsonb column
    return event


@functools.lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern:
    """`*` is any characters, everything else itself (as reports.like_pattern reads goals)."""
    return re.compile(".*".join(map(re.escape, pattern.split("*"))), re.DOTALL)


def visitor_id(event: dict, record: dict, context: Context) -> dict:
    """A keyed hash of property, IP and user agent that the browser can neither compute nor
    read back; the IP is not kept. With daily rotation the property's local date joins the
    material, so the same visitor gets an unrelated id after local midnight."""
    if "ip" not in record:  # archived: derived when first loaded, from the address since dropped
        event["visitor_id"] = record["visitor_id"]
        return event
    prop = context.properties[record["event"]["p"]]
    day = ""
    if prop.visitor_id_rotation == "daily":
        day = record["received_at"].astimezone(ZoneInfo(prop.time_zone)).date().isoformat()
    event["visitor_id"] = keyed_hash(context.secret, record["event"]["p"], record["ip"], record["user_agent"], day)
    return event


@functools.lru_cache(maxsize=65536)
def keyed_hash(secret: bytes, *parts: str) -> int:
    # Cached: a visitor's page views, pings and scrolls share one id.
    digest = hashlib.blake2b("\0".join(parts).encode(), key=secret, digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


Step = Callable[[dict, dict, Context], "dict | Dropped"]
STEPS: tuple[Step, ...] = (check_property, split_url, user_agent, referrer, location, content, visitor_id)


def process(record: dict, context: Context) -> dict | Dropped:
    e = record["event"]
    event: dict | Dropped = {
        "time": record["received_at"], "property_id": e["p"], "name": e["n"], "title": e.get("t"),
        "referrer": e.get("r"), "language": e.get("l"), "screen_width": e.get("w"),
        "engaged_ms": e.get("e"), "scroll_depth": e.get("s"),
    }
    for step in STEPS:
        event = step(event, record, context)
        if isinstance(event, Dropped):
            return event
    return event


# The address as spool.record() writes it: the fast path of scrub().
_IP_FIELD = re.compile(rb'"ip":"[^"\\]*",')


def scrub_known(line: bytes, derived: tuple[int, tuple]) -> bytes:
    """scrub() for a line whose visitor id and place the load already derived."""
    replacement = b'"visitor_id":%d,"place":%b,' % (derived[0], _place_json(derived[1]))
    scrubbed, found = _IP_FIELD.subn(replacement.replace(b"\\", b"\\\\"), line, count=1)
    return scrubbed if found else line


@functools.lru_cache(maxsize=4096)
def _place_json(place: tuple) -> bytes:
    return orjson.dumps(list(place))


def scrub(line: bytes, context: Context) -> bytes:
    """The archived (or quarantined) form of a spool line: the client address replaced by what
    was derived from it (visitor id and place), so the archive keeps no IP yet replays to the
    same rows. A record of a deleted property loses its address too, and so does a line the
    worker cannot read as a record (quarantined with its reason)."""
    try:
        record = _json(line)
        parsed = validate(record)
    except Quarantine:
        return _without_ip(line)
    if "ip" not in record:
        return line
    if parsed["event"]["p"] in context.properties:
        record["visitor_id"] = visitor_id({}, parsed, context)["visitor_id"]
        located = location({"property_id": parsed["event"]["p"]}, parsed, context)  # as precise as allowed
        record["place"] = [located["country"], located["region"], located["city"]]
    del record["ip"]
    return orjson.dumps(record)


def _without_ip(line: bytes) -> bytes:
    # The standard library's parser is lenient where orjson is not (NaN, integers past 64 bits,
    # lone surrogates), so a record refused for those still loses its address cleanly.
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        return _ANY_IP_FIELD.sub(b"", line)
    if not isinstance(record, dict) or "ip" not in record:
        return line
    del record["ip"]
    return json.dumps(record, separators=(",", ":")).encode()


# "ip": in any spacing, whatever follows up to the next comma or brace: a line that is not JSON.
_ANY_IP_FIELD = re.compile(rb'"ip"\s*:\s*("(?:[^"\\]|\\.)*"|[^,}]*)\s*,?')
