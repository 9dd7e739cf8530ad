"""A real MaxMind-format database for the worker's tests, built with the `mmdb-writer` package."""

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet


@pytest.fixture
def mmdb(tmp_path):
    """build(database_type="GeoIP2-City") → path of a database that places 203.0.113.0/24 in
    Kathmandu, Nepal and 2001:db8::/32 in France."""
    def build(database_type: str = "GeoIP2-City"):
        writer = MMDBWriter(ip_version=6, database_type=database_type, languages=["en"], ipv4_compatible=True)
        writer.insert_network(IPSet(["203.0.113.0/24"]), {
            "country": {"iso_code": "NP", "names": {"en": "Nepal"}}, "city": {"names": {"en": "Kathmandu"}},
            "subdivisions": [{"iso_code": "P3", "names": {"en": "Bagmati"}}]})
        writer.insert_network(IPSet(["2001:db8::/32"]), {"country": {"iso_code": "FR", "names": {"en": "France"}}})
        path = tmp_path / f"{database_type}.mmdb"
        writer.to_db_file(str(path))
        return path
    return build
