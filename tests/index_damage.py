"""What can happen to an index file on disk while the bot reads it: deleted, cut short in
place (a failing disk), or replaced by garbage. Shared by `tests/test_reliability_storage.py`
and `bench/storage_faults.py`."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def delete(db: Path) -> None:
    db.unlink()


def cut_short(db: Path) -> None:
    """Fold the WAL into the file, then cut the file short, as a failing disk might."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with open(db, "r+b") as f:
        f.truncate(8192)


def replace_with_garbage(db: Path, size: int = 64 * 1024) -> None:
    garbage = db.with_name("garbage")
    garbage.write_bytes(os.urandom(size))
    os.replace(garbage, db)
