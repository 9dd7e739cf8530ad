"""GoatCounter's CSV export (its "Export" page, format version 2) as spool records, so that an
import loads through the worker's own pipeline: sources, channels, places, devices and sessions
come out as for live traffic, and goals and funnels see the imported page views and events.

The export keeps no address and no user agent, so each row is written in the archived form of a
spool line (docs/spool.md), which carries what was derived in place of the address:
- the visitor is the row's GoatCounter session (one visitor for up to 8 hours there), hashed
  with the server's secret as live visitor ids are, so the export's ids are not kept;
- the place is the country ("US-TX" is Texas in the US: the region is an ISO 3166-2 code, where
  Parcours names regions, so it is left unknown);
- the browser and system names ("Firefox 121", "Windows 10") are written back into a user agent
  that the worker's parser reads as the same names and major versions, and the device follows
  from the system and the screen's width, as for live traffic.
Rows GoatCounter marked as bots are skipped and counted. GoatCounter has no engagement or scroll.
"""

from __future__ import annotations

import csv
import enum
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote, urlencode

from parcours import record as contract
from parcours import spool
from worker import access_logs, open_days, pipeline

HEADER = ("2Path", "Title", "Event", "UserAgent", "Browser", "System", "Session", "Bot", "Referrer",
          "Referrer scheme", "Screen size", "Location", "FirstVisit", "Date")
URL_SAFE = "/%:@!$&'()*+,;=-._~?#"  # what a browser leaves as it is in a URL's path and query
COUNTRY = re.compile(r"^([A-Z]{2})(?:-[A-Z0-9]{1,3})?$")


class Skip(enum.StrEnum):
    MALFORMED = "malformed"  # not the export's fields, or a value that is not what its field holds
    TRUNCATED = "truncated last line"
    BOT = "bot (as GoatCounter marked it)"
    NO_SESSION = "no session"
    EVENT_NAME = "event name Parcours does not take (up to 64 letters, digits, spaces and . : / - _)"
    UNLOADABLE = "unloadable"  # a value the database could not store (parcours/record.py)
    IMPORTED = open_days.Closed.IMPORTED.value  # a day is counted from one source (worker/open_days.py)
    TRACKED = open_days.Closed.TRACKED.value


@dataclass(frozen=True)
class Site:
    base_url: str  # scheme and host of the pages: https://example.com
    days: open_days.OpenDays = open_days.OpenDays()  # the site's days an export may fill


def rows(path: Path) -> Iterator[tuple[int, list[str] | None, bool]]:
    """(line number, fields, last) for each record after the header; fields are None for a
    record the CSV reader cannot read. Raises access_logs.FormatError unless the header is
    version 2's."""
    with access_logs.opened(path) as raw:
        reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline=""), strict=True)
        _check_header(next(reader, None))
        pending = None
        while True:
            try:
                fields = next(reader, None)
            except csv.Error:
                fields = []
            if pending is not None:
                yield pending[0], pending[1], fields is None
            if fields is None:
                return
            pending = (reader.line_num, fields if len(fields) == len(HEADER) else None)


def _check_header(found: list[str] | None) -> None:
    if found is None or not found or found[0].lstrip("\ufeff") != HEADER[0] or tuple(found[1:]) != HEADER[1:]:
        version = found[0].lstrip("\ufeff")[:1] if found else ""
        if version.isdigit() and version != "2":
            raise access_logs.FormatError(f"a GoatCounter export of format version {version}: export it again "
                                          "from GoatCounter, which writes version 2")
        raise access_logs.FormatError("not a GoatCounter CSV export: its header is not "
                                      + ",".join(HEADER))


def beacon(fields: list[str], site: Site, property_id: str, secret: bytes) -> tuple[datetime, bytes] | Skip:
    """The spool line of one export row, with its time, or the reason it is left out."""
    row = dict(zip(HEADER, fields))
    parsed = _time_and_width(row)
    if isinstance(parsed, Skip):
        return parsed
    when, width = parsed
    left_out = _left_out(row, when, site)
    event = left_out or _event(row, site, property_id, width)
    if isinstance(event, Skip):
        return event
    agent = user_agent(row["Browser"], row["System"])
    if not _loadable(event, agent):
        return Skip.UNLOADABLE
    visitor = pipeline.keyed_hash(secret, property_id, "goatcounter", row["Session"].strip())
    found = COUNTRY.match(row["Location"].strip())
    return when, spool.archived_record(spool.nanoseconds(when), visitor, [found and found.group(1), None, None],
                                       agent, event)


def _time_and_width(row: dict[str, str]) -> tuple[datetime, int | None] | Skip:
    """The row's time in UTC (it must name its zone) and screen width."""
    try:
        when = datetime.fromisoformat(row["Date"].replace("Z", "+00:00"))
        width = int(row["Screen size"].split(",")[0]) if row["Screen size"].strip() else None
    except ValueError:
        return Skip.MALFORMED
    return Skip.MALFORMED if when.tzinfo is None else (when.astimezone(timezone.utc), width)


def _left_out(row: dict[str, str], when: datetime, site: Site) -> Skip | None:
    if row["Bot"].strip() not in ("", "0"):
        return Skip.BOT
    if not row["Session"].strip():
        return Skip.NO_SESSION
    if closed := site.days.closed(when):
        return Skip(closed.value)
    return None


def _event(row: dict[str, str], site: Site, property_id: str, width: int | None) -> dict | Skip:
    """The beacon: a page view of the row's path, or a custom event named by it (sent from the
    site's home page: the export does not say from where)."""
    is_event = row["Event"].strip().lower() in ("true", "1")
    name = row["2Path"].strip()
    if is_event and not contract.CUSTOM_NAME.match(name):
        return Skip.EVENT_NAME
    # Percent-encoded as a browser sends a URL, so "/café" is the page the tracker reports.
    path = "/" if is_event else quote(name if name.startswith("/") else "/" + name, safe=URL_SAFE)
    scheme, referrer = row["Referrer scheme"].strip(), row["Referrer"].strip()
    tag = f"{'&' if '?' in path else '?'}{urlencode({'utm_source': referrer})}" if referrer and scheme in ("c", "g") else ""
    event = {"p": property_id, "n": name if is_event else "page_view", "u": site.base_url + path + tag}
    if row["Title"].strip():
        event["t"] = row["Title"].strip()
    if width is not None and 0 < width <= contract.RANGES["w"][1]:
        event["w"] = width
    if referrer and scheme == "h":
        url = referrer if "://" in referrer else "https://" + referrer
        if contract.host_of(url):  # an http(s) URL with a valid host
            event["r"] = url
    elif referrer and scheme == "o" and contract.is_app(referrer):
        event["r"] = referrer
    return event


def _loadable(event: dict, agent: str) -> bool:
    try:
        contract.check(event, agent)
    except contract.Unloadable:
        return False
    return True


# GoatCounter's system names, each as the platform a browser on it writes in its user agent.
PLATFORMS = {
    "windows": lambda v: "Windows NT " + {"xp": "5.1", "vista": "6.0", "7": "6.1", "8": "6.2", "8.1": "6.3"}.get(v.lower(), "10.0")
                         + "; Win64; x64",
    "macos": lambda v: "Macintosh; Intel Mac OS X " + (v.replace(".", "_") or "10_15_7"),
    "ios": lambda v: f"iPhone; CPU iPhone OS {v.replace('.', '_') or '17_0'} like Mac OS X",
    "ipados": lambda v: f"iPad; CPU OS {v.replace('.', '_') or '17_0'} like Mac OS X",
    "android": lambda v: f"Linux; Android {v or '10'}; K",
    "linux": lambda v: "X11; Linux x86_64",
    "chrome os": lambda v: "X11; CrOS x86_64 14541.0.0",
    "freebsd": lambda v: "X11; FreeBSD amd64",
}
# And its browser names, as what follows the platform; {v} is the major version, {m} " Mobile"
# on a phone's or tablet's system.
PRODUCTS = {
    "chrome": "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0{m} Safari/537.36",
    "chromium": "AppleWebKit/537.36 (KHTML, like Gecko) Chromium/{v}.0.0.0 Chrome/{v}.0.0.0{m} Safari/537.36",
    "firefox": "Gecko/20100101 Firefox/{v}.0",
    "safari": "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{v}.0{m} Safari/605.1.15",
    "edge": "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0{m} Safari/537.36 Edg/{v}.0.0.0",
    "opera": "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0{m} Safari/537.36 OPR/{v}.0.0.0",
    "samsung internet": "AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/{v}.0 Chrome/120.0.0.0{m} Safari/537.36",
    "yandex": "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 YaBrowser/{v}.0.0.0{m} Safari/537.36",
    "vivaldi": "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0{m} Safari/537.36 Vivaldi/{v}.0",
}


def user_agent(browser: str, system: str) -> str:
    """A user agent that names `browser` and `system` ("Chrome 120", "Windows 10") as
    worker/agents.py reads them; unknown names give an agent that names nothing, which is
    neither a bot nor any browser."""
    browser_name, browser_version = _name_and_version(browser)
    system_name, system_version = _name_and_version(system)
    platform = PLATFORMS.get(system_name.lower(), lambda v: "X11")(system_version)
    mobile = " Mobile" if system_name.lower() in ("ios", "ipados", "android") else ""
    product = PRODUCTS.get(browser_name.lower(), "Gecko/20100101")
    major = browser_version.split(".")[0] or "100"
    if browser_name.lower() == "firefox":
        platform += f"; rv:{major}.0"
    return f"Mozilla/5.0 ({platform}) " + product.format(v=major, m=mobile)


def _name_and_version(text: str) -> tuple[str, str]:
    """"Samsung Internet 23.0" → ("Samsung Internet", "23.0"); "Linux" → ("Linux", "")."""
    name, _, last = text.strip().rpartition(" ")
    return (name, last) if name and last[:1].isdigit() else (text.strip(), "")


def first_time(path: Path) -> datetime | None:
    """The time of the file's first readable row: files are loaded in the order of theirs.
    Raises access_logs.FormatError for a file that is not a version 2 export, before any is read."""
    for _, fields, _ in rows(path):
        try:
            when = datetime.fromisoformat(dict(zip(HEADER, fields or ()))["Date"].replace("Z", "+00:00"))
        except (KeyError, ValueError):
            continue
        if when.tzinfo is not None:
            return when.astimezone(timezone.utc)
    return None


def stage(path: Path, sink, site: Site, property_id: str, secret: bytes,
          progress=lambda done: None) -> access_logs.Tally:
    """Writes the rows of one export to `sink` (None only counts, for a dry run) and counts
    every row; `progress` hears how many lines are done. Raises access_logs.FormatError for a
    file that is not a version 2 export."""
    tally = access_logs.Tally()  # its `lines` counts rows here; a quoted field may span lines
    for number, fields, last in rows(path):
        tally.lines += 1
        outcome = Skip.MALFORMED if fields is None else beacon(fields, site, property_id, secret)
        if isinstance(outcome, Skip):
            tally.skip(Skip.TRUNCATED if last and outcome is Skip.MALFORMED else outcome, number)
        else:
            tally.took(outcome[0], False)
            if sink is not None:
                sink.write(outcome[1])
        if number % 10_000 == 0:
            progress(number)
    return tally
