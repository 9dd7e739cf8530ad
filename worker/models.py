"""Phone or tablet, by an Android agent's model, from Matomo's device database (`mobiles.yml` in
PyPI `device_detector`, read from the installed package: LGPL data, not copied here).

Thousands of Android tablets are sold under codes that look like phones' (BQ-7083, CITI 7507,
RC0734H), and their browsers send "Mobile": only a per-model database tells them apart. Matomo's
own matcher compiles its 2,000 brand patterns one by one, 1 to 3 s in all; here the brand
patterns run as one RE2 set (0.1 s to build), and a brand's model patterns compile when the
brand is first met. The database is asked only about a model the rules in agents.py cannot
place: not Chrome's reduced `K`, which names no model, and not one of the big phone lines, whose
agents say "Mobile" truthfully. agents.agent caches the answer per agent.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from typing import NamedTuple

import re2
import regex
import yaml_rs

# The model an Android agent names: "Android 9; KFMAWI Build/…", "Android 4.2.2; en-us; S222 Build/…".
MODEL = re.compile(r"Android [\d.]+;(?: [a-z]{2}[-_][a-zA-Z]{2};)? ([^;)]+?)(?: Build/|\)|;)")
# What Firefox and others put where a model would be.
NOT_MODELS = frozenset({"Mobile", "Tablet", "TV", "U", "wv"})
# Chrome's reduced model and the big phone lines (Samsung Galaxy A/S/M/Note/Z, Pixel, Xiaomi,
# Motorola, OnePlus, OPPO, realme, vivo, Transsion, Nokia, LG, Sony, Sharp, Huawei, Honor, ZTE, HTC).
PHONE_LINES = re.compile(
    r"^(?:K|SM-[ASGMNFEJCWZ]\d|Pixel \d|Redmi|M\d{4}|\d{4,5}[A-Z]{1,3}\d*[A-Z]?|moto|motorola|XT\d|ONEPLUS|"
    r"CPH\d|RMX\d|V\d{4}|vivo|Infinix|TECNO|itel|Nokia|LM-|LG-|SH-|SO-|SC-|HUAWEI|HONOR|ELE-|VOG-|ANE-|MAR-|"
    r"Mi |POCO|2\d{3}|Nexus [456]|HTC|ASUS|ZenFone|Xperia|G\d{4}|Lenovo [AKPS]\d|ZTE|Galaxy)", re.IGNORECASE)
CLASSES = {"smartphone": "mobile", "phablet": "mobile", "feature phone": "mobile", "tablet": "tablet"}
# How Matomo bounds every pattern: a model starts the string or follows a separator.
BOUNDED = "(?:^|[^A-Z0-9_-]|[^A-Z0-9-]_|sprd-|MZ-)(?:{})"
RE2_OPTIONS = re2.Options()
RE2_OPTIONS.case_sensitive = False
RE2_OPTIONS.max_mem = 256 << 20
# Patterns with lookarounds, which RE2 does not run.
LOOKAROUND = re.compile(r"\(\?<?[=!]")


class Database(NamedTuple):
    brands: list[dict]  # in the file's order: the first brand that matches is the one
    patterns: re2.Set  # every brand's pattern, less its lookarounds (a pattern that matches more)
    exact: dict[int, str]  # the brands whose lookarounds a candidate must still pass, by place


def unfamiliar(user_agent: str) -> bool:
    """Whether the agent names a model the rules cannot place."""
    model = MODEL.search(user_agent)
    name = model.group(1).strip() if model else ""
    return bool(name) and name not in NOT_MODELS and not PHONE_LINES.search(name)


def device_class(user_agent: str) -> str | None:
    """mobile or tablet as the database has the model; None when it does not know it."""
    place = _brand(user_agent)
    if place is None:
        return None
    brand = database().brands[place]
    kind = brand.get("device")
    for model in brand.get("models") or ():
        if _pattern(place, model["regex"]).search(user_agent):
            kind = model.get("device", kind)
            break
    return CLASSES.get(kind or "")


def _brand(user_agent: str) -> int | None:
    found = database()
    for place in sorted(found.patterns.Match(user_agent) or ()):
        if place not in found.exact or _pattern(place, found.exact[place]).search(user_agent):
            return place
    return None


@functools.cache
def database() -> Database:
    path = importlib.resources.files("device_detector") / "regexes" / "upstream" / "device" / "mobiles.yml"
    brands = list(yaml_rs.loads(path.read_text()).values())
    patterns, exact = re2.Set.SearchSet(RE2_OPTIONS), {}
    for place, brand in enumerate(brands):
        if LOOKAROUND.search(brand["regex"]):
            exact[place] = brand["regex"]
        try:
            patterns.Add(BOUNDED.format(without_lookarounds(brand["regex"])))  # its index is its place
        except re2.error:  # a pattern RE2 cannot read: every agent is its candidate
            exact[place] = brand["regex"]
            patterns.Add("")
    patterns.Compile()
    return Database(brands, patterns, exact)


def without_lookarounds(pattern: str) -> str:
    """`pattern` less its lookaround groups: it matches wherever `pattern` does, and more."""
    kept, at = [], 0
    while (found := LOOKAROUND.search(pattern, at)) is not None:
        kept.append(pattern[at:found.start()])
        at = _group_end(pattern, found.start())
    return "".join(kept) + pattern[at:]


def _group_end(pattern: str, start: int) -> int:
    """The index after the parenthesis that closes the group opening at `start`."""
    depth, at, in_class = 0, start, False
    while at < len(pattern):
        char = pattern[at]
        if char == "\\":
            at += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return at + 1
        at += 1
    return len(pattern)


@functools.lru_cache(maxsize=4096)
def _pattern(place: int, pattern: str) -> re2._Regexp | regex.Pattern:
    """RE2 where it can (it compiles fifty times faster than `regex`), `regex` for lookarounds."""
    if not LOOKAROUND.search(pattern):
        try:
            return re2.compile(BOUNDED.format(pattern), RE2_OPTIONS)
        except re2.error:
            pass
    return regex.compile(BOUNDED.format(pattern), regex.IGNORECASE)
