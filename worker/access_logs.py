"""Web server access logs (nginx, Apache) as spool records, so an import loads through the
worker's own pipeline: visitor ids, bots, locations, sources and sessions come out exactly as
for live traffic. Only what a log knows is there: no engagement, scroll or screen size.

A log line becomes a page view when it is a page request: by default a GET answered 2xx or 304
for a path that is not a static asset. Every other line is counted under the reason it was
skipped, with the numbers of the malformed ones, never an error: a log is what the server wrote,
including scanners' garbage and a last line cut off by rotation.

Formats are nginx `log_format` strings (`$remote_addr - $remote_user [$time_local] ...`), or
the names `combined` (nginx's default, and Apache's "combined", which has the same shape) and
`common`.
"""

from __future__ import annotations

import enum
import functools
import gzip
import ipaddress
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

from parcours import record as contract
from parcours import spool
from worker import bots, open_days

FORMATS = {
    "combined": '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
                '"$http_referer" "$http_user_agent"',
    "common": '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent',
}
QUOTED = r'(?:[^"\\]|\\.)*'
# How each variable's value may look; others match as little as lets the line match.
PATTERNS = {"remote_addr": r"\S+", "remote_user": r"\S*", "time_local": r"[^\]]+", "time_iso8601": r"\S+",
            "msec": r"[\d.]+", "request": QUOTED, "status": r"\d{3}", "body_bytes_sent": r"\d+|-",
            "bytes_sent": r"\d+|-", "http_referer": QUOTED, "http_user_agent": QUOTED, "host": r"\S+",
            "http_host": r"\S+", "request_method": r"[A-Z]+", "request_uri": r"\S+", "http_x_forwarded_for": QUOTED}
TIMES = ("time_local", "time_iso8601", "msec")
STATIC = frozenset(("css", "js", "mjs", "map", "json", "xml", "txt", "png", "jpg", "jpeg", "gif", "svg", "ico",
                    "webp", "avif", "bmp", "tif", "tiff", "woff", "woff2", "ttf", "otf", "eot", "mp4", "webm", "mp3",
                    "ogg", "wav", "m4a", "pdf", "zip", "gz", "tgz", "rar", "7z", "dmg", "exe", "apk", "wasm"))
MONTHS = {name: number for number, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)}


class FormatError(ValueError):
    """A log format that cannot be read: the message says why."""


class Skip(enum.StrEnum):
    MALFORMED = "malformed"  # the line does not have the format's shape
    NO_REQUEST = "no request"  # a connection closed before its request: nginx logs "-" (400, 408)
    TRUNCATED = "truncated last line"  # cut off mid-write, as rotation can leave it
    METHOD = "not a GET"
    STATUS = "status not served"
    STATIC = "static asset"
    UNLOADABLE = "unloadable"  # a value the database could not store (parcours/record.py)
    IMPORTED = open_days.Closed.IMPORTED.value  # a day is counted from one source (worker/open_days.py)
    TRACKED = open_days.Closed.TRACKED.value


@dataclass(frozen=True)
class Options:
    """Which requests count as page views, and where the pages are."""
    base_url: str  # scheme and host of the pages: https://example.com
    methods: frozenset[str] = frozenset({"GET"})
    statuses: frozenset[int] = frozenset({*range(200, 300), 304})
    include_static: bool = False
    forwarded_for: bool = False  # the client is X-Forwarded-For's first address, when the format logs it
    days: open_days.OpenDays = open_days.OpenDays()  # the site's days a log may fill


@dataclass
class Tally:
    lines: int = 0
    events: int = 0
    bots: int = 0  # of the events: classified as bots, as live traffic is (worker/bots.py)
    skipped: dict[str, int] = field(default_factory=dict)
    malformed_lines: list[int] = field(default_factory=list)  # the first ones, for the report
    first: datetime | None = None
    last: datetime | None = None

    def skip(self, reason: Skip, number: int) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1
        if reason in (Skip.MALFORMED, Skip.UNLOADABLE) and len(self.malformed_lines) < 20:
            self.malformed_lines.append(number)

    def took(self, when: datetime, is_bot: bool) -> None:
        self.events += 1
        self.bots += is_bot
        self.first = when if self.first is None else min(self.first, when)
        self.last = when if self.last is None else max(self.last, when)


def compile_format(text: str) -> re.Pattern:
    """A log format (a name in FORMATS, or an nginx log_format string) as a regular expression
    with a group per variable. Refuses one that names no time or no request."""
    text = FORMATS.get(text, text)
    parts, position, names = [], 0, set()
    for found in re.finditer(r"\$\{(\w+)\}|\$(\w+)", text):
        name = found.group(1) or found.group(2)
        parts.append(re.escape(text[position:found.start()]))
        parts.append(f"(?P<{name}>{PATTERNS.get(name, '.*?')})" if name not in names else ".*?")
        names.add(name)
        position = found.end()
    parts.append(re.escape(text[position:]))
    if not names & set(TIMES):
        raise FormatError("the format logs no time: it needs $time_local, $time_iso8601 or $msec")
    if "request" not in names and "request_uri" not in names:
        raise FormatError("the format logs no request: it needs $request or $request_uri")
    return re.compile("".join(parts) + r"(?:\s.*)?$")


def opened(path: Path):
    """A log file for reading bytes, gzip or plain (by its first bytes, not its name)."""
    with open(path, "rb") as probe:
        compressed = probe.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if compressed else open(path, "rb")


def lines(path: Path) -> Iterator[tuple[int, str, bool]]:
    """(number, text, complete) for each line; `complete` is False for a last line without its
    newline. Bytes that are not UTF-8 are replaced, as the server may have logged anything."""
    with opened(path) as handle:
        for number, raw in enumerate(handle, start=1):
            yield number, raw.decode("utf-8", "replace").rstrip("\r\n"), raw.endswith(b"\n")


def parse(fields: dict[str, str]) -> tuple[datetime, str, str, str | None, str, int]:
    """(time, method, target, referrer, user agent, status) of a matched line; ValueError when
    a value is not what its variable holds. A logged "-" is no value."""
    method, target = _request(fields)
    referrer, agent = (_unquoted(fields.get(name, "-")) for name in ("http_referer", "http_user_agent"))
    return (_time(fields), method, target, None if referrer in ("", "-") else referrer, "" if agent == "-" else agent,
            int(fields["status"]) if "status" in fields else 200)


def _request(fields: dict[str, str]) -> tuple[str, str]:
    """(method, target); a target in absolute form (a proxy's request) as its path and query."""
    if "request" not in fields:
        return fields.get("request_method", "GET"), _unquoted(fields["request_uri"])
    parts = _unquoted(fields["request"]).split(" ")
    if len(parts) not in (2, 3):
        raise ValueError("not an HTTP request line")
    method, target = parts[0], parts[1]
    if target.startswith(("http://", "https://")):
        found = urlsplit(target)
        target = (found.path or "/") + (f"?{found.query}" if found.query else "")
    if not target.startswith("/"):
        raise ValueError("not an HTTP request line")
    return method, target


# nginx writes a byte it escapes as \xHH (a quote, a backslash, control and non-ASCII bytes);
# Apache escapes a quote or a backslash with a backslash.
ESCAPED = re.compile(r'\\x([0-9A-Fa-f]{2})|\\(["\\])')


def _unquoted(text: str) -> str:
    """A logged value as the client sent it: escapes undone, UTF-8 decoded (or replaced)."""
    if "\\" not in text:
        return text
    raw, position = bytearray(), 0
    for found in ESCAPED.finditer(text):
        raw += text[position:found.start()].encode()
        raw += bytes([int(found.group(1), 16)]) if found.group(1) else found.group(2).encode()
        position = found.end()
    return (raw + text[position:].encode()).decode("utf-8", "replace")


def _time(fields: dict[str, str]) -> datetime:
    if "time_local" in fields:
        return local_time(fields["time_local"])
    if "time_iso8601" in fields:
        return datetime.fromisoformat(fields["time_iso8601"]).astimezone(timezone.utc)
    return datetime.fromtimestamp(float(fields["msec"]), timezone.utc)


def local_time(text: str) -> datetime:
    """nginx's and Apache's `10/Oct/2026:13:55:36 -0700`, in UTC, whatever the locale."""
    day, month, rest = text.split("/", 2)
    year, hour, minute, second_and_zone = rest.split(":", 3)
    second, zone = second_and_zone.split(" ")
    offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5])) * (-1 if zone[0] == "-" else 1)
    return datetime(int(year), MONTHS[month], int(day), int(hour), int(minute), int(second),
                    tzinfo=timezone.utc) - offset


def client(fields: dict[str, str], options: Options) -> str:
    forwarded = fields.get("http_x_forwarded_for", "-")
    if options.forwarded_for and forwarded not in ("", "-"):
        first = forwarded.split(",")[0].strip()
        try:
            return str(ipaddress.ip_address(first))
        except ValueError:
            pass
    return fields.get("remote_addr", "")


def is_static(target: str) -> bool:
    path = target.split("?", 1)[0]
    last = path.rsplit("/", 1)[-1]
    return "." in last and last.rsplit(".", 1)[1].lower() in STATIC


def beacon(line: str, pattern: re.Pattern, options: Options, property_id: str) -> tuple[datetime, str, bytes] | Skip:
    """The spool record of one log line, with its time and user agent, or the reason it is not
    a page view."""
    matched = pattern.match(line)
    if matched is None:
        return Skip.MALFORMED
    fields = {name: value for name, value in matched.groupdict().items() if value is not None}
    if fields.get("request") in ("-", ""):
        return Skip.NO_REQUEST
    try:
        when, method, target, referrer, agent, status = parse(fields)
    except (ValueError, KeyError, IndexError):
        return Skip.MALFORMED
    if method not in options.methods:
        return Skip.METHOD
    if status not in options.statuses:
        return Skip.STATUS
    if not options.include_static and is_static(target):
        return Skip.STATIC
    if closed := options.days.closed(when):
        return Skip(closed.value)
    event = {"p": property_id, "n": "page_view", "u": options.base_url + target}
    if referrer and (urlsplit(referrer).hostname or contract.is_app(referrer)):
        event["r"] = referrer
    try:
        contract.check(event, agent)
    except contract.Unloadable:
        return Skip.UNLOADABLE
    return when, agent, spool.record(spool.nanoseconds(when), client(fields, options), agent, event)


def first_time(path: Path, pattern: re.Pattern) -> datetime | None:
    """The time of the file's first line that has one: files are loaded in the order of theirs."""
    for _, text, _ in lines(path):
        matched = pattern.match(text)
        if matched:
            try:
                return _time({k: v for k, v in matched.groupdict().items() if v is not None})
            except (ValueError, KeyError):
                continue
    return None


@functools.lru_cache(maxsize=8192)
def _is_bot(agent: str) -> bool:
    # Cached: a log repeats its visitors' agents on every request.
    return bots.is_bot(agent)


def stage(path: Path, sink, pattern: re.Pattern, options: Options, property_id: str,
          progress=lambda done: None) -> Tally:
    """Writes the page views of one log file to `sink` (its write() takes a spool line; None
    only counts, for a dry run), and counts every line. `progress` hears how many lines are done."""
    tally = Tally()
    for number, text, complete in lines(path):
        tally.lines = number
        outcome = beacon(text, pattern, options, property_id)
        if isinstance(outcome, Skip):
            tally.skip(Skip.TRUNCATED if not complete and outcome is Skip.MALFORMED else outcome, number)
        else:
            tally.took(outcome[0], _is_bot(outcome[1]))
            if sink is not None:
                sink.write(outcome[2])
        if number % 10_000 == 0:
            progress(number)
    return tally
