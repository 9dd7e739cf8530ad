"""Imports of history from outside (access logs) as spool segments the worker loads like any other.

Each file becomes one segment, named for the site, the file's first time and a digest of its
contents: a file already imported into the site is recognised by name and adds nothing, and
the worker loads the segments of several files in the order of their times. With a worker
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
from pathlib import Path

import psycopg

from parcours import queries, spool
from parcours.errors import ParcoursError
from parcours.settings import Settings
from worker import access_logs, run


@dataclass
class FileImport:
    path: Path
    segment: str
    tally: access_logs.Tally
    already: bool = False  # imported before: nothing loaded
    loaded: int = 0  # events the worker stored


@dataclass
class Progress:
    """What the caller shows while a file is read and then loaded."""
    show: Callable[[str, int, int], None] = field(default=lambda stage, done, total: None)


def digest(path: Path) -> tuple[str, int]:
    """SHA-256 of the file's text, and its number of lines: the same log, gzipped or not, is the
    same import."""
    sha, lines = hashlib.sha256(), 0
    with access_logs.opened(path) as handle:
        while chunk := handle.read(1 << 20):
            sha.update(chunk)
            lines += chunk.count(b"\n")
    return sha.hexdigest(), lines


def planned(paths: list[Path], pattern, property_id: str) -> list[tuple[Path, str, int]]:
    """(file, segment name, lines) in the order of the files' first times; a file with no
    readable line goes last (its lines are all counted as malformed)."""
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise ParcoursError(f"no such file: {', '.join(missing)}")
    timed = sorted(((access_logs.first_time(path, pattern), path) for path in paths),
                   key=lambda pair: (pair[0] is None, pair[0] or 0))
    plan = []
    for first, path in timed:
        sha, lines = digest(path)
        plan.append((path, f"import-{property_id}-{f'{first:%Y%m%dT%H%M%S}' if first else 'unknown'}-{sha[:32]}.jsonl",
                     lines))
    return plan


def load(settings: Settings, conn: psycopg.Connection, staged: list[tuple[FileImport, Path]],
         progress: Progress) -> None:
    """Hands staged segments to the worker through the spool's sealed directory, running one
    here if none is running, and returns when every one is loaded (and, run here, when the
    rollups have caught up with them too)."""
    sealed = spool.layout(settings.spool_dir)["sealed"]
    worker_running = not conn.execute(queries.load("worker")["lock_free"]).fetchone()[0]
    for _, partial in staged:
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


def _watch(conn: psycopg.Connection, staged: list[tuple[FileImport, Path]], progress: Progress,
           loading: threading.Thread | None) -> None:
    q = queries.load("worker")
    for found, _ in staged:
        while True:
            row = conn.execute(q["segment_loaded"], {"name": found.segment}).fetchone()
            lines, events, complete = row if row else (0, 0, False)
            progress.show(f"loading {found.path.name}", lines, found.tally.lines)
            if complete:
                found.loaded = events
                break
            if loading is not None and not loading.is_alive():
                return  # the caller says why
            time.sleep(0.2)


def already_imported(conn: psycopg.Connection, name: str) -> bool:
    row = conn.execute(queries.load("worker")["segment_progress"], {"name": name}).fetchone()
    return bool(row and row[1])


def import_logs(settings: Settings, conn: psycopg.Connection, property_id: str, paths: list[Path],
                log_format: str, options: access_logs.Options, dry_run: bool, progress: Progress) -> list[FileImport]:
    """Reads, and unless `dry_run` loads, every file; what happened to each."""
    pattern = access_logs.compile_format(log_format)
    directory = settings.spool_dir / "imports"
    directory.mkdir(parents=True, exist_ok=True)
    done, staged = [], []
    for path, name, lines in planned(paths, pattern, property_id):
        if already_imported(conn, name):
            done.append(FileImport(path, name, access_logs.Tally(), already=True))
            continue
        partial = None if dry_run else directory / (name + ".partial")
        tally = access_logs.stage(path, partial, pattern, options, property_id,
                                  lambda number, path=path, lines=lines: progress.show(f"reading {path.name}", number, lines))
        done.append(FileImport(path, name, tally))
        if partial is not None:
            staged.append((done[-1], partial))
    if staged:
        load(settings, conn, staged, progress)
    return done
