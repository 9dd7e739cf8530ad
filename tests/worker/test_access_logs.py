"""Access log lines as page views, or skipped with a typed reason: one case per reason, the
formats operators use, and times in any offset."""

import re
from datetime import date, datetime, timezone

import orjson
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from worker import access_logs, imports, open_days, pipeline

OPTIONS = access_logs.Options("https://example.com")
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def line(request="GET /pricing?utm_source=news HTTP/1.1", status=200, referrer="https://www.google.com/",
         agent=FIREFOX, when="02/Nov/2026:10:00:00 +0000", address="198.51.100.7"):
    return f'{address} - - [{when}] "{request}" {status} 5120 "{referrer}" "{agent}"'


def staged(text, fmt="combined", options=OPTIONS):
    return access_logs.beacon(text, access_logs.compile_format(fmt), options, "site123456")


def test_a_page_request_becomes_a_page_view_with_its_referrer_and_campaign():
    when, agent, record = staged(line())
    loaded = orjson.loads(record)
    assert when == datetime(2026, 11, 2, 10, tzinfo=timezone.utc) and agent == FIREFOX
    assert loaded["event"] == {"p": "site123456", "n": "page_view", "u": "https://example.com/pricing?utm_source=news",
                               "r": "https://www.google.com/"}
    assert (loaded["ip"], loaded["received_at"]) == ("198.51.100.7", "2026-11-02T10:00:00.000000Z")


@pytest.mark.parametrize("text, reason", [
    ("garbage that is not a log line", access_logs.Skip.MALFORMED),
    (line(request="\\x16\\x03\\x01\\x00"), access_logs.Skip.MALFORMED),  # TLS spoken to the http port
    (line(when="31/Foo/2026:10:00:00 +0000"), access_logs.Skip.MALFORMED),
    (line(request="-", status=400), access_logs.Skip.NO_REQUEST),  # the client closed before asking
    (line(request="POST /login HTTP/1.1"), access_logs.Skip.METHOD),
    (line(request="HEAD / HTTP/1.1"), access_logs.Skip.METHOD),
    (line(status=404), access_logs.Skip.STATUS),
    (line(status=301), access_logs.Skip.STATUS),
    (line(request="GET /assets/site.CSS?v=3 HTTP/1.1"), access_logs.Skip.STATIC),
    (line(request="GET /favicon.ico HTTP/2.0"), access_logs.Skip.STATIC),
    (line(request=f"GET /{'x' * 3000} HTTP/1.1"), access_logs.Skip.UNLOADABLE),
])
def test_every_other_line_is_skipped_with_its_reason(text, reason):
    assert staged(text) is reason


@pytest.mark.parametrize("days, reason", [
    (open_days.OpenDays("Asia/Kolkata", imported=frozenset({date(2026, 11, 2)})), access_logs.Skip.IMPORTED),
    (open_days.OpenDays("Asia/Kolkata", tracked_from=date(2026, 11, 2)), access_logs.Skip.TRACKED),
])
def test_a_day_counted_from_elsewhere_is_skipped_in_the_sites_zone(days, reason):
    options = access_logs.Options("https://example.com", days=days)
    assert staged(line(when="01/Nov/2026:18:30:00 +0000"), options=options) is reason  # 2 Nov, 00:00 in Kolkata
    assert staged(line(when="01/Nov/2026:18:29:59 +0000"), options=options) is not reason


@pytest.mark.parametrize("text", [
    line(status=304), line(request="GET /docs/v1.2/ HTTP/1.1"), line(request="GET /page.html HTTP/1.0"),
    line(referrer="-", agent="-"),
])
def test_pages_not_modified_dotted_directories_and_html_are_page_views(text):
    assert not isinstance(staged(text), access_logs.Skip)


def test_the_options_widen_what_counts():
    wide = access_logs.Options("https://example.com", frozenset({"GET", "HEAD"}), frozenset({200, 404}), True)
    for text in (line(request="HEAD / HTTP/1.1"), line(status=404), line(request="GET /site.css HTTP/1.1")):
        assert not isinstance(staged(text, options=wide), access_logs.Skip)


@pytest.mark.parametrize("when, utc", [
    ("02/Nov/2026:10:00:00 -0700", "2026-11-02T17:00:00"),
    ("02/Nov/2026:10:00:00 +0545", "2026-11-02T04:15:00"),
    ("01/Jan/2027:00:30:00 +0100", "2026-12-31T23:30:00"),
])
def test_local_times_are_read_with_their_offset(when, utc):
    assert staged(line(when=when))[0] == datetime.fromisoformat(utc).replace(tzinfo=timezone.utc)


def test_a_custom_nginx_format_with_iso_times_and_the_forwarded_client():
    fmt = '$remote_addr "$http_x_forwarded_for" [$time_iso8601] $host "$request" $status $request_time "$http_user_agent"'
    text = f'10.0.0.2 "203.0.113.9, 10.0.0.1" [2026-11-02T10:00:00+05:30] example.com "GET / HTTP/2.0" 200 0.004 "{FIREFOX}"'
    options = access_logs.Options("https://example.com", forwarded_for=True)
    when, _, record = staged(text, fmt, options)
    assert when == datetime(2026, 11, 2, 4, 30, tzinfo=timezone.utc)
    assert orjson.loads(record)["ip"] == "203.0.113.9"
    assert orjson.loads(staged(text, fmt)[2])["ip"] == "10.0.0.2"  # unless asked


@pytest.mark.parametrize("request_line, url", [
    ("GET /caf\\xC3\\xA9?q=\\x22x\\x22 HTTP/1.1", "https://example.com/café?q=\"x\""),  # nginx's escapes
    ("GET http://example.com/pricing?plan=pro HTTP/1.1", "https://example.com/pricing?plan=pro"),  # absolute form
    ("GET /\\xFF HTTP/1.1", "https://example.com/\ufffd"),  # not UTF-8
])
def test_escaped_and_absolute_targets_are_read_as_sent(request_line, url):
    assert orjson.loads(staged(line(request=request_line))[2])["event"]["u"] == url


def test_apache_escapes_quotes_in_the_user_agent():
    text = line(agent='Mozilla/5.0 (compatible; \\"quoted\\")')
    assert staged(text)[1] == 'Mozilla/5.0 (compatible; "quoted")'


@pytest.mark.parametrize("fmt, reason", [
    ('$remote_addr "$request" $status', "logs no time"),
    ("$remote_addr [$time_local] $status", "logs no request"),
])
def test_a_format_without_time_or_request_is_refused(fmt, reason):
    with pytest.raises(access_logs.FormatError, match=reason):
        access_logs.compile_format(fmt)


def test_a_file_is_counted_line_by_line_and_a_truncated_last_line_is_fine(tmp_path):
    log = tmp_path / "access.log"
    log.write_text("\n".join([line(), "garbage", line(status=404), line(agent="Googlebot/2.1 (+http://www.google.com/bot.html)")])
                   + "\n" + line()[:40])
    parts = imports.Parts(tmp_path, "segment.jsonl", size=1)
    tally = access_logs.stage(log, parts, access_logs.compile_format("combined"), OPTIONS, "site123456")
    parts.close()
    assert (tally.lines, tally.events, tally.bots) == (5, 2, 1)
    assert tally.skipped == {"malformed": 1, "status not served": 1, "truncated last line": 1}
    assert tally.malformed_lines == [2]
    assert [path.name for path in parts.paths] == ["segment-0001.jsonl.partial", "segment-0002.jsonl.partial"]
    for path in parts.paths:  # the client's address is in them until the worker scrubs it
        assert len(path.read_bytes().splitlines()) == 1 and oct(path.stat().st_mode)[-3:] == "600"
    assert re.fullmatch(r"2026-11-02 10:00:00\+00:00", str(tally.first))


SEEDED = hypothesis_settings(max_examples=300, derandomize=True, deadline=None, database=None)
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300) | st.sampled_from(
    ["\x00", "/a\x00b", "%00", "/\u202e", "-", "", "http://", "android-app://com.google.android.gm"])


@SEEDED
@given(path=ANY_TEXT, referrer=ANY_TEXT, agent=ANY_TEXT, address=ANY_TEXT)
def test_whatever_a_log_holds_a_staged_record_is_one_the_worker_loads(path, referrer, agent, address):
    """The importer and the worker share parcours/record.py: a line becomes a record only if
    the worker will take it, and never an exception."""
    text = line(request=f"GET /{path.replace(' ', '%20')} HTTP/1.1", referrer=referrer.replace('"', '\\"'),
                agent=agent.replace('"', '\\"'), address=address.replace(" ", "") or "-")
    outcome = staged(text)
    if not isinstance(outcome, access_logs.Skip):
        record = pipeline.parse_record(outcome[2])
        assert record["event"]["u"].startswith("https://example.com/")
