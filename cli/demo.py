"""The demo: a user, a property and a week of believable traffic for a demo property, staged through the real spool so the
worker loads it exactly as it loads collected beacons.

Visitors arrive on a daily rhythm in the property's time zone (quiet nights, busier weekdays),
read one to several pages, come from search, social, AI assistants, newsletters, ads or nowhere, and a few are
crawlers. They stay and scroll, click out, download, search, hit a missing page and sign up, on
pages that carry WordPress metadata, so every panel has something to show; the site has two
goals and a funnel. Lines are written in the archived form (docs/spool.md: a visitor id and a
place instead of an address), so the demo has countries and cities without a GeoIP database.
Seeded, so two runs with the same seed and clock stage the same events.
Like the CLI, this sits above the web app and the worker and uses both.
"""

from __future__ import annotations

import json
import math
import random
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from parcours import queries, spool
from parcours.errors import ParcoursError
from parcours.settings import Settings
from parcours.spool import SpoolWriter

PAGES = [("/", "Home"), ("/blog/", "Blog"), ("/blog/timescaledb-in-production/", "TimescaleDB in production"),
         ("/blog/privacy-friendly-analytics/", "Privacy-friendly analytics"), ("/about/", "About"),
         ("/blog/htmx-dashboards/", "Dashboards with htmx"), ("/pricing/", "Pricing"), ("/contact/", "Contact")]
# (referrer, landing URL query, weight): one of each channel the reports name.
ARRIVALS = [(None, "", 33), ("https://www.google.com/", "", 28), ("https://duckduckgo.com/", "", 5),
            ("https://news.ycombinator.com/", "", 7), ("https://www.reddit.com/r/selfhosted/", "", 5),
            ("https://t.co/x1y2z3", "", 4), ("https://www.bing.com/", "", 4), ("https://chatgpt.com/", "", 3),
            ("https://www.perplexity.ai/", "", 1), ("android-app://com.google.android.gm", "", 2),
            (None, "utm_source=newsletter&utm_medium=email&utm_campaign=issue-42", 3),
            ("https://www.google.com/", "gclid=1", 2), (None, "utm_source=fb&utm_medium=paid_social", 1),
            ("https://www.youtube.com/", "", 1), ("https://someblog.example.net/links", "", 3)]
AGENTS = [
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", 30),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", 15),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", 18),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", 14),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", 10),
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 3),
    ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", 2),
]
PLACES = [(("FR", "Île-de-France", "Paris"), 22), (("FR", "Auvergne-Rhône-Alpes", "Lyon"), 6),
          (("DE", "Berlin", "Berlin"), 10), (("US", "California", "San Francisco"), 12),
          (("US", "New York", "New York"), 9), (("GB", "England", "London"), 10), (("IN", "Maharashtra", "Mumbai"), 6),
          (("CA", "Quebec", "Montreal"), 5), (("JP", "Tokyo", "Tokyo"), 4), (("BR", "São Paulo", "São Paulo"), 4),
          ((None, None, None), 3)]
AUTHORS = {"/blog/timescaledb-in-production/": ("Ana Ruiz", ["Databases"], ["timescaledb", "postgres"]),
           "/blog/privacy-friendly-analytics/": ("Tom Weber", ["Privacy"], ["analytics", "gdpr"]),
           "/blog/htmx-dashboards/": ("Ana Ruiz", ["Web"], ["htmx", "python"])}
OUTBOUND = ["https://github.com/timescale/timescaledb", "https://htmx.org/docs/", "https://www.postgresql.org/docs/"]
SEARCHES = ["timescaledb", "htmx", "privacy", "pricing", "retention"]
GOALS = [("Signup", {"event": "signup", "props": {}}), ("Pricing page", {"page": "/pricing/"})]
FUNNEL = ("Blog to signup", [{"page": "/blog/*"}, {"page": "/pricing/"}, {"event": "signup", "props": {}}])
LANGUAGES = [("en-US", 45), ("fr-FR", 20), ("de-DE", 15), ("en-GB", 12), ("es-ES", 8)]


def _pick(rng: random.Random, weighted: list) -> object:
    return rng.choices([item for item, _ in weighted], weights=[w for _, w in weighted])[0]


def _hourly_weight(local_hour: int, weekday: int) -> float:
    """Low at night, peaking mid-afternoon; weekends at two thirds."""
    shape = 0.15 + math.exp(-((local_hour - 14.5) ** 2) / 18)
    return shape * (0.66 if weekday >= 5 else 1.0)


def _visit(rng: random.Random, start: datetime, host: str, property_id: str, person: tuple) -> list[dict]:
    (referrer, query), language = _pick(rng, [((r, q), w) for r, q, w in ARRIVALS]), _pick(rng, LANGUAGES)
    visitor, place, agent = person
    width = rng.choice([390, 414] if "Mobile" in agent else [1280, 1440, 1512, 1920])
    when, records, previous = start, [], None
    base = {"p": property_id, "l": language, "w": width}

    def add(at: datetime, name: str, path: str, title: str, **fields) -> None:
        event = {**base, "n": name, "u": f"https://{host}{path}", "t": title, **fields}
        records.append({"received_at": at, "visitor_id": visitor, "place": place, "user_agent": agent, "event": event})

    for index in range(max(1, int(rng.expovariate(1 / 2.2)))):
        path, title = rng.choice(PAGES) if index else rng.choice(PAGES[:4])
        if index and rng.random() < 0.03:
            path, title = "/old-post/", "Page not found"
        meta = _meta(path)
        landing = f"?{query}" if index == 0 and query else ""
        arrived = {"r": referrer} if index == 0 and referrer else {"r": f"https://{host}{previous}"} if previous else {}
        add(when, "page_view", path + landing, title, **arrived, **({"m": meta} if meta else {}))
        when = _engage(rng, add, when, path, title)
        when = _act(rng, add, when, path, title)
        previous = path
    return records


def _meta(path: str) -> dict | None:
    """WordPress metadata, as the plugin sends it."""
    if path == "/old-post/":
        return {"type": "404"}
    if path in AUTHORS:
        author, categories, tags = AUTHORS[path]
        return {"type": "post", "author": author, "categories": categories, "tags": tags, "is_single": True}
    return {"type": "home" if path == "/" else "page"}


def _engage(rng: random.Random, add, when: datetime, path: str, title: str) -> datetime:
    """Scroll marks as the reader passes them, then the exit with engaged time and depth."""
    dwell = rng.randint(8, 240)
    depth = min(100, int(rng.betavariate(2, 1.6) * 110))
    for mark in (25, 50, 75, 100):
        if depth >= mark:
            add(when + timedelta(seconds=dwell * mark / 120), "scroll", path, title, s=mark)
    when += timedelta(seconds=dwell)
    add(when, "page_exit", path, title, e=int(dwell * rng.uniform(600, 950)), s=depth)
    return when + timedelta(seconds=rng.randint(2, 20))


def _act(rng: random.Random, add, when: datetime, path: str, title: str) -> datetime:
    """Now and then: a signup on pricing, a click out or a download from a post, a search."""
    if path == "/pricing/" and rng.random() < 0.3:
        add(when, "signup", path, title, d={"plan": rng.choice(["free", "free", "pro"])})
    elif path in AUTHORS and rng.random() < 0.15:
        add(when, "outbound", path, title, d={"url": rng.choice(OUTBOUND)})
    elif path in AUTHORS and rng.random() < 0.06:
        add(when, "download", path, title, d={"url": f"https://blog.example.com/files/{path.strip('/').split('/')[-1]}.pdf"})
    elif rng.random() < 0.04:
        add(when, "search", path, title, d={"query": rng.choice(SEARCHES)})
    else:
        return when
    return when + timedelta(seconds=rng.randint(2, 30))


def week_of_traffic(property_id: str, host: str, time_zone: str, now: datetime, seed: int = 7,
                    daily_visitors: int = 220) -> list[dict]:
    """Spool records for the seven days up to `now`, in time order."""
    rng, zone = random.Random(seed), ZoneInfo(time_zone)
    people = [(rng.randint(-2**63, 2**63 - 1), list(_pick(rng, PLACES)), _pick(rng, AGENTS))
              for _ in range(daily_visitors * 4)]
    records, hour = [], now - timedelta(days=7)
    peak = daily_visitors / sum(_hourly_weight(h, 2) for h in range(24))
    while hour < now:
        local = hour.astimezone(zone)
        for _ in range(_poisson(rng, peak * _hourly_weight(local.hour, local.weekday()))):
            start = hour + timedelta(seconds=rng.uniform(0, 3600))
            if start < now:
                records += _visit(rng, start, host, property_id, rng.choice(people))
        hour += timedelta(hours=1)
    return sorted((r for r in records if r["received_at"] <= now), key=lambda r: r["received_at"])


def _poisson(rng: random.Random, mean: float) -> int:
    count, threshold, product = 0, math.exp(-mean), rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


def stage(records: list[dict], spool_root: Path) -> int:
    """Write records to the spool as collect would, fsyncing per chunk rather than per record."""
    writer = SpoolWriter(spool_root, max_age=3600, max_bytes=4 * 1024 * 1024)
    for start in range(0, len(records), 500):
        chunk = records[start:start + 500]
        lines = [_archived(r) for r in chunk]
        writer.append_many(lines, spool.nanoseconds(chunk[0]["received_at"]))
    writer.close()
    return len(records)


def _archived(r: dict) -> bytes:
    """A line in the archived form: the visitor id and place stand where the address would."""
    return json.dumps({"v": spool.VERSION, "received_at": spool.utc_timestamp(spool.nanoseconds(r["received_at"])),
                       "visitor_id": r["visitor_id"], "place": r["place"], "user_agent": r["user_agent"],
                       "event": r["event"]}, separators=(",", ":")).encode()


DEMO_EMAIL = "demo@parcours.local"
DEMO_PROPERTY = "demoblog"
DEMO_HOST = "blog.example.com"
DEMO_TIME_ZONE = "Europe/Paris"


def run(settings: Settings) -> list[str]:
    """Create or refresh the demo login; stage and load traffic the first time only."""
    import psycopg

    from app.accounts import properties, users
    from app.reports import goals
    from worker import run as worker_run

    password = secrets.token_urlsafe(12)
    with psycopg.connect(settings.admin_conninfo(), autocommit=True) as conn:
        try:
            user_id = users.id_for(conn, DEMO_EMAIL)
        except ParcoursError:
            user_id = users.add(conn, DEMO_EMAIL, password)
        else:
            users.set_password(conn, DEMO_EMAIL, password)
        owned = conn.execute(queries.load("accounts")["site_role"],
                             {"id": DEMO_PROPERTY, "user_id": user_id}).fetchone()
        if owned is None:
            properties.add(conn, user_id, "Demo blog", [DEMO_HOST], DEMO_TIME_ZONE, DEMO_PROPERTY)
        if not goals.defined(conn, user_id, DEMO_PROPERTY):
            for name, definition in GOALS:
                goals.add(conn, user_id, DEMO_PROPERTY, name, definition)
            goals.add_funnel(conn, user_id, DEMO_PROPERTY, *FUNNEL)
    lines = []
    if owned is None:
        staged = stage(week_of_traffic(DEMO_PROPERTY, DEMO_HOST, DEMO_TIME_ZONE, settings.now()), settings.spool_dir)
        summary = worker_run.once(settings)
        lines.append(f"staged {staged} demo events; the worker loaded {summary.events}")
    return lines + [f"demo login: {DEMO_EMAIL} / {password}",
                    f"demo property: {settings.display_url}/properties/{DEMO_PROPERTY}"]

