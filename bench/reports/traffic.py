"""A year of realistic traffic, generated as the worker would have stored it: sessions, their
page views and every event (page views, scrolls, pings, exits), COPYed into the hypertables.

Shape: daily and weekly seasonality and slow growth; visitors who come back; a Zipf-like
spread over a few thousand pages in categories and tags; sources, campaigns, countries, cities,
browsers and devices in realistic proportions; about 4 % bot sessions.
"""

from __future__ import annotations

import itertools
import math
import random
from datetime import datetime, timedelta, timezone

import psycopg

from worker import loader, sessionize

SOURCES = [  # (weight, referrer domain, source, channel)
    (40, None, None, "Direct"), (30, "www.google.com", "Google", "Organic Search"),
    (4, "www.bing.com", "Bing", "Organic Search"), (3, "duckduckgo.com", "DuckDuckGo", "Organic Search"),
    (5, "news.ycombinator.com", "Hacker News", "Organic Social"), (4, "www.reddit.com", "Reddit", "Organic Social"),
    (3, "t.co", "Twitter", "Organic Social"), (2, "l.facebook.com", "Facebook", "Organic Social"),
    (5, "someblog.example.net", None, "Referral"), (2, "forum.example.org", None, "Referral"),
    (2, "chatgpt.com", "ChatGPT", "AI Assistants"),
]
CAMPAIGNS = [  # (utm_source, utm_medium, utm_campaign, source, channel)
    ("newsletter", "email", "weekly", "newsletter", "Email"), ("twitter", "social", "launch", "Twitter", "Organic Social"),
    ("google", "cpc", "brand", "Google", "Paid Search")]
PLACES = [(20, "US", "California", "San Francisco"), (10, "US", "New York", "New York"), (12, "DE", "Berlin", "Berlin"),
          (8, "FR", "Île-de-France", "Paris"), (8, "GB", "England", "London"), (6, "IN", "Karnataka", "Bengaluru"),
          (5, "NL", "North Holland", "Amsterdam"), (5, "CA", "Ontario", "Toronto"), (4, "BR", "São Paulo", "São Paulo"),
          (4, "JP", "Tokyo", "Tokyo"), (3, "AU", "New South Wales", "Sydney"), (15, None, None, None)]
TECH = [(35, "Chrome", "131", "Windows", "10", "desktop"), (15, "Safari", "18", "iOS", "18.1", "mobile"),
        (12, "Chrome", "131", "Android", "14", "mobile"), (10, "Firefox", "133", "Windows", "10", "desktop"),
        (10, "Safari", "18", "Mac OS X", "10.15", "desktop"), (6, "Edge", "131", "Windows", "10", "desktop"),
        (4, "Chrome", "131", "Linux", None, "desktop"), (4, "Safari", "18", "iOS", "18.1", "tablet"),
        (4, "Samsung Internet", "27", "Android", "14", "mobile")]
LANGUAGES = [(40, "en-US"), (15, "en-GB"), (12, "de-DE"), (10, "fr-FR"), (8, "es-ES"), (5, "ja-JP"), (10, "pt-BR")]
CATEGORIES = ["Travel", "Rail", "Food", "Cities", "Guides", "News", "Reviews", "Tips"]
TAGS = [f"tag-{n}" for n in range(60)]
AUTHORS = ["Ada", "Grace", "Linus", "Margaret", "Ken"]


def _pick(rng: random.Random, table):
    return rng.choices(table, cum_weights=_cumulative(id(table), table))[0][1:]


_CUMULATIVE: dict[int, list[float]] = {}


def _cumulative(key: int, table) -> list[float]:
    if key not in _CUMULATIVE:
        _CUMULATIVE[key] = list(itertools.accumulate(row[0] for row in table))
    return _CUMULATIVE[key]


def pages(count: int, rng: random.Random) -> list[tuple]:
    """(pathname, page type, author, categories, tags, weight) with Zipf-like weights."""
    found = [("/", "home", None, None, None, 30.0), ("/about", "page", None, None, None, 2.0)]
    for n in range(count):
        categories = rng.sample(CATEGORIES, rng.choice((1, 1, 2)))
        found.append((f"/posts/{n}", "post", rng.choice(AUTHORS), categories, rng.sample(TAGS, 3), 1 / (n + 1) ** 0.9))
    return found


class Generator:
    def __init__(self, property_id: str, seed: int):
        self.property_id, self.rng = property_id, random.Random(seed)
        self.pages = pages(3000, self.rng)
        self.page_weights = list(itertools.accumulate(p[5] for p in self.pages))
        self.returning: list[int] = []
        self.next_id = seed << 40

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def visitor(self) -> int:
        if self.returning and self.rng.random() < 0.3:
            return self.rng.choice(self.returning)
        visitor = self._id()
        if len(self.returning) < 200_000:
            self.returning.append(visitor)
        else:
            self.returning[self.rng.randrange(len(self.returning))] = visitor
        return visitor

    def session(self, start: datetime):
        """A session dict and its events' dicts, in time order."""
        rng, bot = self.rng, self.rng.random() < 0.04
        referrer, source, channel = _pick(rng, SOURCES)
        utm = (None, None, None)
        if rng.random() < 0.06:
            *utm, source, channel = rng.choice(CAMPAIGNS)
        country, region, city = _pick(rng, PLACES)
        browser, browser_version, os, os_version, device = _pick(rng, TECH)
        session = {"property_id": self.property_id, "session_id": self._id(), "visitor_id": self.visitor(),
                   "referrer_domain": referrer, "source": source, "channel": channel, "utm_source": utm[0],
                   "utm_medium": utm[1], "utm_campaign": utm[2], "country": country, "region": region, "city": city,
                   "browser": browser, "browser_version": browser_version, "os": os, "os_version": os_version,
                   "device": "bot" if bot else device, "language": _pick(rng, LANGUAGES)[0], "is_bot": bot}
        events, views, when = [], [], start
        for index in range(max(1, int(rng.expovariate(1 / 2.2)))):
            page = rng.choices(self.pages, cum_weights=self.page_weights)[0]
            view = {**session, "time": when, "page_view_id": self._id(), "pathname": page[0], "page_type": page[1],
                    "author": page[2], "categories": page[3], "tags": page[4], "scroll_depth": 0, "engaged_ms": None}
            events.append({**view, "name": "page_view", "hostname": "example.com", "title": f"Page {page[0]}",
                           "referrer": f"https://{referrer}/" if referrer and index == 0 else None,
                           "screen_width": 1440 if device == "desktop" else 390})
            for offset in (15, 30, 45):
                if rng.random() < 0.45:
                    depth, engaged = min(100, offset * 2 + rng.randrange(0, 40)), offset * 1000
                    view["scroll_depth"], view["engaged_ms"] = max(view["scroll_depth"], depth), engaged
                    events.append({**events[-1], "time": when + timedelta(seconds=offset), "referrer": None,
                                   "name": rng.choice(("scroll", "ping", "page_exit")),
                                   "scroll_depth": depth, "engaged_ms": engaged})
            events += self.actions(events[-1], page[0], when)
            views.append(view)
            when += timedelta(seconds=rng.randint(40, 400))
        session.update(started_at=start, ended_at=events[-1]["time"], events=len(events), page_views=len(views),
                       entry_page=views[0]["pathname"], entry_at=views[0]["time"], exit_page=views[-1]["pathname"],
                       exit_at=views[-1]["time"], entry_page_type=views[0]["page_type"])
        return session, views, events

    def actions(self, last: dict, path: str, when: datetime) -> list[dict]:
        """Custom events now and then: a signup on /about, a click out, a download, a search."""
        rng = self.rng
        base = {**last, "time": when + timedelta(seconds=50), "referrer": None, "scroll_depth": None, "engaged_ms": None}
        if path == "/about" and rng.random() < 0.25:
            return [{**base, "name": "signup", "props": {"plan": rng.choice(("free", "free", "pro"))}}]
        roll = rng.random()
        if roll < 0.05:
            return [{**base, "name": "outbound", "props": {"url": f"https://site{rng.randrange(300)}.example/{rng.randrange(50)}"}}]
        if roll < 0.07:
            return [{**base, "name": "download", "props": {"url": f"https://example.com/files/{rng.randrange(80)}.pdf"}}]
        if roll < 0.08:
            return [{**base, "name": "search", "props": {"query": f"term {rng.randrange(500)}"}}]
        return []

    def day(self, day: datetime, sessions: int):
        """The sessions of one UTC day, busier in the (European) afternoon."""
        for _ in range(sessions):
            hour = self.rng.gauss(14, 5) % 24
            yield self.session(day + timedelta(hours=hour))


def sessions_per_day(events_per_year: int, day_index: int) -> int:
    """Weekly rhythm and 50 % growth over the year around a mean that yields the target events."""
    mean = events_per_year / 365 / 5.0  # about 5 events per session with these shapes
    weekly = 0.8 if day_index % 7 in (5, 6) else 1.08
    return max(1, int(mean * weekly * (0.8 + 0.4 * day_index / 365) * (1 + 0.1 * math.sin(day_index))))


def load(url: str, generators: list[tuple[Generator, int]], first_day: datetime, days: int) -> int:
    """COPY `days` days of traffic for each (generator, events per year); returns events."""
    total = 0
    with psycopg.connect(url, autocommit=True) as conn:
        for index in range(days):
            day = first_day + timedelta(days=index)
            batch: tuple[list, list, list] = ([], [], [])
            for generator, per_year in generators:
                for session, views, events in generator.day(day, sessions_per_day(per_year, index)):
                    batch[0].append(session)
                    batch[1].extend(views)
                    batch[2].extend(events)
            with conn.transaction():
                for name, rows in zip(("copy_sessions", "copy_page_views", "copy_events"), batch, strict=True):
                    columns = loader.copy_columns(name)
                    loader.copy_rows(conn, name, [tuple(map(row.get, columns)) for row in rows])
            total += len(batch[2])
    return total


UTC = timezone.utc
assert sessionize.SESSION_COLUMNS == loader.copy_columns("copy_sessions")
