"""What a User-Agent says about the visitor's software and device, with ua-parser.

Parsed once per distinct string: real traffic repeats a small set of agents, and parsing is
the worker's most expensive step.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from ua_parser import parse

from worker import bots, models

MOBILE_OS = frozenset({"iOS", "Android", "Windows Phone", "KaiOS", "BlackBerry OS", "HarmonyOS", "Symbian OS",
                       "Series 40", "Bada", "Firefox OS", "webOS", "Tizen", "MeeGo", "Maemo"})
# Tablets that say so, and the families of Android tablets whose browsers still send "Mobile":
# Samsung Galaxy Tab (SM-T, SM-P, SM-X, GT-P), Amazon Kindle Fire (KF..), Lenovo Tab (TB-),
# Huawei MediaPad and MatePad (BAH, AGS, KOB, BG2, CMR, SCM, MRX, JDN, BTV, DBY, AGR, KRJ, BZT),
# Xiaomi Pad, Nexus 7/9/10 and Pixel C / Pixel Tablet, Sony (SGP), e-readers (Nook, PocketBook),
# the tablet makers' and lines' names (Digma, Teclast, Chuwi, Alldocube, Prestigio PMT, BQ's
# 7- to 10-inch models), and "Tab", "Pad", "MID" in model names.
TABLET = re.compile(
    r"iPad|\bTablet(?! PC)|Kindle|Silk/|PlayBook|Nexus (?:7|9|10)\b|Pixel (?:C|Tablet)\b|"
    r"\b(?:SM-[TPX]\d|GT-P\d|SGP\d|SCH-I[89]\d\d|KF[A-Z]{2,6}\b|(?:Lenovo )?TB-?[A-Z]?\d|"
    r"(?:BAH|AGS|KOB|BG2|CMR|SCM|MRX|JDN|BTV|DBY|AGR|KRJ|BZT|AGM|HDN)\d?-[A-Z])|"
    r"Tab(?:\b|[ _-]?\d)|[a-z]Tab\b|Pad(?:\b|[ _-]?\d)|\w+Pad\b|\bMID[ _-]?\d|MediaPad|MatePad|Xoom|"
    r"\bNOOK\b|NookColor|PocketBook|\bBQ(?:ru)?-(?:7|8|9|10)\d\d|Lenovo (?:PB|YT)\d?-|\bPMT\d|"
    r"\b(?:CITI|Optima|Plane)[ _]\w|Digma|Teclast|Chuwi|Alldocube|\bOKT\d", re.IGNORECASE)
# Phones whatever else they say: feature phones' platforms and browsers, Windows phones.
PHONE = re.compile(r"MIDP|CLDC|\bWAP|UP\.Browser|MAUI|\bMRE/|BREW|Series ?(?:40|60)|Symbian|SymbOS|Nokia|"
                   r"SonyEricsson|BlackBerry|BB10|J2ME|Opera Mini|NetFront|Obigo|Teleca|Polaris|Dolfin|"
                   r"Windows Phone|IEMobile|Lumia|WPDesktop|KaiOS|iPhone|iPod|\bMobi|Phone\b", re.IGNORECASE)
# Televisions, game consoles, cars and watches: devices, but none of desktop, mobile or tablet.
OTHER = re.compile(r"SMART-?TV|SmartTV|\bTV\b|HbbTV|Web0S|NetCast|CrKey|BRAVIA|AFT[A-Z]|Roku|"
                   r"PlayStation|Xbox|Nintendo|\bWatch\b|Wear ?OS|Tesla/", re.IGNORECASE)
# A browser's own engine: an Android agent with one and without "Mobile" is a tablet (Chrome's
# rule); an Android app's own HTTP client says nothing either way and is most often a phone.
BROWSER_ENGINE = re.compile(r"Safari/|Chrome/|Firefox/|Gecko/|Opera/|Presto/")
# iPads ask for desktop sites as Macs; a Mac's screen is wider than any iPad's (1024 CSS px).
IPAD_WIDTH = 1024


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
    """bot, tablet, mobile, other (televisions, consoles, cars, watches) or desktop, the
    first that fits; an Android model the rules cannot place is looked up (models.py); a
    browser on a system none of these names is a desktop's."""
    if is_bot:
        return "bot"
    if OTHER.search(user_agent):
        return "other"
    if TABLET.search(user_agent):
        return "tablet"
    if os_family == "Android" and models.unfamiliar(user_agent) and (by_model := models.device_class(user_agent)):
        return by_model
    if os_family == "Android" and BROWSER_ENGINE.search(user_agent) and not _says_mobile(user_agent):
        return "tablet"
    if os_family in MOBILE_OS or PHONE.search(user_agent) or "Android" in user_agent:
        return "mobile"
    return "desktop"


def _says_mobile(user_agent: str) -> bool:
    return "Mobile" in user_agent or "mobile" in user_agent


def with_screen(device: str, os_family: str | None, screen_width: int | None) -> str:
    """The device class the beacon's screen width corrects: an iPad asking for desktop sites
    says it is a Mac, but no Mac screen is as narrow as an iPad's."""
    if device == "desktop" and os_family == "Mac OS X" and screen_width and screen_width <= IPAD_WIDTH:
        return "tablet"
    return device
