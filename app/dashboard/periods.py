"""Report periods as inclusive ranges of local dates in the property's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

PERIODS = {"7d": 7, "30d": 30}


@dataclass(frozen=True)
class Period:
    key: str
    first: date
    last: date


def resolve(key: str, time_zone: str, now: datetime | None = None) -> Period:
    """`7d` is the seven local days ending today, today included; likewise `30d`."""
    days = PERIODS.get(key)
    if days is None:
        raise ValueError(f"unknown period {key!r}; use one of {', '.join(PERIODS)}")
    today = (now or datetime.now(tz=ZoneInfo("UTC"))).astimezone(ZoneInfo(time_zone)).date()
    return Period(key, today - timedelta(days=days - 1), today)
