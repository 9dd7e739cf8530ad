"""Channels and sources from a visit's referrer and landing URL, as the worker sees them after
collect: cases written from GA4's default channel group rules, Plausible's channel and source
tests and Snowplow's referrer tests (their facts, in our own cases)."""

import pytest

from worker import channels
from worker.pipeline import _host_and_path

OWN = ("example.com",)
PAGE = "https://example.com/"


def arrive(referrer, page_url):
    host, path = _host_and_path(referrer) if referrer else (None, "/")
    app = bool(referrer and referrer.startswith("android-app://"))
    return channels.classify(channels.arrival(host or None, path, app, OWN, page_url))


CASES = [
    # Direct: nothing says where the visit came from, or the referrer is the site itself.
    (None, "", (None, "Direct")),
    ("https://example.com/pricing", "", (None, "Direct")),
    ("https://www.example.com/", "", (None, "Direct")),
    ("https://blog.example.com/post", "", (None, "Direct")),
    (None, "utm_campaign=spring", (None, "Direct")),
    # Organic search.
    ("https://www.google.com/", "", ("Google", "Organic Search")),
    ("https://www.google.co.uk/search", "", ("Google", "Organic Search")),
    ("https://www.google.fr/imgres", "", ("Google Images", "Organic Search")),
    ("https://www.bing.com/search", "", ("Bing", "Organic Search")),
    ("https://duckduckgo.com/", "", ("DuckDuckGo", "Organic Search")),
    ("https://yandex.ru/search/", "", ("Yandex", "Organic Search")),
    ("https://www.ecosia.org/search", "", ("Ecosia", "Organic Search")),
    ("https://search.brave.com/search", "", ("Brave", "Organic Search")),
    ("https://www.baidu.com/s", "", ("Baidu", "Organic Search")),
    ("android-app://com.google.android.googlequicksearchbox", "", ("Google", "Organic Search")),
    (None, "utm_source=google&utm_medium=organic", ("Google", "Organic Search")),
    (None, "utm_source=anything&utm_medium=organic", ("anything", "Organic Search")),
    (None, "utm_source=duckduckgo", ("DuckDuckGo", "Organic Search")),
    # Paid search: a paid medium on a search source, a search click id, search ads.
    ("https://www.google.com/", "utm_medium=cpc", ("Google", "Paid Search")),
    (None, "utm_source=google&utm_medium=cpc", ("Google", "Paid Search")),
    (None, "utm_source=google&utm_medium=ppc", ("Google", "Paid Search")),
    (None, "utm_source=bing&utm_medium=paid", ("Bing", "Paid Search")),
    (None, "utm_source=google&utm_medium=paidsearch", ("Google", "Paid Search")),
    (None, "utm_source=google&utm_medium=retargeting", ("Google", "Paid Search")),
    (None, "utm_source=google&utm_medium=cpm", ("Google", "Paid Search")),
    ("https://www.google.com/", "gclid=1", ("Google", "Paid Search")),
    (None, "gclid=1", ("Google", "Paid Search")),
    (None, "gbraid=1", ("Google", "Paid Search")),
    (None, "wbraid=1", ("Google", "Paid Search")),
    ("https://www.bing.com/", "msclkid=1", ("Bing", "Paid Search")),
    (None, "yclid=1", ("Yandex", "Paid Search")),
    ("https://syndicatedsearch.goog/", "", ("Google", "Paid Search")),
    ("https://www.bing.com/aclick", "", ("Bing", "Paid Search")),
    # Paid social.
    (None, "utm_source=facebook&utm_medium=cpc", ("Facebook", "Paid Social")),
    (None, "utm_source=fb&utm_medium=paid_social", ("Facebook", "Paid Social")),
    (None, "utm_source=instagram&utm_medium=paid", ("Instagram", "Paid Social")),
    (None, "utm_source=linkedin&utm_medium=ppc", ("LinkedIn", "Paid Social")),
    (None, "utm_source=reddit&utm_medium=cpc", ("Reddit", "Paid Social")),
    ("https://www.tiktok.com/", "ttclid=1", ("TikTok", "Paid Social")),
    (None, "twclid=1", ("Twitter", "Paid Social")),
    (None, "li_fat_id=1", ("LinkedIn", "Paid Social")),
    (None, "epik=1", ("Pinterest", "Paid Social")),
    # Organic social.
    ("https://l.facebook.com/", "", ("Facebook", "Organic Social")),
    ("https://t.co/abc", "", ("Twitter", "Organic Social")),
    ("https://x.com/someone", "", ("Twitter", "Organic Social")),
    ("https://www.linkedin.com/feed/", "", ("LinkedIn", "Organic Social")),
    ("https://old.reddit.com/r/python/", "", ("Reddit", "Organic Social")),
    ("https://news.ycombinator.com/", "", ("Hacker News", "Organic Social")),
    ("https://go.bsky.app/redirect", "", ("Bluesky", "Organic Social")),
    ("https://mastodon.social/@user", "", ("Mastodon", "Organic Social")),
    ("https://www.threads.net/@user", "", ("Threads", "Organic Social")),
    ("android-app://com.linkedin.android", "", ("LinkedIn", "Organic Social")),
    ("android-app://org.telegram.messenger", "", ("Telegram", "Organic Social")),
    (None, "utm_source=twitter&utm_medium=social", ("Twitter", "Organic Social")),
    (None, "utm_source=mastodon&utm_medium=social-media", ("Mastodon", "Organic Social")),
    (None, "utm_source=club&utm_medium=sm", ("club", "Organic Social")),
    (None, "ref=producthunt", ("Product Hunt", "Organic Social")),
    ("https://l.facebook.com/", "fbclid=IwAR", ("Facebook", "Organic Social")),  # fbclid is on every link
    # Email.
    ("https://mail.google.com/", "", ("Gmail", "Email")),
    ("android-app://com.google.android.gm", "", ("Gmail", "Email")),
    ("https://outlook.live.com/", "", ("Outlook.com", "Email")),
    ("https://deref-gmx.net/mail/client/x/dereferrer/", "", ("GMX", "Email")),
    (None, "utm_source=newsletter&utm_medium=email", ("newsletter", "Email")),
    (None, "utm_source=weekly&utm_medium=e-mail", ("weekly", "Email")),
    (None, "utm_source=digest&utm_medium=e_mail", ("digest", "Email")),
    (None, "utm_source=email", ("email", "Email")),
    (None, "utm_source=newsletter", ("newsletter", "Email")),
    ("https://mail.google.com/", "utm_source=nl&utm_medium=email", ("nl", "Email")),
    ("https://someone.substack.com/p/x", "", ("Substack", "Email")),
    # AI assistants, which also tag their links.
    ("https://chatgpt.com/", "", ("ChatGPT", "AI Assistants")),
    ("https://chatgpt.com/", "utm_source=chatgpt.com", ("ChatGPT", "AI Assistants")),
    (None, "utm_source=chatgpt.com", ("ChatGPT", "AI Assistants")),
    ("https://www.perplexity.ai/", "", ("Perplexity.ai", "AI Assistants")),
    ("https://claude.ai/", "", ("Claude.ai", "AI Assistants")),
    ("https://gemini.google.com/", "", ("Google Gemini", "AI Assistants")),
    ("https://copilot.microsoft.com/", "", ("Microsoft Copilot", "AI Assistants")),
    ("https://chat.deepseek.com/", "", ("DeepSeek", "AI Assistants")),
    (None, "utm_source=perplexity", ("Perplexity.ai", "AI Assistants")),
    # Video.
    ("https://www.youtube.com/", "", ("YouTube", "Video")),
    ("https://youtu.be/x", "", ("YouTube", "Video")),
    ("https://vimeo.com/1", "", ("Vimeo", "Video")),
    (None, "utm_source=youtube&utm_medium=cpc", ("YouTube", "Video")),
    (None, "utm_source=tv&utm_medium=video", ("tv", "Video")),
    # Display.
    (None, "utm_source=network&utm_medium=display", ("network", "Display")),
    (None, "utm_source=network&utm_medium=banner", ("network", "Display")),
    (None, "utm_source=network&utm_medium=interstitial", ("network", "Display")),
    (None, "utm_source=network&utm_medium=cpm", ("network", "Display")),
    ("https://tpc.googlesyndication.com/", "", ("Google", "Display")),
    (None, "dclid=1", ("Google", "Display")),
    # Affiliates.
    (None, "utm_source=partner&utm_medium=affiliate", ("partner", "Affiliates")),
    (None, "utm_source=blog&utm_medium=affiliates", ("blog", "Affiliates")),
    # Referral: an external site, a named link, or a tag naming a source without a medium.
    ("https://someblog.net/post", "", (None, "Referral")),
    ("https://en.wikipedia.org/wiki/X", "", ("Wikipedia", "Referral")),
    ("https://docs.google.com/document/d/1", "", ("Google Docs", "Referral")),
    ("https://www.google.com/maps/place/x", "", ("Google Maps", "Referral")),
    ("https://github.com/owner/repo", "", ("GitHub", "Organic Social")),
    ("android-app://com.example.reader", "", (None, "Referral")),
    (None, "ref=partner-site", ("partner-site", "Referral")),
    (None, "source=conference", ("conference", "Referral")),
    (None, "utm_source=partner&utm_medium=referral", ("partner", "Referral")),
    (None, "utm_source=app&utm_medium=app", ("app", "Referral")),
    ("https://someblog.net/", "utm_medium=link", (None, "Referral")),
    # Tags win over the referrer; the last of a repeated tag is the one stored.
    ("https://www.google.com/", "utm_source=newsletter&utm_medium=email", ("newsletter", "Email")),
    ("https://t.co/x", "utm_source=partner", ("partner", "Referral")),
    (None, "utm_source=a&utm_source=google&utm_medium=cpc", ("Google", "Paid Search")),
    (None, "utm_source=%20&ref=hn", ("Hacker News", "Organic Social")),
    # Other: tags that say something no rule knows.
    (None, "utm_source=partner&utm_medium=sms", ("partner", "Other")),
    (None, "utm_source=app&utm_medium=push", ("app", "Other")),
    (None, "utm_source=partner&utm_medium=cpc", ("partner", "Other")),
    (None, "utm_medium=podcast", (None, "Other")),
    ("https://someblog.net/", "utm_medium=print", (None, "Other")),
    (None, "utm_source=gmail&utm_medium=cpc", ("Gmail", "Other")),
]


@pytest.mark.parametrize("referrer, query, expected", CASES)
def test_channel_and_source(referrer, query, expected):
    assert arrive(referrer, PAGE + ("?" + query if query else "")) == expected


def test_every_channel_is_reached_and_named_as_people_write_it():
    assert {channel for _, _, (_, channel) in CASES} == set(channels.CHANNELS) == {"Direct", "Organic Search", "Paid Search", "Organic Social", "Paid Social",
                                      "Email", "AI Assistants", "Referral", "Affiliates", "Display", "Video", "Other"}
