"""What a beacon may contain, and the sanitized record the spool keeps of it.

The tracker sends short keys to keep its requests (and itself) small. Anything that is not a
well-formed beacon is refused here with a reason, before it costs a disk write.
"""

from __future__ import annotations

import functools
import json
import math
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from parcours import record

MAX_BYTES = 8 * 1024
PROPERTY_ID = re.compile(r"^[a-z0-9]{6,32}$")


class BeaconError(ValueError):
    """The beacon is refused; the message says why and goes back to the sender."""


def parse(body: bytes) -> dict[str, Any]:
    if len(body) > MAX_BYTES:
        raise BeaconError(f"beacon larger than {MAX_BYTES} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BeaconError("body is not UTF-8") from None
    data = _json(text)
    if not isinstance(data, dict):
        raise BeaconError("body must be a JSON object")
    return sanitize(data)


def _json(text: str) -> Any:
    try:
        return _DECODER.decode(text)
    except RecursionError:
        raise BeaconError("body is nested too deeply") from None
    except ValueError as error:  # JSONDecodeError, and numbers past the int-string limit
        raise BeaconError(f"body is not JSON: {str(error).split(':')[0]}") from None


def _not_a_number(constant: str) -> None:
    raise ValueError(f"{constant} is not a JSON number")


# One decoder for every beacon: json.loads with an option builds a new one per call.
_DECODER = json.JSONDecoder(parse_constant=_not_a_number)


def _text(data: dict[str, Any], key: str, limit: int, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise BeaconError(f"field '{key}' is required")
        return None
    if not isinstance(value, str):
        raise BeaconError(f"field '{key}' must be a string")
    return _printable(value)[:limit]


_printable = record.storable


def _int(data: dict[str, Any], key: str, low: int, high: int) -> int | None:
    """A number clamped into [low, high]: a page left open for a week or a scroll past the end
    still tells something true. Not a number at all (NaN included) is refused."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BeaconError(f"field '{key}' must be a finite number")
    return int(min(max(value, low), high))


# Real traffic repeats a small set of pages and referrers; their sanitized forms are cached.
URL_CACHE = 8192


def _page_url(data: dict[str, Any]) -> str:
    return _clean_page_url(record.fit_bytes(_text(data, "u", 2048, required=True) or "", record.MAX_URL_BYTES))


@functools.lru_cache(maxsize=URL_CACHE)
def _clean_page_url(value: str) -> str:
    """The page URL without its fragment or user info, its query reduced to campaign
    parameters (utm_*, ref, source) with a value, and a click id's presence (gclid=1): other
    parameters can carry personal data and split one page in many. Kept pairs stay as the page
    encoded them."""
    split = record.split(value)
    if split is None:
        raise BeaconError("field 'u' must be an http(s) URL with a valid host")
    url, host = split
    kept = [_kept(pair) for pair in url.query.split("&")]
    return urlunsplit((url.scheme, _netloc(host, url.port), url.path or "/", "&".join(filter(None, kept)), ""))


def _netloc(host: str, port: int | None) -> str:
    bracketed = f"[{host}]" if ":" in host else host
    return bracketed if port is None else f"{bracketed}:{port}"


def _kept(pair: str) -> str | None:
    key, _, value = pair.partition("=")
    if not value:
        return None
    if key in record.CLICK_IDS:
        return key + "=1"
    return pair if key.startswith("utm_") or key in record.SOURCE_TAGS else None


@functools.lru_cache(maxsize=URL_CACHE)
def page_host(url: str) -> str:
    """The host of a URL `parse` accepted as the page URL."""
    return urlsplit(url).hostname or ""


def _referrer(data: dict[str, Any]) -> str | None:
    return _clean_referrer(record.fit_bytes(_text(data, "r", 2048) or "", record.MAX_URL_BYTES))


@functools.lru_cache(maxsize=URL_CACHE)
def _clean_referrer(value: str) -> str | None:
    """Scheme, host and path only (no user info, port, query or fragment); an Android app's
    package alone; any other referrer that is not an http(s) URL with a valid host is dropped,
    not refused."""
    if value.startswith(record.ANDROID_APP):
        app = record.ANDROID_APP + value[len(record.ANDROID_APP):].partition("/")[0]
        return app if record.is_app(app) else None
    split = record.split(value)
    if split is None:
        return None
    url, host = split
    return urlunsplit((url.scheme, _netloc(host, None), url.path, "", ""))


def _name(data: dict[str, Any]) -> str:
    name = _text(data, "n", 64, required=True)
    if name not in record.STANDARD_EVENTS and not record.CUSTOM_NAME.match(name or ""):
        raise BeaconError("field 'n' is not a valid event name")
    return name  # type: ignore[return-value]


def _property(data: dict[str, Any]) -> str:
    value = _text(data, "p", 32, required=True)
    if not PROPERTY_ID.match(value or ""):
        raise BeaconError("field 'p' is not a property id")
    return value  # type: ignore[return-value]


MAX_PROPS = 30
META_TEXT = {"type": 40, "author": 100}
META_LISTS = {"categories": 20, "tags": 30}
META_FLAGS = ("is_home", "is_front_page", "is_single", "is_page", "is_archive", "is_search", "is_404")


def _props(data: dict[str, Any]) -> dict[str, Any] | None:
    """Custom event properties: a flat object of at most 30 short keys and scalar values."""
    value = data.get("d")
    if value is None:
        return None
    if not isinstance(value, dict) or len(value) > MAX_PROPS:
        raise BeaconError(f"field 'd' must be an object of at most {MAX_PROPS} properties")
    props = {}
    for key, item in value.items():
        if not 1 <= len(key) <= 64 or (item is not None and not isinstance(item, (str, int, float, bool))):
            raise BeaconError("field 'd' may hold only short keys with text, number or boolean values")
        props[_printable(key)] = _printable(item)[:256] if isinstance(item, str) else item
    return props


def _strings(value: Any, limit: int) -> list[str]:
    if not isinstance(value, list):
        return []
    return [_printable(v)[:100] for v in value if isinstance(v, str)][:limit]


def _meta(data: dict[str, Any]) -> dict[str, Any] | None:
    """WordPress page metadata; unknown keys and wrong types are dropped, not refused,
    because themes and plugins fill it and the page view itself is still good."""
    value = data.get("m")
    if not isinstance(value, dict):
        return None
    meta: dict[str, Any] = {k: _printable(value[k])[:n] for k, n in META_TEXT.items()
                            if isinstance(value.get(k), str)}
    meta.update({k: _strings(value[k], n) for k, n in META_LISTS.items() if k in value})
    meta.update({k: value[k] for k in META_FLAGS if isinstance(value.get(k), bool)})
    return meta or None


def sanitize(data: dict[str, Any]) -> dict[str, Any]:
    """The fields Parcours keeps, checked and trimmed; unknown keys are dropped."""
    event = {
        "p": _property(data),
        "n": _name(data),
        "u": _page_url(data),
        "r": _referrer(data),
        "t": _text(data, "t", 512),
        "l": _text(data, "l", 35),
        "w": _int(data, "w", *record.RANGES["w"]),
        "e": _int(data, "e", *record.RANGES["e"]),
        "s": _int(data, "s", *record.RANGES["s"]),
        "d": _props(data),
        "m": _meta(data),
    }
    return {key: value for key, value in event.items() if value is not None}
