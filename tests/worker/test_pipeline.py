import json
from datetime import datetime, timezone

import pytest

from parcours import spool
from worker import pipeline

KOLKATA = pipeline.Property(time_zone="Asia/Kolkata")
CONTEXT = pipeline.Context(secret=b"k" * 32, properties={"abcdef1234": KOLKATA})
EVENT = {"p": "abcdef1234", "n": "page_view", "u": "https://example.com/docs/?q=1", "r": "https://news.ycombinator.com/item"}
LINE = json.loads(spool.record(spool.nanoseconds(datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)), "203.0.113.9",
                               "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", EVENT))


def record(**changes) -> dict:
    """A spool record as the worker sees it after parsing, with some fields changed."""
    return pipeline.parse_record(json.dumps({**LINE, **changes}).encode())


RECORD = record()


@pytest.mark.parametrize("line, reason", [
    (b"{not json", "not JSON"),
    (b'{"v": 2}', "not a version 1 spool record"),
    (json.dumps({k: v for k, v in LINE.items() if k != "user_agent"}).encode(), "missing fields: user_agent"),
    (json.dumps({**LINE, "event": {"p": "abcdef1234"}}).encode(), "missing fields"),
    (json.dumps({**LINE, "received_at": "yesterday"}).encode(), "received_at is not an ISO 8601 time"),
])
def test_quarantine_reasons(line, reason):
    with pytest.raises(pipeline.Quarantine, match=reason):
        pipeline.parse_record(line)


def test_an_event_of_a_deleted_property_is_dropped_with_its_reason():
    gone = record(event={**EVENT, "p": "gone000000"})
    assert pipeline.process(gone, CONTEXT) == pipeline.Dropped(pipeline.DropReason.UNKNOWN_PROPERTY)


def test_enrichment():
    event = pipeline.process(RECORD, CONTEXT)
    assert (event["hostname"], event["pathname"], event["referrer_domain"]) == ("example.com", "/docs/", "news.ycombinator.com")
    assert (event["browser"], event["is_bot"]) == ("Firefox", False)
    assert "ip" not in event and "203.0.113.9" not in json.dumps(event, default=str)


@pytest.mark.parametrize("screen_width, device", [(820, "tablet"), (1512, "desktop")])
def test_the_device_class_reads_the_beacon_s_screen_width(screen_width, device):
    mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"
    assert pipeline.process(record(user_agent=mac, event={**EVENT, "w": screen_width}), CONTEXT)["device"] == device


def test_android_app_referrers_are_sources():
    event = pipeline.process(record(event={**EVENT, "r": "android-app://com.google.android.gm"}), CONTEXT)
    assert (event["referrer_domain"], event["source"], event["channel"]) == ("com.google.android.gm", "Gmail", "Email")


def test_crawlers_are_flagged():
    crawler = record(user_agent="Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
    assert pipeline.process(crawler, CONTEXT)["is_bot"] is True


def test_visitor_id_is_keyed_stable_and_distinct():
    same = pipeline.process(RECORD, CONTEXT)["visitor_id"]
    assert pipeline.process(record(), CONTEXT)["visitor_id"] == same
    assert pipeline.process(record(ip="203.0.113.10"), CONTEXT)["visitor_id"] != same
    other_key = pipeline.Context(secret=b"j" * 32, properties=CONTEXT.properties)
    assert pipeline.process(RECORD, other_key)["visitor_id"] != same


@pytest.mark.parametrize("rotation, later, same_visitor", [
    ("never", "2026-11-30T12:00:00Z", True),        # a day later, same key
    ("daily", "2026-11-29T18:29:59Z", True),        # 23:59:59 the same day in Kolkata
    ("daily", "2026-11-29T18:30:00Z", False),       # local midnight in Kolkata (UTC+05:30)
    ("daily", "2026-11-30T12:00:00Z", False),
])
def test_daily_rotation_forgets_visitors_at_the_property_s_local_midnight(rotation, later, same_visitor):
    context = pipeline.Context(secret=b"k" * 32, properties={"abcdef1234": pipeline.Property("Asia/Kolkata", rotation)})
    first = pipeline.process(record(), context)["visitor_id"]
    again = pipeline.process(record(received_at=later), context)["visitor_id"]
    assert (again == first) is same_visitor


@pytest.mark.parametrize("ip", ["203.0.113.9", "2001:db8::1"])
def test_the_fast_scrub_equals_the_full_one(ip):
    line = spool.record(spool.nanoseconds(datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)), ip,
                        "Mozilla/5.0 \"quoted\" Firefox/133.0", EVENT)
    full = json.loads(pipeline.scrub(line, CONTEXT))
    derived = (pipeline.process(pipeline.parse_record(line), CONTEXT)["visitor_id"], (None, None, None))
    assert json.loads(pipeline.scrub_known(line, derived)) == full and ip not in json.dumps(full)


@pytest.mark.parametrize("pattern, title, path, meta, page_type", [
    ("Page not found*", "Page not found – Example", "/nope", None, "404"),
    ("Page not found*", "Pages we love", "/nope", None, None),
    ("/404*", "Oops", "/404.html", None, "404"),
    ("/404*", "Oops", "/a/404", None, None),
    ("*[x]?*", "a [x]? b", "/", None, "404"),     # only * is special
    ("Page not found*", "Page not found", "/", {"type": "post"}, "post"),  # the plugin's word stands
    (None, "Page not found", "/", None, None),
])
def test_a_property_names_its_error_page(pattern, title, path, meta, page_type):
    context = pipeline.Context(secret=b"k" * 32, properties={"abcdef1234": pipeline.Property("UTC", not_found=pattern)})
    event = {**EVENT, "t": title, "u": f"https://example.com{path}", **({"m": meta} if meta else {})}
    assert pipeline.process(record(event=event), context)["page_type"] == page_type
