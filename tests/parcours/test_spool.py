import json
import os
import subprocess
import sys
from datetime import datetime

import pytest

from parcours import spool


def test_segments_seal_by_size_and_read_back_in_order(tmp_path):
    writer = spool.SpoolWriter(tmp_path, max_age=3600, max_bytes=2048)
    lines = [f'{{"n": {i}, "pad": "{"x" * 100}"}}'.encode() for i in range(60)]
    for line in lines:
        writer.append(line)
    writer.close()
    segments = spool.sealed_segments(tmp_path)
    assert len(segments) > 1
    assert [line for s in segments for _, line in spool.read_lines(s)] == lines


def test_a_torn_last_line_is_not_a_record(tmp_path):
    path = tmp_path / "segment.jsonl"
    path.write_bytes(b'{"a": 1}\n{"b": 2}\n{"c"')
    assert [line for _, line in spool.read_lines(path)] == [b'{"a": 1}', b'{"b": 2}']


def test_open_segments_of_a_dead_writer_are_recovered(tmp_path):
    # A writer process that appends, then dies without sealing.
    code = ("import sys; from pathlib import Path; from parcours import spool;"
            "w = spool.SpoolWriter(Path(sys.argv[1]), 3600, 1 << 20); w.append(b'{}'); os._exit(0)")
    subprocess.run([sys.executable, "-c", "import os;" + code, str(tmp_path)], check=True)
    assert spool.sealed_segments(tmp_path) == []
    assert len(spool.recover_abandoned(tmp_path)) == 1
    [segment] = spool.sealed_segments(tmp_path)
    assert list(spool.read_lines(segment)) == [(1, b"{}")]


def test_the_open_segment_of_a_live_writer_is_left_alone(tmp_path):
    writer = spool.SpoolWriter(tmp_path, 3600, 1 << 20)
    writer.append(b"{}")
    assert spool.recover_abandoned(tmp_path) == []
    assert os.listdir(tmp_path / "open")


def test_archive_compresses_and_removes(tmp_path):
    writer = spool.SpoolWriter(tmp_path, 3600, 1 << 20)
    writer.append(b"{}")
    writer.close()
    [segment] = spool.sealed_segments(tmp_path)
    archived = spool.archive(segment, tmp_path)
    assert archived.suffix == ".gz" and not segment.exists()
    assert spool.depth(tmp_path)["segments"] == 0


def test_a_failed_write_leaves_no_fragment_for_the_next_record(tmp_path, monkeypatch):
    writer = spool.SpoolWriter(tmp_path, 3600, 1 << 20)
    writer.append(b'{"a": 1}')
    real_write = os.write

    def short_then_fail(fd, data):
        real_write(fd, bytes(data[:3]))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", short_then_fail)
    with pytest.raises(OSError):
        writer.append(b'{"lost": true}')
    monkeypatch.undo()
    writer.append(b'{"b": 2}')
    writer.close()
    [segment] = spool.sealed_segments(tmp_path)
    assert [line for _, line in spool.read_lines(segment)] == [b'{"a": 1}', b'{"b": 2}']


@pytest.mark.parametrize("when, text", [
    ("2026-11-29T01:10:13.123456+00:00", "2026-11-29T01:10:13.123456Z"),
    ("2026-11-29T06:40:13.000001+05:30", "2026-11-29T01:10:13.000001Z"),
    ("1999-12-31T23:59:59.999999+00:00", "1999-12-31T23:59:59.999999Z"),
    ("2026-03-29T01:00:00+00:00", "2026-03-29T01:00:00.000000Z"),
])
def test_received_at_is_utc_with_microseconds_and_round_trips(when, text):
    instant = datetime.fromisoformat(when)
    line = json.loads(spool.record(spool.nanoseconds(instant), "192.0.2.1", "UA", {"p": "x"}))
    assert line["received_at"] == text and datetime.fromisoformat(line["received_at"]) == instant


def test_depth_reads_a_spool_it_may_not_write_and_creates_nothing(tmp_path):
    # doctor and the counters run as users who may only read the spool, or before collect made it.
    missing = tmp_path / "not-yet" / "spool"
    assert spool.depth(missing) == {"segments": 0, "bytes": 0, "lag_seconds": None, "quarantine_files": 0,
                                    "quarantined": 0}
    assert not missing.exists()
