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

from worker import agents, bots


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
    return sum(agents.agent(ua).is_bot for ua in strings) / len(strings)


@pytest.mark.parametrize("name", ["matomo bots", "crawler-user-agents"])
def test_bot_recall_is_at_least_90_percent(name):
    recall = _bot_share(name)
    print(f"\nbot recall on {name} ({len(corpus(name))} strings): {recall:.1%}")
    assert recall >= 0.90


@pytest.mark.parametrize("name", ["matomo humans", "fake-useragent browsers"])
def test_browsers_are_bots_at_most_1_percent_of_the_time(name):
    false_positives = _bot_share(name)
    print(f"\nfalse positives on {name} ({len(corpus(name))} strings): {false_positives:.2%}")
    assert false_positives <= 0.01


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
