"""What a User-Agent says about the visitor's software and device, with ua-parser.

Parsed once per distinct string: real traffic repeats a small set of agents, and parsing is
the worker's most expensive step.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from ua_parser import parse

from worker import bots

DESKTOP_OS = frozenset({"Windows", "Mac OS X", "Linux", "Ubuntu", "Fedora", "Debian", "Chrome OS",
                        "FreeBSD", "OpenBSD", "NetBSD", "Solaris", "macOS"})
MOBILE_OS = frozenset({"iOS", "Android", "Windows Phone", "KaiOS", "BlackBerry OS", "HarmonyOS"})
TABLET = re.compile(r"iPad|Tablet|Kindle|Silk/|PlayBook|Nexus (?:7|9|10)\b|SM-T\d|Tab\b", re.IGNORECASE)


class Agent(NamedTuple):
    browser: str | None
    browser_version: str | None
    os: str | None
    os_version: str | None
    device: str  # desktop, mobile, tablet, bot or other
    is_bot: bool


def _known(family: str | None) -> str | None:
    return None if family in (None, "Other") else family


@functools.lru_cache(maxsize=8192)
def agent(user_agent: str) -> Agent:
    result = parse(user_agent)
    ua, os_ = result.user_agent, result.os
    browser, os_family = _known(ua.family if ua else None), _known(os_.family if os_ else None)
    is_bot = bots.is_bot(user_agent)
    os_version = None
    if os_ and os_.major:
        os_version = os_.major + (f".{os_.minor}" if os_.minor else "")
    return Agent(browser, ua.major if ua and browser else None, os_family, os_version,
                 device_class(user_agent, os_family, is_bot), is_bot)


def device_class(user_agent: str, os_family: str | None, is_bot: bool) -> str:
    if is_bot:
        return "bot"
    if TABLET.search(user_agent) or (os_family == "Android" and "Mobile" not in user_agent):
        return "tablet"
    if os_family in MOBILE_OS or "Mobi" in user_agent:
        return "mobile"
    if os_family in DESKTOP_OS:
        return "desktop"
    return "other"
