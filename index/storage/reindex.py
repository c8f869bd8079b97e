"""Bring the index in line with the corpus folder: add, replace and remove documents.

Files are keyed by path and content hash. A file whose size and modification time match
what the index recorded is taken as unchanged without being read; a file modified within
`RACY_SECONDS` of being read gets no recorded time, so the next run hashes it again rather
than trust a clock that may not have ticked between two writes.

Safe while a bot reads the same index:

- An update is one transaction, so a question asked meanwhile sees the old index or the new
  one, and a run killed half way leaves the old one whole for the next run to finish the work.
- A rebuild, and the very first build, read everything into a fresh index beside the live one
  and swap it in only when complete (`index.storage.swap`).
- One writer at a time, through an advisory lock on `<index>.lock` that the system releases
  even when a run is killed; a second run waits up to `wait` seconds, then refuses.

Memory grows with the number of files (their paths and hashes), never with their text.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISLNK, S_ISREG

from ..analysis import ANALYSER_VERSION
from ..files.documents import READER_VERSION, SUFFIXES, UnreadableFile, parse
from ..files.passages import passages as split_passages
from . import bulk, frequencies, prepare, store, swap

STATUSES = ("added", "changed", "removed", "unchanged", "failed")
#: What an index was built with: one that differs reads every file again on its next reindex
#: (stored under its old name, "analyser_version").
INDEX_VERSION = f"{ANALYSER_VERSION}.{READER_VERSION}"

#: A file modified this recently when read may change again within the same clock tick.
RACY_SECONDS = 2.0
#: The WAL is cut back to this size after a large update has been checkpointed.
WAL_SIZE_LIMIT = 64 * 1024 * 1024
#: Files larger than this are reported and skipped unread, since a file is read whole: plain
#: text, Markdown and HTML (a briefing is kilobytes; this is thousands of pages) …
MAX_TEXT_BYTES = 8 * 2**20
#: … and PDF and Word files, which carry images and compressed text.
MAX_PACKED_BYTES = 64 * 2**20
_PACKED = (".pdf", ".docx")


class ReindexBusy(Exception):
    """Another reindex holds the index; this one would only fight it for the lock."""


@dataclass(slots=True)
class FileResult:
    path: str
    status: str  # one of STATUSES
    reason: str = ""  # why it failed, or why it changed when that is not obvious
    warnings: list[str] = field(default_factory=list)
    passages: int = 0
    undated: bool = False


@dataclass(slots=True)
class Report:
    counts: Counter[str] = field(default_factory=Counter)
    files: list[FileResult] = field(default_factory=list)  # all but plain "unchanged" ones
    seconds: float = 0.0
    dry_run: bool = False
    rebuilt: bool = False
    damaged: str | None = None  # why the index was rebuilt when it could not be updated
    outdated: bool = False  # rebuilt because an earlier version of briefbot had built it

    def add(self, result: FileResult) -> None:
        self.counts[result.status] += 1
        if result.status != "unchanged" or result.warnings or result.undated:
            self.files.append(result)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def undated(self) -> list[FileResult]:
        return [f for f in self.files if f.undated]

    @property
    def changed_anything(self) -> bool:
        return any(self.counts[s] for s in ("added", "changed", "removed", "failed"))

    def summary(self) -> str:
        parts = ", ".join(f"{self.counts[s]} {s}" for s in STATUSES)
        prefix = "would change: " if self.dry_run else "rebuilt: " if self.rebuilt else ""
        if self.damaged:
            prefix = "rebuilt, as the index was damaged: "
        elif self.outdated:
            prefix = "rebuilt, as an earlier version of briefbot made the index: "
        undated = f", {len(self.undated)} undated" if self.undated else ""
        return f"{prefix}{parts}{undated} ({self.seconds:.1f} s)"


Progress = Callable[[str], None]
Known = tuple[str, int, int]  # sha256, size, mtime_ns
Failure = tuple[int | None, int | None, str]  # size, ctime_ns, reason


def corpus_paths(corpus: Path) -> Iterator[str]:
    """Readable-looking files under `corpus`, in a stable order, skipping hidden ones: their
    paths relative to it, with forward slashes. Made as strings, a folder at a time: a whole
    build lists every file before it reads one, and a `Path` made and made relative for each
    took 1.3 s for 100,000 files."""
    top = os.fspath(corpus)
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        folder = os.path.relpath(dirpath, top)
        prefix = "" if folder == "." else folder.replace(os.sep, "/") + "/"
        for name in sorted(filenames):
            if not name.startswith(".") and name.lower().endswith(SUFFIXES):
                yield prefix + name


def corpus_files(corpus: Path) -> Iterator[Path]:
    """The files of `corpus_paths`, under `corpus`."""
    return (corpus / relative for relative in corpus_paths(corpus))


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
                        "wait for it to finish and run this one again (or pass --wait SECONDS)"
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
    paths: Iterable[str | Path] | None = None,
    dry_run: bool = False,
    rebuild: bool = False,
    wait: float = 0.0,
    progress: Progress | None = None,
    on_copy: swap.CopyProgress | None = None,
    workers: int | None = None,
) -> Report:
    """Index new and changed files of `corpus`, drop removed ones, and report each.

    `paths` (files or folders, absolute or relative to `corpus`) limits the run to them, so a
    watcher that knows what changed need not look at the rest of a large corpus. `rebuild`
    reads every file into a fresh index and swaps it in whole (`on_copy` follows the swap);
    such a whole build reads the files in `workers` processes (default: one per core).
    """
    corpus, db_path = Path(corpus), Path(db_path)
    if not corpus.is_dir():
        raise FileNotFoundError(f"the corpus folder {corpus} does not exist")
    if rebuild and (dry_run or paths is not None):
        raise ValueError("a rebuild reads the whole corpus; it takes no paths and no dry run")
    started = time.monotonic()
    report = Report(dry_run=dry_run)
    with writer_lock(db_path, wait):
        if not dry_run:
            swap.remove(swap.fresh_path(db_path))  # left by a rebuild that was killed
        outdated = not dry_run and not rebuild and _outdated(db_path)
        if rebuild or outdated or (not dry_run and not db_path.exists()):
            report.rebuilt, report.outdated = rebuild or outdated, outdated
            _build_beside(corpus, db_path, report, progress, on_copy, started, workers)
        else:
            try:
                _update(corpus, db_path, paths, report, dry_run, progress, started)
            except (store.IndexMissing, sqlite3.DatabaseError) as exc:
                # Locked, full or failing disks are OperationalErrors and stay errors; an
                # index that is not one, or is damaged, is derived data: build it afresh.
                if dry_run or isinstance(exc, sqlite3.OperationalError):
                    raise
                report.counts.clear()
                report.files.clear()
                report.rebuilt = True
                report.damaged = str(exc)
                _build_beside(corpus, db_path, report, progress, on_copy, started, workers)
    report.seconds = time.monotonic() - started
    return report


def _outdated(db_path: Path) -> bool:
    """Whether the index was built by another version of the reader or the analyser: then
    every file must be read again, and a fresh build beside it, swapped in whole, does that
    many times faster than changing each file in place (at 100,000 passages, about a minute
    against more than a quarter of an hour), with the old index serving until the swap."""
    if not db_path.exists():
        return False
    try:
        conn = store.connect(db_path, migrate=False)
    except (store.IndexMissing, sqlite3.DatabaseError):
        return False  # `_update` finds out what is wrong and says so, or rebuilds
    try:
        return store.get_meta(conn, "analyser_version") not in (None, INDEX_VERSION)
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()


def _update(
    corpus: Path,
    db_path: Path,
    paths: Iterable[str | Path] | None,
    report: Report,
    dry_run: bool,
    progress: Progress | None,
    started: float,
) -> None:
    """Change the live index in one transaction (or, for a dry run, roll it back)."""
    conn = _open_for_dry_run(db_path) if dry_run else store.connect(db_path, create=True)
    try:
        conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")
        conn.execute("BEGIN" if dry_run else "BEGIN IMMEDIATE")
        try:
            if paths is None:
                _run(conn, corpus, report, dry_run, progress)
            else:
                _run_paths(conn, corpus, paths, report, dry_run, progress)
            if not dry_run:
                _finish(conn, report, started)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("ROLLBACK" if dry_run else "COMMIT")
    finally:
        conn.close()


def _open_for_dry_run(db_path: Path) -> sqlite3.Connection:
    """The index as it is, unmigrated; an empty one in memory when there is none yet."""
    try:
        return store.connect(db_path, migrate=False)
    except store.IndexMissing:
        return store.connect(":memory:", create=True)


def _finish(conn: sqlite3.Connection, report: Report, started: float) -> None:
    report.seconds = time.monotonic() - started
    store.set_meta(conn, "last_reindex", store.now())
    store.set_meta(conn, "last_reindex_summary", report.summary())
    store.set_meta(conn, "analyser_version", INDEX_VERSION)
    frequencies.mark(conn)


def _known(conn: sqlite3.Connection) -> dict[str, Known]:
    known = {
        path: (sha, size, mtime)
        for path, sha, size, mtime in conn.execute(
            "SELECT path, sha256, size, mtime_ns FROM documents"
        )
    }
    if store.get_meta(conn, "analyser_version") not in (None, INDEX_VERSION):
        known = {path: ("", -1, -1) for path in known}  # terms changed: read everything again
    return known


def _run(
    conn: sqlite3.Connection,
    corpus: Path,
    report: Report,
    dry_run: bool,
    progress: Progress | None,
    known: dict[str, Known] | None = None,
) -> None:
    """Walk the whole corpus. Memory grows with the number of files, not with their text."""
    if known is None:
        known = _known(conn)
    failures = _failures(conn)
    seen: set[str] = set()
    top = os.path.join(corpus, "")  # the folder, ending in a separator
    for relative in corpus_paths(corpus):
        seen.add(relative)
        if progress:
            progress(relative)
        before = known.get(relative), failures.get(relative)
        report.add(_index_file(conn, corpus, top + relative, relative, *before, dry_run))
    for relative in sorted(set(known) - seen):
        if not dry_run:
            store.delete_document(conn, relative)
        report.add(FileResult(relative, "removed", "the file is gone"))
    if not dry_run:
        stale = [p for (p,) in conn.execute("SELECT path FROM failures") if p not in seen]
        conn.executemany("DELETE FROM failures WHERE path = ?", [(p,) for p in stale])


def _run_paths(
    conn: sqlite3.Connection,
    corpus: Path,
    paths: Iterable[str | Path],
    report: Report,
    dry_run: bool,
    progress: Progress | None,
) -> None:
    """Look only at the given files and folders; what is gone from them leaves the index."""
    root = Path(os.path.abspath(corpus))
    handled: set[str] = set()  # files already looked at as part of a folder, or removed
    for relative in sorted({_relative(root, Path(p)) for p in paths}):
        if relative in handled:
            continue
        target = root / relative if relative else root
        if relative and any(part.startswith(".") for part in Path(relative).parts):
            continue
        if target.is_file():
            if not target.name.lower().endswith(SUFFIXES):
                continue
            if progress:
                progress(relative)
            before = _known_one(conn, relative), _failure_one(conn, relative)
            report.add(_index_file(conn, root, target, relative, *before, dry_run))
            continue
        seen: set[str] = set()
        if target.is_dir():
            for file in corpus_files(target):
                rel = file.relative_to(root).as_posix()
                seen.add(rel)
                handled.add(rel)
                if progress:
                    progress(rel)
                before = _known_one(conn, rel), _failure_one(conn, rel)
                report.add(_index_file(conn, root, file, rel, *before, dry_run))
        for gone in _indexed_under(conn, relative):
            if gone not in seen and gone not in handled:
                handled.add(gone)
                if not dry_run:
                    store.delete_document(conn, gone)
                report.add(FileResult(gone, "removed", "the file is gone"))
        if not dry_run:
            stale = [p for p in _failed_under(conn, relative) if p not in seen]
            conn.executemany("DELETE FROM failures WHERE path = ?", [(p,) for p in stale])


def _stat_inside(corpus: Path, file: str | Path) -> os.stat_result:
    """The status of `file`, followed through a link only to a file inside `corpus`: one
    `lstat` for a file that is no link, what a reindex finds of almost every file. Made and
    looked at twice (`Path.is_symlink`, then `stat`) for each, a reindex of 100,000
    unchanged files took 1.5 to 1.8 s (now 0.7 s)."""
    stat = os.lstat(file)
    if S_ISLNK(stat.st_mode):
        if not Path(file).resolve().is_relative_to(corpus.resolve()):
            raise UnreadableFile("it is a link to a file outside the corpus folder")
        stat = os.stat(file)
    return stat


def _relative(root: Path, path: Path) -> str:
    """`path` relative to the corpus folder, with forward slashes."""
    absolute = Path(os.path.abspath(path if path.is_absolute() else root / path))
    try:
        relative = absolute.relative_to(root).as_posix()
    except ValueError:
        raise ValueError(f"{path} is not inside the corpus folder {root}") from None
    return "" if relative == "." else relative


def _known_one(conn: sqlite3.Connection, relative: str) -> Known | None:
    row = conn.execute(
        "SELECT sha256, size, mtime_ns FROM documents WHERE path = ?", (relative,)
    ).fetchone()
    if row and store.get_meta(conn, "analyser_version") not in (None, INDEX_VERSION):
        return ("", -1, -1)
    return tuple(row) if row else None


def _failures(conn: sqlite3.Connection) -> dict[str, Failure]:
    try:
        rows = conn.execute("SELECT path, size, ctime_ns, reason FROM failures").fetchall()
    except sqlite3.OperationalError:  # a dry run on an index not yet migrated: read them all
        return {}
    return {path: (size, ctime, reason) for path, size, ctime, reason in rows}


def _failure_one(conn: sqlite3.Connection, relative: str) -> Failure | None:
    try:
        row = conn.execute(
            "SELECT size, ctime_ns, reason FROM failures WHERE path = ?", (relative,)
        ).fetchone()
    except sqlite3.OperationalError:  # as above
        return None
    return tuple(row) if row else None


def _under(relative: str) -> tuple[str, list[str]]:
    """A WHERE clause for a path and everything below it, using the path index."""
    if not relative:
        return "1", []
    # '0' is the character after '/', so the range holds exactly the paths below the folder.
    return "(path = ? OR (path > ? AND path < ?))", [relative, relative + "/", relative + "0"]


def _indexed_under(conn: sqlite3.Connection, relative: str) -> list[str]:
    where, params = _under(relative)
    return [p for (p,) in conn.execute(f"SELECT path FROM documents WHERE {where}", params)]


def _failed_under(conn: sqlite3.Connection, relative: str) -> list[str]:
    where, params = _under(relative)
    return [p for (p,) in conn.execute(f"SELECT path FROM failures WHERE {where}", params)]


def _index_file(
    conn: sqlite3.Connection,
    corpus: Path,
    file: str | Path,
    relative: str,
    known: Known | None,
    failure: Failure | None,
    dry_run: bool,
) -> FileResult:
    """Index one file into the live index (a whole build goes through `_bulk` instead)."""
    stat = None
    try:
        stat = _stat_inside(corpus, file)
        if known and known[1:] == (stat.st_size, stat.st_mtime_ns):
            return FileResult(relative, "unchanged")
        if failure and failure[:2] == (stat.st_size, stat.st_ctime_ns):  # untouched since
            return FileResult(relative, "failed", failure[2])
        data = _read_limited(file, stat)
        mtime = _trusted(stat.st_mtime_ns)
    except UnreadableFile as exc:
        return _failed(conn, relative, str(exc), dry_run, stat)
    except OSError as exc:
        reason = f"it could not be read: {exc.strerror or exc}"
        return _failed(conn, relative, reason, dry_run, stat)
    sha = hashlib.sha256(data).hexdigest()
    if known and known[0] == sha:
        if not dry_run:
            store.touch_document(conn, relative, stat.st_size, mtime)
        return FileResult(relative, "unchanged")
    try:
        doc = parse(data, relative)
    except UnreadableFile as exc:
        return _failed(conn, relative, str(exc), dry_run, stat)
    except Exception as exc:  # a reader library's own bug must not stop the other files
        reason = f"its reader failed ({type(exc).__name__}: {exc})"
        return _failed(conn, relative, reason, dry_run, stat)
    passages = split_passages(doc)
    if not dry_run:
        size = stat.st_size
        store.write_document(conn, doc, passages, sha256=sha, size=size, mtime_ns=mtime)
    if known is None:
        status, reason = "added", ""
    elif known[0] == sha:
        status, reason = "unchanged", ""
    else:
        status = "changed"
        reason = "the analyser changed since it was indexed" if not known[0] else ""
    return FileResult(relative, status, reason, doc.warnings, len(passages), doc.date is None)


def _read_limited(file: str | Path, stat: os.stat_result) -> bytes:
    """A briefing file's bytes, refusing before reading what would hang the run (a pipe waits
    for a writer forever) or take far more memory than a briefing should, and a file that
    grew past the limit since it was looked at. A one-file update and a whole build read
    through here, so they refuse alike."""
    if not S_ISREG(stat.st_mode):
        raise UnreadableFile("it is not a regular file (a pipe, socket or device)")
    limit = MAX_PACKED_BYTES if os.fspath(file).lower().endswith(_PACKED) else MAX_TEXT_BYTES
    if stat.st_size > limit:
        raise UnreadableFile(
            f"it is {stat.st_size / 2**20:,.0f} MB, over the {limit // 2**20} MB a briefing"
            " file may be; split it into smaller files"
        )
    # Asked for the size it had and one byte more: a read asked for the limit allocates the
    # limit (8 MB for a file of a few kB, 0.14 → 0.07 s of CPU for 5,000 files). A file that
    # grew since is read on, to one byte past the limit at most.
    expected = stat.st_size + 1
    with open(file, "rb") as handle:
        data = handle.read(expected)
        if len(data) == expected:
            data += handle.read(limit + 1 - expected)
    if len(data) > limit:
        raise UnreadableFile(f"it grew past the {limit // 2**20} MB a briefing file may be")
    return data


def _trusted(time_ns: int) -> int:
    """A file time to record, or -1 when it is too recent to vouch for the content."""
    return -1 if time.time_ns() - time_ns < RACY_SECONDS * 1e9 else time_ns


def _failed(
    conn: sqlite3.Connection,
    relative: str,
    reason: str,
    dry_run: bool,
    stat: os.stat_result | None,
) -> FileResult:
    if not dry_run:
        size, ctime = (stat.st_size, _trusted(stat.st_ctime_ns)) if stat else (None, None)
        store.record_failure(conn, relative, reason, size, ctime)
    return FileResult(relative, "failed", reason)


def _build_beside(
    corpus: Path,
    db_path: Path,
    report: Report,
    progress: Progress | None,
    on_copy: swap.CopyProgress | None,
    started: float,
    workers: int | None = None,
) -> None:
    """Read every file into a fresh index next to the live one, then swap it in."""
    previous = _previous_documents(db_path)
    conn = swap.open_fresh(db_path)
    try:
        conn.execute("BEGIN")
        _bulk(conn, corpus, report, progress, previous, workers)
        _finish(conn, report, started)
        conn.execute("COMMIT")
        _keep_indexed_at(conn, db_path)
    except BaseException:
        conn.close()
        raise
    swap.seal(conn, db_path)
    swap.swap_in(db_path, on_copy)


def _bulk(
    conn: sqlite3.Connection,
    corpus: Path,
    report: Report,
    progress: Progress | None,
    previous: dict[str, Known],
    workers: int | None,
) -> None:
    """Every file of the corpus into the empty index behind `conn`, in bulk (`bulk.build`),
    reported as a walk of the corpus would report it against the live index."""
    # Relative paths only: 9 MB for 100,000 files, where keeping their `Path`s too took 43.
    files = list(corpus_paths(corpus))

    def on_file(item: prepare.Prepared, status: str, reason: str) -> None:
        if progress:
            progress(item.relative)
        if status == "failed":
            report.add(FileResult(item.relative, status, reason))
        else:
            undated = item.date is None
            passages = len(item.passages)
            report.add(FileResult(item.relative, status, reason, item.warnings, passages, undated))

    bulk.build(conn, corpus, files, previous, on_file, workers)
    seen = set(files)
    for relative in sorted(set(previous) - seen):
        report.add(FileResult(relative, "removed", "the file is gone"))


def _keep_indexed_at(conn: sqlite3.Connection, db_path: Path) -> None:
    """A briefing whose content a rebuild did not change keeps the time it was first indexed:
    daily summaries list what was indexed since a chat's last summary as late additions, and
    a rebuild must not make every old briefing look new."""
    if not db_path.exists():
        return
    try:
        conn.execute("ATTACH DATABASE ? AS live", (str(db_path),))
    except sqlite3.DatabaseError:
        return
    try:
        conn.execute(
            "UPDATE documents SET indexed_at = (SELECT l.indexed_at FROM live.documents l"
            " WHERE l.path = documents.path AND l.sha256 = documents.sha256)"
            " WHERE EXISTS (SELECT 1 FROM live.documents l"
            " WHERE l.path = documents.path AND l.sha256 = documents.sha256)"
        )
    except sqlite3.DatabaseError:
        pass  # a damaged live index has no times worth keeping
    finally:
        conn.execute("DETACH DATABASE live")


def _previous_documents(db_path: Path) -> dict[str, Known]:
    """What the live index holds, to report a rebuild against; nothing if it is unreadable."""
    try:
        conn = store.connect(db_path)
    except store.IndexMissing:
        return {}
    try:
        return {
            path: (sha, size, mtime)
            for path, sha, size, mtime in conn.execute(
                "SELECT path, sha256, size, mtime_ns FROM documents"
            )
        }
    except sqlite3.DatabaseError:
        return {}
    finally:
        conn.close()
