"""What the index holds, for browsing rather than searching: how many briefings and from
which dates, the list of briefings, and the passages around a passage.

These are the cheap questions an application asks often (a greeting, a list, a "show me more of
this"), so unlike `Index.stats()` none of them scans the term index.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from .search import Hit, fetch


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
    where, params = ["p.ordinal = 0"], []
    if since is not None:
        where.append("d.date >= ?")
        params.append(since.isoformat())
    if until is not None:
        where.append("d.date <= ?")
        params.append(until.isoformat())
    ids = conn.execute(
        "SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id"
        f" WHERE {' AND '.join(where)}"
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


def surrounding(
    conn: sqlite3.Connection, passage_id: int, before: int = 1, after: int = 1
) -> list[Hit]:
    """The passage with `passage_id` and up to `before`/`after` passages around it in its
    briefing, in reading order; empty when the passage is gone (its briefing was reindexed)."""
    row = conn.execute(
        "SELECT document_id, ordinal FROM passages WHERE id = ?", (passage_id,)
    ).fetchone()
    if row is None:
        return []
    document_id, ordinal = row
    ids = conn.execute(
        "SELECT id FROM passages WHERE document_id = ? AND ordinal BETWEEN ? AND ?"
        " ORDER BY ordinal",
        (document_id, ordinal - before, ordinal + after),
    ).fetchall()
    return fetch(conn, [(pid, 0.0) for (pid,) in ids])
