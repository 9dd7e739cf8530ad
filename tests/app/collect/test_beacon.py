import json

import pytest

from app.collect import beacon

GOOD = {"p": "abcdef1234", "n": "page_view", "u": "https://example.com/a"}


@pytest.mark.parametrize("body, reason", [
    (b"not json", "body is not JSON"),
    (b"[1, 2]", "body must be a JSON object"),
    (json.dumps({**GOOD, "p": None}).encode(), "field 'p' is required"),
    (json.dumps({**GOOD, "p": "UPPER"}).encode(), "field 'p' is not a property id"),
    (json.dumps({**GOOD, "n": "<script>"}).encode(), "field 'n' is not a valid event name"),
    (json.dumps({**GOOD, "u": "javascript:alert(1)"}).encode(), "field 'u' must be an http(s) URL"),
    (json.dumps({**GOOD, "u": 5}).encode(), "field 'u' must be a string"),
    (json.dumps({**GOOD, "u": "https:///nohost"}).encode(), "field 'u' must be an http(s) URL"),
    (b'{"p": "\xff"}', "body is not UTF-8"),
    (json.dumps({**GOOD, "s": "75"}).encode(), "field 's' must be a finite number"),
    (b'{"p": "abcdef1234", "n": "ping", "u": "https://example.com/", "e": NaN}', "body is not JSON: NaN is not"),
    (b'{"p": "abcdef1234", "n": "ping", "u": "https://example.com/", "e": -Infinity}', "body is not JSON"),
    (b'{"p": "abcdef1234", "n": "ping", "u": "https://example.com/", "e": 1e999}', "field 'e' must be a finite number"),
    (json.dumps({**GOOD, "w": True}).encode(), "field 'w' must be a finite number"),
    (b"[" * 4000 + b"]" * 4000, "body is nested too deeply"),
    (b'{"p": "abcdef1234", "w": ' + b"9" * 5000 + b"}", "body is not JSON"),
    (json.dumps({**GOOD, "u": "http://["}).encode(), "field 'u' must be an http(s) URL with a valid host"),
    (json.dumps({**GOOD, "u": "https://example.com\uff03.evil/"}).encode(), "field 'u' must be an http(s) URL"),
    (json.dumps({**GOOD, "u": "https://exa mple.com/"}).encode(), "field 'u' must be an http(s) URL"),
    (json.dumps({**GOOD, "u": "https://example.com:99999/"}).encode(), "field 'u' must be an http(s) URL"),
    (b"{" + b" " * beacon.MAX_BYTES + b"}", "larger than"),
    (json.dumps({**GOOD, "d": [1]}).encode(), "field 'd' must be an object"),
    (json.dumps({**GOOD, "d": {str(i): i for i in range(31)}}).encode(), "at most 30 properties"),
    (json.dumps({**GOOD, "d": {"nested": {"a": 1}}}).encode(), "text, number or boolean values"),
])
def test_refused_with_a_reason(body, reason):
    with pytest.raises(beacon.BeaconError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        beacon.parse(body)


def test_sanitized_keeps_known_fields_only_and_strips_control_characters():
    event = beacon.parse(json.dumps({**GOOD, "t": "Tab\tTitle\x00", "x": "dropped", "s": 75}).encode())
    assert event == {**GOOD, "t": "TabTitle", "s": 75}


def test_custom_event_names_are_accepted():
    assert beacon.parse(json.dumps({**GOOD, "n": "signup: pro"}).encode())["n"] == "signup: pro"


def test_wordpress_meta_keeps_known_keys_of_the_right_type():
    meta = {"type": "post", "author": "Ada", "categories": ["News", 5], "tags": "not-a-list",
            "is_single": True, "is_home": "yes", "theme": "x"}
    event = beacon.parse(json.dumps({**GOOD, "m": meta}).encode())
    assert event["m"] == {"type": "post", "author": "Ada", "categories": ["News"], "tags": [], "is_single": True}


@pytest.mark.parametrize("field, given, kept", [
    ("u", "https://Example.com/a?utm_source=nl&utm_campaign=x&email=a@b.c&ref=hn#top",
     "https://example.com/a?utm_source=nl&utm_campaign=x&ref=hn"),
    ("u", "https://example.com", "https://example.com/"),
    ("r", "https://www.google.com/search?q=secret#frag", "https://www.google.com/search"),
    ("r", "android-app://com.google.android.gm/", "android-app://com.google.android.gm"),
    ("r", "android-app://com.google.android.googlequicksearchbox/https/www.google.com",
     "android-app://com.google.android.googlequicksearchbox"),
    ("r", "android-app://", None),
    ("r", "android-app://not a package/", None),
    ("r", "android-app://nodots", None),
    # The click id tells the ad network; the id itself identifies one person's click.
    ("u", "https://example.com/?gclid=Cj0KCQ-secret&fbclid=IwAR&msclkid=&utm_medium=cpc",
     "https://example.com/?gclid=1&utm_medium=cpc"),
    ("r", "not a url", None),
    ("r", "https://user:secret@www.Example.org:8443/path?q=1", "https://www.example.org/path"),
    ("r", "http://[", None),
    ("r", "https://bad_host!.com/", None),
    ("r", "https://-leading.example/", None),
    ("r", "https://b\u00fccher.de/x", "https://b\u00fccher.de/x"),
    ("r", "https://[2001:db8::1]:8080/a", "https://[2001:db8::1]/a"),
    ("u", "https://user:pw@example.com:8080/a", "https://example.com:8080/a"),
    ("u", "https://example.com/?utm_source=%00x", "https://example.com/?utm_source=%00x"),
    ("u", "https://example.com/" + "\U0001F600" * 600, "https://example.com/" + "\U0001F600" * 507),
    ("t", "cut mid-pair \ud83d", "cut mid-pair \ufffd"),
])
def test_urls_keep_only_what_reports_need(field, given, kept):
    event = beacon.parse(json.dumps({**GOOD, field: given}).encode())
    assert event.get(field) == kept


@pytest.mark.parametrize("field, given, kept", [
    ("s", 140, 100), ("s", -3, 0), ("s", 62.5, 62),
    ("e", 10 ** 12, 86_400_000), ("e", -1, 0),
    ("w", 10 ** 9, 100_000),
])
def test_numbers_are_clamped_into_their_range(field, given, kept):
    assert beacon.parse(json.dumps({**GOOD, field: given}).encode())[field] == kept
