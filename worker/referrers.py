"""Where a visit came from: a named source and a channel, from the referrer and the landing URL.

Sources come from Snowplow's referer database (PyPI `referer-parser`, its referers.json of
search engines, social networks and webmail), plus the few current names it lacks (below).
Channels follow what a site owner asks ("how did they find us?"):
- campaign: the landing URL carries utm_source or utm_medium (whatever the referrer);
- organic_search, social, email: the referrer is a known source of that kind;
- referral: any other external referrer;
- direct: no referrer, or one on the property's own domains (internal, not a source).
"""

from __future__ import annotations

import functools
import importlib.resources
import json

KIND_CHANNEL = {"search": "organic_search", "social": "social", "email": "email", "unknown": "referral"}
# Current sources the database predates, in its own shape.
EXTRA = {
    "social": {"X": ["x.com"], "Threads": ["threads.net"], "Bluesky": ["bsky.app"],
               "Mastodon": ["mastodon.social"], "YouTube": ["youtube.com", "m.youtube.com"],
               "Lobsters": ["lobste.rs"], "TikTok": ["tiktok.com"]},
    "search": {"Ecosia": ["ecosia.org"], "Brave Search": ["search.brave.com"], "Kagi": ["kagi.com"],
               "Startpage": ["startpage.com"], "Qwant": ["qwant.com"]},
    "email": {"Substack": ["substack.com"], "Outlook": ["outlook.live.com", "outlook.office.com"],
              "Proton Mail": ["mail.proton.me"]},
}


@functools.cache
def _database() -> dict[str, tuple[str, str]]:
    """host → (source name, kind), from the packaged database and EXTRA."""
    text = (importlib.resources.files("referer_parser") / "data" / "referers.json").read_text()
    sources: dict[str, tuple[str, str]] = {}
    database = json.loads(text)
    for kind in ("search", "social", "email", "unknown"):  # a host listed twice keeps the first
        for name, entry in database[kind].items():
            for domain in entry["domains"]:
                sources.setdefault(domain.lower(), (name, kind))
    for kind, named in EXTRA.items():
        for name, domains in named.items():
            for domain in domains:
                sources.setdefault(domain, (name, kind))
    return sources


@functools.lru_cache(maxsize=4096)
def source(host: str) -> tuple[str, str] | None:
    """(name, kind) for a referrer host, trying it and each parent domain: www.google.co.uk,
    google.co.uk... A host the database does not know is None."""
    labels = host.lower().split(".")
    for start in range(len(labels) - 1):
        found = _database().get(".".join(labels[start:]))
        if found:
            return found
    return None


def is_internal(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def classify(referrer_host: str | None, domains: tuple[str, ...], utm: dict[str, str]) -> tuple[str | None, str]:
    """(source name, channel) for an event."""
    if referrer_host and is_internal(referrer_host, domains):
        referrer_host = None
    known = source(referrer_host) if referrer_host else None
    name = known[0] if known else None
    if "utm_source" in utm or "utm_medium" in utm:
        return name or utm.get("utm_source"), "campaign"
    if known:
        return name, KIND_CHANNEL[known[1]]
    return None, "referral" if referrer_host else "direct"
