"""The CLI as an operator runs it: a real subprocess against the test's database."""

import os
import subprocess
import sys

import pytest


def parcours(settings, *args, env=None):
    environment = {**os.environ, "DATABASE_URL": settings.database_url, "PARCOURS_VAR_DIR": str(settings.var_dir),
                   "PARCOURS_SECRET_KEY": settings.secret_key.get_secret_value(), **(env or {})}
    return subprocess.run([sys.executable, "-m", "parcours", *args], capture_output=True, text=True, env=environment)


def test_doctor_names_the_edition_and_the_engine(settings, admin):
    edition = admin.execute("SELECT edition, engine FROM parcours.instance").fetchone()
    result = parcours(settings, "doctor")
    assert result.returncode == 0, result.stderr
    assert f"({edition[0]} edition)" in result.stdout and f"rollup engine  {edition[1]} (" in result.stdout
    assert "0 pending" in result.stdout


def test_user_and_property_round_trip(settings):
    assert parcours(settings, "user", "add", "a@example.org", env={"PARCOURS_PASSWORD": "long enough password"}).returncode == 0
    added = parcours(settings, "property", "add", "Blog", "--owner", "a@example.org", "--domain", "Blog.Example.org",
                     "--time-zone", "Asia/Kathmandu")
    assert added.returncode == 0, added.stderr
    property_id = added.stdout.split()[2]
    listed = parcours(settings, "property", "list").stdout
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
])
def test_errors_are_one_line_and_a_non_zero_exit(settings, owner, args, env, message):
    result = parcours(settings, *args, env=env)
    assert result.returncode != 0
    assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_a_usage_error_shows_usage_not_a_traceback(settings):
    result = parcours(settings, "property", "add")
    assert result.returncode == 2
    assert "Missing argument 'name'" in result.stderr and "Traceback" not in result.stderr


def test_demo_loads_a_week_once_and_renews_the_login(settings, admin):
    first = parcours(settings, "demo")
    assert first.returncode == 0, first.stderr
    loaded = admin.execute("SELECT count(*), count(DISTINCT time::date) FROM metrics.events").fetchone()
    assert loaded[0] > 1000 and loaded[1] >= 7
    assert f"the worker loaded {loaded[0]}" in first.stdout
    second = parcours(settings, "demo")
    assert "staged" not in second.stdout
    assert admin.execute("SELECT count(*) FROM metrics.events").fetchone()[0] == loaded[0]
    assert second.stdout.split("demo login: ")[1].split()[2] != first.stdout.split("demo login: ")[1].split()[2]
