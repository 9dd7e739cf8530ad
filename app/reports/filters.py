"""Report filters as users write them (`country==DE`, `source!=Google`) and as the report SQL
reads them: {"country": {"eq": ["DE"]}, "source": {"ne": ["Google"]}} (sql/schema/30_reports.sql).

Several values for one dimension and operator mean any of them; dimensions combine with AND.
"""

from __future__ import annotations

# What a session is broken down and filtered by: the attributes of its first event, and its
# entry and exit pages.
SESSION_DIMENSIONS = ("channel", "source", "referrer", "utm_source", "utm_medium", "utm_campaign",
                      "utm_term", "utm_content", "country", "region", "city", "browser", "os",
                      "device", "language", "entry_page", "exit_page")
# What a page view is broken down and filtered by.
PAGE_DIMENSIONS = ("page", "page_type", "author", "category", "tag")
DIMENSIONS = SESSION_DIMENSIONS + PAGE_DIMENSIONS
MAX_VALUE = 2000


class FilterError(ValueError):
    """The filter cannot be applied; the message says why."""


def parse(expressions: list[str]) -> dict[str, dict[str, list[str]]]:
    rules: dict[str, dict[str, list[str]]] = {}
    for expression in expressions:
        dimension, operator, value = _split(expression)
        rules.setdefault(dimension, {}).setdefault(operator, []).append(value)
    return rules


def _split(expression: str) -> tuple[str, str, str]:
    for token, operator in (("!=", "ne"), ("==", "eq")):  # noqa: B007 (the match is used after the loop)
        dimension, found, value = expression.partition(token)
        if found:
            break
    else:
        raise FilterError(f"filter {expression[:80]!r} is not dimension==value or dimension!=value")
    dimension = dimension.strip()
    if dimension not in DIMENSIONS:
        raise FilterError(f"unknown filter dimension {dimension[:80]!r}; use one of {', '.join(DIMENSIONS)}")
    if len(value) > MAX_VALUE:
        raise FilterError(f"filter value longer than {MAX_VALUE} characters")
    return dimension, operator, value


def expressions(rules: dict[str, dict[str, list[str]]]) -> list[str]:
    """The inverse of parse(), for links that keep the current filters."""
    tokens = {"eq": "==", "ne": "!="}
    return [f"{dimension}{tokens[op]}{value}" for dimension, ops in rules.items()
            for op, values in ops.items() for value in values]
