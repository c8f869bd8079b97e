"""Putting a complete, freshly built index in place of the live one, atomically for readers.

A fresh index is written beside the live one, at `<index>.rebuild`, where a crash costs only
that file. It is swapped in with SQLite's online backup: the live file is overwritten page by
page inside one write transaction, so readers keep their snapshot until it commits and then see
the new index whole, with no restart and no change of file. Renaming the new file over the live
one would be quicker, but a WAL database's `-wal` and `-shm` files belong to its path, and a
reader still holding the old file would share them with the new one; SQLite lists that among
the ways to corrupt a database. Renaming is used only when there is no live index, or one too
damaged to open, and then the old file's journals are removed first.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from . import store

#: Pages copied per backup step (4 KiB pages: 64 MiB a step) between progress reports.
STEP_PAGES = 16_384
#: The live index's WAL is cut back to this size once a swap has been checkpointed.
WAL_SIZE_LIMIT = 64 * 1024 * 1024

#: The page cache of the connection writing a fresh index, in KiB.
CACHE_KIB = 16_384

CopyProgress = Callable[[int, int], None]  # (pages remaining, pages in all)


def fresh_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".rebuild")


def open_fresh(db_path: Path) -> sqlite3.Connection:
    """An empty index beside `db_path`, set up for one long bulk write."""
    fresh = fresh_path(db_path)
    remove(fresh)
    conn = store.connect(fresh, create=True)
    # Nobody reads this file until it is complete, and a crash loses only the file itself, so
    # it needs neither a journal nor syncing while it is written.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    # Its rows go in in order, so a larger page cache saves little: 64 MB against 16 made no
    # difference to a build of 300,000 passages (22 s either way) but kept the writer 50 MB
    # larger, and at 1,000,000 passages the build is to stay under 500 MB.
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    return conn


def seal(conn: sqlite3.Connection, db_path: Path) -> None:
    """Finish a fresh index, its FTS5 segments merged by the build (`bulk.Writer.finish`): put
    it in WAL mode, flush it."""
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
    with open(fresh_path(db_path), "rb") as handle:
        os.fsync(handle.fileno())


def swap_in(db_path: Path, on_copy: CopyProgress | None = None) -> None:
    """Make the sealed fresh index the live one."""
    fresh = fresh_path(db_path)
    if db_path.exists():
        try:
            target = store.connect(db_path)
        except store.IndexMissing:
            target = None  # not an index, or damaged: replaced below
        if target is not None:
            try:
                _copy(fresh, target, on_copy)
                remove(fresh)
                return
            except sqlite3.OperationalError:
                raise  # locked, full disk, I/O: the live index stays as it was
            except sqlite3.DatabaseError:
                pass  # damaged in a way only the copy found: replaced below
            finally:
                target.close()
    for suffix in ("-wal", "-shm", "-journal"):
        _sibling(db_path, suffix).unlink(missing_ok=True)
    os.replace(fresh, db_path)
    _remove_journals(fresh)
    fd = os.open(db_path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy(fresh: Path, target: sqlite3.Connection, on_copy: CopyProgress | None) -> None:
    target.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")
    source = sqlite3.connect(fresh)
    try:
        # The destination stays in one write transaction across all steps; it commits on the
        # last one, so a run killed in between leaves the live index as it was.
        source.backup(
            target,
            pages=STEP_PAGES,
            progress=(lambda _status, remaining, total: on_copy(remaining, total))
            if on_copy
            else None,
        )
    finally:
        source.close()
    target.execute("PRAGMA wal_checkpoint(PASSIVE)")


def remove(path: Path) -> None:
    """Delete a database file and its journals, if they are there."""
    path.unlink(missing_ok=True)
    _remove_journals(path)


def _remove_journals(path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        _sibling(path, suffix).unlink(missing_ok=True)


def _sibling(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)
