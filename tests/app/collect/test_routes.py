"""The collect endpoint over real HTTP: what it answers, and that a 202 means on disk."""

import ipaddress
import json
import time

import httpx
import pytest

from app.main import create_app
from parcours import spool


@pytest.fixture
def collect(settings, property_id, serve):
    return httpx.Client(base_url=serve(create_app(settings)))


def _staged(settings):
    files = spool.waiting_segments(settings.spool_dir)
    return [json.loads(line) for path in files for _, line in spool.read_lines(path)]


def test_accepted_beacon_is_on_disk_before_the_answer(settings, property_id, collect):
    body = {"p": property_id, "n": "page_view", "u": "https://example.com/", "r": "https://www.google.com/"}
    response = collect.post("/metrics", content=json.dumps(body), headers={"user-agent": "UA/1"})
    assert response.status_code == 202
    [record] = _staged(settings)
    assert record["e"] == body and record["ua"] == "UA/1" and record["ip"] == "127.0.0.1"


@pytest.mark.parametrize("body, status, reason", [
    ("{}", 400, "field 'p' is required"),
    ('{"p": "zzzzzzzz", "n": "page_view", "u": "https://example.com/"}', 404, "unknown property"),
    ("x" * 9000, 413, "larger than 8192 bytes"),
    ('{"p": "PID", "n": "page_view", "u": "https://evil.example.net/"}', 403, "not one of this property's domains"),
    ('{"p": "PID", "n": "page_view", "u": "https://notexample.com/"}', 403, "not one of this property's domains"),
])
def test_bad_beacons_get_a_reason_and_nothing_is_staged(settings, property_id, collect, body, status, reason):
    response = collect.post("/metrics", content=body.replace("PID", property_id))
    assert response.status_code == status and reason in response.json()["detail"]
    assert _staged(settings) == []


def test_tracker_script_has_etag_and_revalidates(property_id, collect):
    first = collect.get(f"/js/{property_id}.js")
    assert first.headers["content-type"].startswith("application/javascript")
    again = collect.get(f"/js/{property_id}.js", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304
    assert collect.get("/js/nosuchproperty.js").status_code == 404


@pytest.mark.parametrize("url", ["https://example.com/", "https://www.example.com/a", "http://blog.example.com:8080/"])
def test_pages_on_the_domains_and_their_subdomains_are_accepted(property_id, collect, url):
    body = {"p": property_id, "n": "page_view", "u": url}
    assert collect.post("/metrics", content=json.dumps(body)).status_code == 202


def test_known_properties_are_still_accepted_when_the_database_is_unreachable(settings, admin, database, property_id, collect):
    admin.execute(f'REVOKE CONNECT ON DATABASE "{database}" FROM PUBLIC')
    admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'parcours_collect'"
                  " AND datname = current_database()")
    time.sleep(2 * settings.property_reload_seconds)  # at least one failed reload
    body = {"p": property_id, "n": "page_view", "u": "https://example.com/"}
    assert collect.post("/metrics", content=json.dumps(body)).status_code == 202
    assert len(_staged(settings)) == 1


@pytest.mark.parametrize("trusted, forwarded, expected", [
    ([], "203.0.113.5", "127.0.0.1"),                                   # untrusted peer: header ignored
    (["127.0.0.1/32"], "203.0.113.5", "203.0.113.5"),
    (["127.0.0.1/32"], "198.51.100.1, 203.0.113.5", "203.0.113.5"),     # leftmost is the client's own claim
    (["127.0.0.0/8", "10.0.0.0/8"], "203.0.113.5, 10.1.2.3", "203.0.113.5"),  # two proxies deep
    (["127.0.0.1/32"], "", "127.0.0.1"),
])
def test_the_client_ip_comes_from_x_forwarded_for_only_behind_a_trusted_proxy(
        settings, property_id, serve, trusted, forwarded, expected):
    app = create_app(settings.model_copy(update={"trusted_proxies": [ipaddress.ip_network(n) for n in trusted]}))
    client = httpx.Client(base_url=serve(app))
    body = {"p": property_id, "n": "page_view", "u": "https://example.com/"}
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    assert client.post("/metrics", content=json.dumps(body), headers=headers).status_code == 202
    assert _staged(settings)[0]["ip"] == expected


def test_beacons_from_any_origin_pass_cors(property_id, collect):
    preflight = collect.options("/metrics", headers={"origin": "https://example.com",
                                                     "access-control-request-method": "POST"})
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == "*"
    body = {"p": property_id, "n": "page_view", "u": "https://example.com/"}
    answer = collect.post("/metrics", content=json.dumps(body), headers={"origin": "https://example.com"})
    assert answer.headers["access-control-allow-origin"] == "*"
