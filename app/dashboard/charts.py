"""The main chart as server-side SVG: no charting script to ship, readable without JavaScript,
and every number it draws is also in the table beside it for screen readers."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 720, 200, 4


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    current: str  # SVG points of the period's line
    previous: str | None  # the comparison period's, drawn under it
    area: str  # the closed polygon under the current line
    peak: int


def build(current: list[int], previous: list[int] | None = None) -> Chart:
    peak = max(current + (previous or []) + [1])
    return Chart(WIDTH, HEIGHT, _points(current, peak), _points(previous, peak) if previous else None,
                 _area(current, peak), peak)


def _xy(index: int, value: int, count: int, peak: int) -> tuple[float, float]:
    x = PAD + (WIDTH - 2 * PAD) * (index / (count - 1) if count > 1 else 0.5)
    y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * value / peak
    return round(x, 1), round(y, 1)


def _points(values: list[int], peak: int) -> str:
    return " ".join(f"{x},{y}" for x, y in (_xy(i, v, len(values), peak) for i, v in enumerate(values)))


def _area(values: list[int], peak: int) -> str:
    if not values:
        return ""
    first, last = _xy(0, 0, len(values), peak)[0], _xy(len(values) - 1, 0, len(values), peak)[0]
    return f"{first},{HEIGHT - PAD} {_points(values, peak)} {last},{HEIGHT - PAD}"
