"""Reordering the best few dozen passages by how they answer, not only by which words they hold.

BM25 scores a passage as a bag of words. Among the passages it ranks first, the one that
answers usually also holds the question's words close together, in one sentence, in the
question's own order and spelling, and, when the question asks "when" or "how many", next to a
number. `rerank` scores each of the top passages with a few such features, adds them with fixed
weights (a small linear model fitted on SQuAD's tuning questions by
`bench/quality/fit_rerank.py`; nothing is downloaded or loaded), and reorders them. It only
reorders: the same passages come back, and those past `DEPTH` keep their BM25 order.

Weights of question words come from the whole index (`vocabulary`), with an idf that stays
positive, log(1 + (N - n + 0.5) / (n + 0.5)): on a small index FTS5 floors the idf of any
word held by more than half the passages to almost nothing, and the features must still tell
a passage that holds a question word from one that does not.

A document's title belongs to all its passages: a question word in the title counts for each of
them, and when the title is the first sentence of the document (briefings without a title of
their own), that sentence is not counted a second time as the first passage's body.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from . import analysis
from .search import Hit

#: How many of BM25's best passages are reordered.
DEPTH = 30

K1, B = 1.2, 0.75
#: Words either side within which question words count as near one another.
WINDOW = 12

#: Feature weights, fitted by `bench/quality/fit_rerank.py` on SQuAD's tuning questions.
WEIGHTS: dict[str, float] = {
    "body": 3.0,
    "sentence": 1.6,
    "sentences": 0.5,
    "local": 2.0,
    "bigrams": 1.4,
    "title": 2.7,
    "number": 0.5,
    "exact": 2.2,
    "pairs": 0.8,
    "window": 1.8,
}

# Questions whose answer is a number, a date or an amount.
_NUMBER_QUESTION = re.compile(
    r"\b(?:how\s+(?:many|much|long|old|far|large|big|tall|high|often|few)"
    r"|what\s+(?:year|years|percentage|percent|number|date|day|month|decade|century|age|time)"
    r"|which\s+(?:year|decade|century)|when|in\s+what\s+year)\b",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class Statistics:
    """What the features need to know of the whole index: passages, mean length (in terms)
    and how many passages hold each term. `vocabulary.Vocabulary` is one."""

    rows: int
    avgdl: float
    df: Mapping[str, int]


@lru_cache(maxsize=200_000)
def _word(word: str) -> tuple[str, str | None]:
    """A word as spelt, folded ("Raeisi's" → "raeisi"), and its term (None for a stopword)."""
    spelt = analysis._APOSTROPHES.sub("", analysis._POSSESSIVE.sub("", analysis.fold(word)))
    return spelt, analysis.term(word)


@dataclass(slots=True)
class _Passage:
    terms: list[str]  # heading then body terms, in order: what proximity looks at
    folded: list[str]  # the body's folded words, stopwords kept: exact spelling, bigrams
    sentences: list[list[str]]  # the body's terms, sentence by sentence
    numbers: list[set[str]]  # the digit runs of each sentence
    length: int  # terms in the whole passage, title sentence included: what the reader reads


def _read(hit: Hit) -> _Passage:
    """One pass over a passage's words, skipping the first sentence when it is the title."""
    spans = list(hit.sentences) or [(0, len(hit.text))]
    skipped = 0
    if _title_sentence(hit, spans[0]):
        start, end = spans.pop(0)
        skipped = sum(1 for w in analysis._WORD.findall(hit.text[start:end]) if _word(w)[1])
    terms = [t for w in analysis._WORD.findall(hit.heading or "") if (t := _word(w)[1])]
    folded: list[str] = []
    sentences: list[list[str]] = []
    numbers: list[set[str]] = []
    for start, end in spans:
        piece = hit.text[start:end]
        words = analysis._WORD.findall(piece)
        sentence = []
        for w in words:
            f, t = _word(w)
            folded.append(f)
            if t is not None:
                sentence.append(t)
        terms.extend(sentence)
        sentences.append(sentence)
        numbers.append(set(_DIGITS.findall(piece)))
    return _Passage(terms, folded, sentences, numbers, len(terms) + skipped)


def _title_sentence(hit: Hit, span: tuple[int, int]) -> bool:
    """Whether the passage's first sentence is its document's title (a briefing without a
    title of its own takes its first sentence, shortened, as its title)."""
    if hit.ordinal != 0 or not hit.title:
        return False
    first = " ".join(hit.text[span[0] : span[1]].split())
    title = hit.title.strip()
    if title.endswith("…"):
        return first.startswith(title[:-1].rstrip()) and len(title) > 1
    return first == title


def idf(df: int, rows: int) -> float:
    """An idf that stays positive however common the term (Lucene's)."""
    return math.log(1 + (rows - df + 0.5) / (df + 0.5))


def features(
    question: str, terms: Sequence[str], hits: Sequence[Hit], stats: Statistics
) -> list[dict[str, float]]:
    """Each passage's features, each scaled to about 0..1 so the weights compare."""
    wanted = [t for t in dict.fromkeys(terms) if stats.df.get(t, 0) > 0]
    weight = {t: idf(stats.df[t], stats.rows) for t in wanted}
    total = sum(weight.values()) or 1.0
    passages = [_read(h) for h in hits]

    # Question words found in few of these passages tell them apart; those in all do not.
    held = [set(p.terms) for p in passages]
    m = len(passages)
    local = {
        t: weight[t] * math.log(1 + (m - n + 0.5) / (n + 0.5))
        for t in wanted
        for n in [sum(1 for h in held if t in h)]
    }
    local_total = sum(local.values()) or 1.0

    # The question's own words, stopwords kept, for exact spelling and word pairs.
    qwords = [_word(w) for w in analysis._WORD.findall(question)]
    exact = {f: weight[t] for f, t in qwords if t in weight}
    bigrams = {}
    for (f1, t1), (f2, t2) in zip(qwords, qwords[1:], strict=False):
        w = weight.get(t1 or "", 0.0) + weight.get(t2 or "", 0.0)
        if w > 0:
            bigrams[(f1, f2)] = max(bigrams.get((f1, f2), 0.0), w)
    bigram_total = sum(bigrams.values()) or 1.0
    pairs = [(a, b) for a, b in zip(wanted, wanted[1:], strict=False)]
    pair_total = sum(weight[a] + weight[b] for a, b in pairs) or 1.0
    asks_number = bool(_NUMBER_QUESTION.search(question))
    question_numbers = set(_DIGITS.findall(question))

    avgdl = stats.avgdl or 1.0
    body = [_bm25(p.terms, p.length, weight, avgdl) for p in passages]
    top = max(body, default=0.0)

    out = []
    for hit, p, score in zip(hits, passages, body, strict=True):
        title_terms = set(analysis.analyse(hit.title)) if hit.title else set()
        f: dict[str, float] = {"body": score / top if top > 0 else 0.0}

        best = best_local = 0.0
        best_at = 0
        spread = 0.0
        for i, sentence in enumerate(p.sentences):
            tf: dict[str, int] = {}
            for t in sentence:
                if t in weight:
                    tf[t] = tf.get(t, 0) + 1
            if not tf:
                continue
            cover = sum(weight[t] for t in tf)
            spread += cover
            if cover > best:
                best, best_at = cover, i
            norm = K1 * (1 - B + B * len(sentence) / 25.0)
            score = sum(local[t] * n * (K1 + 1) / (n + norm) for t, n in tf.items())
            best_local = max(best_local, score)
        f["sentence"] = best / total
        f["sentences"] = min(spread / total, 3.0) / 3.0
        f["local"] = best_local / local_total

        folded = set(p.folded)
        pairs_folded = set(zip(p.folded, p.folded[1:], strict=False))
        f["bigrams"] = sum(w for b, w in bigrams.items() if b in pairs_folded) / bigram_total
        f["exact"] = sum(w for word, w in exact.items() if word in folded) / total
        f["title"] = sum(weight[t] for t in wanted if t in title_terms) / total
        f["number"] = (
            1.0
            if asks_number and p.sentences and p.numbers[best_at] - question_numbers
            else 0.0
        )

        # Proximity: adjacent question words adjacent here, and the most question weight
        # that any run of WINDOW words holds.
        positions: dict[str, list[int]] = {}
        for i, t in enumerate(p.terms):
            if t in weight:
                positions.setdefault(t, []).append(i)
        adjacent = 0.0
        for a, b in pairs:
            pa, pb = positions.get(a), positions.get(b)
            if pa and pb:
                after = set(pb)
                if any(i + 1 in after for i in pa):
                    adjacent += weight[a] + weight[b]
        f["pairs"] = adjacent / pair_total
        f["window"] = _window(p.terms, weight) / total
        out.append(f)
    return out


def _bm25(terms: list[str], length: int, weight: Mapping[str, float], avgdl: float) -> float:
    tf: dict[str, int] = {}
    for t in terms:
        if t in weight:
            tf[t] = tf.get(t, 0) + 1
    norm = K1 * (1 - B + B * length / avgdl)
    return sum(weight[t] * n * (K1 + 1) / (n + norm) for t, n in tf.items())


def _window(terms: list[str], weight: Mapping[str, float]) -> float:
    """The most distinct question weight held by any WINDOW consecutive terms."""
    found = [(i, t) for i, t in enumerate(terms) if t in weight]
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
                mass -= weight[old]
            lo += 1
        best = max(best, mass)
    return best


def scores(
    question: str,
    terms: Sequence[str],
    hits: Sequence[Hit],
    stats: Statistics,
    weights: Mapping[str, float] = WEIGHTS,
) -> list[float]:
    """Each passage's score: its features times their weights."""
    return [
        sum(weights.get(name, 0.0) * value for name, value in f.items())
        for f in features(question, terms, hits, stats)
    ]


def rerank(
    question: str,
    terms: Sequence[str],
    hits: Sequence[Hit],
    stats: Statistics,
    weights: Mapping[str, float] = WEIGHTS,
) -> list[Hit]:
    """The same hits, the best `DEPTH` reordered by their features, the rest as they were."""
    head, tail = list(hits[:DEPTH]), list(hits[DEPTH:])
    if len(head) < 2:
        return head + tail
    s = scores(question, terms, head, stats, weights)
    order = sorted(range(len(head)), key=lambda i: (-s[i], i))
    return [head[i] for i in order] + tail
