"""The collect endpoint over real HTTP: what it answers, and that a 202 means on disk."""

import ipaddress
import json
import subprocess
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
    assert record["event"] == body and record["user_agent"] == "UA/1" and record["ip"] == "127.0.0.1"


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


def test_collect_started_while_the_database_is_down_serves_the_properties_it_last_knew(
        until, settings, property_id, serve):
    first = serve(create_app(settings, "collect"))
    assert until(lambda: httpx.get(f"{first}/readyz").status_code == 200)
    down = serve(create_app(settings.model_copy(update={"collect_database_url": "postgresql://nobody@127.0.0.1:1/none"}),
                            "collect"))
    body = {"p": property_id, "n": "page_view", "u": "https://example.com/"}
    assert httpx.post(f"{down}/metrics", content=json.dumps(body)).status_code == 202
    assert httpx.get(f"{down}/js/{property_id}.js").status_code == 200
    assert httpx.post(f"{down}/metrics", content=json.dumps({**body, "u": "https://evil.example.net/"})).status_code == 403
    assert httpx.get(f"{down}/readyz").status_code == 200


@pytest.mark.parametrize("saved", ["", "{", '{"properties": [1]}', '{"other": {}}'])
def test_an_unreadable_saved_set_starts_collect_empty_not_broken(settings, property_id, serve, saved):
    settings.spool_dir.mkdir(parents=True, exist_ok=True)
    (settings.spool_dir / "properties.json").write_text(saved)
    down = serve(create_app(settings.model_copy(update={"collect_database_url": "postgresql://nobody@127.0.0.1:1/none"}),
                            "collect"))
    body = {"p": property_id, "n": "page_view", "u": "https://example.com/"}
    assert httpx.post(f"{down}/metrics", content=json.dumps(body)).status_code == 503
    assert "not been loaded" in httpx.get(f"{down}/readyz", timeout=10).json()["detail"]


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


PAGE_VIEW = {"n": "page_view", "u": "https://example.com/"}


@pytest.mark.parametrize("method, headers, status, reason", [
    ("POST", {"content-type": "application/x-www-form-urlencoded"}, 415, "text/plain or application/json"),
    ("POST", {"content-type": "multipart/form-data; boundary=x"}, 415, "text/plain or application/json"),
    ("PUT", {}, 405, "method not allowed"),
    ("GET", {}, 405, "method not allowed"),
])
def test_wrong_methods_and_content_types_are_refused(settings, property_id, collect, method, headers, status, reason):
    response = collect.request(method, "/metrics", content=json.dumps({"p": property_id, **PAGE_VIEW}), headers=headers)
    assert response.status_code == status and reason in response.json()["detail"]
    assert _staged(settings) == []


@pytest.mark.parametrize("content_type", ["text/plain;charset=UTF-8", "application/json", None])
def test_beacon_content_types_are_accepted(property_id, collect, content_type):
    headers = {"content-type": content_type} if content_type else {}
    assert collect.post("/metrics", content=json.dumps({"p": property_id, **PAGE_VIEW}), headers=headers).status_code == 202


def test_a_flood_from_one_address_gets_429_and_others_are_unaffected(settings, property_id, serve):
    limited = settings.model_copy(update={"collect_rate_per_ip": 0.01, "collect_burst_per_ip": 3,
                                          "trusted_proxies": [ipaddress.ip_network("127.0.0.1/32")]})
    client = httpx.Client(base_url=serve(create_app(limited, "collect")))
    body = json.dumps({"p": property_id, **PAGE_VIEW})
    flood = [client.post("/metrics", content=body, headers={"x-forwarded-for": "203.0.113.7"}) for _ in range(5)]
    assert [r.status_code for r in flood] == [202, 202, 202, 429, 429]
    assert flood[-1].headers["retry-after"] == "1" and "slow down" in flood[-1].json()["detail"]
    assert client.post("/metrics", content=body, headers={"x-forwarded-for": "203.0.113.8"}).status_code == 202
    assert len(_staged(limited)) == 4


def test_property_changes_reach_collect_at_once_by_notification(until, settings, admin, owner, serve):
    from app.accounts import properties

    slow_reload = settings.model_copy(update={"property_reload_seconds": 3600})
    client = httpx.Client(base_url=serve(create_app(slow_reload, "collect")))
    new = properties.add(admin, owner["id"], "New", ["example.com"], "UTC")
    body = json.dumps({"p": new, **PAGE_VIEW})
    until(lambda: client.post("/metrics", content=body).status_code == 202, seconds=5)
    admin.execute("UPDATE accounts.properties SET active = false WHERE id = %s", [new])
    until(lambda: client.post("/metrics", content=body).status_code == 404, seconds=5)


def test_role_collect_serves_only_the_collect_path(settings, property_id, serve):
    client = httpx.Client(base_url=serve(create_app(settings, "collect")))
    assert client.get("/login").status_code == 404
    assert client.get(f"/js/{property_id}.js").status_code == 200
    assert client.post("/metrics", content=json.dumps({"p": property_id, **PAGE_VIEW})).status_code == 202


def test_collect_routes_move_under_the_configured_prefix(settings, property_id, serve):
    prefixed = settings.model_copy(update={"collect_prefix": "/p"})
    base = serve(create_app(prefixed))
    client = httpx.Client(base_url=base)
    script = client.get(f"/p/js/{property_id}.js")
    assert script.status_code == 200 and json.dumps(f"{base}/p/metrics") in script.text
    assert client.post("/p/metrics", content=json.dumps({"p": property_id, **PAGE_VIEW})).status_code == 202
    assert client.post("/metrics", content=json.dumps({"p": property_id, **PAGE_VIEW})).status_code == 404
    assert len(_staged(prefixed)) == 1


@pytest.mark.parametrize("accept_encoding, encoding", [("gzip, deflate, br", "gzip"), ("identity", None)])
def test_tracker_script_is_the_minified_build_gzipped_when_accepted(property_id, collect, accept_encoding, encoding):
    response = collect.get(f"/js/{property_id}.js", headers={"accept-encoding": accept_encoding})
    assert response.headers.get("content-encoding") == encoding and response.headers["vary"] == "Accept-Encoding"
    assert json.dumps(property_id) in response.text and "__PARCOURS_" not in response.text
    assert "\n  " not in response.text  # minified: no indented source lines


@pytest.fixture
def tiny_filesystem(tmp_path):
    """A 16 KiB tmpfs: a disk that fills after a few dozen events."""
    mountpoint = tmp_path / "tiny"
    mountpoint.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(mountpoint)], check=True)
    yield mountpoint
    subprocess.run(["umount", "--lazy", str(mountpoint)], check=True)


def test_a_full_disk_gets_503_and_keeps_every_acknowledged_event(settings, property_id, serve, tiny_filesystem):
    full = settings.model_copy(update={"spool_dir": tiny_filesystem, "spool_seal_seconds": 3600})
    client = httpx.Client(base_url=serve(create_app(full, "collect")))
    acknowledged, answer = [], None
    for n in range(1000):
        body = {"p": property_id, "n": "page_view", "u": f"https://example.com/{n}", "t": "x" * 200}
        answer = client.post("/metrics", content=json.dumps(body))
        if answer.status_code != 202:
            break
        acknowledged.append(body["u"])
    assert answer.status_code == 503 and "retry later" in answer.json()["detail"]
    assert 10 < len(acknowledged) < 1000
    assert client.post("/metrics", content=json.dumps(body)).status_code == 503  # never a 2xx while full
    assert [record["event"]["u"] for record in _staged(full)] == acknowledged
