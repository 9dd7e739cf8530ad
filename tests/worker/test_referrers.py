"""Which source a referrer is: cases written from the facts of public references (Snowplow's
referer-parser tests and database, GA4's source categories, Plausible's source names), plus the
lists' own shape (exact host, parent domain, path, any public suffix, Android apps)."""

import pytest

from worker import referrers
from worker.referrers import Source


@pytest.mark.parametrize("host, path, expected", [
    # Search engines, on any country domain and subdomain.
    ("www.google.com", "/search", ("Google", "search")),
    ("www.google.co.uk", "/", ("Google", "search")),
    ("www.google.com.br", "/url", ("Google", "search")),
    ("google.de", "/", ("Google", "search")),
    ("www.google.co.jp", "/search", ("Google", "search")),
    ("www.google.fr", "/imgres", ("Google Images", "search")),
    ("www.google.com.au", "/imgres", ("Google Images", "search")),
    ("images.google.de", "/", ("Google Images", "search")),
    ("lens.google.com", "/", ("Google Lens", "search")),
    ("news.google.com", "/articles/x", ("Google News", "search")),
    ("www.bing.com", "/search", ("Bing", "search")),
    ("cn.bing.com", "/search", ("Bing", "search")),
    ("www.bing.com", "/images/search", ("Bing Images", "search")),
    ("duckduckgo.com", "/", ("DuckDuckGo", "search")),
    ("html.duckduckgo.com", "/html/", ("DuckDuckGo", "search")),
    ("yandex.ru", "/search/", ("Yandex", "search")),
    ("yandex.com.tr", "/", ("Yandex", "search")),
    ("images.yandex.ru", "/yandsearch", ("Yandex Images", "search")),
    ("es.search.yahoo.com", "/search", ("Yahoo!", "search")),
    ("de.images.search.yahoo.com", "/images/view", ("Yahoo! Images", "search")),
    ("www.ecosia.org", "/search", ("Ecosia", "search")),
    ("search.brave.com", "/search", ("Brave", "search")),
    ("kagi.com", "/search", ("Kagi", "search")),
    ("www.startpage.com", "/do/search", ("Startpage", "search")),
    ("www.qwant.com", "/", ("Qwant", "search")),
    ("www.baidu.com", "/s", ("Baidu", "search")),
    ("m.baidu.com", "/", ("Baidu", "search")),
    ("search.naver.com", "/search.naver", ("Naver", "search")),
    ("search.seznam.cz", "/", ("Seznam", "search")),
    ("go.mail.ru", "/search", ("Mail.ru", "search")),
    ("search.aol.co.uk", "/aol/search", ("AOL", "search")),
    ("search.tb.ask.com", "/search/GGmain.jhtml", ("Ask Toolbar", "search")),
    ("suche.1und1.de", "/", ("1und1", "search")),
    ("meta.ua", "/", ("Meta.ua", "search")),
    ("www.mojeek.com", "/search", ("Mojeek", "search")),
    # AI assistants: never the search engine of the same company.
    ("chatgpt.com", "/", ("ChatGPT", "ai")),
    ("chat.openai.com", "/c/1", ("ChatGPT", "ai")),
    ("claude.ai", "/chat/1", ("Claude.ai", "ai")),
    ("www.perplexity.ai", "/search/x", ("Perplexity.ai", "ai")),
    ("gemini.google.com", "/app", ("Google Gemini", "ai")),
    ("copilot.microsoft.com", "/", ("Microsoft Copilot", "ai")),
    ("chat.mistral.ai", "/chat", ("Mistral.ai", "ai")),
    ("www.meta.ai", "/", ("META.ai", "ai")),
    ("beta.character.ai", "/", ("Character.AI", "ai")),
    ("poe.com", "/", ("Poe", "ai")),
    ("chat.deepseek.com", "/", ("DeepSeek", "ai")),
    ("grok.com", "/", ("Grok", "ai")),
    ("huggingface.co", "/chat/conversation/1", ("HuggingChat", "ai")),
    # Social networks, their link shims and short links.
    ("t.co", "/abc", ("Twitter", "social")),
    ("x.com", "/user/status/1", ("Twitter", "social")),
    ("www.facebook.com", "/l.php", ("Facebook", "social")),
    ("m.facebook.com", "/", ("Facebook", "social")),
    ("l.facebook.com", "/", ("Facebook", "social")),
    ("l.instagram.com", "/", ("Instagram", "social")),
    ("www.threads.net", "/@user/post/1", ("Threads", "social")),
    ("l.threads.com", "/l/1", ("Threads", "social")),
    ("go.bsky.app", "/redirect", ("Bluesky", "social")),
    ("mastodon.social", "/@user/1", ("Mastodon", "social")),
    ("www.linkedin.com", "/feed/", ("LinkedIn", "social")),
    ("lnkd.in", "/x", ("LinkedIn", "social")),
    ("old.reddit.com", "/r/python/", ("Reddit", "social")),
    ("out.reddit.com", "/t3_x", ("Reddit", "social")),
    ("news.ycombinator.com", "/item", ("Hacker News", "social")),
    ("lobste.rs", "/s/x", ("Lobsters", "social")),
    ("www.tiktok.com", "/", ("TikTok", "social")),
    ("www.pinterest.co.uk", "/pin/1", ("Pinterest", "social")),
    ("web.telegram.org", "/", ("Telegram", "social")),
    ("web.whatsapp.com", "/", ("WhatsApp", "social")),
    ("www.odnoklassniki.ru", "/dk", ("Odnoklassniki", "social")),
    ("vk.com", "/away.php", ("VK", "social")),
    ("someone.tumblr.com", "/", ("Tumblr", "social")),
    ("l.workplace.com", "/", ("Workplace", "social")),
    ("lnk.bio", "/someone", ("Lnk.Bio", "social")),
    # Video sites.
    ("www.youtube.com", "/watch", ("YouTube", "video")),
    ("m.youtube.com", "/", ("YouTube", "video")),
    ("youtu.be", "/x", ("YouTube", "video")),
    ("vimeo.com", "/1", ("Vimeo", "video")),
    ("www.twitch.tv", "/x", ("Twitch", "video")),
    # Webmail, including mail front ends and dereferrers of a listed provider.
    ("mail.google.com", "/mail/u/0/", ("Gmail", "email")),
    ("outlook.live.com", "/mail/0/", ("Outlook.com", "email")),
    ("outlook.office.com", "/", ("Outlook.com", "email")),
    ("co106w.col106.mail.live.com", "/default.aspx", ("Outlook.com", "email")),
    ("mg.mail.yahoo.com", "/", ("Yahoo! Mail", "email")),
    ("mail.proton.me", "/u/0/inbox", ("Proton", "email")),
    ("deref-gmx.net", "/mail/client/x/dereferrer/", ("GMX", "email")),
    ("deref-gmx.co.uk", "/", ("GMX", "email")),
    ("lightmailer-bs.gmx.net", "/", ("GMX", "email")),
    ("deref-web-02.de", "/", ("Web.de", "email")),
    ("3c-bap.web.de", "/", ("Web.de", "email")),
    ("deref-1und1-02.de", "/", ("1und1", "email")),
    ("email.ionos.co.uk", "/", ("Ionos", "email")),
    ("rich-v02.bluewin.ch", "/cp/applink/mail", ("Bluewin", "email")),
    ("webmail2.orange.fr", "/", ("Orange Webmail", "email")),
    ("www.orange.fr", "/webmail/fr_FR/read.html", ("Orange Webmail", "email")),
    ("mail.yandex.ru", "/", ("Yandex Mail", "email")),
    ("e.mail.ru", "/inbox", ("Mail.ru", "email")),
    ("mail.qq.com", "/", ("QQ Mail", "email")),
    ("email.t-online.de", "/", ("T-online", "email")),
    ("newsletter.substack.com", "/p/x", ("Substack", "email")),
    # Ads: display networks, and ads on search results pages.
    ("tpc.googlesyndication.com", "/", ("Google", "ads")),
    ("ad.doubleclick.net", "/", ("Doubleclick", "ads")),  # the more specific entry, from another list
    ("tdsf.doubleclick.net", "/", ("Google", "ads")),
    ("syndicatedsearch.goog", "/", ("Google", "search_ads")),
    ("www.adsensecustomsearchads.com", "/", ("Google", "search_ads")),
    ("www.bing.com", "/aclick", ("Bing", "search_ads")),
    ("trc.taboola.com", "/", ("Taboola", "ads")),
    # Named sites that are none of these: a link.
    ("docs.google.com", "/document/d/1", ("Google Docs", "link")),
    ("www.google.com", "/maps/place/x", ("Google Maps", "link")),
    ("translate.google.fr", "/", ("Google Translate", "link")),
    ("example-com.translate.goog", "/", ("Google Translate", "link")),
    ("en.wikipedia.org", "/wiki/X", ("Wikipedia", "link")),
    ("de.m.wikipedia.org", "/wiki/X", ("Wikipedia", "link")),
])
def test_known_sources(host, path, expected):
    assert referrers.source(host, path) == expected


@pytest.mark.parametrize("host, path", [
    ("someblog.net", "/"),
    ("mail.example.com", "/"),  # a mail front end of a domain with no listed webmail
    ("google.example.com", "/"),  # a brand under someone else's domain
    ("notgoogle.com", "/imgres"),
    ("192.0.2.1", "/"),
    ("localhost", "/"),
    ("co.uk", "/"),
])
def test_unknown_hosts_are_no_source(host, path):
    assert referrers.source(host, path) is None


@pytest.mark.parametrize("package, expected", [
    ("com.google.android.gm", ("Gmail", "email")),
    ("com.google.android.googlequicksearchbox", ("Google", "search")),
    ("com.linkedin.android", ("LinkedIn", "social")),
    ("org.telegram.messenger", ("Telegram", "social")),
    ("com.microsoft.office.outlook", ("Outlook.com", "email")),
    ("com.google.android.youtube", ("YouTube", "video")),
    ("com.slack", ("Slack", "social")),
    ("com.example.reader", None),
])
def test_android_apps(package, expected):
    assert referrers.app(package) == (Source(*expected) if expected else None)


@pytest.mark.parametrize("utm_source, expected", [
    ("google", ("Google", "search")),
    ("Google", ("Google", "search")),
    ("bing", ("Bing", "search")),
    ("facebook", ("Facebook", "social")),
    ("fb", ("Facebook", "social")),
    ("ig", ("Instagram", "social")),
    ("linkedin", ("LinkedIn", "social")),
    ("twitter", ("Twitter", "social")),
    ("x", ("Twitter", "social")),
    ("hackernews", ("Hacker News", "social")),
    ("Hacker News", ("Hacker News", "social")),
    ("reddit", ("Reddit", "social")),
    ("youtube", ("YouTube", "video")),
    ("chatgpt.com", ("ChatGPT", "ai")),
    ("perplexity", ("Perplexity.ai", "ai")),
    ("www.bing.com", ("Bing", "search")),
    ("producthunt", ("Product Hunt", "social")),
    ("newsletter", None),
    ("spring_sale", None),
    (" ", None),
])
def test_campaign_sources_by_name(utm_source, expected):
    assert referrers.named(utm_source) == (Source(*expected) if expected else None)


def test_our_list_uses_only_known_kinds_and_every_alias_names_a_source():
    own = referrers._own()
    aliases = own.pop("aliases")
    assert set(own) <= set(referrers.KINDS)
    assert all(name.lower() in referrers.table().names for name in aliases.values())
