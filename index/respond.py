"""A read question to what the reply holds: quoted passages, or why there are none.

Three ways to have nothing to quote, each said differently: the question's dates fall where
the briefings have none; no passage holds any of its words; or the best passage holds too
little of the question to be an answer. The last is judged by `query.coverage` (the share of
the question's information, idf squared, that the best passage holds) against `MIN_COVERAGE`,
a threshold read off the false-answer/answered curve in `bench/variants.py`, not a fixed
BM25 score, since raw scores do not compare across questions. Instead of quoting noise, the
reply then names the briefings that came nearest.
"""

from __future__ import annotations

import bisect
import datetime as dt
import sqlite3
from dataclasses import dataclass, field

from . import browse, rerank, vocabulary
from . import query as _query
from .quote import Quote, choose
from .search import Filters, Hit
from .speaker import choose_spoken
from .understand import Reading

#: Below this share of the question's weight in its best passage, nothing is quoted. From
#: `bench/variants.py` (see docs/benchmarks.md, "Understanding questions").
MIN_COVERAGE = 0.425
#: How many nearest briefings a reply names when nothing answers.
NEAREST = 3
#: What a question for the briefings gets from an index that holds none.
NO_BRIEFINGS = "There are no briefings yet."
#: Passages read for "the latest on …", to be put in date order.
NEWEST_DEPTH = 50


@dataclass(frozen=True, slots=True)
class Nearest:
    """A briefing that came near a question nothing answered."""

    title: str
    date: object  # datetime.date | None
    document: str


@dataclass(slots=True)
class Outcome:
    hits: list[Hit] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    confidence: float | None = None
    nearest: list[Nearest] = field(default_factory=list)
    note: str | None = None
    more: bool = False  # whether passages follow these, for a "More results" button


def respond(
    conn: sqlite3.Connection,
    reading: Reading,
    k: int,
    filters: Filters | None = None,
    offset: int = 0,
) -> Outcome:
    """The passages to quote for `reading` (the `k` after `offset`), with their quotes."""
    if reading.out_of_range:
        return Outcome(note=reading.date_note())
    vocab = vocabulary.get(conn)
    q = reading.query(filters)
    if not (q.terms or q.required) and (reading.browse or reading.dates is not None):
        return _briefings(conn, reading, q, k, offset, vocab)
    # The best few dozen are reordered by how they answer (`rerank`), or by date for "the
    # latest", then the page is cut, so that every page of one question comes from one order.
    ordered = _newest(conn, q, vocab) if reading.recent else []
    if not ordered:
        ranked = _query.search(conn, q, max(rerank.DEPTH, k + offset + 1), 0, vocab)
        ordered = rerank.rerank(reading.question, q.term_list(), ranked, vocab)
    hits = ordered[offset : offset + k]
    out = Outcome(hits, more=len(ordered) > offset + k)
    if not hits:
        if reading.dates is not None and (q.terms or q.required):
            out.note = _dated_nothing(reading, vocab.dates)
        return out
    if offset == 0:
        reading.anchor = hits[0].date
        tokens = _query.terms_of(conn, [hits[0].passage_id]).get(hits[0].passage_id, [])
        out.confidence = _query.coverage(tokens, q, vocab)
        if out.confidence < MIN_COVERAGE:
            out.nearest = nearest(hits)
            out.hits, out.more = [], False
            return out
    terms = q.term_list()
    for h in hits:
        if reading.speaker is not None and reading.speaker_names:
            quote = choose_spoken(
                h.text, h.sentences, terms, reading.speaker_names, reading.topic_terms
            )
        else:
            quote = choose(h.text, h.sentences, terms)
        out.quotes.append(quote)
    return out


def _newest(conn: sqlite3.Connection, q: _query.Query, vocab) -> list[Hit]:
    """For "what's the latest on Gaza?": the passages among BM25's best `NEWEST_DEPTH` that
    hold enough of the question to be quoted (`MIN_COVERAGE`), newest first, in BM25's order
    within a day. Empty when they are all of one day (or undated), or none answers: the
    question is then answered as any other."""
    ranked = _query.search(conn, q, NEWEST_DEPTH, 0, vocab)
    texts = _query.terms_of(conn, [h.passage_id for h in ranked])
    answering = [
        h for h in ranked if _query.coverage(texts.get(h.passage_id, []), q, vocab) >= MIN_COVERAGE
    ]
    if len({h.date for h in answering}) < 2:  # one day, or undated: nothing to order by
        return []
    return sorted(answering, key=lambda h: h.date or dt.date.min, reverse=True)


def _briefings(
    conn: sqlite3.Connection, reading: Reading, q: _query.Query, k: int, offset: int, vocab
) -> Outcome:
    """A question that asks for the briefings themselves, of its dates or of any: each
    one's opening, newest first."""
    hits = browse.leads(conn, q.filters.since, q.filters.until, k + 1, offset)
    out = Outcome(hits[:k], more=len(hits) > k)
    if not out.hits:
        if reading.dates is not None and offset == 0:
            out.note = _dated_nothing(reading, vocab.dates)
        elif offset == 0:
            out.note = NO_BRIEFINGS
        return out
    if offset == 0:
        reading.anchor = out.hits[0].date
    out.quotes = [choose(h.text, h.sentences, []) for h in out.hits]
    return out


def _dated_nothing(reading: Reading, dates: list) -> str:
    """Why a question with dates found nothing: no briefing on those dates (then the nearest
    dates that have one), or none of those briefings holds its words."""
    rng = reading.dates
    lo = bisect.bisect_left(dates, rng.since) if rng.since else 0
    hi = bisect.bisect_right(dates, rng.until) if rng.until else len(dates)
    if lo < hi:
        return f"Nothing in the briefings {rng.describe()} answers that."
    near = [d for d in (dates[lo - 1] if lo > 0 else None, dates[hi] if hi < len(dates) else None)]
    near = [f"{d.day} {d:%B} {d.year}" for d in near if d is not None]
    also = f"; the nearest are dated {' and '.join(near)}" if near else ""
    return f"There is no briefing {rng.describe()}{also}."


def nearest(hits: list[Hit]) -> list[Nearest]:
    """The briefings of the best (weak) passages, each once, best first."""
    seen: dict[str, Nearest] = {}
    for h in hits:
        if h.document not in seen:
            seen[h.document] = Nearest(h.title, h.date, h.document)
    return list(seen.values())[:NEAREST]
