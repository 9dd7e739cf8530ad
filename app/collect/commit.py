"""Group commit: many requests share one write and one fsync.

A request hands over its line and waits. While one batch is written and fsynced on the
spool's own thread, the lines that arrive meanwhile gather into the next batch, so the disk
sees one fsync per batch rather than one per request. A waiter is released only by the fsync
that covers its line: 202 still means "on disk". A failed write fails its whole batch, and the
spool writer has already cut the partial write off.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from parcours.spool import SpoolWriter


class GroupCommit:
    def __init__(self, spool: SpoolWriter) -> None:
        self.spool = spool
        self._lines: list[bytes] = []
        self._waiters: list[asyncio.Future] = []
        self._flushing = False
        self.batches = 0  # fsyncs so far, for bench/collect and tests: fewer than requests under load
        # One thread: batches reach the disk in the order they were formed.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spool-commit")

    async def append(self, line: bytes) -> None:
        """Return once `line` is on disk; raise OSError if it could not be stored."""
        waiter = asyncio.get_running_loop().create_future()
        self._lines.append(line)
        self._waiters.append(waiter)
        if not self._flushing:
            self._flushing = True
            asyncio.get_running_loop().create_task(self._flush())
        await waiter

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._lines:
                lines, waiters = self._lines, self._waiters
                self._lines, self._waiters = [], []
                self.batches += 1
                try:
                    await loop.run_in_executor(self._thread, self.spool.append_many, lines)
                except OSError as error:
                    _settle(waiters, error)
                else:
                    _settle(waiters, None)
        finally:
            self._flushing = False

    def close(self) -> None:
        self._thread.shutdown(wait=True)


def _settle(waiters: list[asyncio.Future], error: OSError | None) -> None:
    for waiter in waiters:
        if waiter.done():  # the request was cancelled (client gone); its line is stored anyway
            continue
        if error is None:
            waiter.set_result(None)
        else:
            waiter.set_exception(error)
