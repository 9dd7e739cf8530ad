"""Sessions and page views, assigned before events are inserted.

A session is one visitor's events with no gap over 30 minutes (docs/definitions.md). The worker
keeps no state of its own between batches: before each batch it reads the visitor's open
session, and its page views, back from metrics.sessions and metrics.page_views, so state
survives restarts and batch boundaries. An event that arrives a little out of order still
joins the session it falls in, moving its start or end; one more than 30 minutes older than
the visitor's current session starts a session of its own.

Ids are keyed hashes of what they identify, so loading the same segments again (replay into a
rebuilt database) yields the same ids.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta

from worker import channels

GAP = timedelta(minutes=30)
ENGAGEMENT = frozenset({"ping", "scroll", "page_exit"})
# Copied from the event that opens a session.
OPENING = ("referrer_domain", "source", "channel", "utm_source", "utm_medium", "utm_campaign",
           "utm_term", "utm_content", "country", "region", "city", "browser", "browser_version",
           "os", "os_version", "device", "language", "is_bot")


@dataclass
class Session:
    property_id: str
    session_id: int
    visitor_id: int
    started_at: datetime
    ended_at: datetime
    events: int = 0
    page_views: int = 0
    entry_page: str | None = None
    entry_at: datetime | None = None
    exit_page: str | None = None
    exit_at: datetime | None = None
    entry_page_type: str | None = None
    referrer_domain: str | None = None
    source: str | None = None
    channel: str = channels.DIRECT
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_term: str | None = None
    utm_content: str | None = None
    country: str | None = None
    region: str | None = None
    city: str | None = None
    browser: str | None = None
    browser_version: str | None = None
    os: str | None = None
    os_version: str | None = None
    device: str | None = None
    language: str | None = None
    is_bot: bool = False
    stored_started_at: datetime | None = field(default=None, compare=False)  # as in the database


@dataclass
class PageView:
    time: datetime
    property_id: str
    page_view_id: int
    session_id: int
    visitor_id: int
    pathname: str
    page_type: str | None
    scroll_depth: int
    engaged_ms: int | None
    is_bot: bool
    author: str | None = None
    categories: list[str] | None = None
    tags: list[str] | None = None
    previous_at: datetime | None = None  # the visitor's previous page view (worker/chains.py)
    stored: bool = field(default=False, compare=False)


SESSION_COLUMNS = tuple(f.name for f in fields(Session) if f.name != "stored_started_at")
PAGE_VIEW_COLUMNS = tuple(f.name for f in fields(PageView) if f.name != "stored")


@dataclass
class State:
    """Open sessions by (property, visitor) and their page views by (session, path)."""
    sessions: dict[tuple[str, int], Session] = field(default_factory=dict)
    page_views: dict[tuple[int, str], PageView] = field(default_factory=dict)
    changed_sessions: dict[int, Session] = field(default_factory=dict)
    changed_page_views: dict[int, PageView] = field(default_factory=dict)


def _id(*parts: object) -> int:
    digest = hashlib.blake2b("\0".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def assign(events: list[dict], state: State) -> None:
    """Set session_id and page_view_id on every event, in time order, updating `state`."""
    events.sort(key=lambda e: e["time"])
    for event in events:
        session = _session_for(event, state)
        _add(session, event)
        event["session_id"] = session.session_id
        event["page_view_id"] = _page_view(event, session, state)
        state.changed_sessions[session.session_id] = session


def _session_for(event: dict, state: State) -> Session:
    key = (event["property_id"], event["visitor_id"])
    current = state.sessions.get(key)
    if current and event["time"] - current.ended_at <= GAP and current.started_at - event["time"] <= GAP:
        return current
    session = Session(property_id=event["property_id"], visitor_id=event["visitor_id"],
                      session_id=_id("session", *key, event["time"].isoformat()),
                      started_at=event["time"], ended_at=event["time"],
                      **{name: event.get(name) for name in OPENING if event.get(name) is not None})
    if current is None or event["time"] > current.ended_at:  # not an old straggler
        state.sessions[key] = session
    return session


def _add(session: Session, event: dict) -> None:
    session.events += 1
    session.started_at = min(session.started_at, event["time"])
    session.ended_at = max(session.ended_at, event["time"])
    if event["name"] != "page_view":
        return
    session.page_views += 1
    if session.entry_at is None or event["time"] < session.entry_at:
        session.entry_page, session.entry_at = event["pathname"], event["time"]
        session.entry_page_type = event.get("page_type")
    if session.exit_at is None or event["time"] >= session.exit_at:
        session.exit_page, session.exit_at = event["pathname"], event["time"]


def _page_view(event: dict, session: Session, state: State) -> int | None:
    """A page view's own id; for ping, scroll and page_exit, the id of the visitor's latest view
    of the same page in this session, whose engagement they raise. Other events: None."""
    key = (session.session_id, event["pathname"])
    if event["name"] == "page_view":
        view = PageView(event["time"], event["property_id"], _id("view", *key, event["time"].isoformat()),
                        session.session_id, event["visitor_id"], event["pathname"], event.get("page_type"),
                        0, None, bool(event.get("is_bot")), event.get("author"), event.get("categories"),
                        event.get("tags"))
        state.page_views[key] = view
    elif event["name"] in ENGAGEMENT and key in state.page_views:
        view = state.page_views[key]
        view.scroll_depth = max(view.scroll_depth, event.get("scroll_depth") or 0)
        if event.get("engaged_ms") is not None:
            view.engaged_ms = max(view.engaged_ms or 0, event["engaged_ms"])
    else:
        return None
    state.changed_page_views[view.page_view_id] = view
    return view.page_view_id
