"""Report filters as users write them and as the report SQL reads them
(sql/migrations/0002_events_and_goals.sql, reports.keep):

    country==DE        is              {"country": {"eq": ["DE"]}}
    source!=Google     is not          {"source": {"ne": ["Google"]}}
    page=~blog         contains        {"page": {"has": ["blog"]}}      (case-insensitive)
    page!~/tag/        does not contain {"page": {"hasnt": ["/tag/"]}}
    goal==Signup       converted on goal "Signup" (a session filter; goal!= did not convert)

Several values for one dimension and operator mean any of them ("is one of"); dimensions, and
operators of one dimension, combine with AND.
"""

from __future__ import annotations

import re

# What a session is broken down and filtered by: the attributes of its first event, and its
# entry and exit pages.
SESSION_DIMENSIONS = ("channel", "source", "referrer", "utm_source", "utm_medium", "utm_campaign",
                      "utm_term", "utm_content", "country", "region", "city", "browser", "os",
                      "device", "language", "entry_page", "exit_page")
# What a page view is broken down and filtered by.
PAGE_DIMENSIONS = ("page", "page_type", "author", "category", "tag")
DIMENSIONS = SESSION_DIMENSIONS + PAGE_DIMENSIONS
GOAL = "goal"  # converted on a goal, named by the owner: not a breakdown
OPERATORS = {"==": "eq", "!=": "ne", "=~": "has", "!~": "hasnt"}
WORDS = {"eq": "is", "ne": "is not", "has": "contains", "hasnt": "does not contain"}
MAX_VALUE = 2000
_EXPRESSION = re.compile(r"^\s*([a-z_]+)\s*(==|!=|=~|!~)(.*)$", re.DOTALL)


class FilterError(ValueError):
    """The filter cannot be applied; the message says why."""


def parse(expressions: list[str]) -> dict[str, dict[str, list[str]]]:
    rules: dict[str, dict[str, list[str]]] = {}
    for expression in expressions:
        dimension, operator, value = _split(expression)
        rules.setdefault(dimension, {}).setdefault(operator, []).append(value)
    return rules


def _split(expression: str) -> tuple[str, str, str]:
    match = _EXPRESSION.match(expression)
    if not match:
        raise FilterError(f"filter {expression[:80]!r} is not dimension==value, !=value, =~value or !~value")
    dimension, token, value = match.groups()
    if dimension not in (*DIMENSIONS, GOAL):
        raise FilterError(f"unknown filter dimension {dimension[:80]!r}; use one of {', '.join(DIMENSIONS)} or goal")
    if len(value) > MAX_VALUE:
        raise FilterError(f"filter value longer than {MAX_VALUE} characters")
    if dimension == GOAL and token not in ("==", "!="):
        raise FilterError("a goal filter is goal==name (converted) or goal!=name (did not convert)")
    if token in ("=~", "!~") and not value:
        raise FilterError(f"{dimension}{token} needs a text to look for")
    return dimension, OPERATORS[token], value


def with_goals(rules: dict[str, dict[str, list[str]]], goals: dict[str, dict]) -> dict:
    """The rules as the SQL reads them: goal names replaced by the goals' definitions, from
    `goals` (name -> definition, the property's); FilterError for a name it does not hold."""
    if GOAL not in rules:
        return rules
    unknown = [name for names in rules[GOAL].values() for name in names if name not in goals]
    if unknown:
        raise FilterError(f"no goal named {unknown[0][:80]!r} on this site")
    return {**rules, GOAL: {op: [goals[name] for name in names] for op, names in rules[GOAL].items()}}


def describe(dimension: str, operator: str, values: list[str]) -> str:
    """One rule in words, as the dashboard lists it: "country is DE or FR"."""
    subject = "converted on goal" if dimension == GOAL and operator == "eq" else \
        "did not convert on goal" if dimension == GOAL else f"{dimension.replace('_', ' ')} {WORDS[operator]}"
    return f"{subject} {' or '.join(values)}"


def expressions(rules: dict[str, dict[str, list[str]]]) -> list[str]:
    """The inverse of parse(), for links that keep the current filters."""
    tokens = {op: token for token, op in OPERATORS.items()}
    return [f"{dimension}{tokens[op]}{value}" for dimension, ops in rules.items()
            for op, values in ops.items() for value in values]
