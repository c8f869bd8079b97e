"""Bring the index in line with the corpus folder: add, replace and remove documents.

Files are keyed by path and content hash. A file whose size and modification time match
what the index recorded is taken as unchanged without being read. Everything a run writes is
one transaction, so a question asked meanwhile sees the old index or the new one, and a run
killed half way leaves the old one whole for the next run to finish the work.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import store
from .analysis import ANALYSER_VERSION
from .documents import SUFFIXES, UnreadableFile, parse
from .passages import passages as split_passages

STATUSES = ("added", "changed", "removed", "unchanged", "failed")


class ReindexBusy(Exception):
    """Another reindex holds the index; this one would only fight it for the lock."""


@dataclass(slots=True)
class FileResult:
    path: str
    status: str  # one of STATUSES
    reason: str = ""  # why it failed
    warnings: list[str] = field(default_factory=list)
    passages: int = 0
    undated: bool = False


@dataclass(slots=True)
class Report:
    counts: Counter[str] = field(default_factory=Counter)
    files: list[FileResult] = field(default_factory=list)  # everything but "unchanged"
    seconds: float = 0.0
    dry_run: bool = False

    def add(self, result: FileResult) -> None:
        self.counts[result.status] += 1
        if result.status != "unchanged":
            self.files.append(result)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    def summary(self) -> str:
        parts = ", ".join(f"{self.counts[s]} {s}" for s in STATUSES)
        prefix = "would change: " if self.dry_run else ""
        return f"{prefix}{parts} ({self.seconds:.1f} s)"


Progress = Callable[[str], None]


def corpus_files(corpus: Path) -> Iterator[Path]:
    """Readable-looking files under `corpus`, in a stable order, skipping hidden ones."""
    for dirpath, dirnames, filenames in os.walk(corpus):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and name.lower().endswith(SUFFIXES):
                yield Path(dirpath) / name


@contextmanager
def writer_lock(db_path: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the index's writer lock, waiting up to `wait` seconds for another run to end."""
    lock_path = db_path.with_name(db_path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ReindexBusy(
                        f"another reindex is already running on {db_path}; "
                        "wait for it to finish and run this one again"
                    ) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def reindex(
    corpus: str | Path,
    db_path: str | Path,
    *,
    dry_run: bool = False,
    wait: float = 0.0,
    progress: Progress | None = None,
) -> Report:
    """Index new and changed files of `corpus`, drop removed ones, and report each."""
    corpus, db_path = Path(corpus), Path(db_path)
    if not corpus.is_dir():
        raise FileNotFoundError(f"the corpus folder {corpus} does not exist")
    started = time.monotonic()
    report = Report(dry_run=dry_run)
    with writer_lock(db_path, wait):
        conn = store.connect(db_path, create=True)
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                _run(conn, corpus, report, dry_run, progress)
                report.seconds = time.monotonic() - started
                if not dry_run:
                    store.set_meta(conn, "last_reindex", store.now())
                    store.set_meta(conn, "last_reindex_summary", report.summary())
                    store.set_meta(conn, "analyser_version", ANALYSER_VERSION)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("ROLLBACK" if dry_run else "COMMIT")
        finally:
            conn.close()
    return report


def _run(conn, corpus: Path, report: Report, dry_run: bool, progress: Progress | None) -> None:
    known = {
        path: (sha, size, mtime)
        for path, sha, size, mtime in conn.execute(
            "SELECT path, sha256, size, mtime_ns FROM documents"
        )
    }
    if store.get_meta(conn, "analyser_version") not in (None, ANALYSER_VERSION):
        known = {path: ("", -1, -1) for path in known}  # terms changed: read everything again
    seen: set[str] = set()
    for file in corpus_files(corpus):
        relative = file.relative_to(corpus).as_posix()
        seen.add(relative)
        if progress:
            progress(relative)
        report.add(_index_file(conn, corpus, file, relative, known.get(relative), dry_run))
    for relative in sorted(set(known) - seen):
        if not dry_run:
            store.delete_document(conn, relative)
        report.add(FileResult(relative, "removed"))
    if not dry_run:
        conn.execute(
            "DELETE FROM failures WHERE path NOT IN ({})".format(",".join("?" * len(seen)))
            if seen
            else "DELETE FROM failures",
            sorted(seen),
        )


def _index_file(conn, corpus: Path, file: Path, relative: str, known, dry_run: bool) -> FileResult:
    try:
        if file.is_symlink() and not file.resolve().is_relative_to(corpus.resolve()):
            raise UnreadableFile("it is a link to a file outside the corpus folder")
        stat = file.stat()
        if known and known[1:] == (stat.st_size, stat.st_mtime_ns):
            return FileResult(relative, "unchanged")
        data = file.read_bytes()
    except UnreadableFile as exc:
        return _failed(conn, relative, str(exc), dry_run)
    except OSError as exc:
        return _failed(conn, relative, f"it could not be read: {exc.strerror or exc}", dry_run)
    sha = hashlib.sha256(data).hexdigest()
    if known and known[0] == sha:
        if not dry_run:
            store.touch_document(conn, relative, stat.st_size, stat.st_mtime_ns)
        return FileResult(relative, "unchanged")
    try:
        doc = parse(data, relative)
    except UnreadableFile as exc:
        return _failed(conn, relative, str(exc), dry_run)
    passages = split_passages(doc)
    if not dry_run:
        store.write_document(
            conn, doc, passages, sha256=sha, size=stat.st_size, mtime_ns=stat.st_mtime_ns
        )
    status = "changed" if known else "added"
    return FileResult(relative, status, "", doc.warnings, len(passages), doc.date is None)


def _failed(conn, relative: str, reason: str, dry_run: bool) -> FileResult:
    if not dry_run:
        store.record_failure(conn, relative, reason)
    return FileResult(relative, "failed", reason)
