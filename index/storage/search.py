"""Questions to ranked passages, through FTS5's BM25.

The question is analysed into plain terms and each term is quoted, so nothing a user types
reaches FTS5 query syntax or SQL. FTS5 ranks with k1 = 1.2 and b = 0.75.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass

from .. import analysis
from . import postings

#: Longest question the analyser looks at; the rest is ignored, not an error.
MAX_QUESTION_CHARS = 2_000
#: Most distinct terms one question may bring to the index.
MAX_TERMS = 32


@dataclass(frozen=True, slots=True)
class Filters:
    """Which briefings a question may be answered from. Dates are inclusive."""

    since: dt.date | None = None
    until: dt.date | None = None

    def within(self, since: dt.date | None, until: dt.date | None) -> Filters:
        """These filters narrowed to `since`..`until` as well (either may be None)."""
        return Filters(
            max((d for d in (self.since, since) if d), default=None),
            min((d for d in (self.until, until) if d), default=None),
        )


@dataclass(slots=True)
class Hit:
    passage_id: int
    score: float
    document: str  # path relative to the corpus folder
    title: str
    date: dt.date | None
    heading: str | None
    ordinal: int
    text: str
    start: int
    end: int
    sentences: list[tuple[int, int]]
    page: int | None = None  # the page the passage is on, when its file has pages (PDF)
    source: str | None = None  # where the briefing comes from (front matter `source`)


def question_terms(question: str) -> list[str]:
    """The distinct terms of a question, in the order asked."""
    terms = analysis.analyse(question[:MAX_QUESTION_CHARS])
    return list(dict.fromkeys(terms))[:MAX_TERMS]


def quoted(term: str) -> str:
    """A term as an FTS5 string, so that nothing in it is read as query syntax: every FTS5
    query this package builds quotes its terms here."""
    return '"' + term.replace('"', '""') + '"'


def match_expression(terms: list[str]) -> str:
    """An FTS5 query that ORs the terms, each a quoted string, so none is an operator."""
    return " OR ".join(quoted(t) for t in terms)


def dated(since: dt.date | None, until: dt.date | None) -> tuple[list[str], list[str]]:
    """The SQL conditions on a briefing `d` dated from `since` to `until` (either end open),
    with their parameters: what every query within dates adds."""
    where, params = [], []
    if since is not None:
        where.append("d.date >= ?")
        params.append(since.isoformat())
    if until is not None:
        where.append("d.date <= ?")
        params.append(until.isoformat())
    return where, params


def search(
    conn: sqlite3.Connection,
    question: str | list[str],
    k: int = 10,
    filters: Filters | None = None,
    offset: int = 0,
) -> list[Hit]:
    """The best `k` passages for a question (or its terms), best first, with BM25 scores."""
    terms = question_terms(question) if isinstance(question, str) else question
    if not terms or k <= 0:
        return []
    ranked = _rank(conn, terms, k + offset, filters or Filters())[offset:]
    return fetch(conn, ranked)


def rank(
    conn: sqlite3.Connection, terms: list[str], k: int, filters: Filters | None = None
) -> list[tuple[int, float]]:
    """The best `k` passage ids for `terms` with their BM25 scores, the passages not read:
    for a caller that scores them again before fetching the few it shows (`query`)."""
    return _rank(conn, terms, k, filters or Filters()) if terms and k > 0 else []


def _rank(
    conn: sqlite3.Connection, terms: list[str], k: int, filters: Filters
) -> list[tuple[int, float]]:
    ranked = postings.rank(conn, terms, k, filters.since, filters.until)
    return rank_fts5(conn, terms, k, filters) if ranked is None else ranked


def rank_fts5(
    conn: sqlite3.Connection, terms: list[str], k: int, filters: Filters
) -> list[tuple[int, float]]:
    """The plain plan: FTS5 reads every posting of every term. The reference the postings
    plan is checked against, and the fallback where it cannot answer."""
    return rank_match(conn, match_expression(terms), k, filters)


def rank_match(
    conn: sqlite3.Connection, match: str, k: int, filters: Filters
) -> list[tuple[int, float]]:
    """The best `k` passages for an FTS5 match expression built by this package (never user
    text), ranked by FTS5's bm25(), within the date filters."""
    within, dates = dated(filters.since, filters.until)
    where, params = ["passages_fts MATCH ?", *within], [match, *dates]
    join = ""
    if within:
        join = "JOIN passages p ON p.id = f.rowid JOIN documents d ON d.id = p.document_id"
    sql = (
        f"SELECT f.rowid, bm25(passages_fts) AS s FROM passages_fts f {join} "
        f"WHERE {' AND '.join(where)} ORDER BY s, f.rowid LIMIT ?"
    )
    return [(rowid, -score) for rowid, score in conn.execute(sql, [*params, k])]


def first_mentions(conn: sqlite3.Connection, term: str, k: int) -> list[Hit]:
    """For the `k` briefings indexed last that hold `term`, the passage of each that holds it
    first: where news introduces a person or spells a name out ("Federal Reserve Board
    Chairman Paul Volcker said …"), before it uses the bare name. The passages are read newest
    row first and the reading stops at the `k + 1`th briefing, so a common word costs no more
    than a rare one (a briefing's passages are rows in a row). The term is quoted for FTS5."""
    rows = conn.execute(
        "SELECT f.rowid, p.document_id, p.ordinal FROM passages_fts f"
        " JOIN passages p ON p.id = f.rowid WHERE passages_fts MATCH ? ORDER BY f.rowid DESC",
        [quoted(term)],
    )
    first: dict[int, tuple[int, int]] = {}  # briefing → (ordinal, passage) of its first mention
    for rowid, document, ordinal in rows:
        if document not in first and len(first) == k:
            break
        if document not in first or ordinal < first[document][0]:
            first[document] = (ordinal, rowid)
    return fetch(conn, [(rowid, 0.0) for _, rowid in first.values()])


def fetch(conn: sqlite3.Connection, ranked: list[tuple[int, float]]) -> list[Hit]:
    """The passages behind ranked ids, in the same order."""
    if not ranked:
        return []
    ids = [rowid for rowid, _ in ranked]
    rows = {
        row[0]: row
        for row in conn.execute(
            "SELECT p.id, d.path, d.title, d.date, p.heading, p.ordinal, p.text, p.start, p.end,"
            " p.sentences, p.page, d.source FROM passages p JOIN documents d"
            " ON d.id = p.document_id"
            f" WHERE p.id IN ({','.join('?' * len(ids))})",
            ids,
        )
    }
    hits = []
    for rowid, score in ranked:
        row = rows.get(rowid)
        if row is None:  # removed between ranking and fetching by a concurrent reindex
            continue
        _, path, title, date, heading, ordinal, text, start, end, sentences, page, source = row
        hits.append(
            Hit(
                rowid,
                score,
                path,
                title,
                dt.date.fromisoformat(date) if date else None,
                heading,
                ordinal,
                text,
                start,
                end,
                [tuple(s) for s in json.loads(sentences)],
                page,
                source,
            )
        )
    return hits
