"""The CLI as an operator runs it: a real subprocess against the test's database."""

import pytest

from parcours import queries


def refresh_job(admin):
    """The continuous engine's refresh job (the test template pauses it); None on the table engine."""
    return admin.execute(queries.load("migrations")["refresh_job"]).fetchone()


def test_doctor_names_the_edition_and_the_engine(cli, settings, admin):
    if job := refresh_job(admin):
        admin.execute("SELECT alter_job(%s, scheduled => true)", job)
    edition = admin.execute("SELECT edition, engine FROM parcours.instance").fetchone()
    result = cli("doctor")
    assert result.returncode == 0, result.stderr
    assert f"({edition[0]} edition)" in result.stdout and f"rollup engine  {edition[1]} (" in result.stdout
    assert "0 pending" in result.stdout


def test_doctor_says_when_the_rollups_refresh_job_is_paused(cli, admin):
    job = refresh_job(admin)
    if job is None:
        pytest.skip("the table engine refreshes its rollups in the worker: there is no job to watch")
    paused = cli("doctor")
    assert paused.returncode == 1 and "the rollups' refresh job is paused" in paused.stderr, paused.stderr
    assert "rollup refresh paused" in paused.stdout
    admin.execute("SELECT alter_job(%s, scheduled => true)", job)
    resumed = cli("doctor")
    assert resumed.returncode == 0, resumed.stderr
    assert "rollup refresh every 30 s" in resumed.stdout


def test_user_and_property_round_trip(cli, settings):
    assert cli("user", "add", "a@example.org", env={"PARCOURS_PASSWORD": "long enough password"}).returncode == 0
    added = cli("property", "add", "Blog", "--owner", "a@example.org", "--domain", "Blog.Example.org",
                     "--time-zone", "Asia/Kathmandu")
    assert added.returncode == 0, added.stderr
    property_id = added.stdout.split()[2]
    listed = cli("property", "list").stdout
    assert f"{property_id}  Blog  Asia/Kathmandu  blog.example.org  a@example.org" in listed


@pytest.mark.parametrize("args, env, message", [
    (["property", "add", "Blog", "--owner", "owner@example.com", "--time-zone", "Mars/Olympus"], {},
     "'Mars/Olympus' is not an IANA time zone"),
    (["property", "add", "Blog", "--owner", "nobody@example.com"], {}, "no user with email nobody@example.com"),
    (["user", "add", "b@example.org"], {"PARCOURS_PASSWORD": "short"}, "at least 10 characters"),
    (["user", "add", "owner@example.com"], {"PARCOURS_PASSWORD": "long enough password"}, "already exists"),
    (["doctor"], {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}, "cannot reach the database"),
    (["worker", "--once"], {"PARCOURS_SECRET_KEY": "short"}, "PARCOURS_SECRET_KEY must be set"),
    (["doctor"], {"PARCOURS_SPOOL_SEAL_SECONDS": "-1"}, "invalid setting spool_seal_seconds"),
    (["replay", "/nonexistent/segment.jsonl.gz"], {}, "no such segment file: /nonexistent/segment.jsonl.gz"),
    (["property", "add", "Blog", "--owner", "owner@example.com", "--visitor-ids", "hourly"], {},
     "visitor-id rotation must be 'never' or 'daily'"),
    (["property", "edit", "nosuchsite", "--name", "X"], {}, "no property nosuchsite"),
    (["user", "disable", "nobody@example.com"], {}, "no user with email nobody@example.com"),
    (["export", "nosuchsite", "--from", "2026-11-01", "--to", "2026-11-02"], {}, "no property nosuchsite"),
    (["export", "x", "--from", "November", "--to", "2026-11-02"], {}, "are dates like 2026-11-01"),
    (["restore", "/nonexistent.dump", "--database", "parcours_never"], {}, "no such backup file: /nonexistent.dump"),
])
def test_errors_are_one_line_and_a_non_zero_exit(cli, settings, owner, args, env, message):
    result = cli(*args, env=env)
    assert result.returncode != 0
    assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_a_usage_error_shows_usage_not_a_traceback(cli, settings):
    result = cli("property", "add")
    assert result.returncode == 2
    assert "Missing argument 'name'" in result.stderr and "Traceback" not in result.stderr


def test_demo_loads_a_week_once_and_renews_the_login(cli, settings, admin):
    first = cli("demo")
    assert first.returncode == 0, first.stderr
    loaded = admin.execute("SELECT count(*), count(DISTINCT time::date) FROM metrics.events").fetchone()
    assert loaded[0] > 1000 and loaded[1] >= 7
    assert f"the worker loaded {loaded[0]}" in first.stdout
    second = cli("demo")
    assert "staged" not in second.stdout
    assert admin.execute("SELECT count(*) FROM metrics.events").fetchone()[0] == loaded[0]
    assert second.stdout.split("demo login: ")[1].split()[2] != first.stdout.split("demo login: ")[1].split()[2]


def test_the_demo_fills_every_panel(cli, admin, now, refresh_rollups):
    from app.reports import events, goals, periods, stats
    from cli import demo

    assert cli("demo").returncode == 0
    refresh_rollups()  # on Community, the refresh job's next run
    user = admin.execute("SELECT id FROM accounts.users WHERE email = %s", (demo.DEMO_EMAIL,)).fetchone()[0]
    week = stats.Query(demo.DEMO_PROPERTY, periods.resolve("7d", demo.DEMO_TIME_ZONE, now=now))
    summary = stats.summary(admin, week)
    known = [row["value"] for row in stats.breakdown(admin, week, "country", limit=20) if row["value"]]
    pages = stats.breakdown(admin, week, "page", limit=20)
    assert len(known) >= 5 and stats.breakdown(admin, week, "city", limit=1)[0]["value"]
    assert any(row["time_on_page"] for row in pages) and any(row["scroll_depth"] for row in pages)
    assert {row["value"] for row in stats.breakdown(admin, week, "page_type")} >= {"post", "page", "home", "404"}
    assert all(any(row["value"] for row in stats.breakdown(admin, week, d)) for d in ("author", "category", "tag"))
    for report in ("event", "outbound", "download", "search", events.NOT_FOUND):
        assert events.breakdown(admin, week, report, summary["visitors"]), report
    defined = goals.defined(admin, user, demo.DEMO_PROPERTY)
    assert [g["name"] for g in defined] == ["Pricing page", "Signup"]
    assert all(row["visitors"] for row in goals.conversions(admin, week, defined, summary["visitors"]))
    funnel = goals.funnels(admin, user, demo.DEMO_PROPERTY)[0]
    assert all(step["visitors"] for step in goals.funnel(admin, week, funnel["steps"]))


def test_operators_manage_users_from_the_cli(cli, settings, owner, property_id, admin, serve):
    import httpx

    from app.main import create_app

    base = serve(create_app(settings))

    def logs_in(password):
        with httpx.Client(base_url=base) as client:
            token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
            return client.post("/login", data={"email": owner["email"], "password": password,
                                               "csrf_token": token}).status_code == 303

    from app.accounts import api_keys

    key = api_keys.create(admin, owner["id"], "Grafana")

    def api_works():
        return httpx.get(f"{base}/api/v1/properties/{property_id}/summary",
                         headers={"Authorization": f"Bearer {key}"}).status_code == 200

    assert "owner@example.com  admin  1 sites" in cli("user", "list").stdout and api_works()
    assert cli("user", "disable", owner["email"]).returncode == 0
    assert "disabled" in cli("user", "list").stdout and not logs_in(owner["password"]) and not api_works()
    assert cli("user", "enable", owner["email"]).returncode == 0
    assert logs_in(owner["password"]) and api_works()
    new = "a password the operator chose"
    assert cli("user", "password", owner["email"], env={"PARCOURS_PASSWORD": new}).returncode == 0
    assert admin.execute("SELECT count(*) FROM accounts.sessions").fetchone()[0] == 0  # logged out everywhere
    assert logs_in(new) and not logs_in(owner["password"])


def test_operators_edit_and_delete_properties_from_the_cli(cli, settings, admin, property_id, load_events):
    load_events([("2026-11-02T10:00", "198.51.100.1", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", {})])
    edited = cli("property", "edit", property_id, "--time-zone", "America/Vancouver",
                      "--retention-days", "365", "--ip-handling", "country")
    assert edited.returncode == 0, edited.stderr
    assert admin.execute("SELECT name, domains, time_zone, ip_handling, retention_days FROM accounts.properties"
                         ).fetchone() == ("Example", ["example.com", "127.0.0.1"], "America/Vancouver", "country", 365)
    assert cli("property", "edit", property_id, "--retention-days", "0").returncode == 0
    assert admin.execute("SELECT retention_days FROM accounts.properties").fetchone() == (None,)
    refused = cli("property", "delete", property_id, input_="Not its name\n")
    assert refused.returncode == 1 and "nothing was deleted" in refused.stderr
    assert cli("property", "delete", property_id, input_="Example\n").returncode == 0
    assert admin.execute("SELECT (SELECT count(*) FROM accounts.properties) + (SELECT count(*) FROM metrics.events)"
                         ).fetchone() == (0,)


@pytest.mark.parametrize("trouble, message", [
    ("lag", "the worker is lagging: the oldest waiting segment is"),
    ("geoip", "the GeoIP database is 100 days old"),
])
@pytest.mark.wall_clock  # lag and age are measured against the real clock
def test_doctor_exits_non_zero_when_something_is_unhealthy(cli, settings, property_id, trouble, message, now):
    import os
    from datetime import timedelta

    from parcours import spool

    if trouble == "lag":  # a segment staged an hour ago, and no worker since
        writer = spool.SpoolWriter(settings.spool_dir, 3600, 1 << 20)
        staged = spool.nanoseconds(now - timedelta(hours=1))
        writer.append(spool.record(staged, "198.51.100.1", "Firefox", {"p": property_id, "n": "page_view",
                                                                       "u": "https://example.com/"}), staged)
        writer.close()
    else:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        (settings.var_dir / "geoip.mmdb").write_bytes(b"an old database")
        hundred_days_ago = (now - timedelta(days=100)).timestamp()
        os.utime(settings.var_dir / "geoip.mmdb", (hundred_days_ago, hundred_days_ago))
    result = cli("doctor")
    assert result.returncode == 1 and f"unhealthy: {message}" in result.stderr, result.stderr
    assert "postgresql" in result.stdout  # the report itself still shows


def test_doctor_names_a_geoip_database_the_worker_cannot_use(cli, settings, mmdb):
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    settings.geoip_path.write_bytes(mmdb("GeoLite2-ASN").read_bytes())
    result = cli("doctor")
    assert result.returncode == 1 and "locations are unknown:" in result.stderr
    assert "is a GeoLite2-ASN database" in result.stderr and "(GeoLite2-ASN)" in result.stdout


@pytest.mark.parametrize("env, warned", [
    ({"PARCOURS_PUBLIC_URL": "https://stats.example.com", "PARCOURS_TRUSTED_PROXIES": '["127.0.0.1/32"]'}, None),
    ({"PARCOURS_PUBLIC_URL": "https://stats.example.com", "PARCOURS_TRUSTED_PROXIES": '["127.0.0.1/32"]',
      "PARCOURS_SIGNUP_OPEN": "true"}, "sign-up is open"),
    ({"PARCOURS_PUBLIC_URL": "https://stats.example.com"}, "the public URL is https, so a TLS proxy is in front"),
])
def test_doctor_warns_about_risky_web_settings_and_fails_on_them_only_when_strict(cli, admin, env, warned):
    if job := refresh_job(admin):  # paused by the test template: healthy otherwise
        admin.execute("SELECT alter_job(%s, scheduled => true)", job)
    relaxed, strict = cli("doctor", env=env), cli("doctor", "--strict", env=env)
    assert relaxed.returncode == 0, relaxed.stderr
    if warned:
        assert f"warning: {warned}" in relaxed.stderr and strict.returncode == 1
    else:
        assert "warning:" not in relaxed.stderr and strict.returncode == 0, strict.stderr
