"""A day's briefings into an extractive summary: for each briefing the sentences that carry it.

Everything is quoted word for word; nothing is rewritten. The day's sentences are one small
corpus scored with rank-bm25 (BM25Okapi, the index's analyser), and a sentence's BM25 score
with another sentence as the query is their similarity. From that:

- a sentence *carries* its briefing when the briefing's other sentences resemble it (degree
  centrality, both directions) and, other things equal, when it comes early: news puts the
  point first, so a lead prior is added;
- a sentence another briefing already quotes (most of its weight found in a quoted sentence) is
  skipped, so one fact is not quoted twice;
- briefings whose gists resemble each other share a subject; on a day with hundreds of
  briefings the most central ones lead a digest, each with its related briefings under it.

Centralities are sums over all pairs, but they are computed from per-term sums in time linear
in the day's words, so a newswire day of 500 briefings takes about a second or two
(`bench/summary_reuters.py`).
Everything here is a pure function of the briefings: the index is only read, in `day_briefings`,
`late_briefings` and `watermark`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rank_bm25 import BM25Okapi, BM25Plus

from . import analysis

#: Briefings on a day beyond which the summary becomes a digest of the most central stories.
DIGEST_OVER = 30
#: Stories a digest shows at once (each with its related briefings under it).
DIGEST_TOP = 10
#: Most sentences quoted for one briefing, and the characters they may take together before a
#: third sentence is left out (a first sentence is always quoted, however long).
QUOTES = 3
QUOTE_BUDGET = 600
#: Weight of the lead prior, `LEAD / (1 + position)`, against centrality scaled to [0, 1]
#: within the briefing. On the BBC News Summary fit half, ROUGE-2 of three sentences falls
#: slowly as it grows (0.538 at 0, 0.535 at 0.2, 0.488 at 1.0): those references are long and
#: not lead-heavy. Newswire puts the point first, so a small prior is kept, enough to prefer the
#: earlier of two about equally central sentences.
LEAD = 0.2
#: A sentence is redundant when a quoted sentence holds this share of its BM25 self-score
#: (and every number it gives).
REDUNDANT = 0.6
#: Two briefings share a subject when each one's gist finds this share of its self-score in the
#: other (geometric mean of both directions). At 0.25 unrelated wire items began to merge
#: ("Taiwan issues certificates of deposit" with "Japan to promote rate liberalisation").
RELATED = 0.3
#: Sentences with fewer terms than this are not quoted unless nothing else is left
#: ("Reuter", "More follows.", a lone table row).
MIN_TERMS = 3


@dataclass(frozen=True, slots=True)
class BriefingText:
    """One briefing as the summary sees it: its sentences in reading order."""

    key: str  # the document's path, unique in the index
    title: str
    date: dt.date | None
    sentences: tuple[str, ...]
    indexed_at: str | None = None


@dataclass(frozen=True, slots=True)
class Story:
    """A briefing with the sentences that carry it, word for word, in reading order."""

    briefing: BriefingText
    quotes: tuple[str, ...]
    centrality: float  # how much of the day resembles it; orders the digest
    positions: tuple[int, ...] = ()  # each quote's place among the briefing's sentences


@dataclass(frozen=True, slots=True)
class Group:
    """A story and the briefings on the same subject, which it leads."""

    lead: Story
    related: tuple[Story, ...] = ()
    subject: tuple[str, ...] = ()  # a few words the group shares, as written in the briefings

    @property
    def size(self) -> int:
        return 1 + len(self.related)


@dataclass(slots=True)
class Summary:
    day: dt.date | None
    groups: list[Group] = field(default_factory=list)  # most central first
    late: list[Story] = field(default_factory=list)  # indexed since the last summary, dated earlier
    digest: bool = False  # too many briefings to show each; page through `groups` by `top`
    top: int = DIGEST_TOP

    @property
    def stories(self) -> list[Story]:
        """Every story of the day, groups kept together, most central group first."""
        return [s for g in self.groups for s in (g.lead, *g.related)]

    @property
    def briefings(self) -> int:
        return sum(g.size for g in self.groups)

    @property
    def empty(self) -> bool:
        return not self.groups and not self.late

    @property
    def shared(self) -> list[Group]:
        """The groups of several briefings: the "share a subject" lines."""
        return [g for g in self.groups if g.related]

    def page(self, number: int) -> list[Group]:
        """The groups a digest shows on page `number` (from 0); all of them when not a digest."""
        if not self.digest:
            return list(self.groups) if number == 0 else []
        return self.groups[number * self.top : (number + 1) * self.top]

    @property
    def pages(self) -> int:
        if not self.digest:
            return 1
        return max(1, math.ceil(len(self.groups) / self.top))


# ---------------------------------------------------------------------------------------------
# Reading a day from the index


def day_briefings(conn: sqlite3.Connection, day: dt.date) -> list[BriefingText]:
    """The briefings dated `day`, in path order, each with its sentences."""
    return _briefings(conn, "d.date = ?", (day.isoformat(),))


def watermark(conn: sqlite3.Connection) -> str | None:
    """The newest `indexed_at` in the index: what a reader has seen once it read up to here.

    Late additions are counted from a watermark rather than from a wall-clock time, because
    `indexed_at` has whole seconds: a summary sent in the same second as a reindex could
    otherwise miss a briefing or list it twice.
    """
    return conn.execute("SELECT max(indexed_at) FROM documents").fetchone()[0]


def late_briefings(
    conn: sqlite3.Connection, day: dt.date, after: str | None, limit: int = 50
) -> list[BriefingText]:
    """Briefings dated before `day` but indexed after the watermark `after` (all of them when
    it is None): what came in late, newest dates first.

    A rebuilt index re-stamps every briefing's `indexed_at`, which would make the whole archive
    "late"; `limit` keeps that from flooding a chat.
    """
    where, args = _late(day, after)
    return _briefings(
        conn,
        f"d.id IN (SELECT id FROM documents WHERE {where} ORDER BY date DESC, path LIMIT ?)",
        (*args, limit),
    )


def count_late(conn: sqlite3.Connection, day: dt.date, after: str | None) -> int:
    where, args = _late(day, after)
    return conn.execute(f"SELECT count(*) FROM documents WHERE {where}", args).fetchone()[0]


def _late(day: dt.date, after: str | None) -> tuple[str, tuple]:
    if after is None:
        return "date < ?", (day.isoformat(),)
    return "date < ? AND indexed_at > ?", (day.isoformat(), after)


def _briefings(conn: sqlite3.Connection, where: str, args: tuple) -> list[BriefingText]:
    rows = conn.execute(
        "SELECT d.path, d.title, d.date, d.indexed_at, p.text, p.sentences"
        " FROM documents d JOIN passages p ON p.document_id = d.id"
        f" WHERE {where} ORDER BY d.date, d.path, p.ordinal",
        args,
    )
    out: list[BriefingText] = []
    current: tuple | None = None
    sentences: list[str] = []
    for path, title, date, indexed_at, text, spans in rows:
        if current is None or current[0] != path:
            if current is not None:
                out.append(_briefing(current, sentences))
            current, sentences = (path, title, date, indexed_at), []
        for s, e in json.loads(spans) if spans else [(0, len(text))]:
            sentences.append(text[s:e])
    if current is not None:
        out.append(_briefing(current, sentences))
    return out


def _briefing(row: tuple, sentences: list[str]) -> BriefingText:
    path, title, date, indexed_at = row
    return BriefingText(
        path,
        title or path,
        dt.date.fromisoformat(date) if date else None,
        tuple(sentences),
        indexed_at,
    )


# ---------------------------------------------------------------------------------------------
# The day's sentences as one BM25 corpus


class _Corpus:
    """The sentences of some briefings, scored against each other with BM25Okapi.

    Each sentence is kept as parallel arrays of its distinct terms: `tf` (also its count as a
    query term) and `w`, the BM25 weight the term earns in it as a document. The score of
    sentence i as a query against sentence j is then sum over shared terms of tf_i * w_j,
    which is what `BM25Okapi.get_scores` computes one query at a time.
    """

    def __init__(self, briefings: Sequence[BriefingText]):
        self.briefings = briefings
        self.owner: list[int] = []  # sentence → briefing
        self.position: list[int] = []  # sentence → place in its briefing
        self.first: list[int] = []  # briefing → its first sentence
        terms: list[list[str]] = []
        for b, briefing in enumerate(briefings):
            self.first.append(len(terms))
            for p, sentence in enumerate(briefing.sentences):
                terms.append(analysis.analyse(sentence))
                self.owner.append(b)
                self.position.append(p)
        self.first.append(len(terms))
        self.terms = terms
        self.n = len(terms)
        self.vocab: dict[str, int] = {}
        rows, cols, tfs = [], [], []
        for i, ts in enumerate(terms):
            for t, c in Counter(ts).items():
                rows.append(i)
                cols.append(self.vocab.setdefault(t, len(self.vocab)))
                tfs.append(c)
        self.row = np.asarray(rows, dtype=np.int64)
        self.col = np.asarray(cols, dtype=np.int64)
        self.tf = np.asarray(tfs, dtype=np.float64)
        self._weights: dict[int, dict[int, tuple[float, float]]] = {}
        self._briefing_terms: list[set[str]] | None = None
        self.briefing_df: Counter[str] = Counter()
        self.start = np.searchsorted(self.row, np.arange(self.n + 1))
        if not rows:
            self.w = np.zeros(0)
            self.idf = self.df = np.zeros(0)
            return
        model = BM25Okapi(terms)
        # A term in most sentences of a tiny corpus can get a negative floor; it says nothing
        # about likeness either way, so it is clamped to zero.
        idf = np.zeros(len(self.vocab))
        for t, k in self.vocab.items():
            idf[k] = max(model.idf.get(t, 0.0), 0.0)
        self.idf = idf
        dl = np.asarray(model.doc_len, dtype=np.float64)[self.row]
        norm = model.k1 * (1 - model.b + model.b * dl / model.avgdl)
        self.w = idf[self.col] * self.tf * (model.k1 + 1) / (self.tf + norm)
        self.df = np.bincount(self.col, minlength=len(self.vocab))

    def briefing_terms(self) -> list[set[str]]:
        """Each briefing's terms, and (in `briefing_df`) how many briefings use each term."""
        if self._briefing_terms is None:
            self._briefing_terms = [
                {t for i in range(self.first[b], self.first[b + 1]) for t in self.terms[i]}
                for b in range(len(self.briefings))
            ]
            self.briefing_df = Counter(t for terms in self._briefing_terms for t in terms)
        return self._briefing_terms

    def entries(self, i: int) -> slice:
        return slice(int(self.start[i]), int(self.start[i + 1]))

    def self_score(self) -> np.ndarray:
        """Each sentence's score with itself as the query: the most any sentence can earn."""
        return np.bincount(self.row, weights=self.tf * self.w, minlength=self.n)

    def centrality(self) -> tuple[np.ndarray, np.ndarray]:
        """Per sentence: likeness to the other sentences of its own briefing, and to the rest
        of the day's, each the sum of BM25 scores both ways (i as query, and i as document)."""
        if not len(self.row):
            return np.zeros(self.n), np.zeros(self.n)
        owner = np.asarray(self.owner, dtype=np.int64)[self.row]
        v = len(self.vocab)
        w_day = np.bincount(self.col, weights=self.w, minlength=v)
        q_day = np.bincount(self.col, weights=self.tf, minlength=v)
        keys = owner * v + self.col
        _, inverse = np.unique(keys, return_inverse=True)
        w_own = np.bincount(inverse, weights=self.w)[inverse]
        q_own = np.bincount(inverse, weights=self.tf)[inverse]
        own = self.tf * (w_own - self.w) + self.w * (q_own - self.tf)
        day = self.tf * (w_day[self.col] - w_own) + self.w * (q_day[self.col] - q_own)
        return (
            np.bincount(self.row, weights=own, minlength=self.n),
            np.bincount(self.row, weights=day, minlength=self.n),
        )

    def weights(self, i: int) -> dict[int, tuple[float, float]]:
        """Sentence i's terms: column → (count as a query, weight as a document)."""
        cached = self._weights.get(i)
        if cached is None:
            sl = self.entries(i)
            cached = {
                int(c): (float(q), float(w))
                for c, q, w in zip(self.col[sl], self.tf[sl], self.w[sl], strict=True)
            }
            self._weights[i] = cached
        return cached


# ---------------------------------------------------------------------------------------------
# Choosing the sentences that carry a briefing


def _scores(corpus: _Corpus, lead: float = LEAD) -> np.ndarray:
    """How well each sentence carries its own briefing, comparable within a briefing only."""
    own, _ = corpus.centrality()
    scores = np.zeros(corpus.n)
    for b in range(len(corpus.briefings)):
        span = slice(corpus.first[b], corpus.first[b + 1])
        size = span.stop - span.start
        if size:
            scores[span] = _unit(own[span]) + lead / (1.0 + np.arange(size))
    return scores


def _unit(x: np.ndarray) -> np.ndarray:
    top = float(x.max()) if len(x) else 0.0
    return x / top if top > 0 else np.zeros_like(x)


def sentence_scores(sentences: Sequence[str], *, lead: float = LEAD) -> list[float]:
    """Scores for the sentences of one lone briefing: higher carries it better.

    This is the per-briefing choice of `summarise` without a day around it, for measuring
    selection against reference summaries.
    """
    corpus = _Corpus([BriefingText("", "", None, tuple(sentences))])
    return [float(s) for s in _scores(corpus, lead=lead)]


class _Quoted:
    """The sentences quoted so far, to find a candidate that repeats one.

    Candidate i repeats a quoted sentence j when i, as a query, scores against j at least
    `REDUNDANT` of what it scores against itself (j holds most of what i says), and i has no
    number j lacks: "9.1 mln shares" and "9.2 mln shares" are two facts however alike the words.
    i's score against every quoted sentence at once is summed from postings for its rarer
    terms and from a small dense matrix for the common ones, which nearly every quoted
    sentence holds.
    """

    def __init__(self, corpus: _Corpus):
        self.corpus = corpus
        self.self_score = corpus.self_score()
        self.numbers = [frozenset(t for t in ts if t.isdigit()) for ts in corpus.terms]
        common = np.flatnonzero(corpus.df > max(10, corpus.n // 50))
        self.common = {int(c): k for k, c in enumerate(common)}
        self.dense = np.zeros((corpus.n, len(common)))  # quoted row → weights of common terms
        self.by_term: dict[int, list[tuple[int, float]]] = defaultdict(list)  # rare terms
        self.quoted: list[int] = []

    def repeats(self, i: int, threshold: float = REDUNDANT) -> bool:
        need = threshold * self.self_score[i]
        if need <= 0 or not self.quoted:
            return False
        score = np.zeros(len(self.quoted))
        common_cols, common_counts = [], []
        for c, (q, _) in self.corpus.weights(i).items():
            k = self.common.get(c)
            if k is None:
                for row, w in self.by_term.get(c, ()):
                    score[row] += q * w
            else:
                common_cols.append(k)
                common_counts.append(q)
        if common_cols:
            score += self.dense[: len(self.quoted), common_cols] @ np.asarray(common_counts)
        numbers = self.numbers[i]
        return any(
            numbers <= self.numbers[self.quoted[row]] for row in np.flatnonzero(score >= need)
        )

    def add(self, i: int) -> None:
        row = len(self.quoted)
        for c, (_, w) in self.corpus.weights(i).items():
            k = self.common.get(c)
            if k is None:
                self.by_term[c].append((row, w))
            else:
                self.dense[row, k] = w
        self.quoted.append(i)


def _choose(
    corpus: _Corpus, b: int, scores: np.ndarray, quoted: _Quoted | None, quotes: int, budget: int
) -> list[int]:
    """The best sentences of briefing b that no earlier story has quoted (any, without
    `quoted`), in reading order."""
    span = range(corpus.first[b], corpus.first[b + 1])
    order = sorted(span, key=lambda i: (-scores[i], i))
    full = [i for i in order if len(corpus.terms[i]) >= MIN_TERMS]
    order = full + [i for i in order if len(corpus.terms[i]) < MIN_TERMS]
    chosen: list[int] = []
    used = 0
    sentences = corpus.briefings[b].sentences
    for i in order:
        if len(chosen) >= quotes:
            break
        if quoted is not None and quoted.repeats(i):
            continue
        size = len(sentences[corpus.position[i]])
        if chosen and len(chosen) >= 2 and used + size > budget:
            continue
        if chosen and len(corpus.terms[i]) < MIN_TERMS:
            break  # a stub is only worth quoting when there is nothing else
        chosen.append(i)
        used += size
    if quoted is not None:
        for i in chosen:
            quoted.add(i)
    return sorted(chosen)


# ---------------------------------------------------------------------------------------------
# Briefings that share a subject


def _gist_matrix(corpus: _Corpus, gists: list[list[int]]) -> np.ndarray:
    """Likeness of briefings: each one's gist (title and the sentences that carry it) as a BM25
    query against every briefing (title and text) as one document, with Okapi's term weights
    and BM25+'s idf, divided by the gist's score against its own briefing; then the geometric
    mean of both directions."""
    nb = len(corpus.briefings)
    if nb == 0:
        return np.zeros((0, 0))
    titles = [analysis.analyse(b.title) for b in corpus.briefings]
    docs = [
        titles[b]
        + [t for i in range(corpus.first[b], corpus.first[b + 1]) for t in corpus.terms[i]]
        for b in range(nb)
    ]
    queries = []
    for b, gist in enumerate(gists):
        terms = list(titles[b])
        for i in gist:
            terms.extend(corpus.terms[i])
        queries.append(Counter(terms))
    # Only terms of at least two briefings can make two briefings alike.
    df = Counter(t for d in docs for t in set(d))
    shared = {t: k for k, t in enumerate(t for t, n in df.items() if n >= 2)}
    if not shared or not any(docs):
        return np.eye(nb)
    # BM25+'s idf, log((N + 1) / n), stays positive for a word most of a small day shares,
    # which is just the word that makes its briefings alike; Okapi's would floor it.
    model = BM25Plus([d or ["\x00"] for d in docs])
    w = np.zeros((nb, len(shared)), dtype=np.float32)
    own = np.zeros(nb)  # each gist against its own briefing, over all its terms
    raw = np.zeros((nb, nb))  # raw[a, b]: a's gist against briefing b
    for b, counts in enumerate(model.doc_freqs):
        norm = model.k1 * (1 - model.b + model.b * model.doc_len[b] / model.avgdl)
        weights = {t: model.idf[t] * c * (model.k1 + 1) / (c + norm) for t, c in counts.items()}
        own[b] = sum(c * weights.get(t, 0.0) for t, c in queries[b].items())
        cols = [shared[t] for t in weights if t in shared]
        w[b, cols] = [weights[t] for t in weights if t in shared]
    for a, query in enumerate(queries):
        cols = [shared[t] for t in query if t in shared]
        if cols:
            raw[a] = w[:, cols] @ np.asarray([query[t] for t in query if t in shared])
    own[own <= 0] = np.inf
    ratio = np.clip(raw / own[:, None], 0, 1)
    like = np.sqrt(ratio * ratio.T)
    np.fill_diagonal(like, 1.0)
    return like


def _subject_words(corpus: _Corpus, members: list[int], gists: list[list[int]]) -> tuple[str, ...]:
    """A few words most of the members' gists share, spelt as the briefings spell them."""
    need = max(2, math.ceil(len(members) / 2))
    counts: Counter[str] = Counter()  # members using the term
    spelling: dict[str, Counter[str]] = defaultdict(Counter)
    for b in members:
        seen = set()
        for i in gists[b]:
            text = corpus.briefings[b].sentences[corpus.position[i]]
            for token in analysis.tokens(text, runs=False):
                word = text[token.start : token.end]
                # A sentence's first word is capitalised whatever it is: no evidence of a name.
                spelling[token.term][word.lower() if token.start == 0 else word] += 1
                seen.add(token.term)
        counts.update(seen)
    wanted = {t for t, n in counts.items() if n >= need and not t.isdigit()}
    vocabularies = corpus.briefing_terms()
    outside = {
        t: corpus.briefing_df[t] - sum(t in vocabularies[b] for b in members) for t in wanted
    }
    # Shared by many members and used by few other briefings: a group-level tf-idf, smoothed
    # so that a small day still ranks its words ("said" is in every group and says nothing).
    total = len(corpus.briefings)

    def weight(t: str) -> float:
        return counts[t] * math.log(1 + total / (outside[t] + counts[t]))

    ranked = sorted(wanted, key=lambda t: (-weight(t), -spelling[t].total(), t))
    return tuple(_spelling(spelling[t]) for t in ranked[:3])


def _spelling(forms: Counter[str]) -> str:
    """The usual spelling of a word; a capitalised one when it is written so mid-sentence
    at least as often, since that is a name ("Gaza", "OPEC")."""
    lower = Counter()
    for form, n in forms.items():
        lower[form.lower()] += n
    word = lower.most_common(1)[0][0]
    capitalised = [f for f in forms if f.lower() == word and not f.islower()]
    if capitalised and sum(forms[f] for f in capitalised) >= forms.get(word, 0):
        return max(capitalised, key=lambda f: forms[f])
    return word


# ---------------------------------------------------------------------------------------------
# The summary


def summarise(
    briefings: Sequence[BriefingText],
    *,
    day: dt.date | None = None,
    late: Sequence[BriefingText] = (),
    quotes: int = QUOTES,
    digest_over: int = DIGEST_OVER,
    top: int = DIGEST_TOP,
) -> Summary:
    """The summary of a day's briefings, and of the late additions listed after them."""
    summary = Summary(day, digest=len(briefings) > digest_over, top=top)
    if not briefings and not late:
        return summary
    everything = [*briefings, *late]
    corpus = _Corpus(everything)
    scores = _scores(corpus)
    _, day_like = corpus.centrality()
    n_day = len(briefings)
    # The day's stories are quoted most central first, so that when two briefings say the
    # same, the central one keeps the quote; late additions come last.
    briefing_centrality = np.zeros(len(everything))
    for b in range(len(everything)):
        span = slice(corpus.first[b], corpus.first[b + 1])
        if span.start < span.stop:
            lead = day_like[span][: max(1, quotes)]
            briefing_centrality[b] = float(lead.mean())
    order = sorted(range(n_day), key=lambda b: (-briefing_centrality[b], b))
    order += list(range(n_day, len(everything)))
    quoted = _Quoted(corpus)
    gists: list[list[int]] = [[] for _ in everything]
    for b in order:
        gists[b] = _choose(corpus, b, scores, quoted, quotes, QUOTE_BUDGET)

    # What each briefing is about, repeats or not: its best sentences, for likeness.
    carriers = [
        _choose(corpus, b, scores, None, quotes, QUOTE_BUDGET) for b in range(len(everything))
    ]

    def story(b: int, centrality: float) -> Story:
        briefing = everything[b]
        positions = tuple(corpus.position[i] for i in gists[b])
        return Story(
            briefing, tuple(briefing.sentences[p] for p in positions), centrality, positions
        )

    like = _gist_matrix(corpus, carriers)[:n_day, :n_day]
    related = like >= RELATED
    np.fill_diagonal(related, False)
    centrality = (like * related).sum(axis=1) if n_day else np.zeros(0)
    # Stories rank by how much of the day resembles them: first their related briefings,
    # then their sentences' likeness to the day's other sentences.
    ranking = sorted(range(n_day), key=lambda b: (-centrality[b], -briefing_centrality[b], b))
    taken = np.zeros(n_day, dtype=bool)
    for b in ranking:
        if taken[b]:
            continue
        taken[b] = True
        members = [c for c in ranking if not taken[c] and related[b, c]]
        taken[members] = True
        subject = _subject_words(corpus, [b, *members], carriers) if members else ()
        group = [b, *members]
        # A briefing whose every sentence was quoted already (a repeat) does not lead.
        quoting = next((c for c in group if gists[c]), b)
        group.remove(quoting)
        summary.groups.append(
            Group(
                story(quoting, float(centrality[quoting])),
                tuple(story(c, float(centrality[c])) for c in group),
                subject,
            )
        )
    summary.late = [story(b, 0.0) for b in range(n_day, len(everything))]
    return summary
