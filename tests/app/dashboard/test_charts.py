"""The chart's geometry: round y ticks that cover the data, at most six x labels, and the
bucket still filling drawn apart from the finished ones, with nothing drawn after it."""

import pytest

from app.dashboard import charts


@pytest.mark.parametrize("top, ticks", [
    (0, [0, 1]),
    (3, [0, 1, 2, 3]),
    (7, [0, 2, 4, 6, 8]),
    (38, [0, 10, 20, 30, 40]),
    (100, [0, 25, 50, 75, 100]),
    (1234, [0, 500, 1000, 1500]),
    (0.4, [0, 1]),
])
def test_ticks_are_round_and_cover_the_peak(top, ticks):
    assert charts._ticks(top) == ticks


def test_labels_are_at_most_six_and_every_other_is_minor():
    chart = charts.build(list(range(30)), labels=[f"d{i}" for i in range(30)])
    assert [text for _, text, _ in chart.labels] == ["d0", "d5", "d10", "d15", "d20", "d25"]
    assert [minor for _, _, minor in chart.labels] == [False, True] * 3
    assert chart.labels[0][0] == 0 and chart.points[-1].left == 100


def test_the_open_bucket_is_dashed_and_the_future_undrawn():
    chart = charts.build([5, 8, 3, 0, 0], labels=list("abcde"), open_from=2)
    assert chart.current.count(",") == 2          # the finished buckets a and b
    assert chart.unfinished.count(",") == 2       # from b into c
    assert [p.unfinished for p in chart.points] == [False, False, True, False, False]
    assert [p.future for p in chart.points] == [False, False, False, True, True]
    assert chart.peak == 8


def test_the_previous_period_shares_the_scale():
    chart = charts.build([1, 2], [10, 20], labels=["a", "b"])
    assert chart.peak == 20 and chart.points[1].previous == 20
    assert chart.current.split()[1] == "1000.0,270.0"


@pytest.mark.parametrize("now, expected", [
    ("2026-11-02T10:20:00+00:00", 15),   # 15:50 in Kolkata: the 15:00 bucket is filling
    ("2026-11-01T18:30:00+00:00", 0),    # local midnight exactly
    ("2026-11-02T18:30:00+00:00", None),  # the day is over
    ("2026-11-01T18:29:00+00:00", None),  # not begun
])
def test_the_open_bucket_is_the_one_now_falls_in_locally(now, expected):
    from datetime import date, datetime

    from app.dashboard.routes import _open_bucket
    from app.reports import periods

    day = periods.custom("Asia/Kolkata", date(2026, 11, 2), date(2026, 11, 2))
    series = [{"starts": f"2026-11-02T{hour:02d}:00"} for hour in range(24)]
    assert _open_bucket(series, day, datetime.fromisoformat(now)) == expected
