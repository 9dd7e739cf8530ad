"""Numbers as people read them on a dashboard: 1.2k visitors, 3m 05s, +12.5 %. Jinja filters."""

from __future__ import annotations


def count(value: int | float | None) -> str:
    """1,234 → 1.2k; 1,234,567 → 1.2M; under 1,000 as is."""
    if value is None:
        return "–"
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            scaled = value / limit
            return f"{scaled:.1f}".rstrip("0").rstrip(".") + suffix if scaled < 100 else f"{scaled:.0f}{suffix}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def duration(seconds: int | float | None) -> str:
    """65 → 1m 05s; 3,725 → 1h 02m; 42 → 42s."""
    if seconds is None:
        return "–"
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def change(percent: float | None) -> str:
    """+12.5 %, −3 %, or nothing to compare with."""
    if percent is None:
        return ""
    sign = "+" if percent > 0 else "−" if percent < 0 else "±"
    return f"{sign}{abs(percent):g} %"


def trend(percent: float | None) -> str:
    """The class a change is shown with: up, down, or none when there is no change to show."""
    return "up" if (percent or 0) > 0 else "down" if (percent or 0) < 0 else ""


FILTERS = {"count": count, "duration": duration, "change": change, "trend": trend}
