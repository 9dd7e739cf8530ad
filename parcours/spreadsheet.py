"""CSV cells a spreadsheet would run as a formula, made text. Tracked sites send titles, paths
and campaign tags, so an exported cell is attacker-controlled; one starting with = + - @ (or
their fullwidth and small forms, which spreadsheets normalise), after any leading white space
or line break, or with a tab or carriage return, is prefixed with a quote. The dashboard's CSV
and `parcours export` both write cells through this."""

from __future__ import annotations

import unicodedata

TRIGGERS = frozenset("=+-@")


def text_cell(text: str) -> str:
    stripped = text.lstrip()
    first = unicodedata.normalize("NFKC", stripped[:1])[:1]
    if first in TRIGGERS or text[:1] in ("\t", "\r"):
        return "'" + text
    return text


def cell(value):
    """A value for csv.writer: text neutralised, anything else as it is."""
    return text_cell(value) if isinstance(value, str) else value
