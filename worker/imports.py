"""Imports of history from outside (access logs, GoatCounter exports) as spool segments the worker loads like any other.

Each file becomes segments of at most PART page views (the worker holds a segment's derived ids
in memory while it loads it), named for the site, the file's first time and a digest of its
contents, then the part: the worker loads the segments of several files in the order of their
times, and once every part is in, the file's own name is recorded as loaded, so a file already
imported into the site is recognised and adds nothing. With a worker
running, the segment is handed to it through the spool's sealed directory; without one, the
import loads it itself, holding the worker's lock. Either way the caller watches the load
through parcours.loaded_segments, the worker's own progress record.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg

from parcours import queries, spool
from parcours.errors import ParcoursError
from parcours.settings import Settings
from worker import access_logs, goatcounter, run


PART = 250_000


class Parts:
    """Spool lines written as numbered segments of at most `size` lines, each private to the
    worker's user and named `<name>-NNNN.jsonl.partial` until handed over."""

    def __init__(self, directory: Path, name: str, size: int = PART) -> None:
        self.directory, self.name, self.size = directory, name, size
        self.paths: list[Path] = []
        self.handle, self.count = None, 0

    def write(self, line: bytes) -> None:
        if self.handle is None or self.count == self.size:
            self._next()
        self.handle.write(line + b"\n")
        self.count += 1

    def _next(self) -> None:
        self.close()
        path = self.directory / f"{self.name.removesuffix('.jsonl')}-{len(self.paths) + 1:04d}.jsonl.partial"
        self.handle, self.count = os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb"), 0
        self.paths.append(path)

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


@dataclass
class FileImport:
    path: Path
    segment: str  # recorded as loaded once all its parts are
    tally: access_logs.Tally
    parts: list[Path] = field(default_factory=list)
    already: bool = False  # imported before: nothing loaded
    loaded: int = 0  # events the worker stored


# What the caller shows while a file is read, then loaded: (stage, done, total).
Progress = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    pass


def digest(path: Path) -> tuple[str, int]:
    """SHA-256 of the file's text, and its number of lines: the same log, gzipped or not, is the
    same import."""
    sha, lines = hashlib.sha256(), 0
    with access_logs.opened(path) as handle:
        while chunk := handle.read(1 << 20):
            sha.update(chunk)
            lines += chunk.count(b"\n")
    return sha.hexdigest(), lines


def planned(paths: list[Path], first_time: Callable[[Path], datetime | None],
            property_id: str) -> list[tuple[Path, str, int]]:
    """(file, segment name, lines) in the order of the files' first times; a file with no
    readable line goes last (its lines are all counted as malformed)."""
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise ParcoursError(f"no such file: {', '.join(missing)}")
    timed = sorted(((first_time(path), path) for path in paths),
                   key=lambda pair: (pair[0] is None, pair[0] or 0))
    plan = []
    for first, path in timed:
        sha, lines = digest(path)
        plan.append((path, f"import-{property_id}-{f'{first:%Y%m%dT%H%M%S}' if first else 'unknown'}-{sha[:32]}.jsonl",
                     lines))
    return plan


def load(settings: Settings, conn: psycopg.Connection, staged: list[FileImport], progress: Progress) -> None:
    """Hands staged segments to the worker through the spool's sealed directory, running one
    here if none is running, and returns when every one is loaded (and, run here, when the
    rollups have caught up with them too)."""
    sealed = spool.layout(settings.spool_dir)["sealed"]
    worker_running = not conn.execute(queries.load("worker")["lock_free"]).fetchone()[0]
    for found in staged:
        for partial in found.parts:
            os.replace(partial, sealed / partial.name.removesuffix(".partial"))
    if worker_running:
        _watch(conn, staged, progress, None)
        return
    failure: list[BaseException] = []
    loading = threading.Thread(target=_drain_here, args=(settings, failure), daemon=True)
    loading.start()
    _watch(conn, staged, progress, loading)
    loading.join()
    if failure:
        raise ParcoursError(f"loading stopped: {failure[0]}")


def _drain_here(settings: Settings, failure: list[BaseException]) -> None:
    try:
        run.once(settings)
    except Exception as error:  # noqa: BLE001 (reported by the caller, in its own thread)
        failure.append(error)


def _watch(conn: psycopg.Connection, staged: list[FileImport], progress: Progress,
           loading: threading.Thread | None) -> None:
    """Waits for every part of every file, then records each file as loaded."""
    q = queries.load("worker")
    for found in staged:
        names = [part.name.removesuffix(".partial") for part in found.parts]
        while True:
            rows = [conn.execute(q["segment_loaded"], {"name": name}).fetchone() or (0, 0, False) for name in names]
            progress(f"loading {found.path.name}", sum(row[0] for row in rows), found.tally.events)
            if all(row[2] for row in rows):
                found.loaded = sum(row[1] for row in rows)
                conn.execute(q["finish_segment"], {"name": found.segment})
                break
            if loading is not None and not loading.is_alive():
                return  # the caller says why
            time.sleep(0.2)


def already_imported(conn: psycopg.Connection, name: str) -> bool:
    row = conn.execute(queries.load("worker")["segment_progress"], {"name": name}).fetchone()
    return bool(row and row[1])


def import_logs(settings: Settings, conn: psycopg.Connection, property_id: str, paths: list[Path],
                log_format: str, options: access_logs.Options, dry_run: bool, progress: Progress = _quiet,
                part: int = PART) -> list[FileImport]:
    """Reads, and unless `dry_run` loads, every access log; what happened to each."""
    pattern = access_logs.compile_format(log_format)
    return _import_files(settings, conn, property_id, paths, lambda path: access_logs.first_time(path, pattern),
                         lambda path, sink, seen: access_logs.stage(path, sink, pattern, options, property_id, seen),
                         dry_run, progress, part)


def import_goatcounter(settings: Settings, conn: psycopg.Connection, property_id: str, paths: list[Path],
                       site: goatcounter.Site, dry_run: bool, progress: Progress = _quiet,
                       part: int = PART) -> list[FileImport]:
    """Reads, and unless `dry_run` loads, every GoatCounter CSV export; what happened to each."""
    secret = settings.require_secret().encode()
    return _import_files(settings, conn, property_id, paths, goatcounter.first_time,
                         lambda path, sink, seen: goatcounter.stage(path, sink, site, property_id, secret, seen),
                         dry_run, progress, part)


def _import_files(settings: Settings, conn: psycopg.Connection, property_id: str, paths: list[Path],
                  first_time: Callable[[Path], datetime | None], stage: Callable[..., access_logs.Tally],
                  dry_run: bool, progress: Progress, part: int) -> list[FileImport]:
    """`stage(path, sink, progress)` writes a file's spool lines to `sink` (None: a dry run)."""
    directory = settings.spool_dir / "imports"
    directory.mkdir(parents=True, exist_ok=True)
    done, staged = [], []
    for path, name, lines in planned(paths, first_time, property_id):
        if already_imported(conn, name):
            done.append(FileImport(path, name, access_logs.Tally(), already=True))
            continue
        parts = None if dry_run else Parts(directory, name, part)
        try:
            tally = stage(path, parts, lambda number, path=path, lines=lines: progress(f"reading {path.name}", number, lines))
        finally:
            if parts is not None:
                parts.close()
        done.append(FileImport(path, name, tally, parts.paths if parts else []))
        if parts is not None:
            staged.append(done[-1])
    if staged:
        load(settings, conn, staged, progress)
    return done
