"""Each page view's link to the same visitor's previous one (metrics.page_views.previous_at).

Distinct visitors are counted from these links (sql/schema/12_visitors.sql), so
they must hold for every view whatever order events arrive in. In order, the usual case, a
visitor's new views follow the latest one stored, which metrics.visitor_last_seen gives in one
lookup per visitor. A new view no later than that is late: the visitor's stored views from its
time on are read back and the chain through them is rebuilt, re-linking those it changes.
Views are ordered by (time, page_view_id), so two at the same instant still form a chain.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import psycopg

from parcours import queries
from worker.sessionize import PageView, State


def link(conn: psycopg.Connection, state: State) -> list[datetime]:
    """Link the batch's new page views and record each visitor's latest. Returns the times of
    stored views re-linked in place, whose rollup buckets must be refreshed."""
    new = sorted((v for v in state.changed_page_views.values() if not v.stored), key=_order)
    if not new:
        return []
    by_visitor: dict[tuple[str, int], list[PageView]] = defaultdict(list)
    for view in new:
        by_visitor[(view.property_id, view.visitor_id)].append(view)
    q, keys = queries.load("worker"), list(by_visitor)
    params = {"properties": [k[0] for k in keys], "visitors": [k[1] for k in keys]}
    seen = {(row[0], row[1]): row[2] for row in conn.execute(q["last_seen"], params)}
    relinked: list[datetime] = []
    for key, views in by_visitor.items():
        if seen.get(key) is None or views[0].time > seen[key]:
            _chain(views, seen.get(key))
        else:
            relinked += _relink(conn, state, key, views)
    conn.execute(q["record_last_seen"], {**params, "times": [views[-1].time for views in by_visitor.values()]})
    return relinked


def _order(view: PageView) -> tuple[datetime, int]:
    return view.time, view.page_view_id


def _chain(views: list[PageView], previous: datetime | None) -> None:
    for view in views:
        view.previous_at, previous = previous, view.time


def _relink(conn: psycopg.Connection, state: State, key: tuple[str, int], views: list[PageView]) -> list[datetime]:
    """Rebuild one visitor's chain from their earliest new view on, through the stored views."""
    q, since = queries.load("worker"), views[0].time
    where = {"property_id": key[0], "visitor_id": key[1], "since": since}
    before = conn.execute(q["view_before"], where).fetchone()
    members: dict[int, PageView | tuple] = {row[0]: row for row in conn.execute(q["views_since"], where)}
    members.update((view.page_view_id, view) for view in views)
    members.update((i, v) for i, v in state.changed_page_views.items() if v.stored and i in members)
    previous, relinked = before[0] if before else None, []
    for member in sorted(members.values(), key=lambda m: _order(m) if isinstance(m, PageView) else (m[1], m[0])):
        if isinstance(member, PageView):  # written by this batch's COPY
            member.previous_at, previous = previous, member.time
            continue
        view_id, time, stored_previous = member
        if stored_previous != previous:
            conn.execute(q["relink_view"], {"previous_at": previous, "id": view_id, "time": time})
            relinked.append(time)
        previous = time
    return relinked
