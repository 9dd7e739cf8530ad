"""Locations from a real MaxMind-format database (the `mmdb` fixture), and
`parcours geoip update` over real HTTP."""

import gzip
import io
import os
import tarfile
import subprocess
import sys
from datetime import datetime, timezone

import orjson
import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from parcours import spool
from parcours import geo
from worker import run

WHEN = datetime(2026, 11, 3, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("database_type, ip, expected", [
    ("GeoIP2-City", "203.0.113.9", ("NP", "Bagmati", "Kathmandu")),
    ("GeoIP2-City", "2001:db8::7", ("FR", None, None)),
    ("GeoIP2-City", "198.51.100.1", (None, None, None)),     # not in the database
    ("GeoIP2-City", "not an address", (None, None, None)),
    ("GeoIP2-Country", "203.0.113.9", ("NP", None, None)),
    ("GeoLite2-City", "203.0.113.9", ("NP", "Bagmati", "Kathmandu")),
    ("GeoLite2-Country", "203.0.113.9", ("NP", None, None)),
    ("DBIP-City-Lite", "203.0.113.9", ("NP", "Bagmati", "Kathmandu")),
    ("DBIP-Country-Lite", "203.0.113.9", ("NP", None, None)),  # its lookups raised TypeError
    ("DBIP-Location (compat=City)", "203.0.113.9", ("NP", "Bagmati", "Kathmandu")),
])
def test_locate(mmdb, database_type, ip, expected):
    with geo.open_database(mmdb(database_type)) as reader:
        assert tuple(geo.locate(reader, ip)) == expected


def _load(settings, property_id, ip):
    writer = spool.SpoolWriter(settings.spool_dir, 3600, 1 << 20)
    beacon = {"p": property_id, "n": "page_view", "u": "https://example.com/"}
    writer.append(spool.record(spool.nanoseconds(WHEN), ip, "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", beacon))
    writer.close()
    run.once(settings)


def test_a_database_without_english_names_gives_its_own(tmp_path):
    writer = MMDBWriter(ip_version=6, database_type="GeoIP2-City", languages=["de"], ipv4_compatible=True)
    writer.insert_network(IPSet(["203.0.113.0/24"]), {
        "country": {"iso_code": "DE", "names": {"de": "Deutschland"}}, "city": {"names": {"de": "München"}},
        "subdivisions": [{"iso_code": "BY", "names": {"de": "Bayern"}}]})
    writer.to_db_file(str(tmp_path / "de.mmdb"))
    with geo.open_database(tmp_path / "de.mmdb") as database:
        assert geo.locate(database, "203.0.113.9") == ("DE", "Bayern", "München")


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


def _tarball(path, folder="GeoLite2-City_20261201"):
    """A download as MaxMind ships it: the .mmdb with its license files in a dated folder."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in ((f"{folder}/COPYRIGHT.txt", b"MaxMind"), (f"{folder}/LICENSE.txt", b"EULA"),
                           (f"{folder}/{path.name}", path.read_bytes())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.mark.parametrize("database_type, pack", [
    ("DBIP-City-Lite", "mmdb"), ("DBIP-City-Lite", "mmdb.gz"), ("DBIP-Country-Lite", "mmdb"),
    ("DBIP-Country-Lite", "mmdb.gz"), ("GeoLite2-City", "tar.gz"), ("GeoLite2-Country", "tar.gz"),
    ("GeoLite2-City", "mmdb"), ("GeoIP2-City", "mmdb"), ("GeoIP2-Country", "tar.gz"),
])
def test_geoip_update_installs_each_format_operators_download(settings, serve, mmdb, cli, database_type, pack):
    path = mmdb(database_type)
    data = {"mmdb": path.read_bytes(), "mmdb.gz": gzip.compress(path.read_bytes()), "tar.gz": _tarball(path)}[pack]
    base = serve(Starlette(routes=[Route("/download", lambda request: Response(data))]))
    done = cli("geoip", "update", "--url", f"{base}/download")
    assert done.returncode == 0 and f"installed {database_type}" in done.stdout, done.stderr
    with geo.open_database(settings.var_dir / "geoip.mmdb") as database:
        assert geo.locate(database, "203.0.113.1").country == "NP"


@pytest.mark.parametrize("database_type", ["GeoLite2-ASN", "DBIP-ASN-Lite", "GeoIP2-ISP", "GeoIP2-Anonymous-IP",
                                           "GeoIP2-Connection-Type", "GeoIP2-Domain", "Custom"])
def test_a_database_of_another_kind_is_refused_and_the_installed_one_kept(settings, serve, mmdb, cli, database_type):
    installed = settings.var_dir / "geoip.mmdb"
    installed.parent.mkdir(parents=True, exist_ok=True)
    installed.write_bytes(mmdb("DBIP-City-Lite").read_bytes())
    wrong = mmdb(database_type).read_bytes()
    base = serve(Starlette(routes=[Route("/x", lambda request: Response(wrong)),
                                   Route("/x.tar.gz", lambda request: Response(_tarball(mmdb(database_type))))]))
    for url in (f"{base}/x", f"{base}/x.tar.gz"):
        done = cli("geoip", "update", "--url", url)
        assert done.returncode == 1 and f"is a {database_type} database" in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    assert geo.installed_type(installed) == "DBIP-City-Lite"
    assert not list(installed.parent.glob("*.partial"))


@pytest.mark.parametrize("content", ["asn", "junk", "truncated"])
def test_the_worker_keeps_loading_with_an_unusable_database(settings, admin, property_id, mmdb, content, caplog):
    path = settings.var_dir / "geoip.mmdb"
    path.parent.mkdir(parents=True, exist_ok=True)
    city = mmdb("GeoLite2-City").read_bytes()
    path.write_bytes({"asn": mmdb("GeoLite2-ASN").read_bytes(), "junk": b"not a database" * 100,
                      "truncated": city[: len(city) // 2]}[content])
    _load(settings, property_id, "203.0.113.9")
    _load(settings, property_id, "203.0.113.9")
    assert admin.execute("SELECT count(*), count(country) FROM metrics.events").fetchone() == (2, 0)
    assert [r.message for r in caplog.records if "locations stay unknown" in r.message][:1]
    assert len([r for r in caplog.records if "locations stay unknown" in r.message]) == 1  # once per file


@pytest.mark.parametrize("database_type, credit", [
    ("DBIP-City-Lite", "IP geolocation by DB-IP"), ("DBIP-Country-Lite", "IP geolocation by DB-IP"),
    ("GeoLite2-City", "GeoLite2 data created by MaxMind"), ("GeoIP2-City", None),
])
def test_the_license_s_attribution(database_type, credit):
    found = geo.attribution(database_type)
    assert credit in found[0] if credit else found is None


def test_geoip_update_installs_a_downloaded_database(settings, serve, mmdb):
    compressed = gzip.compress(mmdb().read_bytes())
    base = serve(Starlette(routes=[Route("/city.mmdb.gz", lambda request: Response(compressed)),
                                   Route("/junk", lambda request: Response(b"not a database"))]))
    env = {**os.environ, "DATABASE_URL": settings.database_url, "PARCOURS_VAR_DIR": str(settings.var_dir)}
    command = [sys.executable, "-m", "cli", "geoip", "update", "--url"]
    done = subprocess.run([*command, f"{base}/city.mmdb.gz"], env=env, capture_output=True, text=True)
    assert done.returncode == 0 and "installed GeoIP2-City" in done.stdout
    assert geo.locate(geo.open_database(settings.var_dir / "geoip.mmdb"), "203.0.113.1").country == "NP"
    junk = subprocess.run([*command, f"{base}/junk"], env=env, capture_output=True, text=True)
    assert junk.returncode == 1 and "is not a MaxMind-format database" in junk.stderr
    assert geo.locate(geo.open_database(settings.var_dir / "geoip.mmdb"), "203.0.113.1").country == "NP"  # kept
