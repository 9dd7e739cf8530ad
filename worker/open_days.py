"""Which of a site's local days an import of events (access logs, a GoatCounter export) may fill.

A day is counted from one source only. Days imported from Plausible are kept apart as daily
totals, and the reports add them in (worker/plausible.py). Days the tracker has collected are
already counted visit by visit. An imported log is loaded as events, like the tracker's own, so
a line on either kind of day would be counted twice.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import psycopg

from parcours import queries


class Closed(enum.StrEnum):
    IMPORTED = "on days imported from Plausible"
    TRACKED = "on days the tracker collected"


@dataclass(frozen=True)
class OpenDays:
    time_zone: str = "UTC"  # the site's, whose days these are
    imported: frozenset[date] = frozenset()
    tracked_from: date | None = None  # the first local day the tracker collected; every later one too

    def closed(self, when: datetime) -> Closed | None:
        """Why the instant's local day is not open to an import, or None when it is."""
        if not self.imported and self.tracked_from is None:
            return None
        day = when.astimezone(ZoneInfo(self.time_zone)).date()
        if day in self.imported:
            return Closed.IMPORTED
        if self.tracked_from is not None and day >= self.tracked_from:
            return Closed.TRACKED
        return None


def of_site(conn: psycopg.Connection, property_id: str, time_zone: str) -> OpenDays:
    q, params = queries.load("imports"), {"property_id": property_id, "tz": time_zone}
    imported = frozenset(day for (day,) in conn.execute(q["imported_days"], params))
    return OpenDays(time_zone, imported, conn.execute(q["first_tracked_day"], params).fetchone()[0])
