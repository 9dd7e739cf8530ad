"""User agents and bots, measured on public corpora shipped by registry packages:
Matomo's device-detector fixtures (PyPI `device_detector`: bots, desktops, phones, tablets),
crawler-user-agents' example strings, and fake-useragent's real browser strings.
The figures are recorded in docs/definitions.md; `pytest -s` prints them."""

import functools
import glob
import importlib.resources
import json
from pathlib import Path

import crawleruseragents
import pytest
import yaml

from worker import agents, bots, models


@pytest.mark.parametrize("user_agent, expected", [
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
     ("Chrome", "131", "Windows", "10", "desktop", False)),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
     ("Mobile Safari", "18", "iOS", "18.1", "mobile", False)),
    ("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
     ("Mobile Safari", "17", "iOS", "17.0", "tablet", False)),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0",
     ("Firefox", "133", "Mac OS X", "10.15", "desktop", False)),
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
     ("Googlebot", "2", None, None, "bot", True)),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
     ("HeadlessChrome", "120", "Linux", None, "bot", True)),
    ("python-requests/2.32.3", ("Python Requests", "2", None, None, "bot", True)),
    ("", (None, None, None, None, "bot", True)),
    ("Mozilla/5.0 (Linux; Android 13; Cubot X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Mobile Safari/537.36",
     ("Chrome Mobile", "122", "Android", "13", "mobile", False)),
])
def test_user_agents(user_agent, expected):
    assert tuple(agents.agent(user_agent)) == expected


@pytest.mark.parametrize("user_agent, device", [
    ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "desktop"),
    ("Mozilla/5.0 (X11; FreeBSD amd64; rv:128.0) Gecko/20100101 Firefox/128.0", "desktop"),
    ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
     "desktop"),
    ("Mozilla/5.0 (Wayland; Ubuntu; Linux x86_64; Touch; Tablet PC 4.1; Microsoft Corporation/Surface Pro 7) "
     "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "desktop"),
    ("Mozilla/5.0 (Macintosh; U; PPC Mac OS X; en) AppleWebKit/418.9 (KHTML, like Gecko) Safari/419.3", "desktop"),
    ("Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
     "tablet"),
    ("Mozilla/5.0 (Linux; Android 9; KFMAWI Build/PS7327; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
     "Chrome/112.0.5615.197 Mobile Safari/537.36", "tablet"),
    ("Mozilla/5.0 (Linux; Android 13; Lenovo TB-X606F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Mobile Safari/537.36", "tablet"),
    ("Mozilla/5.0 (Android 14; Tablet; rv:133.0) Gecko/133.0 Firefox/133.0", "tablet"),
    # Tablets under phone-like model codes, whose browsers say "Mobile": the model database knows them.
    ("Mozilla/5.0 (Linux; Android 6.0; RC0734H Build/MRA58K) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/66.0.3359.158 Mobile Safari/537.36", "tablet"),
    ("Mozilla/5.0 (Linux; Android 9; KFMAWI Build/PS7327.3329N; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Version/4.0 Chrome/112.0.5615.197 Mobile Safari/537.36", "tablet"),
    ("Mozilla/5.0 (Linux; U; Android 4.2.2; en-us; S222 Build/CUBOT) AppleWebKit/534.30 (KHTML, like Gecko) "
     "Version/4.0 Mobile Safari/534.30", "mobile"),
    ("Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0", "mobile"),
    ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
     "mobile"),
    ("Dalvik/2.1.0 (Linux; U; Android 13; SM-A536B Build/TP1A.220624.014)", "mobile"),
    # A phone whose model code looks like a tablet line's number (OnePlus 3T, A3010).
    ("Mozilla/5.0 (Linux; Android 8.0.0; ONEPLUS A3010 Build/OPR1.170623.032) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Chrome/120.0.6099.230 Mobile Safari/537.36", "mobile"),
    ("Nokia6300/2.0 (05.00) Profile/MIDP-2.0 Configuration/CLDC-1.1", "mobile"),
    ("Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/52.0.2743.116 Mobile Safari/537.36 Edge/15.15063", "mobile"),
    ("Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) 85.0.4183.93/6.0 TV "
     "Safari/537.36", "other"),
    ("Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0 "
     "Safari/605.1.15", "other"),
])
def test_device_classes(user_agent, device):
    assert agents.agent(user_agent).device == device


@pytest.mark.parametrize("user_agent, asked", [
    ("Mozilla/5.0 (Linux; Android 6.0; RC0734H Build/MRA58K) AppleWebKit/537.36", True),
    ("Mozilla/5.0 (Linux; U; Android 4.2.2; en-us; S222 Build/JDQ39) AppleWebKit/534.30", True),
    ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36", False),  # Chrome's reduced agent names no model
    ("Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0", False),
    ("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36", False),  # a big phone line
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36", False),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15", False),
])
def test_the_model_database_is_asked_only_about_models_the_rules_cannot_place(user_agent, asked):
    assert models.unfamiliar(user_agent) is asked


@pytest.mark.parametrize("pattern, loosened", [
    ("Nokia(?!Browser|Webview)|Lumia", "Nokia|Lumia"),
    (r"(?<!like )(?:iPad|iPhone)(?!\: Build/)", "(?:iPad|iPhone)"),
    ("a(?:101|2[01]0(?! Pro)|211)", "a(?:101|2[01]0|211)"),
    ("(?<=x)y(?=[)z])", "y"),
    ("plain (?:group)", "plain (?:group)"),
])
def test_a_brand_pattern_without_its_lookarounds_matches_more(pattern, loosened):
    assert models.without_lookarounds(pattern) == loosened


def test_a_brand_s_lookarounds_still_decide():
    # Nokia's pattern excludes NokiaBrowser; an agent naming only that is no Nokia.
    nokia = [place for place, brand in enumerate(models.database().brands) if brand["regex"].startswith("Nokia(?!")]
    assert nokia and models._brand("Mozilla/5.0 NokiaBrowser/8.5.0") != nokia[0]
    assert models._brand("Mozilla/5.0 (Series40; Nokia311/03.81)") == nokia[0]


MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"


@pytest.mark.parametrize("screen_width, device", [(None, "desktop"), (820, "tablet"), (1024, "tablet"),
                                                  (1280, "desktop"), (1512, "desktop")])
def test_an_ipad_asking_for_desktop_sites_is_told_by_its_screen(screen_width, device):
    found = agents.agent(MAC)
    assert agents.with_screen(found.device, found.os, screen_width) == device


FIXTURES = Path(str(importlib.resources.files("device_detector"))) / "tests" / "fixtures" / "upstream"
HUMAN_FIXTURES = ("desktop", "smartphone", "tablet", "phablet", "feature_phone", "wearable")


def _fixture_agents(files) -> list[str]:
    found = []
    for name in files:
        with open(name) as handle:
            found += [e["user_agent"] for e in yaml.load(handle, Loader=yaml.CSafeLoader) or []
                      if isinstance(e, dict) and e.get("user_agent")]
    return found


@functools.cache
def corpus(name: str) -> list[str]:
    if name == "matomo bots":
        return _fixture_agents([FIXTURES / "bots.yml"])
    if name == "matomo humans":
        return _fixture_agents(f for f in glob.glob(str(FIXTURES / "*.yml")) if any(k in f for k in HUMAN_FIXTURES))
    if name == "crawler-user-agents":
        return [i for p in crawleruseragents.CRAWLER_USER_AGENTS_DATA for i in p.get("instances", [])]
    data = Path(str(importlib.resources.files("fake_useragent"))) / "data" / "browsers.jsonl"
    return sorted({json.loads(line)["useragent"] for line in data.read_text().splitlines()})


def _bot_share(name: str) -> float:
    strings = corpus(name)
    return sum(bots.is_bot(ua) for ua in strings) / len(strings)


@pytest.mark.parametrize("name", ["matomo bots", "crawler-user-agents"])
def test_bot_recall_is_at_least_97_percent(name):
    recall = _bot_share(name)
    print(f"\nbot recall on {name} ({len(corpus(name))} strings): {recall:.1%}")
    assert recall >= 0.97


@pytest.mark.parametrize("name, at_most", [("matomo humans", 0.005), ("fake-useragent browsers", 0.0005)])
def test_browsers_are_rarely_taken_for_bots(name, at_most):
    false_positives = _bot_share(name)
    print(f"\nfalse positives on {name} ({len(corpus(name))} strings): {false_positives:.2%}")
    assert false_positives <= at_most


CHROME_ANDROID = ("Mozilla/5.0 (Linux; Android 14; moto g54 5G Build/U1TDS34.94-12-9-10; wv) AppleWebKit/537.36 "
                  "(KHTML, like Gecko) Version/4.0 Chrome/131.0.6778.135 Mobile Safari/537.36")
CHROME_LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"


# One row per verdict of worker/bots.py, in its order; the strings are of the kinds each names.
@pytest.mark.parametrize("verdict, user_agent, is_bot", [
    ("nothing", "", True),
    ("nothing", "   ", True),
    ("automation", CHROME_LINUX.replace("Chrome/", "HeadlessChrome/"), True),
    ("automation", CHROME_LINUX.replace("Safari/", "Cypress/13.15.0 Safari/"), True),
    ("automation", CHROME_ANDROID + " [FB_IAB/FB4A;FBAV/493.0.0.48.80;] selenium", True),
    ("people", CHROME_ANDROID + " [FB_IAB/FB4A;FBAV/493.0.0.48.80;IABMV/1;]", False),
    ("people", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile "
               "Safari/537.36 MetaIAB Facebook", False),
    ("people", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
               "Mobile/22B83 Instagram 357.0.0.25.101 (iPhone14,5; iOS 18_1; en_US; en; scale=3.00)", False),
    ("people", CHROME_LINUX.replace("Chrome/", "Code/1.95.3 Chrome/") + " Electron/32.2.1", False),
    ("people", CHROME_ANDROID + " CamScanner/6.59.0", False),
    ("people", "Links (2.1pre23; Linux 3.5.0 i686; 237x63)", False),
    ("people", "ELinks/0.13.2 (textmode; Linux 6.1.0 x86_64; 120x40-2)", False),
    ("shape", "Site24x7", True),
    ("shape", "Mozilla/5.0", True),
    ("shape", "Mozilla/5.0 project_patchwatch", True),
    ("listed", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", True),
    ("listed", "Monit/5.33.0", True),
    ("listed", "Prometheus/2.53.1", True),
    ("listed", "grpc-java-netty/1.64.0", True),
    ("listed", "RestSharp/112.0.0.0", True),
    ("listed", "OpenAI/Python 1.54.4", True),
    ("listed", "Java/1.8.0_392", True),
    ("listed", "Arachni/v1.6.1", True),
    ("listed", CHROME_LINUX + " Nuclei - Open-source project (github.com/projectdiscovery/nuclei)", True),
    ("listed", "Mozilla/5.0 (compatible; Crusader/1.0)", True),
    ("listed", "claude-cli/1.0.44 (external, cli)", True),
    ("listed", "Cursor/0.43.6", True),
    ("listed", "NetNewsWire (RSS Reader; https://netnewswire.com/)", True),
    ("listed", "Tiny Tiny RSS/24.11 (https://tt-rss.org/)", True),
    ("listed", "Mozilla/5.0 (compatible; Sogou web spider/4.0; +http://www.sogou.com/docs/help/webmasters.htm#07)", True),
    # Device models in the platform are not bot words; a build id holding RSS is not a feed.
    ("person", CHROME_ANDROID.replace("moto g54 5G Build/U1TDS34.94-12-9-10", "GM Discovery II Build/KOT49H"), False),
    ("person", CHROME_ANDROID.replace("Build/U1TDS34.94-12-9-10", "Build/T1RSS33.2-21-5"), False),
    ("person", "Mozilla/5.0 (compatible; MSIE 9.0; Windows Phone OS 7.5; Trident/5.0; IEMobile/9.0; HTC; Radar 4G)", False),
    ("person", "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; Banca Caboto s.p.a.; rv:11.0) like Gecko", False),
    ("person", "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0", False),
    ("person", "Lynx/2.9.0dev.12 libwww-FM/2.14 SSL-MM/1.4.1 GNUTLS/3.7.9", False),
    ("person", "Mozilla/5.0 (SAMSUNG; SAMSUNG-GT-S8500/S8500XXJF4; U; Bada/1.0; fr-fr) AppleWebKit/533.1 (KHTML, "
               "like Gecko) Dolfin/2.0 Mobile WVGA SMM-MMS/1.2.0 OPN-B", False),
    # A crawler's name alone in the parentheses is not a platform: the word lists see it.
    ("listed", "Mozilla/5.0 (Morningscore Bot/1.0)", True),
    ("listed", "Mozilla/5.0 (Exchange check)", True),
    ("person", "Mozilla/5.0 (Linux; U; Android 5.0.2; zh-cn; Redmi Note 2 Build/LRX22G) AppleWebKit/534.30 (KHTML, "
               "like Gecko) Version/4.0 Mobile Safari/534.30 SogouMSE,SogouMobileBrowser/5.5.0", False),
])
def test_bot_verdicts(verdict, user_agent, is_bot):
    assert bots.is_bot(user_agent) is is_bot


def test_the_crawler_list_matches_within_its_memory(capfd):
    # A DFA out of memory is logged by RE2 itself, to the process's stderr, on every such match.
    for ua in corpus("crawler-user-agents"):
        bots.is_bot(ua)
    assert "DFA out of memory" not in capfd.readouterr().err


@pytest.mark.parametrize("user_agent, is_bot", [
    ("Mozilla/5.0", True),
    ("Mozilla/4.0", True),
    ("Mozilla/5.0 xtate/2.12.4", True),
    ("Mozilla/5.0 project_patchwatch", True),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", False),
    # A real agent whose parentheses a proxy stripped still names its platform.
    ("Mozilla/5.0 Linux; Android 6.0; LEAGOO M8 Build/MRA58K AppleWebKit/537.36 KHTML, like Gecko Chrome/75.0 Mobile Safari/537.36",
     False),
])
def test_an_agent_that_names_no_platform_is_a_bot(user_agent, is_bot):
    assert bots.is_bot(user_agent) is is_bot
