"""The main chart: lines as server-side SVG, axes and the values under the pointer as HTML laid
over it. No charting script to ship and nothing from a CDN; the SVG stretches to any width while
its text, being HTML, stays readable at 375 px. Every number is also in the table below it.

Coordinates are percentages of the plot area, so lines, gridlines, labels and the hover
columns line up at every width without measuring anything in the browser.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 1000, 300  # the SVG's own units; it is stretched to the plot area
MAX_LABELS = 6  # x labels shown at once; narrow screens hide every other one (parcours.css)


@dataclass(frozen=True)
class Point:
    left: float  # % of the plot's width
    value: float | int | None
    previous: float | int | None
    label: str  # the bucket's start as people read it
    unfinished: bool
    future: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    current: str  # SVG points: the finished buckets
    unfinished: str  # the segment into the bucket still filling, drawn dashed
    previous: str | None
    area: str
    ticks: list[tuple[float, float]]  # (value, % from the bottom)
    labels: list[tuple[float, str, bool]]  # (left %, text, minor: hidden on narrow screens)
    points: list[Point]
    peak: float


def build(current: list, previous: list | None = None, labels: list[str] | None = None,
          open_from: int | None = None) -> Chart:
    """`open_from`: the index of the bucket still filling (now falls in it); those after it are
    in the future and have no line."""
    labels = labels or [""] * len(current)
    drawn = current if open_from is None else current[:open_from + 1]
    ticks = _ticks(max([v or 0 for v in drawn + (previous or [])] + [0]))
    peak = ticks[-1]
    finished = drawn if open_from is None else drawn[:-1]
    return Chart(WIDTH, HEIGHT, _points(finished, len(current), peak),
                 _points(drawn, len(current), peak, start=len(finished) - 1) if open_from is not None and finished else "",
                 _points(previous, len(previous), peak) if previous else None,
                 _area(drawn, len(current), peak), [(t, 100 * t / peak) for t in ticks],
                 _x_labels(labels), _hover(current, previous, labels, open_from), peak)


def _ticks(top: float) -> list[float]:
    """0 and up to five round steps (1, 2, 2.5 or 5 times a power of ten) covering `top`."""
    if top <= 0:
        return [0, 1]
    raw = top / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if step < 1:
        step = 1
    return [round(step * i, 6) for i in range(math.ceil(top / step - 1e-9) + 1)]


def _xy(index: int, value: float, count: int, peak: float) -> tuple[float, float]:
    x = WIDTH * (index / (count - 1) if count > 1 else 0.5)
    y = HEIGHT - HEIGHT * (value or 0) / peak
    return round(x, 1), round(y, 1)


def _points(values: list, count: int, peak: float, start: int = 0) -> str:
    """The points of values[start:], placed at their index among `count`."""
    return " ".join(f"{x},{y}" for x, y in (_xy(i, values[i], count, peak) for i in range(start, len(values))))


def _area(values: list, count: int, peak: float) -> str:
    if not values:
        return ""
    last = _xy(len(values) - 1, 0, count, peak)[0]
    return f"{_xy(0, 0, count, peak)[0]},{HEIGHT} {_points(values, count, peak)} {last},{HEIGHT}"


def _x_labels(labels: list[str]) -> list[tuple[float, str, bool]]:
    count = len(labels)
    every = max(1, math.ceil(count / MAX_LABELS))
    chosen = range(0, count, every)
    return [(_left(i, count), labels[i], n % 2 == 1) for n, i in enumerate(chosen)]


def _left(index: int, count: int) -> float:
    return round(100 * (index / (count - 1) if count > 1 else 0.5), 2)


def _hover(current: list, previous: list | None, labels: list[str], open_from: int | None) -> list[Point]:
    return [Point(_left(i, len(current)), value, previous[i] if previous and i < len(previous) else None, labels[i],
                  open_from == i, open_from is not None and i > open_from)
            for i, value in enumerate(current)]


def marks(points: list[Point], starts: list[str], notes: list[dict]) -> list[tuple[float, str, str]]:
    """Where each note (a local `date`) goes: (left %, date, note) at the bucket holding the start
    of its day: the day's first hour, the day, or the week or month it falls in. `starts` are
    the buckets' local starts, ISO, as the time series gives them."""
    placed = []
    for note in notes:
        same = [i for i, start in enumerate(starts) if start[:10] == note["date"]]
        before = [i for i, start in enumerate(starts) if start[:10] < note["date"]]
        if same or before:
            placed.append((points[same[0] if same else before[-1]].left, note["date"], note["note"]))
    return placed
