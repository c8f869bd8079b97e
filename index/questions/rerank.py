"""Reordering the best few passages by how they answer, not only by which words they hold.

BM25 scores a passage as a bag of words. Among the passages it ranks first, the one that
answers usually also holds the question's words close together, in one sentence, in the
question's own spelling and word order, and, when the question asks "when" or "how many",
beside a number. `rerank` scores each of the best `DEPTH` passages with eight such features,
adds them up with fixed weights (a linear model fitted by `bench/quality/fit_rerank.py` on
SQuAD's tuning questions and, at a quarter of the weight, the development sets' tuning
halves; nothing is downloaded or loaded) and reorders them. It only
reorders: the same passages come back, and those past `DEPTH` keep BM25's order.

A question word weighs its idf over the whole index, log(1 + (N - n + 0.5) / (n + 0.5)),
which stays positive: on a small index FTS5 floors the idf of any word held by more than half
the passages to almost nothing, so BM25's scores there say little, while these weights still
tell a passage that holds a question word from one that does not.

A question word searched for in several terms (its other spellings, "Gabonese" for "Gabon",
"profit" for "earn", "consumer prices" for "inflation") counts once, through the best of them
that a passage holds: a passage that says both "Gabon" and "Gabonese" holds no more of the
question than one that says "Gabon" twice. (Each term weighed at its weight in the query as
well, the development sets' tuning halves came out lower: docs/benchmarks.md.)

A document's title belongs to all its passages: a question word in the title counts for each
of them alike. A briefing without a title of its own takes its first sentence as its title;
that sentence still counts for the first passage's body, where it is told.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from .. import analysis
from ..storage import postings
from ..storage.search import Hit
from . import figures as figures_

#: How many of BM25's best passages are reordered.
DEPTH = 10
#: BM25's parameters for the passage score, as FTS5's (`fit_rerank --k1` tries others).
K1, B = postings.K1, postings.B
#: Mean sentence length in terms, for scoring a sentence as BM25 scores a passage.
SENTENCE_TERMS = 25.0
#: Terms within which question words count as near one another.
WINDOW = 12

#: Feature weights, fitted by `bench/quality/fit_rerank.py` on SQuAD's tuning questions and
#: the development sets' tuning halves (`DEV_SHARE` there).
WEIGHTS: dict[str, float] = {
    "body": 3.08,
    "sentence": 1.32,
    "bigrams": 1.34,
    "exact": 2.28,
    "title": 2.78,
    "number": 0.30,
    "figure": 1.00,
    "pairs": 0.23,
    "window": 1.47,
}


class Term(Protocol):
    """A searched term as the query holds it (`query.Weighted`), with the question word it
    came from (`group`)."""

    term: str
    group: int


class Statistics(Protocol):
    """What the features need of the whole index (`vocabulary.Vocabulary` has it): how many
    passages, their mean length in terms, and how many passages hold each term."""

    rows: int
    avgdl: float
    df: Mapping[str, int]


class _Words(dict):
    """Each word's spelling and terms (none for a stopword), remembered once looked up: a
    passage's words are read through C-level lookups, not one Python call each."""

    limit = 200_000

    def __missing__(self, word: str) -> tuple[str, tuple[str, ...]]:
        value = (analysis.spelling(word), analysis.terms(word))
        if len(self) >= self.limit:
            self.clear()
        self[word] = value
        return value


_WORDS = _Words()


def _word(word: str) -> tuple[str, tuple[str, ...]]:
    return _WORDS[word]


@lru_cache(maxsize=4096)
def title_terms(title: str) -> frozenset[str]:
    return frozenset(analysis.analyse(title))


@dataclass(slots=True)
class _Passage:
    """A passage's words, in tuples of strings: the garbage collector stops tracking those,
    so the thousands of passages kept below add next to nothing to a full collection (as
    lists they made one take 60 ms at 100,000 passages, a pause in the middle of a question)."""

    terms: tuple[str, ...]  # heading, then body terms in order: what proximity looks at
    spelt: tuple[str, ...]  # the body's words as spelt, stopwords kept: exact words, pairs
    sentences: tuple[tuple[str, ...], ...]  # the body's terms, sentence by sentence
    pieces: tuple[str, ...]  # the body's sentences as written
    length: int  # terms in the whole passage
    #: Its distinct terms, made once for the re-ranker and the judgement (a full collection
    #: with the cache full of these took 66 ms against 60 with it empty).
    held: frozenset[str]


def _passage(hit: Hit) -> _Passage:
    """A passage's words, read once."""
    return _passage_of(hit.text, tuple(map(tuple, hit.sentences)), hit.heading)


@lru_cache(maxsize=2048)
def _passage_of(text: str, sentences: tuple[tuple[int, int], ...], heading: str | None) -> _Passage:
    """`_passage`'s work, kept for the passages asked about last: the next page of an answer
    reorders the same ones. A briefing whose title is its first sentence keeps that sentence
    in its first passage's body as well: the lead is where the headline's fact is told and
    quoted, and a lead scored without it fell below every passage that merely shares the
    title's words ("how much did Japan's exports fall in August?" quoted the paragraph on
    exports to China)."""
    spans = list(sentences) or [(0, len(text))]
    terms = list(_heading_terms(heading)) if heading else []
    spelt: list[str] = []
    by_sentence: list[list[str]] = []
    pieces: list[str] = []
    lookup = _WORDS.__getitem__
    for start, end in spans:
        piece = text[start:end]
        looked = list(map(lookup, analysis.split(piece)))
        spelt.extend([s for s, _ in looked])
        sentence = [t for _, found in looked for t in found]
        terms.extend(sentence)
        by_sentence.append(sentence)
        pieces.append(piece)
    return _Passage(
        tuple(terms),
        tuple(spelt),
        tuple(map(tuple, by_sentence)),
        tuple(pieces),
        len(terms),
        frozenset(terms),
    )


def passage_sequence(hit: Hit) -> tuple[str, ...]:
    """A passage's terms in order, heading first, as the features read them (remembered from
    `features`, so no second analysis)."""
    return _passage(hit).terms


def sentence_terms(hit: Hit) -> tuple[tuple[str, ...], ...]:
    """A passage's body terms, sentence by sentence as `hit.sentences` cuts it (remembered
    from `features`, so no second analysis)."""
    return _passage(hit).sentences


def passage_terms(hit: Hit) -> frozenset[str]:
    """The terms a passage holds, heading and body, as the features read them (remembered
    from `features`, so no second read of the index)."""
    return _passage(hit).held


def clear_cache() -> None:
    """Forget the passages read so far, so that the next re-ranking reads every passage
    anew: what a benchmark does to measure passages never seen before."""
    _passage_of.cache_clear()


@lru_cache(maxsize=4096)
def _heading_terms(heading: str) -> tuple[str, ...]:
    return tuple(analysis.analyse(heading))


def idf(df: int, rows: int) -> float:
    """An idf that stays positive however common the term (Lucene's)."""
    return math.log(1 + (rows - df + 0.5) / (df + 0.5))


def _saturated(
    tf: Mapping[str, int],
    weight: Mapping[str, float],
    norm: float,
    group: Mapping[str, int] | None = None,
) -> float:
    """BM25's sum over the terms held `tf` times; with `group`, each question word counts
    once, through the best of its terms."""
    values = {t: weight[t] * n * (K1 + 1) / (n + norm) for t, n in tf.items()}
    return _grouped(values, group) if group is not None else sum(values.values())


@dataclass(slots=True)
class _Pool:
    """The question as every candidate is compared with it, worked out once a re-ranking:
    its words' weights over the index and among the candidates, its words as spelt and in
    pairs, and the best BM25 among the candidates (what `body` is a share of)."""

    wanted: list[str]  # the question's terms the index holds, each once, in order
    weight: dict[str, float]  # each wanted term's idf over the index
    group: dict[str, int]  # each wanted term's question word: a word counts once
    total: float  # the most the question weighs: what most features are a share of
    local: dict[str, float]  # idf times idf among the candidates
    local_total: float
    exact: dict[str, float]  # each question word as spelt → its term's weight
    bigrams: dict[tuple[str, str], float]  # adjacent words as spelt → their weight
    bigram_total: float
    pairs: list[tuple[int, int]]  # adjacent question words (groups) the index holds
    pair_total: float
    figures: frozenset[str] | None  # `figures.asks_number`
    figure: figures_.Asked | None  # the figure the question asks for (`figures.asked`)
    top: float = 0.0  # the best candidate's `_Candidate.body`


@dataclass(slots=True)
class _Candidate:
    """One passage as every feature reads it, worked out once: its words (`_Passage`), where
    the question's terms stand in them, its BM25, its title's terms, and its sentences that
    hold any question term."""

    passage: _Passage
    where: list[tuple[int, str]]  # (position, term) of each question term it holds, in order
    body: float  # BM25 of the passage, heading and body
    title: frozenset[str]
    #: (index, the question terms it holds counted, its length in terms) of each sentence
    #: that holds any: most sentences hold none, and no feature looks at those.
    asked: list[tuple[int, Counter[str], int]]


def _asked(terms: Sequence[str | Term]) -> dict[str, int]:
    """Each term, once, with its question word: a plain term is a word of its own."""
    out: dict[str, int] = {}
    for i, t in enumerate(terms):
        term, group = (t, -1 - i) if isinstance(t, str) else (t.term, t.group)
        out.setdefault(term, group)
    return out


def _per_word(values: Mapping[str, float], group: Mapping[str, int]) -> dict[int, float]:
    """Each question word's most of any of its terms' `values`."""
    best: dict[int, float] = {}
    for t, v in values.items():
        g = group[t]
        if v > best.get(g, 0.0):
            best[g] = v
    return best


def _grouped(values: Mapping[str, float], group: Mapping[str, int]) -> float:
    """The sum over question words of the most any of their terms holds."""
    return sum(_per_word(values, group).values())


def _pool(
    question: str, terms: Sequence[str | Term], passages: list[_Passage], stats: Statistics
) -> _Pool:
    group = {t: g for t, g in _asked(terms).items() if stats.df.get(t, 0) > 0}
    wanted = list(group)
    weight = {t: idf(stats.df[t], stats.rows) for t in wanted}
    total = _grouped(weight, group) or 1.0

    held = [p.held for p in passages]
    m = len(passages)
    local = {}
    for t in wanted:
        n = sum(1 for h in held if t in h)
        local[t] = weight[t] * math.log(1 + (m - n + 0.5) / (n + 0.5))
    local_total = _grouped(local, group) or 1.0

    # Each question word as spelt, with its own term (a word's first; none for a stopword).
    qwords = [(s, found[0] if found else "") for s, found in map(_word, analysis.split(question))]
    exact = {s: weight[t] for s, t in qwords if t in weight}
    bigrams: dict[tuple[str, str], float] = {}
    for (s1, t1), (s2, t2) in zip(qwords, qwords[1:], strict=False):
        w = weight.get(t1, 0.0) + weight.get(t2, 0.0)
        if w > 0:
            bigrams[(s1, s2)] = max(bigrams.get((s1, s2), 0.0), w)
    # Adjacent question words, each weighing its best term.
    words = list(dict.fromkeys(group[t] for t in wanted))
    word_weight = _per_word(weight, group)
    pairs = list(zip(words, words[1:], strict=False))
    return _Pool(
        wanted,
        weight,
        group,
        total,
        local,
        local_total,
        exact,
        bigrams,
        sum(bigrams.values()) or 1.0,
        pairs,
        sum(word_weight[a] + word_weight[b] for a, b in pairs) or 1.0,
        figures_.asks_number(question),
        figures_.asked(question),
    )


def _candidate(hit: Hit, p: _Passage, pool: _Pool, avgdl: float) -> _Candidate:
    weight = pool.weight
    # Where the passage holds question terms: one pass over its terms, then only these.
    where = [(i, t) for i, t in enumerate(p.terms) if t in weight]
    norm = K1 * (1 - B + B * p.length / avgdl)
    body = _saturated(Counter(t for _, t in where), weight, norm, pool.group)
    asked = []
    for i, sentence in enumerate(p.sentences):
        held = [t for t in sentence if t in weight]
        if held:  # most sentences: no Counter for them
            asked.append((i, Counter(held), len(sentence)))
    title = title_terms(hit.title) if hit.title else frozenset()
    return _Candidate(p, where, body, title, asked)


def _body(pool: _Pool, c: _Candidate) -> float:
    """BM25 of the passage (heading and body), as a share of the best candidate's."""
    return c.body / pool.top if pool.top > 0 else 0.0


def _sentence(pool: _Pool, c: _Candidate) -> float:
    """BM25 of the passage's best sentence, each question word weighing its idf times its
    idf among the candidates (a word in every candidate tells none apart), as a share of the
    most the question could score."""
    best = 0.0
    for _, tf, length in c.asked:
        norm = K1 * (1 - B + B * length / SENTENCE_TERMS)
        best = max(best, _saturated(tf, pool.local, norm, pool.group))
    return best / pool.local_total


def _bigrams(pool: _Pool, c: _Candidate) -> float:
    """The question's adjacent word pairs (stopwords kept: "the Super Bowl") found as
    written, weighted by their words' idf."""
    spelt = c.passage.spelt
    adjacent = set(zip(spelt, spelt[1:], strict=False))
    return sum(w for b, w in pool.bigrams.items() if b in adjacent) / pool.bigram_total


def _exact(pool: _Pool, c: _Candidate) -> float:
    """The question's words found spelt as asked, not only stemmed alike."""
    present = set(c.passage.spelt)
    return sum(w for s, w in pool.exact.items() if s in present) / pool.total


def _title(pool: _Pool, c: _Candidate) -> float:
    """The question's words in the document's title."""
    held = {t: pool.weight[t] for t in pool.wanted if t in c.title}
    return _grouped(held, pool.group) / pool.total


def _number(pool: _Pool, c: _Candidate) -> float:
    """1 where the question asks when, how many or how much and the sentence holding most
    of the question holds a number the question does not; else 0."""
    if pool.figures is None:
        return 0.0
    best_cover, best_at = 0.0, -1
    for i, tf, _ in c.asked:
        cover = _grouped({t: pool.weight[t] for t in tf}, pool.group)
        if cover > best_cover:
            best_cover, best_at = cover, i
    return float(best_at >= 0 and figures_.new_figure(c.passage.pieces[best_at], pool.figures))


def _figure(pool: _Pool, c: _Candidate) -> float:
    """1 where the question asks for a figure of a kind ("how many products", "how long")
    and a sentence holding any of the question says such a figure ("96 products", "700
    kilometres"); else 0. (Weighted by how much of the question that sentence holds, it
    ranked the development sets' held-out halves worse: 0.746 against 0.754.)"""
    if pool.figure is None:
        return 0.0
    pieces = c.passage.pieces
    return float(any(figures_.says(pool.figure, pieces[i]) for i, _, _ in c.asked))


def _pairs(pool: _Pool, c: _Candidate) -> float:
    """Adjacent question words adjacent in the passage (any of each one's terms), each pair
    weighing the best terms that make it."""
    weight, group = pool.weight, pool.group
    best: dict[tuple[int, int], float] = {}
    wanted = set(pool.pairs)
    for (i, a), (j, b) in zip(c.where, c.where[1:], strict=False):
        pair = (group[a], group[b])
        if j == i + 1 and pair in wanted:
            best[pair] = max(best.get(pair, 0.0), weight[a] + weight[b])
    return sum(best.values()) / pool.pair_total


def _window(pool: _Pool, c: _Candidate) -> float:
    """The most distinct question weight that any `WINDOW` consecutive terms hold."""
    return _window_mass(c.where, pool.weight, pool.group) / pool.total


#: The features, in the order a row lists them (and `score` adds them up), each about 0 to 1
#: so that their weights compare.
FEATURES: dict[str, Callable[[_Pool, _Candidate], float]] = {
    "body": _body,
    "sentence": _sentence,
    "bigrams": _bigrams,
    "exact": _exact,
    "title": _title,
    "number": _number,
    "figure": _figure,
    "pairs": _pairs,
    "window": _window,
}


def features(
    question: str, terms: Sequence[str | Term], hits: Sequence[Hit], stats: Statistics
) -> list[dict[str, float]]:
    """Each passage's features (`FEATURES`, named as `WEIGHTS` names them), each about 0 to
    1 so that their weights compare. `terms` are plain terms, each a question word of its
    own, or the query's terms with the question words they came from. What every feature
    needs of the question and of each passage is worked out once (`_pool`, `_candidate`),
    then each feature reads it."""
    passages = [_passage(h) for h in hits]
    pool = _pool(question, terms, passages, stats)
    avgdl = stats.avgdl or 1.0
    candidates = [_candidate(h, p, pool, avgdl) for h, p in zip(hits, passages, strict=True)]
    pool.top = max((c.body for c in candidates), default=0.0)
    return [{name: feature(pool, c) for name, feature in FEATURES.items()} for c in candidates]


def _window_mass(
    found: list[tuple[int, str]], weight: Mapping[str, float], group: Mapping[str, int]
) -> float:
    """The most distinct question weight that any `WINDOW` consecutive terms hold, from the
    positions of the question terms a passage holds (each question word once, through the
    best of its terms in the window)."""
    single = len(set(group.values())) == len(group)  # most questions: a term per word
    best = mass = 0.0
    counts: dict[str, int] = {}
    lo = 0
    for i, t in found:
        counts[t] = counts.get(t, 0) + 1
        if counts[t] == 1:
            mass += weight[t]
        while found[lo][0] <= i - WINDOW:
            old = found[lo][1]
            counts[old] -= 1
            if counts[old] == 0:
                del counts[old]
                mass -= weight[old]
            lo += 1
        best = max(best, mass if single else _grouped({u: weight[u] for u in counts}, group))
    return best


def score(row: Mapping[str, float], weights: Mapping[str, float] = WEIGHTS) -> float:
    """One passage's score from its features."""
    return sum(weights.get(name, 0.0) * value for name, value in row.items())


def scores(
    question: str,
    terms: Sequence[str | Term],
    hits: Sequence[Hit],
    stats: Statistics,
    weights: Mapping[str, float] = WEIGHTS,
) -> list[float]:
    """Each passage's score: its features times their weights."""
    return [score(f, weights) for f in features(question, terms, hits, stats)]


def rerank(
    question: str,
    terms: Sequence[str | Term],
    hits: Sequence[Hit],
    stats: Statistics,
    weights: Mapping[str, float] = WEIGHTS,
) -> list[Hit]:
    """The same hits, the best `DEPTH` reordered by their scores (ties keep BM25's order),
    the rest after them as they were."""
    head, tail = list(hits[:DEPTH]), list(hits[DEPTH:])
    if len(head) < 2:
        return head + tail
    s = scores(question, terms, head, stats, weights)
    order = sorted(range(len(head)), key=lambda i: (-s[i], i))
    return [head[i] for i in order] + tail
