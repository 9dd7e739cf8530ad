"""A GoatCounter export row becomes the spool line the worker reads as GoatCounter saw the hit, or
is left out with its reason: one case per reason, per referrer scheme, and per browser and system."""

from datetime import date, datetime, timezone

import orjson
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from parcours import spool
from worker import agents, goatcounter, open_days, pipeline

SITE = goatcounter.Site("https://example.com", open_days.OpenDays("Asia/Kolkata"))
CONTEXT = pipeline.Context(SECRET := b"s" * 32, {"site1": pipeline.Property("Asia/Kolkata")})


def row(**fields) -> list[str]:
    base = {"2Path": "/pricing", "Event": "false", "Session": "abc", "Bot": "0", "Date": "2026-11-02T04:30:00Z",
            "Browser": "Firefox 121", "System": "Linux", "Screen size": "1280,800,1", "Location": "FR"}
    return [{**base, **fields}.get(name, "") for name in goatcounter.HEADER]


def loaded(fields: list[str]) -> dict:
    outcome = goatcounter.beacon(fields, SITE, "site1", SECRET)
    assert not isinstance(outcome, goatcounter.Skip), outcome
    return pipeline.parse_record(outcome[1])


def test_a_page_view_is_an_archived_spool_line_of_the_hit():
    record = loaded(row(Title="Pricing", Location="US-TX"))
    assert record["received_at"] == datetime(2026, 11, 2, 4, 30, tzinfo=timezone.utc)
    assert record["event"] == {"p": "site1", "n": "page_view", "u": "https://example.com/pricing", "t": "Pricing", "w": 1280}
    assert record["visitor_id"] == pipeline.keyed_hash(SECRET, "site1", "goatcounter", "abc")
    assert record["place"] == ["US", None, None] and "ip" not in record


@pytest.mark.parametrize("path, url", [
    ("/café au lait", "https://example.com/caf%C3%A9%20au%20lait"),
    ("/caf%C3%A9", "https://example.com/caf%C3%A9"),  # already as a browser sends it
    ("/search?q=a&page=2", "https://example.com/search?q=a&page=2"),
    ("docs/", "https://example.com/docs/"),
])
def test_a_path_becomes_the_url_a_browser_would_have_sent(path, url):
    assert loaded(row(**{"2Path": path}))["event"]["u"] == url


def test_an_event_is_named_by_its_path_and_sent_from_the_home_page():
    record = loaded(row(**{"2Path": "download-pdf", "Event": "true"}))
    assert (record["event"]["n"], record["event"]["u"]) == ("download-pdf", "https://example.com/")


@pytest.mark.parametrize("fields, reason", [
    ({"Date": "yesterday"}, goatcounter.Skip.MALFORMED),
    ({"Date": "2026-11-02T04:30:00"}, goatcounter.Skip.MALFORMED),  # no zone: no time
    ({"Screen size": "wide"}, goatcounter.Skip.MALFORMED),
    ({"Bot": "3"}, goatcounter.Skip.BOT),
    ({"Session": " "}, goatcounter.Skip.NO_SESSION),
    ({"2Path": "sign up!", "Event": "true"}, goatcounter.Skip.EVENT_NAME),
    ({"2Path": "/" + "a" * 2100}, goatcounter.Skip.UNLOADABLE),  # longer than a page's URL may be
])
def test_a_row_left_out_says_why(fields, reason):
    assert goatcounter.beacon(row(**fields), SITE, "site1", SECRET) == reason


@pytest.mark.parametrize("days, reason", [
    (open_days.OpenDays("Asia/Kolkata", imported=frozenset({date(2026, 11, 2)})), goatcounter.Skip.IMPORTED),
    (open_days.OpenDays("Asia/Kolkata", tracked_from=date(2026, 11, 2)), goatcounter.Skip.TRACKED),
])
def test_a_day_counted_from_elsewhere_is_not_counted_again(days, reason):
    site = goatcounter.Site("https://example.com", days)
    assert goatcounter.beacon(row(), site, "site1", SECRET) == reason  # 2 November, 10:00 in Kolkata
    assert not isinstance(goatcounter.beacon(row(Date="2026-11-01T18:29:59Z"), site, "site1", SECRET), goatcounter.Skip)


@pytest.mark.parametrize("referrer, scheme, r, url", [
    ("news.example.org/item?id=1", "h", "https://news.example.org/item?id=1", "https://example.com/pricing"),
    ("http://news.example.org/", "h", "http://news.example.org/", "https://example.com/pricing"),
    ("not a url", "h", None, "https://example.com/pricing"),
    ("[::1", "h", None, "https://example.com/pricing"),  # urlsplit raises on it
    ("Hacker News", "g", None, "https://example.com/pricing?utm_source=Hacker+News"),
    ("spring sale", "c", None, "https://example.com/pricing?utm_source=spring+sale"),
    ("android-app://com.google.android.gm", "o", "android-app://com.google.android.gm", "https://example.com/pricing"),
    ("something else", "o", None, "https://example.com/pricing"),
])
def test_each_referrer_scheme_reaches_the_source_as_goatcounter_meant_it(referrer, scheme, r, url):
    event = loaded(row(Referrer=referrer, **{"Referrer scheme": scheme}))["event"]
    assert (event.get("r"), event["u"]) == (r, url)


@pytest.mark.parametrize("browser, system, expected", [
    ("Chrome 120", "Windows 10", ("Chrome", "120", "Windows", "desktop")),
    ("Firefox 121.0", "macOS 10.15", ("Firefox", "121", "Mac OS X", "desktop")),
    ("Safari 17.1", "iOS 17.1", ("Mobile Safari", "17", "iOS", "mobile")),
    ("Samsung Internet 23.0", "Android 14", ("Samsung Internet", "23", "Android", "mobile")),
    ("Edge 119", "Windows 11", ("Edge", "119", "Windows", "desktop")),
    ("Opera 105", "Linux", ("Opera", "105", "Linux", "desktop")),
    ("Chrome 118", "Chrome OS", ("Chrome", "118", "Chrome OS", "desktop")),
    ("Yandex 23", "Windows 7", ("Yandex Browser", "23", "Windows", "desktop")),
    ("", "", (None, None, None, "desktop")),
    ("NetSurf 3", "RISC OS", (None, None, None, "desktop")),
])
def test_browser_and_system_names_come_back_from_the_agent_written_for_them(browser, system, expected):
    found = agents.agent(goatcounter.user_agent(browser, system))
    assert (found.browser, found.browser_version, found.os, found.device) == expected and not found.is_bot


def test_a_torn_last_row_is_truncated_and_a_bad_middle_one_malformed(tmp_path):
    path = tmp_path / "export.csv"
    good = ",".join(f'"{v}"' for v in row())
    path.write_text(",".join(goatcounter.HEADER) + "\n" + good + "\n/x,too,few\n" + good + "\n" + good[:30])
    sink = []
    tally = goatcounter.stage(path, type("Sink", (), {"write": lambda self, line: sink.append(line)})(),
                              SITE, "site1", SECRET)
    assert (tally.lines, tally.events, len(sink)) == (4, 2, 2)
    assert tally.skipped == {"malformed": 1, "truncated last line": 1} and tally.malformed_lines == [3]
    assert orjson.loads(sink[0])["received_at"] == spool.utc_timestamp(spool.nanoseconds(datetime(2026, 11, 2, 4, 30, tzinfo=timezone.utc)))


SEEDED = hypothesis_settings(max_examples=1000, derandomize=True, deadline=None, database=None)  # a sixth loads
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200) | st.sampled_from(
    ["\x00", "/a\x00b", "%00", "/\u202e", "", "true", "0", "1e999", "-1,2,3", "99999999999999999999,1,1",
     "2026-11-02T04:30:00Z", "2026-11-02T04:30:00+05:30", "US-TX", "android-app://com.google.android.gm"])


ROW = st.fixed_dictionaries({name: ANY_TEXT for name in goatcounter.HEADER}).flatmap(lambda row: st.fixed_dictionaries({
        "Date": st.sampled_from(["2026-11-02T04:30:00Z", "2026-03-29T01:30:00+01:00"]) | ANY_TEXT,
        "Bot": st.just("0") | ANY_TEXT,
        "Event": st.sampled_from(["true", "false"]) | ANY_TEXT,
        "Referrer scheme": st.sampled_from("hgco") | ANY_TEXT,
        "Screen size": st.sampled_from(["1920,1080,1", "", "0,0,0"]) | ANY_TEXT,
        "Session": st.sampled_from(["abc", "7f3a"]) | ANY_TEXT,
    }).map(lambda chosen: {**row, **chosen}))


@SEEDED
@given(ROW)
def test_whatever_a_row_holds_its_line_is_one_the_worker_loads(row):
    """The importer and the worker share parcours/record.py: a row becomes a spool line only if
    the worker will take it through every step, and never an exception."""
    outcome = goatcounter.beacon([row[name] for name in goatcounter.HEADER], SITE, "site1", SECRET)
    if not isinstance(outcome, goatcounter.Skip):
        event = pipeline.process(pipeline.parse_record(outcome[1]), CONTEXT)
        assert event["pathname"].startswith("/") and not event["is_bot"]
        assert event["visitor_id"] == pipeline.keyed_hash(SECRET, "site1", "goatcounter", row["Session"].strip())
