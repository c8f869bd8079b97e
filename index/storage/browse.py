"""What the index holds, for browsing rather than searching: how many briefings and from
which dates, the list of briefings, and the passages around a passage.

These are the cheap questions an application asks often (a greeting, a list, a "show me more of
this"), so unlike `Index.stats()` none of them scans the term index.

A passage's row id is no name to keep: a rebuild numbers the rows afresh, and the same id then
belongs to another briefing's passage. What an application keeps to find a passage again (the
passage behind a button of a message sent days ago) is its `PassageKey`: the briefing's path,
the passage's place in it and a digest of its text, which find that passage or nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from dataclasses import dataclass

from .search import Hit, dated, fetch


@dataclass(frozen=True, slots=True)
class Overview:
    documents: int
    passages: int
    first_date: dt.date | None
    last_date: dt.date | None


@dataclass(frozen=True, slots=True)
class Briefing:
    path: str
    title: str
    date: dt.date | None
    passages: int


@dataclass(frozen=True, slots=True)
class PassageKey:
    """A passage named so that a rebuild does not rename it, and a change to its text does
    not go unnoticed."""

    document: str  # the briefing's path, relative to the corpus folder
    ordinal: int  # the passage's place in the briefing, from 0
    digest: str  # of the passage's text (`digest`)


def digest(text: str) -> str:
    """A short digest of a passage's text: 64 bits, plenty to tell two versions of one
    passage apart."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def key(hit: Hit) -> PassageKey:
    return PassageKey(hit.document, hit.ordinal, digest(hit.text))


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def overview(conn: sqlite3.Connection) -> Overview:
    documents, first, last = conn.execute(
        "SELECT count(*), min(date), max(date) FROM documents"
    ).fetchone()
    passages = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    return Overview(documents, passages, _date(first), _date(last))


def briefings(conn: sqlite3.Connection, limit: int, offset: int = 0) -> list[Briefing]:
    """Briefings newest first (undated ones last), then by title."""
    rows = conn.execute(
        "SELECT path, title, date, passages FROM documents"
        " ORDER BY date IS NULL, date DESC, title, path LIMIT ? OFFSET ?",
        (limit, offset),
    )
    return [Briefing(path, title, _date(date), n or 0) for path, title, date, n in rows]


def leads(
    conn: sqlite3.Connection,
    since: dt.date | None,
    until: dt.date | None,
    limit: int,
    offset: int = 0,
) -> list[Hit]:
    """The first passage of each briefing dated from `since` to `until` (either end open),
    newest first: what a question that asks for the briefings themselves gets ("what
    happened yesterday?", "what's new?")."""
    where, params = _dated(since, until)
    ids = conn.execute(
        "SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id"
        f" WHERE p.ordinal = 0 AND {where}"
        " ORDER BY d.date IS NULL, d.date DESC, d.title, d.path LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return fetch(conn, [(pid, 0.0) for (pid,) in ids])


def nearest_dates(conn: sqlite3.Connection, day: dt.date) -> list[dt.date]:
    """The dates nearest `day` that have briefings: the last before it and the first after
    it, where there are such. Someone asking about a day with none can be offered these."""
    iso = day.isoformat()
    before = conn.execute("SELECT max(date) FROM documents WHERE date < ?", (iso,)).fetchone()
    after = conn.execute("SELECT min(date) FROM documents WHERE date > ?", (iso,)).fetchone()
    return [d for d in (_date(before[0]), _date(after[0])) if d is not None]


def count_leads(conn: sqlite3.Connection, since: dt.date | None, until: dt.date | None) -> int:
    """How many briefings `leads` has to give for these dates: its pages' total."""
    where, params = _dated(since, until)
    return conn.execute(f"SELECT count(*) FROM documents d WHERE {where}", params).fetchone()[0]


def _dated(since: dt.date | None, until: dt.date | None) -> tuple[str, list[str]]:
    """The SQL condition on a briefing `d` dated from `since` to `until` (either end open)."""
    where, params = dated(since, until)
    return " AND ".join(["1", *where]), params


def around(
    conn: sqlite3.Connection, passage: PassageKey, before: int = 1, after: int = 1
) -> list[Hit] | None:
    """The passage and up to `before`/`after` passages around it in its briefing, in reading
    order; None when the briefing no longer has that passage (it changed, or is gone), so
    that a caller never shows another passage in its place."""
    row = conn.execute(
        "SELECT p.document_id, p.text FROM passages p JOIN documents d ON d.id = p.document_id"
        " WHERE d.path = ? AND p.ordinal = ?",
        (passage.document, passage.ordinal),
    ).fetchone()
    if row is None or digest(row[1]) != passage.digest:
        return None
    ids = conn.execute(
        "SELECT id FROM passages WHERE document_id = ? AND ordinal BETWEEN ? AND ?"
        " ORDER BY ordinal",
        (row[0], passage.ordinal - before, passage.ordinal + after),
    ).fetchall()
    return fetch(conn, [(pid, 0.0) for (pid,) in ids])


def has_briefing(conn: sqlite3.Connection, path: str) -> bool:
    """Whether the index still holds the briefing at `path` (relative to the corpus)."""
    return conn.execute("SELECT 1 FROM documents WHERE path = ?", (path,)).fetchone() is not None
