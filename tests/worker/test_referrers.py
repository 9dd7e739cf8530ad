"""Sources and channels from the referrer database and the landing URL."""

import pytest

from parcours import record
from worker import referrers

OWN = ("example.com",)


@pytest.mark.parametrize("referrer_host, landing, expected", [
    ("www.google.com", "https://example.com/", ("Google", "organic_search")),
    ("www.google.co.uk", "https://example.com/", ("Google", "organic_search")),
    ("www.bing.com", "https://example.com/", ("Bing", "organic_search")),
    ("duckduckgo.com", "https://example.com/", ("DuckDuckGo", "organic_search")),
    ("l.facebook.com", "https://example.com/", ("Facebook", "social")),
    ("old.reddit.com", "https://example.com/", ("Reddit", "social")),
    ("news.ycombinator.com", "https://example.com/", ("Hacker News", "social")),
    ("t.co", "https://example.com/", ("Twitter", "social")),
    ("mail.google.com", "https://example.com/", ("Gmail", "email")),
    ("someblog.net", "https://example.com/", (None, "referral")),
    (None, "https://example.com/", (None, "direct")),
    ("www.example.com", "https://example.com/b", (None, "direct")),      # internal: not a source
    ("example.com", "https://example.com/b", (None, "direct")),
    (None, "https://example.com/?utm_source=newsletter&utm_medium=email", ("newsletter", "campaign")),
    ("www.google.com", "https://example.com/?utm_medium=cpc", ("Google", "campaign")),
])
def test_source_and_channel(referrer_host, landing, expected):
    assert referrers.classify(referrer_host, OWN, record.campaign(landing)) == expected
