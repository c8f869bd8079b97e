"""Following subjects: which passages new to the index answer which of many subjects.

A subject is followed like a standing question. When a reindex adds or changes briefings,
each of their passages goes to the subjects it answers, judged exactly as a question is
(`respond.rank_and_judge`, `judge`): a new passage answers a subject when, asked as a question
now, it would be quoted, among the index's best passages for it and the other new ones. The
judgement is what decides "nothing answers" for a question, so a subject is sent what a
question on it would quote, and nothing that merely shares a word with it.

Thousands of subjects are matched in one pass rather than asked one by one. Each subject is
read once (`understand.reading_of`) into weighted terms; an inverted map from term to subjects
then gives, for each new passage, only the subjects that share a term with it, each scored
with BM25 and with the judgement's own coverage (the share of the subject's information the
passage and its title hold, each word weighing its idf squared). A passage that holds too
little of a subject to be judged an answer (`MIN_COVERAGE`) is dropped there, and so is a
subject left with none; the few left are searched over the whole index and judged. See
docs/benchmarks.md, "Following subjects", for what that costs at 10,000 subjects and 1,000
new passages.

Which passages are new is the application's to remember, since the index is derived and a
rebuild renumbers its rows: `key` names a passage by its briefing's path and its words, the
same across reindexing and rebuilds, and `new_passages` compares a reindex's briefings with
the keys an application recorded for them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from . import analysis
from .questions import query as _query
from .questions import rerank, respond, understand
from .questions.aliases import Aliases
from .questions.answer import QuotedHit
from .questions.judge import Judged, missing_words, probability
from .storage import postings, vocabulary
from .storage.search import Filters, Hit, fetch
from .storage.vocabulary import Vocabulary

#: New passages judged for one subject at most: its best by BM25, as many as a question's
#: re-ranker orders (`rerank.DEPTH`).
CANDIDATES = rerank.DEPTH
#: A passage holding less of a subject of n words than MIN_COVERAGE / n of its information
#: (the judgement's coverage) is not judged for it: it shares only common words with it. On
#: briefings-dev, its 150 questions and 20 subjects asked of each day's briefings, the least
#: a passage judged to answer held was 0.41 of two words, 0.29 of three, 0.24 of four, 0.18
#: of five and 0.12 of seven or eight: about 0.85 / n, of which this keeps 70%.
MIN_COVERAGE = 0.6
#: BM25's parameters, as FTS5's.
K1, B = postings.K1, postings.B


def key(document: str, text: str) -> int:
    """A passage's name across reindexing and rebuilds: its briefing's path and its words
    (spacing aside), hashed to 63 bits so that SQLite stores it as an integer. A briefing
    edited elsewhere keeps the keys of the passages it did not change."""
    words = " ".join(text.split())
    digest = hashlib.blake2b(f"{document}\0{words}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


@dataclass(frozen=True, slots=True)
class Version:
    """A briefing as the index holds it: its path and content hash, when it was indexed, and
    its passages (id and `key`) in reading order."""

    path: str
    sha256: str
    indexed_at: str
    passages: tuple[tuple[int, int], ...]

    @property
    def keys(self) -> frozenset[int]:
        return frozenset(k for _, k in self.passages)


def versions_since(conn: sqlite3.Connection, since: str | None) -> list[Version]:
    """The briefings indexed at or after the watermark `since` (an `indexed_at`; every
    briefing when None), oldest first. A rebuild keeps the time of each briefing it did not
    change (`reindex`), so a rebuild adds none."""
    where, args = ("WHERE d.indexed_at >= ?", (since,)) if since is not None else ("", ())
    rows = conn.execute(
        "SELECT d.path, d.sha256, d.indexed_at, p.id, p.text FROM documents d"
        f" JOIN passages p ON p.document_id = d.id {where}"
        " ORDER BY d.indexed_at, d.path, p.ordinal",
        args,
    )
    out: dict[str, tuple[str, str, list[tuple[int, int]]]] = {}
    for path, sha, indexed_at, passage_id, text in rows:
        entry = out.setdefault(path, (sha, indexed_at, []))
        entry[2].append((passage_id, key(path, text)))
    return [Version(p, sha, at, tuple(ps)) for p, (sha, at, ps) in out.items()]


Known = Callable[[str], "tuple[str, frozenset[int]] | None"]


def new_passages(versions: Iterable[Version], known: Known) -> list[int]:
    """The ids of the passages that are new in `versions`, given what was known of each
    briefing (`known(path)`: its content hash and passage keys when last seen, or None for a
    briefing never seen): all of a new briefing's, none of an unchanged one's, and of a
    changed one, those whose words it did not hold before."""
    out: list[int] = []
    for v in versions:
        before = known(v.path)
        if before is None:
            out.extend(pid for pid, _ in v.passages)
        elif before[0] != v.sha256:
            out.extend(pid for pid, k in v.passages if k not in before[1])
    return out


@dataclass(slots=True)
class _Subject:
    text: str
    reading: understand.Reading
    query: _query.Query
    #: Whether a word of it was in no briefing when it was read: read again when the index
    #: changes, since the briefings may now spell it (a misspelling finds its word then).
    unknown: bool
    #: The least coverage a passage must have to be judged for it (`MIN_COVERAGE`).
    least: float = 0.0


@dataclass(slots=True)
class Match:
    """A subject's new passages that answer it, best first, each with what to quote."""

    subject: str
    hits: list[QuotedHit] = field(default_factory=list)
    judged: list[Judged] = field(default_factory=list)


class Subjects:
    """Many subjects, each read once, matched together against new passages.

    `update` brings the set in line with the subjects followed (reading only those not read
    before); `match` gives each subject the new passages that answer it."""

    def __init__(self, aliases: Aliases | None = None) -> None:
        self.aliases = aliases
        self._subjects: dict[str, _Subject] = {}
        self._by_term: dict[str, list[tuple[str, float]]] = {}
        self._vocab_seen: Vocabulary | None = None

    def __len__(self) -> int:
        return len(self._subjects)

    def __contains__(self, text: object) -> bool:
        return text in self._subjects

    def update(
        self, texts: Iterable[str], vocab: Vocabulary, conn: sqlite3.Connection | None = None
    ) -> None:
        """Follow exactly `texts`: read the new ones, drop the others, and read again those
        with a word no briefing held when the vocabulary has changed since."""
        wanted = dict.fromkeys(texts)
        changed = vocab is not self._vocab_seen
        self._vocab_seen = vocab
        dirty = False
        for text in list(self._subjects):
            if text not in wanted:
                del self._subjects[text]
                dirty = True
        for text in wanted:
            current = self._subjects.get(text)
            if current is None or (changed and current.unknown):
                self._subjects[text] = self._subject(text, vocab, conn)
                dirty = True
        if dirty:
            self._index()

    def _subject(self, text: str, vocab: Vocabulary, conn: sqlite3.Connection | None) -> _Subject:
        reading = understand.reading_of(text, vocab, conn=conn, aliases=self.aliases)
        # A subject is followed from now on: its dates, if it names any, say nothing of
        # which new briefings answer it.
        reading = replace(reading, dates=None, by_date=False, recent=False, browse=False)
        q = reading.query()
        unknown = any(t.judged and not vocab.df.get(t.term) for t in q.terms)
        words = len({t.group for t in q.terms if t.judged}) or 1
        return _Subject(text, reading, q, unknown, MIN_COVERAGE / words)

    def _index(self) -> None:
        by_term: dict[str, list[tuple[str, float]]] = {}
        for s in self._subjects.values():
            for t in _distinct(s.query.terms):
                by_term.setdefault(t.term, []).append((s.text, t.weight))
        self._by_term = by_term

    def read(self, text: str) -> tuple[understand.Reading, _query.Query] | None:
        """How a followed subject was read, and what is searched for it."""
        s = self._subjects.get(text)
        return (s.reading, s.query) if s else None

    def match(
        self, conn: sqlite3.Connection, hits: Sequence[Hit], vocab: Vocabulary
    ) -> list[Match]:
        """Each subject that some of `hits` (passages already in the index) answer, with
        those passages, best first."""
        if not hits or not self._subjects:
            return []
        candidates = self.candidates(conn, hits, vocab)
        out = []
        for text, scored in candidates.items():
            s = self._subjects[text]
            pool = [hits[i] for i, _ in scored[:CANDIDATES]]
            answering = judge_new(conn, s.reading, s.query, pool, vocab)
            if answering:
                out.append(_matched(text, s.reading, s.query, answering))
        return out

    def candidates(
        self, conn: sqlite3.Connection, hits: Sequence[Hit], vocab: Vocabulary
    ) -> dict[str, list[tuple[int, float]]]:
        """For each subject worth judging, its candidates among `hits` (index, BM25 score),
        best first: the passages that hold enough of it to be judged an answer
        (`MIN_COVERAGE`). One pass over the passages' terms, looking up only the subjects
        that share each term."""
        terms = _query.terms_of(conn, [h.passage_id for h in hits])
        avgdl = vocab.avgdl or 1.0
        idf = {t: _query.idf(vocab.df.get(t, 0), vocab.rows) for t in self._by_term}
        scores: dict[str, dict[int, float]] = {}
        for i, hit in enumerate(hits):
            tokens = terms.get(hit.passage_id, [])
            counts = Counter(tokens)
            norm = K1 * (1 - B + B * len(tokens) / avgdl)
            for term in counts.keys() & self._by_term.keys():
                n = counts[term]
                part = idf[term] * n * (K1 + 1) / (n + norm)
                for text, weight in self._by_term[term]:
                    per = scores.setdefault(text, {})
                    per[i] = per.get(i, 0.0) + weight * part
            titled = rerank.title_terms(hit.title) if hit.title else frozenset()
            for term in titled & self._by_term.keys():
                for text, _ in self._by_term[term]:
                    scores.setdefault(text, {}).setdefault(i, 0.0)
        out: dict[str, list[tuple[int, float]]] = {}
        held_by: dict[int, frozenset[str]] = {}

        def held_of(i: int) -> frozenset[str]:
            if i not in held_by:
                held_by[i] = _held(terms.get(hits[i].passage_id, []), hits[i].title)
            return held_by[i]

        for text, per in scores.items():
            s = self._subjects[text]
            # A word of the subject that no briefing holds yet: it is followed to hear of
            # that, so nothing that lacks it is news of it (a question's reply would say
            # "No briefing mentions …"; a message sent unasked cannot).
            if missing_words(s.query, vocab):
                continue
            weights = _weights(s.query, vocab)
            kept = [
                (i, score)
                for i, score in per.items()
                if _coverage(weights, held_of(i)) >= s.least
                and all(
                    _query.phrase_count(terms.get(hits[i].passage_id, []), p)
                    for p in s.query.required
                )
            ]
            if kept:
                out[text] = sorted(kept, key=lambda item: (-item[1], item[0]))
        return out


def _held(tokens: list[str], title: str | None) -> frozenset[str]:
    """The terms a passage holds, with its briefing's title's (which belong to all of its
    passages), as the judgement counts them."""
    title_terms = rerank.title_terms(title) if title else frozenset()
    return frozenset(tokens) | title_terms


def _weights(q: _query.Query, vocab: Vocabulary) -> list[list[tuple[str, float]]]:
    """Each word of the subject (a group of spellings) with each spelling's weight in the
    judgement's coverage (`judge`): its idf squared times its own weight, for the spellings
    the briefings hold."""
    groups: dict[int, list[tuple[str, float]]] = {}
    for t in q.terms:
        if t.judged and vocab.df.get(t.term):
            w = t.weight * _query.idf(vocab.df[t.term], vocab.rows) ** 2
            groups.setdefault(t.group, []).append((t.term, w))
    return list(groups.values())


def _coverage(weights: list[list[tuple[str, float]]], held: frozenset[str]) -> float:
    """The judgement's coverage: the share of the subject's information a passage holds,
    each word once through the best of its spellings."""
    total = sum(max(w for _, w in group) for group in weights)
    got = sum(max((w for term, w in group if term in held), default=0.0) for group in weights)
    return got / total if total > 0 else 0.0


def unknown_words(text: str, q: _query.Query, vocab: Vocabulary) -> list[str]:
    """The words of `text` (a subject or a question, read into `q`) that no briefing holds,
    as typed ("Ukraine", not "ukrain"): what a reply names ("No briefing mentions …")."""
    missing = set(missing_words(q, vocab))
    typed = [t for t in analysis.tokens(text, runs=False) if t.term in missing]
    return list(dict.fromkeys(text[t.start : t.end] for t in typed))


def _distinct(terms: list[_query.Weighted]) -> list[_query.Weighted]:
    best: dict[str, _query.Weighted] = {}
    for t in terms:
        if t.term not in best or t.weight > best[t.term].weight:
            best[t.term] = t
    return list(best.values())


def judge_new(
    conn: sqlite3.Connection,
    reading: understand.Reading,
    q: _query.Query,
    new: Sequence[Hit],
    vocab: Vocabulary,
    best: Sequence[Hit] | None = None,
) -> list[Judged]:
    """Which of the passages `new` answer `reading`, best first: judged as a question's
    passages are (`respond.rank_and_judge`, `judge`), among the index's best passages for it
    (`best`, searched here when not given), so that a passage answers only where it would also
    be quoted for the question asked now, not merely for being the best of a few new ones.
    The judgement's margin (how far a passage leads the others) is taken over the passages
    of other briefings only."""
    if not new:
        return []
    if best is None:
        best = _query.search(conn, q, rerank.DEPTH, 0, vocab)
    ids = {h.passage_id for h in new}
    pool = list(new) + [h for h in best if h.passage_id not in ids]
    judged = respond.rank_and_judge(conn, reading, q, pool, vocab)
    out = []
    for j in judged:
        if j.hit.passage_id not in ids:
            continue
        # Its lead over the best passage of any other briefing: a briefing that is all about
        # the subject has several passages that answer, and they are not each other's rivals.
        rivals = [o.features["score"] for o in judged if o.hit.document != j.hit.document]
        f = {**j.features, "margin": j.features["score"] - max(rivals, default=0.0)}
        j = replace(j, features=f, probability=probability(f))
        if j.answers:
            out.append(j)
    return out


def match_new(
    conn: sqlite3.Connection,
    subjects: Subjects,
    passage_ids: Sequence[int],
    vocab: Vocabulary | None = None,
) -> list[Match]:
    """`Subjects.match` for passages given by id (those `new_passages` found)."""
    if not passage_ids:
        return []
    vocab = vocab or vocabulary.get(conn)
    hits = fetch(conn, [(pid, 0.0) for pid in passage_ids])
    return subjects.match(conn, hits, vocab)


def would_send(
    conn: sqlite3.Connection,
    text: str,
    aliases: Aliases | None = None,
    filters: Filters | None = None,
) -> list[Match]:
    """What following `text` would have sent over the briefings in the index, had each day's
    briefings come in one reindex: for each day, the passages of that day's briefings (those
    BM25 ranks among its best `DAY_DEPTH`) that `Subjects.match` finds answer it, as the bot
    matches them. For trying a subject out before following it (`briefbot follow
    SUBJECT`)."""
    vocab = vocabulary.get(conn)
    subjects = Subjects(aliases)
    subjects.update([text], vocab, conn)
    _, q = subjects.read(text)
    found = _query.search(conn, replace(q, filters=filters or Filters()), DAY_DEPTH, 0, vocab)
    return [m for pool in by_day(found).values() for m in subjects.match(conn, pool, vocab)]


def _matched(
    text: str, reading: understand.Reading, q: _query.Query, answering: list[Judged]
) -> Match:
    """A subject's passages as a message shows them: briefings in the order of their best
    passage, each briefing's passages in reading order (news is read as it was written)."""
    first: dict[str, int] = {}
    for i, j in enumerate(answering):
        first.setdefault(j.hit.document, i)
    answering = sorted(answering, key=lambda j: (first[j.hit.document], j.hit.ordinal))
    hits = [
        QuotedHit(j.hit, respond.quote(reading, q, j.hit), i + 1) for i, j in enumerate(answering)
    ]
    return Match(text, hits, answering)


#: Passages searched for a subject over the whole index, to be taken day by day.
DAY_DEPTH = 500


def by_day(hits: Iterable[Hit]) -> dict[dt.date, list[Hit]]:
    """Hits grouped by their briefing's date, oldest first, each day's in the order given;
    undated briefings are left out (they have no place in time)."""
    days: dict[dt.date, list[Hit]] = {}
    for h in hits:
        if h.date is not None:
            days.setdefault(h.date, []).append(h)
    return dict(sorted(days.items()))


def known_from(table: Mapping[str, tuple[str, frozenset[int]]]) -> Known:
    """`new_passages`'s `known` from a mapping of path to (content hash, passage keys)."""
    return table.get
