"""The spool: durable, append-only files between the collect path and the worker.

Collect appends one JSON line per accepted event to an open segment it alone writes
(`open/<start>-<pid>.jsonl`) and fsyncs before it answers, so an acknowledged event survives
a crash. A segment is sealed — renamed into `sealed/` — when it is old or large enough; the
worker reads only sealed segments, in name order, and archives each one after the load that
contains it commits. Nothing here knows about HTTP or the database.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

VERSION = 1
# ASCII-only output is the C encoder's fast path (non-ASCII text is escaped as \uXXXX).
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode


def record(received_ns: int, ip: str, user_agent: str, event: dict) -> bytes:
    """One spool line (docs/spool.md), without its newline: the sanitized event plus what only
    the server knows. The IP stays only until the worker has derived the visitor id and the
    country from it. `received_ns`: nanoseconds since the Unix epoch."""
    line = {"v": VERSION, "received_at": utc_timestamp(received_ns), "ip": ip,
            "user_agent": user_agent, "event": event}
    return _ENCODE(line).encode()


def archived_record(received_ns: int, visitor_id: int, place: list, user_agent: str, event: dict) -> bytes:
    """A spool line in the archived form (docs/spool.md): the visitor id and place stand where
    the address was. For history that comes without addresses (worker/goatcounter.py)."""
    line = {"v": VERSION, "received_at": utc_timestamp(received_ns), "visitor_id": visitor_id, "place": place,
            "user_agent": user_agent, "event": event}
    return _ENCODE(line).encode()


def utc_timestamp(ns: int) -> str:
    """ISO 8601 in UTC with microseconds, e.g. 2026-11-29T01:10:13.123456Z."""
    seconds, micros = divmod(ns // 1000, 1_000_000)
    return f"{_utc_second(seconds)}.{micros:06d}Z"


@functools.lru_cache(maxsize=4)
def _utc_second(seconds: int) -> str:
    # Events arrive in the same few seconds; formatting a time is slower than looking it up.
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))


def nanoseconds(when: datetime) -> int:
    """An aware datetime as nanoseconds since the Unix epoch, exactly (no float rounding)."""
    delta = when - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def paths(root: Path) -> dict[str, Path]:
    """The spool's directories, whether or not they exist yet (a reader must not create them)."""
    return {name: root / name for name in ("open", "sealed", "archive", "quarantine")}


def layout(root: Path) -> dict[str, Path]:
    """paths(), created: for the spool's writers and the worker."""
    dirs = paths(root)
    for directory in dirs.values():
        directory.mkdir(parents=True, exist_ok=True)
    return dirs


class SpoolWriter:
    """Appends records to this process's open segment; safe to call from many threads."""

    def __init__(self, root: Path, max_age: float, max_bytes: int) -> None:
        self.dirs = layout(root)
        self.max_age, self.max_bytes = max_age, max_bytes
        self._lock = threading.Lock()
        self._file: int | None = None
        self._path: Path | None = None
        self._opened = 0.0
        self._size = 0

    def append(self, line: bytes, received_ns: int | None = None) -> None:
        """Write one record (a line without its newline) and return once it is on disk."""
        self.append_many([line], received_ns)

    def append_many(self, lines: list[bytes], received_ns: int | None = None) -> None:
        """Write records with one fsync; all are on disk when this returns."""
        data = b"".join(line + b"\n" for line in lines)
        with self._lock:
            if self._file is None:
                self._open(received_ns or time.time_ns())
            try:
                _write_all(self._file, data)
                os.fsync(self._file)
            except OSError:
                # Cut a partial write off, or the next record would be glued to its remains.
                os.ftruncate(self._file, self._size)
                raise
            self._size += len(data)
            if self._size >= self.max_bytes:
                self._seal()

    def seal_if_due(self) -> None:
        with self._lock:
            if self._file is not None and time.monotonic() - self._opened >= self.max_age:
                self._seal()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._seal()

    def _open(self, start_ns: int) -> None:
        # Name order is load order: a zero-padded start time, then the pid for uniqueness.
        self._path = self.dirs["open"] / f"{start_ns:020d}-{os.getpid()}.jsonl"
        self._file = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        _fsync_dir(self._path.parent)
        self._opened, self._size = time.monotonic(), 0

    def _seal(self) -> None:
        assert self._file is not None and self._path is not None
        os.close(self._file)
        os.rename(self._path, self.dirs["sealed"] / self._path.name)
        _fsync_dir(self.dirs["sealed"])
        self._file = self._path = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_abandoned(root: Path) -> list[Path]:
    """Seal open segments whose writer has died, so a crash of collect loses nothing it
    acknowledged. A torn last line in such a segment was never acknowledged and is ignored."""
    dirs, recovered = layout(root), []
    for path in sorted(dirs["open"].glob("*.jsonl")):
        pid = int(path.stem.split("-")[1])
        if pid != os.getpid() and not _alive(pid):
            os.rename(path, dirs["sealed"] / path.name)
            recovered.append(path)
    if recovered:
        _fsync_dir(dirs["sealed"])
    return recovered


def sealed_segments(root: Path) -> list[Path]:
    return sorted(layout(root)["sealed"].glob("*.jsonl"))


def read_lines(segment: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, line) for every complete line; a torn last line (a crash mid-write
    before the fsync that would have acknowledged it) is not a record and is skipped."""
    opener = gzip.open if segment.suffix == ".gz" else open  # archived segments are compressed
    with opener(segment, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            if line.endswith(b"\n"):
                yield number, line[:-1]


def archive(segment: Path, root: Path, scrub: Callable[[int, bytes], bytes] | None = None) -> Path:
    """Compress a loaded segment into archive/ and remove it from sealed/; `scrub(number, line)`
    rewrites each complete line on the way (the worker drops client addresses)."""
    target = layout(root)["archive"] / (segment.name + ".gz")
    partial = target.with_suffix(".partial")
    # Level 1: the worker compresses every line it loads; higher levels cost it several
    # times the CPU for an archive about a fifth smaller.
    with gzip.open(partial, "wb", compresslevel=1) as sink:
        lines = read_lines(segment)
        while chunk := [(scrub(n, line) if scrub else line) for n, line in itertools.islice(lines, 4096)]:
            sink.write(b"\n".join(chunk) + b"\n")
    os.replace(partial, target)
    segment.unlink()
    return target


def write_private(target: Path, data: bytes) -> None:
    """Replace `target` with `data`, readable by this user alone (mode 0600)."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(fd, 0o600)  # a file left by an earlier run keeps its mode through O_CREAT
        handle.write(data)


def waiting_segments(root: Path) -> list[Path]:
    """Open and sealed segments: everything accepted and not yet loaded."""
    dirs = paths(root)  # read-only: doctor and the counters run as users that may not write here
    return sorted(dirs["open"].glob("*.jsonl")) + sorted(dirs["sealed"].glob("*.jsonl"))


def depth(root: Path) -> dict[str, int | float | None]:
    """Segments waiting for the worker, the age in seconds of the oldest one (the lag), and
    the quarantined lines (one per line of the quarantine files) an operator should look at."""
    waiting = waiting_segments(root)
    quarantined = sorted(paths(root)["quarantine"].glob("*.jsonl"))
    oldest = min((int(p.name.split("-")[0]) for p in waiting), default=None)
    return {
        "segments": len(waiting),
        "bytes": sum(p.stat().st_size for p in waiting),
        "lag_seconds": None if oldest is None else max(0.0, time.time() - oldest / 1e9),
        "quarantine_files": len(quarantined),
        "quarantined": sum(path.read_bytes().count(b"\n") for path in quarantined),
    }
