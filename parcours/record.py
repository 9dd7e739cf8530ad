"""The contract between collect and the worker: what a spool record's event may hold.

Collect answers 202 only for an event `check()` passes, and the worker runs the same `check()`
before it loads a line, so "202" means "will load": every value the worker stores or derives
(the campaign tags it decodes from the page URL included) is one PostgreSQL accepts — text
without NUL or lone surrogates, finite numbers, integers in their columns' range, nesting no
deeper than the event's own shape. Collect's sanitizer (app/collect/beacon.py) cleans what it
can; anything left that breaks this contract is refused with the reason given here.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urlsplit

INT64 = (-(1 << 63), (1 << 63) - 1)
# Integer fields and the range their columns hold (sanitize clamps into it).
RANGES = {"w": (0, 100_000), "e": (0, 86_400_000), "s": (0, 100)}
UTM = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
# Links name their source without UTM too (?ref=producthunt, ?source=newsletter).
SOURCE_TAGS = ("ref", "source")
# Ad networks' click ids. Collect keeps only that one was there (gclid=1): the id identifies a
# person's click, and the channel needs no more than the network that added it.
CLICK_IDS = ("gclid", "gbraid", "wbraid", "dclid", "msclkid", "yclid", "ttclid", "twclid", "li_fat_id",
             "ScCid", "epik", "rdt_cid")
# An Android app that opened the page: Android sends android-app://package (Gmail, the Google
# app); collect keeps the package and drops any path after it.
ANDROID_APP = "android-app://"
APP_REFERRER = re.compile(r"^android-app://[a-zA-Z]\w*(?:\.[a-zA-Z_]\w*)+$")
# Event names: the four the tracker sends about pages, and the custom names a site may send (and
# goals and funnels may name: app/reports/goals.py).
STANDARD_EVENTS = frozenset({"page_view", "ping", "scroll", "page_exit"})
CUSTOM_NAME = re.compile(r"^[\w .:/-]{1,64}$")
UTM_LENGTH = 200
# Page paths are indexed (entry, exit and top pages): a btree row holds at most 2,704 bytes,
# and a URL of 2,048 incompressible four-byte characters would not fit.
MAX_URL_BYTES = 2048
# event → props/meta → list → text: anything deeper is not a beacon.
MAX_DEPTH = 3
# What PostgreSQL's text and jsonb refuse (NUL), or UTF-8 cannot encode (lone surrogates).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class Unloadable(ValueError):
    """The event would not load; the message says which value and why."""


def check(event: dict[str, Any], user_agent: str) -> None:
    """Raise Unloadable unless every value of `event`, and every value the worker derives
    from it, can be stored."""
    if not isinstance(user_agent, str) or not isinstance(event, dict):
        raise Unloadable("user_agent must be text and event an object")
    _value(user_agent, "user_agent", 0)
    _value(event, "event", 0)
    for key in ("p", "n", "u"):
        if not isinstance(event.get(key), str):
            raise Unloadable(f"event.{key} must be text")
    if "r" in event and not isinstance(event["r"], str):
        raise Unloadable("event.r must be text")
    for key, (low, high) in RANGES.items():
        if key in event and not (isinstance(event[key], int) and low <= event[key] <= high):
            raise Unloadable(f"event.{key} must be a whole number from {low} to {high}")
    for key in ("u", "r"):
        if key in event and not (host_of(event[key]) or key == "r" and is_app(event[key])):
            raise Unloadable(f"event.{key} must be an http(s) URL with a valid host" +
                             (" or an android-app:// package" if key == "r" else ""))
        if key in event and len(event[key].encode("utf-8", "surrogatepass")) > MAX_URL_BYTES:
            raise Unloadable(f"event.{key} is longer than {MAX_URL_BYTES} bytes")
    for key, value in tags(event["u"]):
        _value(value, key, 0)


def _value(value: Any, where: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise Unloadable(f"{where} is nested too deeply")
    if isinstance(value, str):
        if not value.isprintable() and UNSTORABLE.search(value):
            raise Unloadable(f"{where} holds a NUL or a lone surrogate")
    elif isinstance(value, bool) or value is None:
        pass
    elif isinstance(value, int):
        if not INT64[0] <= value <= INT64[1]:
            raise Unloadable(f"{where} is an integer beyond 64 bits")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise Unloadable(f"{where} is not a finite number")
    elif isinstance(value, list):
        for item in value:
            _value(item, where, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            # Printable text is the common case: it is passed over here, without a call
            # (this runs on every beacon collect accepts).
            if not (isinstance(key, str) and key.isprintable()):
                _value(key, f"{where} key", depth + 1)
            if not (isinstance(item, str) and item.isprintable() and depth < MAX_DEPTH):
                _value(item, f"{where}.{key}" if depth <= 1 else where, depth + 1)
    else:
        raise Unloadable(f"{where} is not a JSON value")


def storable(text: str) -> str:
    """`text` without control characters, its lone surrogates (a string cut mid-pair by a
    client) replaced by U+FFFD."""
    if text.isprintable():  # a fast C check, false for every character changed below
        return text
    return UNSTORABLE.sub("\ufffd", CONTROL.sub("", text))


def fit_bytes(text: str, limit: int) -> str:
    """`text` cut to at most `limit` bytes of UTF-8, on a character boundary."""
    data = text.encode("utf-8", "surrogatepass")
    return text if len(data) <= limit else data[:limit].decode("utf-8", "ignore")


@functools.lru_cache(maxsize=16384)
def host_of(url: str) -> str:
    """The lower-cased host of an http(s) URL, or "" when it has none or it is not a valid
    host name (IDNA) or address."""
    split_url = split(url)
    return split_url[1] if split_url else ""


def split(url: str) -> tuple[SplitResult, str] | None:
    """The parts of an http(s) URL and its lower-cased host, or None when host_of would say "".
    Callers that need the parts too split once."""
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname or "", parts.port
    except ValueError:  # "http://[", a netloc that NFKC-normalizes to "/?#@:", a bad port
        return None
    if parts.scheme not in ("http", "https") or not valid_host(host):
        return None
    return parts, host


_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_IPV6 = re.compile(r"^[0-9a-f:.]+(%[\w.~-]+)?$")


@functools.lru_cache(maxsize=4096)
def valid_host(host: str) -> bool:
    """An IPv4/IPv6 address or a host name whose labels are LDH (underscore tolerated, as
    real DNS has them) once IDNA-encoded."""
    if ":" in host:
        return bool(_IPV6.match(host))
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return False
    labels = ascii_host.removesuffix(".").split(".")
    return len(ascii_host) <= 253 and all(_LABEL.match(label) for label in labels)


def is_app(referrer: Any) -> bool:
    """Whether `referrer` is an Android app's, as collect keeps it: android-app://package."""
    return isinstance(referrer, str) and bool(APP_REFERRER.match(referrer))


def campaign(page_url: str) -> dict[str, str]:
    """The utm_* tags of a landing URL, decoded: what the worker stores for them."""
    return {key: value for key, value in tags(page_url) if key in UTM}


def tags(page_url: str) -> tuple[tuple[str, str], ...]:
    """The tags of a landing URL the worker reads, decoded: utm_*, ref, source, click ids."""
    return _tags(page_url) if "?" in page_url else ()


@functools.lru_cache(maxsize=8192)
def _tags(page_url: str) -> tuple[tuple[str, str], ...]:
    query = page_url.partition("?")[2].partition("#")[0]
    pairs = parse_qsl(query, errors="replace")  # invalid UTF-8 becomes U+FFFD
    return tuple((key, storable(value)[:UTM_LENGTH]) for key, value in pairs if key in _READ)


_READ = frozenset(UTM + SOURCE_TAGS + CLICK_IDS)
