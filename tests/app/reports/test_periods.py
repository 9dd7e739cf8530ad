"""Periods are local dates in the property's zone, decided by the one clock (Settings.now):
checked at the instants where a date taken in UTC, or a day taken as 24 hours, goes wrong."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from app.reports import periods

ZONES = ["UTC", "Asia/Kathmandu", "Asia/Kolkata", "Europe/Berlin", "America/New_York", "Pacific/Kiritimati",
         "America/St_Johns"]


@pytest.mark.every_instant
@pytest.mark.parametrize("zone", ZONES)
def test_today_is_the_local_day_that_holds_now(now, zone):
    today = periods.resolve("today", zone, now=now)
    assert today.first == today.last == now.astimezone(ZoneInfo(zone)).date()
    assert today.lo <= now < today.hi


@pytest.mark.every_instant
@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("key, days", [("yesterday", 1), ("7d", 7), ("30d", 30)])
def test_relative_periods_are_whole_local_days_ending_where_they_should(now, zone, key, days):
    period = periods.resolve(key, zone, now=now)
    today = periods.resolve("today", zone, now=now)
    assert period.days == days
    assert period.last == (today.first - timedelta(days=1) if key == "yesterday" else today.first)
    # A day is 23, 24 or 25 hours: the bounds are local midnights, not multiples of 24 hours.
    assert period.lo.astimezone(ZoneInfo(zone)).time().hour in (0, 1)
    assert period.hi == (today.lo if key == "yesterday" else today.hi)


@pytest.mark.every_instant
@pytest.mark.parametrize("zone", ZONES)
def test_month_last_month_and_year_follow_the_local_calendar(now, zone):
    local = now.astimezone(ZoneInfo(zone)).date()
    month, last_month = periods.resolve("month", zone, now=now), periods.resolve("last_month", zone, now=now)
    year = periods.resolve("year", zone, now=now)
    assert (month.first, month.last) == (local.replace(day=1), local)
    assert last_month.last == month.first - timedelta(days=1) and last_month.first.day == 1
    assert (year.first, year.last) == (local.replace(month=1, day=1), local)
    assert month.lo <= now < month.hi and year.lo <= now < year.hi
