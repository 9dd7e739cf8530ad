"""Is this User-Agent a bot? Crawlers, monitors, link previewers, feed readers, scanners,
automation, AI agents and HTTP libraries — and never a person in an app's browser.

No single source is enough (measured by bench/enrichment/run, docs/definitions.md), so two
maintained lists and Parcours's own markers are combined. The verdicts, in order:
1. nothing at all is a bot;
2. automation driving a real browser (headless, WebDriver, Puppeteer, Playwright, Cypress) is
   a bot, whatever else the string says;
3. an in-app or text-mode browser on the allow-list (Facebook, Instagram, Threads, VS Code's
   webview, CamScanner, Links, ELinks) is a person: these carry tokens the lists take for bots;
4. a string without a product/version, or one that claims Mozilla/x.y and names no platform,
   is a bot (every HTTP client names itself as product/version; every browser its platform);
5. a match in the crawler-user-agents list (PyPI `crawler-user-agents`), in isbot's list (npm
   `isbot` 5.2.3, Unlicense, `data/isbot.json`), or among the markers below is a bot;
6. anything else is a person.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import re
from typing import NamedTuple

import crawleruseragents
import re2

# RE2, not re: it matches a large alternation in one linear pass, about 50 times faster here
# (and the crawler list is written for RE2: its own tests run in Go).
# "bot" counts when glued to a name (Googlebot) or followed by a separator (bot/1.0), so phone
# models such as "M bot 54" and Cubot's "CUBOT_J3" do not; "rss" only as a word, not inside a
# build id (Motorola's T1RSS33).
MARKERS = re2.compile(
    r"(?i)python|aiohttp|httpx|urllib|requests/|curl|wget|libwww-perl|lwp::|go-http-client|"
    r"okhttp|axios|node-fetch|undici|got \(|scrapy|httpclient|guzzle|\bruby/|\bperl/|\bphp/|"
    r"mechanize|postman|insomnia|winhttp|apachebench|gobuster|\bk6/|collectd|munin|restsharp|grpc-|\bjava/\d|"
    r"\bopenai/|anthropic|claude-(?:cli|code|user)|chatgpt-user|perplexity-user|\bcursor/|"
    r"(?:[a-tv-z]|(?:^|[^c])u)bot\b|\bbot[/;-]|spider|crawl|scrap|scan|monitor|uptime|checker|"
    r"fetcher|preview|archiver|validator|slurp|health.?check|diagnostic|verification|probe|"
    r"analy[sz]er|ex(?:t)?ractor|transcoder|imageproxy|image.?cache|emailproxy|"
    r"(?:^|[^a-z0-9])rss(?:$|[^a-z0-9.])|subscribers|feed ?reader|"
    r"google-|-google\b|google (?:page speed|search console)|\bseo|https?://|"
    r"@[\w-]+\.[a-z]{2,}|lookup|externalhit|externalua|synthetics|request-promise|"
    r"user.?agent|\bcheck\b|proxy\)|torrent|webparser|browsershots|\{\{",
)
AUTOMATION = re2.compile(r"(?i)headless|phantomjs|slimerjs|selenium|webdriver|puppeteer|playwright|"
                         r"lighthouse|cypress/")
# People whose browsers carry tokens the lists take for bots: apps' in-app browsers (FBAN/FBAV,
# Instagram, Threads' "Barcelona"), VS Code's webview, CamScanner, and the text-mode browsers
# Links and ELinks, whose strings have no product/version.
PEOPLE = re2.compile(r"\[FB_IAB/|\bFBA[NV]/|MetaIAB|\bInstagram \d|\bBarcelona \d|\bCode/\d[\d.]* Chrome/|"
                     r"CamScanner/|^E?Links \(|^ELinks/")
# A browser's platform and device, after Mozilla/x.y: several tokens between semicolons
# (Linux; Android 14; Pixel 8). Crawlers name themselves there after "compatible;" (compatible;
# Googlebot/2.1), which is kept, but for Internet Explorer's, or alone (Mozilla/5.0 (Mixnode)).
PLATFORM = re2.compile(r"^Mozilla/\d+\.\d+ \(([^()]*)\)")
# A browser names its platform in parentheses after Mozilla/x.y; an agent that claims Mozilla and
# then names nothing, or one lone product, is a script's stand-in.
EMPTY_SHELL = re2.compile(r"^Mozilla/\d+\.\d+(?: [^ ()]+)?$")
# Patterns of the crawler list that match real browsers (build ids, browser and app names, VS
# Code's webview, Facebook's in-app browser); the crawlers they were meant for are still caught
# by other patterns or the markers.
NOT_CRAWLERS = frozenset({r"AP3A\.240617\.008", r"008\/", "Sogou", "Sonic", "Butterfly", "Fever",
                          "Viber", "Fluid", "Expanse", r"Code\/1\.", "MetaIAB Facebook"})
# isbot's patterns that take real browsers and apps for bots: Sogou's browser (its spider says
# "spider"), Google's apps (Google's crawlers are caught by name), J2ME phones' JavaPlatform (a
# Java HTTP client says Java/1.8), download managers, "server" and "tools" in device names,
# "()" and "http" in feature phones' agents (a URL in an agent is a marker of ours).
NOT_ISBOT = frozenset({"sogou", "(?<! channel/|google/)google(?!(?:wv|app|/google| pixel))", "java(?!;)",
                       "download", "server", "tools", r"\(\)", "(?<!lib)http"})
# isbot's patterns RE2 cannot run (lookarounds) run in Python's re; they are few and short.
LOOKAROUND = re.compile(r"\(\?<?[=!]")


# The crawler list is one alternation of 20,000 characters. Its DFA outgrows RE2's default 8 MiB
# on a crawler's agent: RE2 then logs "DFA out of memory" and falls back to a pass 5 times slower
# (0.15 against 0.03 ms an agent, measured on the list's own examples).
CRAWLER_MEMORY = 64 << 20


@functools.cache
def _crawler_patterns() -> re2._Regexp:
    patterns = (p["pattern"] for p in crawleruseragents.CRAWLER_USER_AGENTS_DATA)
    options = re2.Options()
    options.max_mem = CRAWLER_MEMORY
    return re2.compile("|".join(p for p in patterns if p not in NOT_CRAWLERS), options)


class Isbot(NamedTuple):
    whole: re2._Regexp  # patterns anchored at the start: for the whole string
    words: re2._Regexp  # the others, for the string less its platform
    lookaround: re.Pattern  # those RE2 cannot run, in Python's re; few and short


@functools.cache
def _isbot() -> Isbot:
    listed = json.loads((importlib.resources.files("worker") / "data" / "isbot.json").read_text())
    patterns = [p for p in listed if p not in NOT_ISBOT]
    linear = [p for p in patterns if not LOOKAROUND.search(p)]
    # Python's re wants one width per lookbehind: (?<! a|bc) becomes (?<! a)(?<!bc).
    others = [re.sub(r"\(\?<!([^()|]*)\|([^()]*)\)", r"(?<!\1)(?<!\2)", p) for p in patterns if LOOKAROUND.search(p)]
    return Isbot(re2.compile("(?i)" + "|".join(p for p in linear if p.startswith("^"))),
                 re2.compile("(?i)" + "|".join(p for p in linear if not p.startswith("^"))),
                 re.compile("|".join(others), re.IGNORECASE))


def is_bot(user_agent: str) -> bool:
    if not user_agent.strip() or AUTOMATION.search(user_agent):
        return True
    if PEOPLE.search(user_agent):
        return False
    if "/" not in user_agent or EMPTY_SHELL.search(user_agent):
        return True
    return _listed(user_agent)


def _listed(user_agent: str) -> bool:
    isbot = _isbot()
    if _crawler_patterns().search(user_agent) or isbot.whole.search(user_agent):
        return True
    words = _without_platform(user_agent)
    return bool(MARKERS.search(words) or isbot.words.search(words) or isbot.lookaround.search(words))


def _without_platform(user_agent: str) -> str:
    """A browser's agent without its platform parentheses, where device models live: the word
    lists are not for them (GM Discovery, HTC Radar, Seoul S8, Cubot)."""
    platform = PLATFORM.search(user_agent)
    if platform and ";" in platform[1] and (not platform[1].startswith("compatible;") or "MSIE" in platform[1]):
        return user_agent[platform.end():]
    return user_agent
