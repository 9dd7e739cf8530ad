"""Report periods: inclusive ranges of local dates in the property's time zone, and the instants
that bound them. Every report turns its period into [lo, hi) here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PERIODS = ("today", "yesterday", "7d", "30d", "month", "last_month", "year", "custom")
LONGEST = timedelta(days=3 * 366)  # a custom range any longer is refused


class PeriodError(ValueError):
    """The period cannot be reported on; the message says why."""


@dataclass(frozen=True)
class Period:
    key: str
    first: date
    last: date
    time_zone: str

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def lo(self) -> datetime:
        return local_midnight(self.first, self.time_zone)

    @property
    def hi(self) -> datetime:
        return local_midnight(self.last + timedelta(days=1), self.time_zone)

    def previous(self) -> Period:
        """The period of the same length that ends the day before this one starts."""
        last = self.first - timedelta(days=1)
        return Period(self.key, last - timedelta(days=self.days - 1), last, self.time_zone)


def local_midnight(day: date, time_zone: str) -> datetime:
    """The instant a local day starts. Where midnight does not exist (a DST change at 00:00),
    the day starts when the clocks jump, as in PostgreSQL."""
    return datetime.combine(day, time(), ZoneInfo(time_zone)).astimezone(ZoneInfo("UTC"))


def resolve(key: str, time_zone: str, *, now: datetime, first: date | None = None, last: date | None = None) -> Period:
    """`7d` and `30d` end today (the day `now` falls on in `time_zone`), today included;
    `month` and `year` run from their first day to today; `custom` is `first` to `last`, both
    included."""
    today = now.astimezone(ZoneInfo(time_zone)).date()
    ranges = {
        "today": (today, today),
        "yesterday": (today - timedelta(days=1), today - timedelta(days=1)),
        "7d": (today - timedelta(days=6), today),
        "30d": (today - timedelta(days=29), today),
        "month": (today.replace(day=1), today),
        "last_month": ((today.replace(day=1) - timedelta(days=1)).replace(day=1), today.replace(day=1) - timedelta(days=1)),
        "year": (today.replace(month=1, day=1), today),
    }
    if key == "custom":
        return custom(time_zone, first, last)
    if key not in ranges:
        raise PeriodError(f"unknown period {key!r}; use one of {', '.join(PERIODS)}")
    return Period(key, *ranges[key], time_zone)


def custom(time_zone: str, first: date | None, last: date | None) -> Period:
    """From `first` to `last`, local dates, both included: the one period that needs no clock."""
    if first is None or last is None:
        raise PeriodError("a custom period needs both from and to (local dates, YYYY-MM-DD)")
    if first > last:
        raise PeriodError(f"from ({first}) is after to ({last})")
    if last - first > LONGEST:
        raise PeriodError("a custom period may span at most three years")
    return Period("custom", first, last, time_zone)
