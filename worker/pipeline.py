"""Ingestion as a pipeline of small steps. Each step enriches the event or drops it with a typed
reason; a record that is not an event at all is quarantined with its reason, never lost.

Later work adds steps (referrer sources, GeoIP, sessionization); each stays a plain function
from an event to an event.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ua_parser import parse as parse_user_agent


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


@dataclass(frozen=True)
class Context:
    secret: bytes
    properties: dict[str, Property]


REQUIRED = ("received_at", "ip", "user_agent", "event")


def parse_record(line: bytes) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Quarantine(f"not JSON: {error}") from None
    if not isinstance(record, dict) or record.get("v") != 1:
        raise Quarantine("not a version 1 spool record")
    missing = [key for key in REQUIRED if key not in record]
    if missing or not isinstance(record["event"], dict) or not {"p", "n", "u"} <= record["event"].keys():
        raise Quarantine(f"missing fields: {', '.join(missing) or 'event.p/event.n/event.u'}")
    try:
        record["received_at"] = datetime.fromisoformat(record["received_at"]).astimezone(timezone.utc)
    except (TypeError, ValueError):
        raise Quarantine("received_at is not an ISO 8601 time") from None
    return record


def check_property(event: dict, record: dict, context: Context) -> dict | Dropped:
    return event if record["event"]["p"] in context.properties else Dropped(DropReason.UNKNOWN_PROPERTY)


def split_url(event: dict, record: dict, context: Context) -> dict:
    url = urlsplit(record["event"]["u"])
    event.update(hostname=(url.hostname or ""), pathname=url.path or "/")
    referrer = record["event"].get("r")
    event["referrer_domain"] = urlsplit(referrer).hostname if referrer else None
    return event


@functools.lru_cache(maxsize=4096)
def _agent(user_agent: str) -> tuple[str | None, str | None, bool]:
    result = parse_user_agent(user_agent)
    browser = result.user_agent.family if result.user_agent else None
    os_family = result.os.family if result.os else None
    return browser, os_family, bool(result.device and result.device.family == "Spider")


def user_agent(event: dict, record: dict, context: Context) -> dict:
    event["browser"], event["os"], event["is_bot"] = _agent(record["user_agent"])
    return event


def visitor_id(event: dict, record: dict, context: Context) -> dict:
    """A keyed hash of property, IP and user agent that the browser can neither compute nor
    read back; the IP is not kept. With daily rotation the property's local date joins the
    material, so the same visitor gets an unrelated id after local midnight."""
    prop = context.properties[record["event"]["p"]]
    day = ""
    if prop.visitor_id_rotation == "daily":
        day = record["received_at"].astimezone(ZoneInfo(prop.time_zone)).date().isoformat()
    material = "\0".join((record["event"]["p"], record["ip"], record["user_agent"], day)).encode()
    digest = hashlib.blake2b(material, key=context.secret, digest_size=8).digest()
    event["visitor_id"] = int.from_bytes(digest, "big", signed=True)
    return event


Step = Callable[[dict, dict, Context], "dict | Dropped"]
STEPS: tuple[Step, ...] = (check_property, split_url, user_agent, visitor_id)


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
