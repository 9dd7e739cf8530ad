"""Locations from a real MaxMind-format database (the `mmdb` fixture), and
`parcours geoip update` over real HTTP."""

import gzip
import os
import subprocess
import sys
from datetime import datetime, timezone

import orjson
import pytest
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from parcours import spool
from worker import geo, run

WHEN = datetime(2026, 11, 3, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("database_type, ip, expected", [
    ("GeoIP2-City", "203.0.113.9", ("NP", "Bagmati", "Kathmandu")),
    ("GeoIP2-City", "2001:db8::7", ("FR", None, None)),
    ("GeoIP2-City", "198.51.100.1", (None, None, None)),     # not in the database
    ("GeoIP2-Country", "203.0.113.9", ("NP", None, None)),
])
def test_locate(mmdb, database_type, ip, expected):
    with geo.open_database(mmdb(database_type)) as reader:
        assert tuple(geo.locate(reader, ip)) == expected


def _load(settings, property_id, ip):
    writer = spool.SpoolWriter(settings.spool_dir, 3600, 1 << 20)
    beacon = {"p": property_id, "n": "page_view", "u": "https://example.com/"}
    writer.append(spool.record(spool.nanoseconds(WHEN), ip, "Mozilla/5.0 Firefox/133.0", beacon))
    writer.close()
    run.once(settings)


def test_events_and_sessions_get_the_location_and_never_the_address(settings, admin, property_id, mmdb):
    located = settings.model_copy(update={"geoip_database": mmdb()})
    _load(located, property_id, "203.0.113.9")
    assert admin.execute("SELECT country, region, city FROM metrics.events").fetchall() == [("NP", "Bagmati", "Kathmandu")]
    assert admin.execute("SELECT country, city FROM metrics.sessions").fetchall() == [("NP", "Kathmandu")]
    dump = admin.execute("SELECT string_agg(e::text, ' ') FROM metrics.events e").fetchone()[0]
    assert "203.0.113" not in dump


@pytest.mark.parametrize("ip_handling, expected", [
    ("city", ("NP", "Bagmati", "Kathmandu")),
    ("country", ("NP", None, None)),
    ("none", (None, None, None)),
])
def test_the_property_decides_how_precisely_visitors_are_located(settings, admin, property_id, mmdb,
                                                                  ip_handling, expected):
    admin.execute("UPDATE accounts.properties SET ip_handling = %s WHERE id = %s", (ip_handling, property_id))
    _load(settings.model_copy(update={"geoip_database": mmdb()}), property_id, "203.0.113.9")
    assert admin.execute("SELECT country, region, city FROM metrics.events").fetchone() == expected
    assert admin.execute("SELECT country, region, city FROM metrics.sessions").fetchone() == expected
    archived = [gzip.decompress(path.read_bytes()) for path in (settings.spool_dir / "archive").iterdir()]
    assert [orjson.loads(line)["place"] for line in archived[0].splitlines()] == [list(expected)]
    assert b"203.0.113" not in archived[0]


def test_without_a_database_locations_are_unknown(settings, admin, property_id):
    _load(settings, property_id, "203.0.113.9")
    assert admin.execute("SELECT country FROM metrics.events").fetchall() == [(None,)]


def test_geoip_update_installs_a_downloaded_database(settings, serve, mmdb):
    compressed = gzip.compress(mmdb().read_bytes())
    base = serve(Starlette(routes=[Route("/city.mmdb.gz", lambda request: Response(compressed)),
                                   Route("/junk", lambda request: Response(b"not a database"))]))
    env = {**os.environ, "DATABASE_URL": settings.database_url, "PARCOURS_VAR_DIR": str(settings.var_dir)}
    command = [sys.executable, "-m", "parcours", "geoip", "update", "--url"]
    done = subprocess.run([*command, f"{base}/city.mmdb.gz"], env=env, capture_output=True, text=True)
    assert done.returncode == 0 and "installed GeoIP2-City" in done.stdout
    assert geo.locate(geo.open_database(settings.var_dir / "geoip.mmdb"), "203.0.113.1").country == "NP"
    junk = subprocess.run([*command, f"{base}/junk"], env=env, capture_output=True, text=True)
    assert junk.returncode == 1 and "is not a MaxMind-format database" in junk.stderr
    assert geo.locate(geo.open_database(settings.var_dir / "geoip.mmdb"), "203.0.113.1").country == "NP"  # kept
