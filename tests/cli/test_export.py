"""`parcours export`: a property's events or sessions over its local days, as CSV or NDJSON."""

import csv
import io
import json

import pytest

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.fixture
def loaded(load_events):
    # Asia/Kolkata (+05:30): 18:29Z is 1 November 23:59 local, 18:31Z is 2 November 00:01.
    load_events([("2026-11-01T18:29", "198.51.100.1", FIREFOX, {"t": "=HYPERLINK(\"x\")", "m": {"tags": ["a", "b"]}}),
                 ("2026-11-01T18:31", "198.51.100.2", FIREFOX, {"u": "https://example.com/pricing"})])


@pytest.mark.parametrize("what, first, expected", [
    ("events", "2026-11-01", 1), ("events", "2026-11-02", 1), ("sessions", "2026-11-02", 1),
])
def test_a_range_of_local_days_as_ndjson(cli, property_id, loaded, what, first, expected):
    done = cli("export", property_id, "--from", first, "--to", first, "--what", what, "--format", "ndjson")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == expected and f"exported {expected} {what}" in done.stderr
    assert all(len(row["visitor_id"]) == 16 for row in rows)


def test_csv_keeps_arrays_and_neutralises_formulas(cli, property_id, loaded, tmp_path):
    target = tmp_path / "events.csv"
    done = cli("export", property_id, "--from", "2026-11-01", "--to", "2026-11-02", "--output", str(target))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert [row["pathname"] for row in rows] == ["/", "/pricing"]
    assert rows[0]["title"] == "'=HYPERLINK(\"x\")" and json.loads(rows[0]["tags"]) == ["a", "b"]
    assert rows[0]["time"].startswith("2026-11-01T18:29")
