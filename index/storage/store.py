"""The index file: opening it, and writing or deleting one document's passages.

Every write goes through here, inside a transaction the caller holds, so that the FTS5 table,
the passages and anything derived from them always change together.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from .. import analysis
from . import frequencies, postings, schema

if TYPE_CHECKING:
    from ..files.documents import Document
    from ..files.passages import Passage

BUSY_TIMEOUT_MS = 10_000


class IndexMissing(Exception):
    """There is no index file yet, or it is not an index."""


def connect(path: str | Path, *, create: bool = False, migrate: bool = True) -> sqlite3.Connection:
    """A connection to the index in WAL mode, created when `create` is set, and brought up to
    date when it is from an older version unless `migrate` is off (a dry run writes nothing)."""
    path = Path(path)
    if not create and not path.exists():
        raise IndexMissing(f"no index at {path}; run `briefbot reindex` to build it")
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        if create:
            _migrate(conn)
        elif not _has_tables(conn):
            raise IndexMissing(f"{path} is not a briefbot index; run `briefbot reindex`")
        elif migrate and schema.pending(conn):
            # An index from an older version: bring its tables up to date before reading.
            _migrate(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            raise
        raise IndexMissing(f"{path} is damaged ({exc}); `briefbot reindex` rebuilds it") from exc
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _migrate(conn: sqlite3.Connection) -> None:
    from sqlite_utils import Database  # imported only here: it is slow to import (see schema)

    schema.migrations().apply(Database(conn))


def _has_tables(conn: sqlite3.Connection) -> bool:
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {"documents", "passages", "passages_fts"} <= names


def passage_terms(passage: Passage) -> list[str]:
    """What BM25 sees of a passage: its heading's terms, then its text's."""
    heading = analysis.analyse(passage.heading) if passage.heading else []
    return heading + analysis.analyse(passage.text)


def write_document(
    conn: sqlite3.Connection,
    doc: Document,
    passages: list[Passage],
    *,
    sha256: str,
    size: int,
    mtime_ns: int,
    with_postings: bool = True,
) -> int:
    """Replace whatever the index holds for `doc.path` with these passages. Without
    postings, a `postings.rebuild` after a whole build derives them."""
    delete_document(conn, doc.path)
    cur = conn.execute(
        "INSERT INTO documents (path, sha256, size, mtime_ns, title, date, source, warnings,"
        " passages, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            doc.path,
            sha256,
            size,
            mtime_ns,
            doc.title,
            doc.date.isoformat() if doc.date else None,
            doc.source,
            json.dumps(doc.warnings),
            len(passages),
            now(),
        ),
    )
    document_id = cur.lastrowid
    written = []
    for p in passages:
        terms = passage_terms(p)
        cur = conn.execute(
            "INSERT INTO passages (document_id, ordinal, heading, text, start, end, sentences,"
            " length, page) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                document_id,
                p.ordinal,
                p.heading,
                p.text,
                p.start,
                p.end,
                json.dumps(p.sentences, separators=(",", ":")),
                len(terms),
                p.page,
            ),
        )
        conn.execute(
            "INSERT INTO passages_fts (rowid, terms) VALUES (?, ?)",
            (cur.lastrowid, " ".join(terms)),
        )
        written.append((cur.lastrowid, terms))
    if with_postings:
        postings.add_passages(conn, written, doc.date)
    frequencies.add(
        conn, frequencies.distinct(postings.fts_tokens(" ".join(t)) for _, t in written)
    )
    conn.execute("DELETE FROM failures WHERE path = ?", (doc.path,))
    return document_id


def delete_document(conn: sqlite3.Connection, path: str) -> bool:
    """Remove a document and its passages; False when the index did not hold it."""
    row = conn.execute("SELECT id FROM documents WHERE path = ?", (path,)).fetchone()
    if row is None:
        return False
    ids = [r[0] for r in conn.execute("SELECT id FROM passages WHERE document_id = ?", row)]
    postings.delete_passages(conn, ids)  # reads the terms FTS5 is about to forget
    gone = conn.execute(
        "SELECT terms FROM passages_fts WHERE rowid IN"
        " (SELECT id FROM passages WHERE document_id = ?)",
        row,
    )
    frequencies.remove(conn, frequencies.distinct(postings.fts_tokens(t) for (t,) in gone))
    conn.execute(
        "DELETE FROM passages_fts WHERE rowid IN (SELECT id FROM passages WHERE document_id = ?)",
        (row[0],),
    )
    conn.execute("DELETE FROM passages WHERE document_id = ?", (row[0],))
    conn.execute("DELETE FROM documents WHERE id = ?", (row[0],))
    return True


def touch_document(conn: sqlite3.Connection, path: str, size: int, mtime_ns: int) -> None:
    """Record a new size and time for a file whose content did not change."""
    conn.execute(
        "UPDATE documents SET size = ?, mtime_ns = ? WHERE path = ?", (size, mtime_ns, path)
    )


def record_failure(
    conn: sqlite3.Connection,
    path: str,
    reason: str,
    size: int | None = None,
    ctime_ns: int | None = None,
) -> None:
    """Remember why a file failed, and its size and change time so that an untouched one is
    not read again."""
    conn.execute(
        "INSERT OR REPLACE INTO failures (path, reason, at, size, ctime_ns) VALUES (?, ?, ?, ?, ?)",
        (path, reason, now(), size, ctime_ns),
    )


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
