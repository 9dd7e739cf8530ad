import json

import pytest

from worker import pipeline

CONTEXT = pipeline.Context(secret=b"k" * 32, properties=frozenset({"abcdef1234"}))
EVENT = {"p": "abcdef1234", "n": "page_view", "u": "https://example.com/docs/?q=1", "r": "https://news.ycombinator.com/item"}
RECORD = {"v": 1, "ts": 1_700_000_000_000_000_000, "ip": "203.0.113.9", "ua": "Mozilla/5.0 Firefox/133.0", "e": EVENT}


@pytest.mark.parametrize("line, reason", [
    (b"{not json", "not JSON"),
    (b'{"v": 2}', "not a version 1 spool record"),
    (json.dumps({k: v for k, v in RECORD.items() if k != "ua"}).encode(), "missing fields: ua"),
    (json.dumps({**RECORD, "e": {"p": "abcdef1234"}}).encode(), "missing fields"),
])
def test_quarantine_reasons(line, reason):
    with pytest.raises(pipeline.Quarantine, match=reason):
        pipeline.parse_record(line)


def test_an_event_of_a_deleted_property_is_dropped_with_its_reason():
    record = {**RECORD, "e": {**EVENT, "p": "gone000000"}}
    assert pipeline.process(record, CONTEXT) == pipeline.Dropped(pipeline.DropReason.UNKNOWN_PROPERTY)


def test_enrichment():
    event = pipeline.process(RECORD, CONTEXT)
    assert (event["hostname"], event["pathname"], event["referrer_domain"]) == ("example.com", "/docs/", "news.ycombinator.com")
    assert (event["browser"], event["is_bot"]) == ("Firefox", False)
    assert "ip" not in event and "203.0.113.9" not in json.dumps(event)


def test_crawlers_are_flagged():
    record = {**RECORD, "ua": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"}
    assert pipeline.process(record, CONTEXT)["is_bot"] is True


def test_visitor_id_is_keyed_stable_and_distinct():
    same = pipeline.process(RECORD, CONTEXT)["visitor_id"]
    assert pipeline.process(dict(RECORD), CONTEXT)["visitor_id"] == same
    assert pipeline.process({**RECORD, "ip": "203.0.113.10"}, CONTEXT)["visitor_id"] != same
    other_key = pipeline.Context(secret=b"j" * 32, properties=CONTEXT.properties)
    assert pipeline.process(RECORD, other_key)["visitor_id"] != same
