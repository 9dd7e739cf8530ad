"""Goals and funnels: what an owner defines, checked here once for the dashboard's forms and the
API alike, and the reports over them (docs/definitions.md, "Goals" and "Funnels").

A goal or a funnel step is one small object, the same in the database, the reports and the API:
{"page": "/blog/*"} or {"event": "signup", "props": {"plan": "pro"}}. They are definitions, read
when a report runs, so a goal counts the history it matches from the day it is made.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import psycopg
from psycopg.types.json import Jsonb

from app.reports import stats
from app.reports.stats import Query
from parcours import queries, record

MAX_NAME, MAX_PAGE, MAX_PROPS, MAX_STEPS = 120, 2000, 10, 8


class GoalError(ValueError):
    """The goal or funnel cannot be saved; the message says why."""


def name(text: Any) -> str:
    if not isinstance(text, str) or not text.strip() or len(text.strip()) > MAX_NAME:
        raise GoalError(f"a name is 1 to {MAX_NAME} characters")
    return _storable(text.strip())


def _storable(text: str) -> str:
    if record.UNSTORABLE.search(text):
        raise GoalError("the text holds a character that cannot be stored (NUL or a lone surrogate)")
    return text


def step(page: Any = None, event: Any = None, props: Any = None) -> dict:
    """A goal or step from its parts: a page pattern, or an event name with property conditions."""
    page, event = (page or "").strip() if isinstance(page, str) else page, \
        (event or "").strip() if isinstance(event, str) else event
    if bool(page) == bool(event):
        raise GoalError("a goal is either a page (a path such as /pricing or /blog/*) or an event name")
    if page:
        if not isinstance(page, str) or not page.startswith("/") or len(page) > MAX_PAGE:
            raise GoalError(f"a page is a path starting with / (use * for any characters), at most {MAX_PAGE} characters")
        if props:
            raise GoalError("property conditions belong to event goals")
        return {"page": _storable(page)}
    if not isinstance(event, str) or not record.CUSTOM_NAME.match(event):
        raise GoalError("an event name is 1 to 64 letters, digits, spaces or . : / - _")
    return {"event": event, "props": _props(props or {})}


def _props(props: Any) -> dict[str, str]:
    if not isinstance(props, dict) or len(props) > MAX_PROPS:
        raise GoalError(f"property conditions are at most {MAX_PROPS} key=value pairs")
    if not all(isinstance(k, str) and k and isinstance(v, str | int | float | bool) for k, v in props.items()):
        raise GoalError("each property condition is a key and a text value")
    return {_storable(k): _storable(str(v).lower() if isinstance(v, bool) else str(v)) for k, v in props.items()}


def parse_props(text: str) -> dict[str, str]:
    """`plan=pro, size=l` as a form field writes property conditions."""
    pairs = [part.partition("=") for part in text.split(",") if part.strip()]
    if any(not sep or not key.strip() for key, sep, _ in pairs):
        raise GoalError("write property conditions as key=value, separated by commas")
    return {key.strip(): value.strip() for key, _, value in pairs}


def steps(items: Any) -> list[dict]:
    if not isinstance(items, list) or not 2 <= len(items) <= MAX_STEPS:
        raise GoalError(f"a funnel has 2 to {MAX_STEPS} steps")
    return [step(**_step_fields(item)) for item in items]


def _step_fields(item: Any) -> dict:
    if not isinstance(item, dict) or set(item) - {"page", "event", "props"}:
        raise GoalError('each step is {"page": "/path"} or {"event": "name", "props": {...}}')
    return item


def describe(definition: dict) -> str:
    """A goal or step in words: "Visit /blog/*", "Event signup (plan = pro)"."""
    if "page" in definition:
        return f"Visit {definition['page']}"
    conditions = ", ".join(f"{k} = {v}" for k, v in definition.get("props", {}).items())
    return f"Event {definition['event']}" + (f" ({conditions})" if conditions else "")


def defined(conn: psycopg.Connection, user_id: int, property_id: str) -> list[dict]:
    cursor = conn.execute(queries.load("goals")["goals"], {"property_id": property_id, "user_id": user_id})
    return [{"id": id_, "name": name_, "definition": definition} for id_, name_, definition in cursor]


def add(conn: psycopg.Connection, user_id: int, property_id: str, goal_name: str, definition: dict) -> int:
    row = conn.execute(queries.load("goals")["add_goal"], {
        "user_id": user_id, "property_id": property_id, "name": goal_name, "page": definition.get("page"),
        "event": definition.get("event"), "props": Jsonb(definition.get("props", {}))}).fetchone()
    if row is None:
        raise GoalError(f"this site already has a goal named {goal_name!r}")
    return row[0]


def funnels(conn: psycopg.Connection, user_id: int, property_id: str) -> list[dict]:
    cursor = conn.execute(queries.load("goals")["funnels"], {"property_id": property_id, "user_id": user_id})
    return [{"id": id_, "name": name_, "steps": items} for id_, name_, items in cursor]


def add_funnel(conn: psycopg.Connection, user_id: int, property_id: str, funnel_name: str, items: list[dict]) -> int:
    row = conn.execute(queries.load("goals")["add_funnel"], {
        "user_id": user_id, "property_id": property_id, "name": funnel_name, "steps": Jsonb(items)}).fetchone()
    if row is None:
        raise GoalError(f"this site already has a funnel named {funnel_name!r}")
    return row[0]


def delete(conn: psycopg.Connection, user_id: int, property_id: str, kind: str, id_: int) -> bool:
    """`kind` "goal" or "funnel"; False when the caller has no such one."""
    found = conn.execute(queries.load("goals")[f"delete_{kind}"],
                         {"id": id_, "property_id": property_id, "user_id": user_id}).fetchone()
    return found is not None


def conversions(conn: psycopg.Connection, query: Query, goals: list[dict], visitors: int) -> list[dict]:
    """Each goal's conversions, converting visitors, and conversion rate: converting visitors
    over `visitors`, the period's visitors under the same filters."""
    sql = queries.load("reports")["goal_conversions"]
    rows = [conn.execute(sql, query.params(goal=Jsonb(g["definition"]))).fetchone() for g in goals]
    return [{"goal": goal["name"], "id": goal["id"], "definition": goal["definition"],
             "conversions": count, "visitors": people,
             "conversion_rate": round(100 * people / visitors, 1) if visitors else None}
            for goal, (count, people) in zip(goals, rows, strict=True)]


def report(conn: psycopg.Connection, query: Query, defined: list[dict], compare: bool = False) -> list[dict]:
    """The goals as the dashboard and the API show them: conversions against the period's
    visitors under the same filters and, with `compare`, the previous period's visitors and
    the change."""
    rows = conversions(conn, query, defined, stats.summary(conn, query.native())["visitors"]) if defined else []
    if compare and defined:
        previous = query.previous()
        earlier = conversions(conn, previous, defined, stats.summary(conn, previous.native())["visitors"])
        rows = stats.against(rows, earlier, "id")
    return rows


def funnel_report(conn: psycopg.Connection, query: Query, items: list[dict], compare: bool = False) -> list[dict]:
    """A funnel's steps; with `compare`, each step's previous visitors and the change."""
    steps = funnel(conn, query, items)
    return stats.against(steps, funnel(conn, query.previous(), items), "step") if compare else steps


def timeseries(conn: psycopg.Connection, query: Query, definition: dict, interval: str,
               week_start: str = "monday") -> list[dict]:
    """A goal's conversions and converting visitors per local bucket, as stats.timeseries."""
    unit = "week_sunday" if interval == "week" and week_start == "sunday" else interval
    rows = conn.execute(queries.load("reports")["goal_timeseries"],
                        query.params(goal=Jsonb(definition), interval=unit))
    return [{"starts": starts.isoformat(timespec="minutes"), "conversions": count, "visitors": people}
            for starts, count, people in rows]


def funnel(conn: psycopg.Connection, query: Query, items: list[dict]) -> list[dict]:
    """Each step's visitors and sessions, conversion from the step before and from the first,
    drop-off to the next, and the median seconds from the step before."""
    rows = conn.execute(queries.load("reports")["funnel"], query.params(steps=Jsonb(items))).fetchall()
    first = rows[0][1] if rows else 0
    report = []
    for index, (number, visitors, sessions, median) in enumerate(rows):
        before = rows[index - 1][1] if index else None
        after = rows[index + 1][1] if index + 1 < len(rows) else None
        report.append({"step": number, "definition": items[index], "label": describe(items[index]),
                       "visitors": visitors, "sessions": sessions,
                       "conversion_from_previous": _percent(visitors, before) if index else None,
                       "conversion_from_first": _percent(visitors, first),
                       "drop_off": visitors - after if after is not None else None,
                       "median_seconds_from_previous": round(median) if median is not None else None})
    return report


def _percent(part: int, whole: int | None) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def step_line(line: str) -> dict:
    """A funnel step as the form writes it, one per line: a path (/pricing, /blog/*), or an event
    name with optional conditions after a ? (signup?plan=pro&size=l)."""
    line = line.strip()
    if line.startswith("/"):
        return step(page=line)
    event, _, conditions = line.partition("?")
    return step(event=event, props=dict(parse_qsl(conditions, keep_blank_values=True)))
