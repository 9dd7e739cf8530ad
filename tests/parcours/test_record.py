"""The collect → worker contract: what check() refuses, and — as a property over generated hostile
bodies, through real HTTP, the real spool, the real worker and the real database — that every
body collect answers 202 loads, and that collect never answers 5xx."""

import json
import math

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from app.main import create_app
from parcours import record
from worker import run

GOOD = {"p": "abcdef1234", "n": "page_view", "u": "https://example.com/a"}


@pytest.mark.parametrize("event, user_agent, reason", [
    ({**GOOD, "t": "a\x00b"}, "UA", "event.t holds a NUL"),
    ({**GOOD, "t": "x\ud800y"}, "UA", "event.t holds a NUL or a lone surrogate"),
    (GOOD, "UA\x00", "user_agent holds a NUL"),
    ({**GOOD, "d": {"k\x00": 1}}, "UA", "event.d key holds a NUL"),
    ({**GOOD, "d": {"big": 1 << 64}}, "UA", "beyond 64 bits"),
    ({**GOOD, "d": {"nan": math.nan}}, "UA", "not a finite number"),
    ({**GOOD, "d": {"inf": -math.inf}}, "UA", "not a finite number"),
    ({**GOOD, "m": {"tags": [[[["deep"]]]]}}, "UA", "nested too deeply"),
    ({**GOOD, "s": 101}, "UA", "event.s must be a whole number from 0 to 100"),
    ({**GOOD, "e": 1 << 40}, "UA", "event.e must be a whole number"),
    ({**GOOD, "u": "https://exa\uff03mple.com/"}, "UA", "event.u must be an http(s) URL"),
    ({**GOOD, "r": "http://["}, "UA", "event.r must be an http(s) URL"),
    ({**GOOD, "r": "android-app://com.x/path"}, "UA", "event.r must be an http(s) URL with a valid host or an android-app"),
    ({**GOOD, "u": "android-app://com.x"}, "UA", "event.u must be an http(s) URL with a valid host"),
    ({**GOOD, "u": "https://example.com/" + "\U0001F600" * 600}, "UA", "longer than 2048 bytes"),
    ({**GOOD, "d": {"set": {1, 2}}}, "UA", "not a JSON value"),
    ({"p": "abcdef1234", "n": "page_view"}, "UA", "event.u must be text"),
    ({**GOOD, "r": 1}, "UA", "event.r must be text"),  # was an AttributeError: quarantined as an enrichment failure
    (GOOD, 5, "user_agent must be text"),
])
def test_check_names_the_value_that_would_not_load(event, user_agent, reason):
    with pytest.raises(record.Unloadable, match=reason.replace("(", r"\(").replace(")", r"\)")):
        record.check(event, user_agent)


@pytest.mark.parametrize("url, tags", [
    ("https://e.com/?utm_source=a&utm_campaign=b%20c&ref=x&utm_bogus=1", {"utm_source": "a", "utm_campaign": "b c"}),
    ("https://e.com/?utm_source=%00x%0A%7F", {"utm_source": "x"}),
    ("https://e.com/?utm_medium=%ED%A0%80%FF", {"utm_medium": "\ufffd" * 4}),
    ("https://e.com/?utm_term=" + "a" * 300, {"utm_term": "a" * 200}),
    ("https://e.com/", {}),
])
def test_campaign_tags_are_decoded_into_storable_text(url, tags):
    assert record.campaign(url) == tags
    record.check({**GOOD, "u": url}, "UA")


def test_the_worker_reads_source_tags_and_click_ids_but_stores_only_utm():
    url = "https://e.com/?ref=hn&source=nl&gclid=1&utm_medium=cpc&fbclid=2&q=x"
    assert record.tags(url) == (("ref", "hn"), ("source", "nl"), ("gclid", "1"), ("utm_medium", "cpc"))
    assert record.campaign(url) == {"utm_medium": "cpc"}


@pytest.mark.parametrize("host, valid", [
    ("example.com", True), ("www.b\u00fccher.de", True), ("_dmarc.example.com", True), ("192.0.2.1", True),
    ("2001:db8::1", True), ("exa mple.com", False), ("-x.example", False), ("a" * 64 + ".com", False),
    ("x.\u2063.com", False), ("", False),
])
def test_valid_host(host, valid):
    assert record.valid_host(host) is valid


# --- the property: 202 means "will load" -------------------------------------------------------

class Raw(str):
    """A JSON token written as it is: NaN, 1e999, a lone-surrogate escape, a 5,000-digit number."""


def encode(value) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{encode(str(k))}:{encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(encode(v) for v in value) + "]"
    return json.dumps(value)


NASTY_TOKENS = st.sampled_from([
    "NaN", "Infinity", "-Infinity", "1e999", "-1e999", "18446744073709551616", "9" * 30, "1" * 5000,
    '"\\ud800"', '"x\\udfffy"', '"\\u0000"', '"a\\u0000b"', '"\\ud83d\\ude00"', "true", "null", "[]", "{}",
    "[" * 40 + "]" * 40, '{"a":{"b":{"c":{"d":1}}}}', "-0", "0.1", "1e-400", "9223372036854775807",
    "-9223372036854775809",
]).map(Raw)
# Text as hostile clients write it: controls, NUL, bidi and zero-width marks, fullwidth
# punctuation, astral characters, percent escapes of all of these.
TEXT = st.lists(st.sampled_from(
    ["a", "Z", "0", "/", "?", "&", "=", "%", "#", "@", ":", "[", "]", " ", ".", "-", "_", "\x00", "\x01", "\n",
     "\x7f", "\x85", "\u200d", "\u202e", "\uff03", "\uff0f", "\uff20", "\ufeff", "\U0001F600", "\U00020000",
     "é", "%00", "%0a", "%ed%a0%80", "%ff", "%C0%80", "xn--", "utm_source=", "utm_campaign="]), max_size=30).map("".join)
SCALAR = st.one_of(TEXT, st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
                   st.none(), NASTY_TOKENS)


def mostly(usual, rare):
    """Four draws in five from `usual`: enough well-formed beacons that both 202 and 400 are common."""
    return st.integers(0, 4).flatmap(lambda draw: rare if draw == 4 else usual)


@st.composite
def urls(draw, hosts):
    scheme = draw(mostly(st.sampled_from(["https", "http"]), st.sampled_from(["ftp", "javascript", "", "HTTPS"])))
    userinfo = draw(mostly(st.just(""), st.sampled_from(["user:pass@", "@", "x@", "a:b:c@"])))
    port = draw(mostly(st.just(""), st.sampled_from([":8080", ":0", ":99999", ":x", ":", ":65535"])))
    query = "&".join(draw(st.lists(st.tuples(st.sampled_from(["utm_source", "utm_medium", "utm_campaign", "utm_term",
                                                               "utm_content", "ref", "q", "source", "gclid",
                                                               "msclkid", "ScCid"]), TEXT)
                                   .map(lambda kv: f"{kv[0]}={kv[1]}"), max_size=4)))
    fragment = draw(st.sampled_from(["", "#top", "#\x00"]))
    return f"{scheme}://{userinfo}{draw(hosts)}{port}/{draw(TEXT)}" + (f"?{query}" if query else "") + fragment


PAGE_HOSTS = mostly(st.sampled_from(["example.com", "www.example.com", "EXAMPLE.com", "blog.example.com"]),
                    st.sampled_from(["[", "example.com\uff03", "ex ample.com", "example.com.", "[::1]",
                                     "xn--80ak6aa92e.example.com", "b\u00fccher.example.com", "xn--.example.com"]))
OTHER_HOSTS = st.one_of(PAGE_HOSTS, st.sampled_from(["www.google.com", "t.co", "b\u00fccher.de", "-bad-.com", "a..b",
                                                     "192.0.2.1", "[2001:db8::1]", "x\u200d.com"]), TEXT)
NUMBER = mostly(st.integers(-10, 200_000), SCALAR)
APPS = st.one_of(st.sampled_from(["com.google.android.gm", "com.google.android.gm/https/www.google.com", "x", "",
                                  "com.x/", "com..x", "1com.x"]), TEXT).map(lambda app: "android-app://" + app)


@st.composite
def bodies(draw, property_id):
    optional = {
        "r": mostly(st.one_of(urls(OTHER_HOSTS), APPS), SCALAR), "t": mostly(TEXT, SCALAR), "l": mostly(TEXT, SCALAR),
        "w": NUMBER, "e": NUMBER, "s": NUMBER,
        "d": mostly(st.dictionaries(TEXT, SCALAR, max_size=5),
                    st.one_of(SCALAR, st.dictionaries(TEXT, st.lists(SCALAR, max_size=2), max_size=2))),
        "m": mostly(st.fixed_dictionaries({}, optional={
            "type": SCALAR, "author": SCALAR, "categories": st.lists(SCALAR, max_size=3),
            "tags": st.one_of(st.lists(SCALAR, max_size=3), SCALAR), "is_home": SCALAR}), SCALAR),
    }
    fields = {
        "p": draw(mostly(st.just(property_id), SCALAR)),
        "n": draw(mostly(st.sampled_from(["page_view", "ping", "scroll", "page_exit", "signup", "outbound"]), SCALAR)),
        "u": draw(mostly(urls(PAGE_HOSTS), SCALAR)),
    }
    for key in draw(st.lists(st.sampled_from(sorted(optional)), unique=True)):
        fields[key] = draw(optional[key])
    return encode(fields)


@pytest.fixture
def collect(settings, property_id, serve):
    roomy = settings.model_copy(update={"collect_rate_per_ip": 1e6, "collect_burst_per_ip": 1e6})
    with httpx.Client(base_url=serve(create_app(roomy))) as client:
        yield client


def test_every_accepted_body_loads_and_none_gets_a_5xx(settings, admin, property_id, collect, until):
    answered: dict[int, int] = {}
    agents = st.sampled_from(["Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", "", "curl/8.5", "a\x85b\xa0c", "\xe9\xff"])

    @hypothesis_settings(max_examples=120, derandomize=True, deadline=None, database=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(st.lists(st.tuples(bodies(property_id), agents), min_size=1, max_size=8))
    def post(batch):
        for body, agent in batch:
            response = collect.post("/metrics", content=body.encode("utf-8", "surrogatepass"),
                                    headers={"user-agent": agent.encode("latin-1")})
            assert response.status_code < 500, (body, response.text)
            assert response.headers["access-control-allow-origin"] == "*"
            answered[response.status_code] = answered.get(response.status_code, 0) + 1

    post()
    assert answered.get(202, 0) > 50 and answered.get(400, 0) > 50  # the generator reaches both sides
    until(lambda: not list((settings.spool_dir / "open").iterdir()))  # collect seals its segment
    summary = run.once(settings)
    quarantine = list((settings.spool_dir / "quarantine").glob("*.jsonl"))
    assert [path.read_text() for path in quarantine] == []
    assert (summary.events, summary.quarantined, summary.dropped) == (answered[202], 0, {})
    assert admin.execute("SELECT count(*) FROM metrics.events").fetchone()[0] == answered[202]

