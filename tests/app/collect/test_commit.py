"""Group commit on a real spool directory: requests share fsyncs and are released only by theirs.
A failing disk is tested over HTTP, with a full filesystem, in test_routes.py."""

import asyncio

import pytest

from app.collect.commit import GroupCommit
from parcours import spool


def _lines(root):
    return [line for path in spool.waiting_segments(root) for _, line in spool.read_lines(path)]


def test_concurrent_appends_share_fsyncs_and_all_are_on_disk_when_released(tmp_path):
    commit = GroupCommit(spool.SpoolWriter(tmp_path, max_age=3600, max_bytes=1 << 30))

    async def one(n: int) -> bytes:
        await commit.append(b'{"n":%d}' % n)
        # Released means on disk: the line is readable from the file right now.
        assert b'{"n":%d}' % n in _lines(tmp_path)
        return b'{"n":%d}' % n

    async def main():
        return await asyncio.gather(*(one(n) for n in range(300)))

    written = asyncio.run(main())
    commit.close()
    assert sorted(_lines(tmp_path)) == sorted(written)
    assert 1 <= commit.batches < 300


@pytest.mark.parametrize("count", [1, 2])
def test_a_single_request_is_not_held_back(tmp_path, count):
    commit = GroupCommit(spool.SpoolWriter(tmp_path, max_age=3600, max_bytes=1 << 30))
    for n in range(count):
        asyncio.run(commit.append(b"{}"))
    assert commit.batches == count
