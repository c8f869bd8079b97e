"""A read question to ranked passages: weighted terms, phrases that must appear, and names
that count more when they appear whole.

A question of plain terms goes to `search.search` untouched. So does the first step of any
other question without quotes: its terms (exact and variant) are ranked the ordinary way, so
everything that makes that path fast serves it, and the best few dozen passages are then
scored again here with the same BM25 as FTS5's (k1 1.2, b 0.75, FTS5's idf and its floor)
from the analysed terms FTS5 stores, each term times its weight (a spelling variant counts
less than an exact match; FTS5's `bm25()` weighs columns, not terms), plus, for each name
the passage holds whole ("Rasht-Astara", "Shanghai Cooperation Organization"), that name
scored as one more term. Quoted phrases must appear, which only FTS5 knows: such a question is
one FTS5 query, each term quoted (user text never reaches FTS5 syntax raw), the phrases ANDed
in as phrase queries, and its best passages scored again the same way.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

from ..storage import search as _search
from ..storage.postings import IDF_FLOOR, K1, B
from ..storage.search import Filters, Hit, fetch
from ..storage.vocabulary import Vocabulary

#: Passages ranked the ordinary way and then scored again with weights and names.
RESCORE_DEPTH = 12
_MAX_PHRASE_CACHE = 10_000


@dataclass(frozen=True, slots=True)
class Weighted:
    """A term to search for. Terms that came from one question word share a `group`: the
    word counts once when judging how much of the question a passage answers."""

    term: str
    weight: float = 1.0
    group: int = 0
    #: Whether a passage lacking it holds less of the question: false for words that only
    #: add evidence (a date's month or year, the other spelling of an alias).
    judged: bool = True
    #: Whether the word it came from is rare in English (a name, a place, a figure): what a
    #: question usually hinges on (`english.rare`).
    rare: bool = False
    #: How common that word is in English at large (`english.zipf`): a common word the
    #: briefings lack ("still", "mention") matters less than a rare one ("Ukraine").
    zipf: float = 0.0
    #: Whether the re-ranker weighs it as a word of the question: not the words of a short
    #: name's long form ("european", "union" for "EU"), which find passages and count where
    #: one is judged, but would make a question of four words out of one for the re-ranker.
    ranked: bool = True


@dataclass(frozen=True, slots=True)
class Name:
    """A name of several terms that counts, with its weight, when a passage holds it whole."""

    words: tuple[str, ...]
    weight: float = 1.0


@dataclass(slots=True)
class Query:
    terms: list[Weighted]
    required: list[tuple[str, ...]] = field(default_factory=list)  # phrases that must appear
    names: list[Name] = field(default_factory=list)  # phrases that count when whole
    filters: Filters = field(default_factory=Filters)

    @property
    def plain(self) -> bool:
        """Nothing here that the ordinary search does not do already."""
        return not self.required and not self.names and all(t.weight == 1.0 for t in self.terms)

    def term_list(self) -> list[str]:
        return list(dict.fromkeys(t.term for t in self.terms))

    def ranked_terms(self) -> list[Weighted]:
        """The terms the re-ranker weighs as the question's words (`Weighted.ranked`), each
        with its question word (`group`): a word counts once, through its best term."""
        return [t for t in self.terms if t.ranked]


def phrase_expression(words: tuple[str, ...]) -> str:
    """An FTS5 phrase of analysed terms, each quoted: `"rasht" + "astara"`."""
    return " + ".join(_search.quoted(w) for w in words)


def expression(query: Query) -> str:
    """The FTS5 query for `query`: required phrases ANDed, everything else ORed."""
    optional = [_search.quoted(t) for t in query.term_list()]
    phrases = [n.words for n in query.names] + query.required
    optional += [f"({phrase_expression(p)})" for p in phrases if len(p) > 1]
    required = [f"({phrase_expression(p)})" for p in query.required]
    if not optional:
        return " AND ".join(required)
    if not required:
        return " OR ".join(optional)
    return " AND ".join(required) + " AND (" + " OR ".join(optional) + ")"


def search(
    conn: sqlite3.Connection, query: Query, k: int, offset: int, vocab: Vocabulary
) -> list[Hit]:
    """The best `k` passages for `query` after `offset`, best first."""
    if k <= 0 or not (query.terms or query.required):
        return []
    if query.plain:
        return _search.search(conn, query.term_list(), k, query.filters, offset)
    depth = max(RESCORE_DEPTH, 2 * (k + offset))
    if query.required:
        ranked = _search.rank_match(conn, expression(query), depth, query.filters)
    else:
        ranked = _search.rank(conn, query.term_list(), depth, query.filters)
    if not ranked:
        return []
    texts = terms_of(conn, [rowid for rowid, _ in ranked])
    ranked_texts = {rowid: texts.get(rowid, []) for rowid, _ in ranked}
    return _best(conn, ranked_texts, query, vocab, k, offset)


def in_briefings(
    conn: sqlite3.Connection,
    query: Query,
    paths: list[str],
    needed: frozenset[str],
    k: int,
    vocab: Vocabulary,
    skip: Collection[int] = (),
) -> list[Hit]:
    """The best `k` passages of the briefings `paths` that hold one of the terms `needed`,
    scored as `search` scores them, those in `skip` left out: a briefing's passage that names
    a speaker but not the subject its title and lead give it ("Ongpin told reporters … the
    SMC board", in a briefing titled "San Miguel board appointment") ranks low among every
    passage naming them, and is found here through its briefing."""
    if not paths or not needed or k <= 0:
        return []
    marks = ",".join("?" * len(paths))
    rowids = [
        rowid
        for (rowid,) in conn.execute(
            "SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id"
            f" WHERE d.path IN ({marks})",
            paths,
        )
        if rowid not in skip
    ]
    texts = terms_of(conn, rowids)
    holding = {rowid: terms for rowid, terms in texts.items() if not needed.isdisjoint(terms)}
    return _best(conn, holding, query, vocab, k)


def _best(
    conn: sqlite3.Connection,
    texts: dict[int, list[str]],
    query: Query,
    vocab: Vocabulary,
    k: int,
    offset: int = 0,
) -> list[Hit]:
    """The passages behind `texts` (row id → terms), scored with `score`, the `k` after
    `offset` fetched, best first (ties by row id)."""
    scores = {rowid: score(terms, query, vocab, conn) for rowid, terms in texts.items()}
    order = sorted(scores, key=lambda rowid: (-scores[rowid], rowid))[offset : offset + k]
    return fetch(conn, [(rowid, scores[rowid]) for rowid in order])


def terms_of(conn: sqlite3.Connection, rowids: list[int]) -> dict[int, list[str]]:
    """The analysed terms FTS5 holds for each passage, in order."""
    if not rowids:
        return {}
    marks = ",".join("?" * len(rowids))
    return {
        rowid: text.split()
        for rowid, text in conn.execute(
            f"SELECT rowid, terms FROM passages_fts WHERE rowid IN ({marks})", rowids
        )
    }


def idf(n: int, rows: int) -> float:
    """FTS5's idf, floored as FTS5 floors it for terms in more than half the passages."""
    value = math.log((rows - n + 0.5) / (n + 0.5)) if rows else 0.0
    return value if value > 0 else IDF_FLOOR


def phrase_df(conn: sqlite3.Connection, words: tuple[str, ...], vocab: Vocabulary) -> int:
    """How many passages hold a phrase, as FTS5 counts it for the phrase's idf."""
    if len(words) == 1:
        return vocab.df.get(words[0], 0)
    cached = vocab._phrases.get(words)
    if cached is None:
        cached = conn.execute(
            "SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?",
            [phrase_expression(words)],
        ).fetchone()[0]
        if len(vocab._phrases) >= _MAX_PHRASE_CACHE:
            vocab._phrases.clear()
        vocab._phrases[words] = cached
    return cached


def score(tokens: list[str], query: Query, vocab: Vocabulary, conn: sqlite3.Connection) -> float:
    """BM25 as FTS5 computes it, each term times its weight, plus each phrase the passage
    holds: a quoted phrase with its own idf (counted by FTS5, as FTS5 counts it), a name with
    the idf of its rarest word, a bound that needs no count (the name is in no more passages
    than that word), times the name's weight."""
    if not tokens:
        return 0.0
    avgdl = vocab.avgdl or len(tokens)
    norm = K1 * (1 - B + B * len(tokens) / avgdl)
    wanted = {t.term: t for t in _distinct(query.terms)}
    counts = Counter(t for t in tokens if t in wanted)
    total = 0.0
    for term, tf in counts.items():
        t = wanted[term]
        total += t.weight * idf(vocab.df.get(term, 0), vocab.rows) * tf * (K1 + 1) / (tf + norm)
    for name in query.names:
        tf = phrase_count(tokens, name.words) if len(name.words) > 1 else 0
        if tf:
            n = min(vocab.df.get(w, 0) for w in name.words)
            total += name.weight * idf(n, vocab.rows) * tf * (K1 + 1) / (tf + norm)
    for words in query.required:
        tf = phrase_count(tokens, words) if len(words) > 1 else 0
        if tf:
            n = phrase_df(conn, words, vocab)
            total += idf(n, vocab.rows) * tf * (K1 + 1) / (tf + norm)
    return total


def _distinct(terms: list[Weighted]) -> list[Weighted]:
    best: dict[str, Weighted] = {}
    for t in terms:
        if t.term not in best or t.weight > best[t.term].weight:
            best[t.term] = t
    return list(best.values())


def phrase_count(tokens: list[str], words: tuple[str, ...]) -> int:
    n = len(words)
    return sum(
        1
        for i in range(len(tokens) - n + 1)
        if tokens[i] == words[0] and tuple(tokens[i : i + n]) == words
    )


def coverage(tokens: list[str], query: Query, vocab: Vocabulary) -> float:
    """How much of the question a passage answers, from 0 to 1: the share of the question
    words' information that the passage holds, each word weighing its idf squared (times its
    term weight), so that missing the one rare word a question hinges on ("koala", "Bolivia")
    costs more than missing a common one. A question word counts once, through the best of
    its spellings. Squared idf told answerable from unanswerable questions apart better than
    idf alone or BM25's own score (`bench/variants.py`)."""
    present = set(tokens)
    asked: dict[int, float] = {}
    held: dict[int, float] = {}
    for t in query.terms:
        if not t.judged:
            continue
        w = t.weight * idf(vocab.df.get(t.term, 0), vocab.rows) ** 2
        asked[t.group] = max(asked.get(t.group, 0.0), w)
        if t.term in present:
            held[t.group] = max(held.get(t.group, 0.0), w)
    total = sum(asked.values())
    return sum(held.values()) / total if total > 0 else 0.0
