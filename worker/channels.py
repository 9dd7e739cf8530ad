"""The channel a visit arrived through, and the source it names: what a site owner asks first
("how did they find us?"), in the channel names Google Analytics 4 and Plausible use.

Decided from the referrer's source (referrers.py), the landing URL's utm_* tags, ref= and
source=, and an ad network's click id. Tags win over the referrer, as in GA4: a newsletter link
opened in Gmail is the newsletter. The rules run in order and the first that matches decides;
docs/definitions.md has them with examples.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from parcours import record
from worker import referrers
from worker.referrers import Source

DIRECT, ORGANIC_SEARCH, PAID_SEARCH = "Direct", "Organic Search", "Paid Search"
ORGANIC_SOCIAL, PAID_SOCIAL, EMAIL = "Organic Social", "Paid Social", "Email"
AI_ASSISTANTS, REFERRAL, AFFILIATES = "AI Assistants", "Referral", "Affiliates"
DISPLAY, VIDEO, OTHER = "Display", "Video", "Other"
CHANNELS = (DIRECT, ORGANIC_SEARCH, PAID_SEARCH, ORGANIC_SOCIAL, PAID_SOCIAL, EMAIL, AI_ASSISTANTS,
            REFERRAL, AFFILIATES, DISPLAY, VIDEO, OTHER)

# The network behind each click id (record.CLICK_IDS), as a source of its kind.
CLICK_SOURCES = {
    "gclid": Source("Google", "search_ads"), "gbraid": Source("Google", "search_ads"),
    "wbraid": Source("Google", "search_ads"), "dclid": Source("Google", "ads"),
    "msclkid": Source("Bing", "search_ads"), "yclid": Source("Yandex", "search_ads"),
    "ttclid": Source("TikTok", "social"), "twclid": Source("Twitter", "social"),
    "li_fat_id": Source("LinkedIn", "social"), "ScCid": Source("Snapchat", "social"),
    "epik": Source("Pinterest", "social"), "rdt_cid": Source("Reddit", "social"),
}
PAID = re.compile(r"^(?:.*cp.*|ppc|retargeting|paid.*|ads?|sponsored)$")
DISPLAY_MEDIA = frozenset({"display", "banner", "expandable", "interstitial", "cpm"})
SOCIAL_MEDIA = frozenset({"social", "social-network", "social-media", "sm", "social network", "social media"})
EMAIL_WORDS = re.compile(r"e[-_ ]?mail|newsletter")
AFFILIATE_MEDIA = frozenset({"affiliate", "affiliates", "partner"})
REFERRAL_MEDIA = frozenset({"referral", "app", "link"})


class Arrival(NamedTuple):
    """What a visit's first event says about where it came from."""
    referrer: Source | None  # a known referrer; None for none, internal, or unknown
    external: bool  # an external referrer, known or not
    tag: str | None  # utm_source, else ref=, else source=
    medium: str  # utm_medium, lower-cased; "" without one
    click: Source | None  # the network of an ad click id


@functools.lru_cache(maxsize=16384)
def of(referrer_host: str | None, referrer_path: str, app: bool, domains: tuple[str, ...],
       page_url: str) -> tuple[str | None, str]:
    """(source name, channel) of a visit; cached, since a visit's events repeat its referrer
    and landing URL."""
    return classify(arrival(referrer_host, referrer_path, app, domains, page_url))


def arrival(referrer_host: str | None, referrer_path: str, app: bool, domains: tuple[str, ...],
            page_url: str) -> Arrival:
    if referrer_host and not app and is_internal(referrer_host, domains):
        referrer_host = None
    known = None
    if referrer_host:
        known = referrers.app(referrer_host) if app else referrers.source(referrer_host, referrer_path)
    found = dict(record.tags(page_url))  # the last of a repeated key, as record.campaign stores it
    tag = next((found[k].strip() for k in ("utm_source", *record.SOURCE_TAGS) if found.get(k, "").strip()), None)
    click = next((CLICK_SOURCES[k] for k in record.CLICK_IDS if k in found), None)
    return Arrival(known, bool(referrer_host), tag, found.get("utm_medium", "").strip().lower(), click)


def is_internal(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def classify(arrival: Arrival) -> tuple[str | None, str]:
    """(source name, channel). The source is what the tag names (by its known name: "fb" is
    Facebook), else the referrer's known name, else the ad network; None when nothing names one
    (the referrer's domain is kept apart)."""
    named = referrers.named(arrival.tag) if arrival.tag else None
    source = named or (arrival.referrer if arrival.tag is None else None) or arrival.click
    name = arrival.tag if arrival.tag and not named else source.name if source else None
    return name, channel(arrival, source.kind if source else None)


def channel(arrival: Arrival, kind: str | None) -> str:
    medium = arrival.medium
    if arrival.click:
        return _paid(arrival.click.kind) or OTHER
    if PAID.match(medium) or kind in ("search_ads", "ads"):
        return _paid(kind) or (DISPLAY if medium in DISPLAY_MEDIA else OTHER)
    if medium in DISPLAY_MEDIA:
        return DISPLAY
    return _organic(arrival, kind) or (DIRECT if _untagged(arrival) else OTHER)


def _paid(kind: str | None) -> str | None:
    return {"search": PAID_SEARCH, "search_ads": PAID_SEARCH, "social": PAID_SOCIAL, "video": VIDEO,
            "ads": DISPLAY}.get(kind or "")


def _organic(arrival: Arrival, kind: str | None) -> str | None:
    medium, tag = arrival.medium, (arrival.tag or "").lower()
    if kind == "email" or EMAIL_WORDS.search(medium) or EMAIL_WORDS.search(tag):
        return EMAIL
    if kind == "ai":
        return AI_ASSISTANTS
    if kind == "search" or medium == "organic":
        return ORGANIC_SEARCH
    if kind == "social" or medium in SOCIAL_MEDIA:
        return ORGANIC_SOCIAL
    if kind == "video" or "video" in medium:
        return VIDEO
    if medium in AFFILIATE_MEDIA:
        return AFFILIATES
    if medium in REFERRAL_MEDIA or (not medium and (arrival.tag or arrival.external)):
        return REFERRAL
    return None


def _untagged(arrival: Arrival) -> bool:
    return not (arrival.medium or arrival.tag or arrival.external)
