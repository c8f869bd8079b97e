"""Which analyser, BM25 parameters, passage size and title weight retrieve best.

One command, tuning data only: SQuAD's tuning questions (half the articles, seeded) and
SciFact's 809 train claims; the held-out SQuAD questions and SciFact's test claims are not
looked at here. Every variant is scored by the same in-memory BM25 (FTS5's formula, see
bm25.py) on the passages briefbot would cut, and a document ranks by its best passage.

Run: `nice .venv/bin/python -m bench.quality.analysers` (about ten minutes; `--part` runs one
table).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from functools import lru_cache

import Stemmer

from index import analysis

from .bm25 import BM25
from .data import Doc, Question, scifact_docs, scifact_questions, squad_docs, squad_questions
from .metrics import dedupe, mean, mrr_at, ndcg_at, recall_at
from .units import analysed, cut

# Lucene's English stop set (EnglishAnalyzer.ENGLISH_STOP_WORDS_SET), the usual short list.
LUCENE_STOPWORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their "
    "then there these they this to was will with".split()
)
PLAIN_WORD = re.compile(r"\w+")
VERSION_1_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def plain(text: str) -> list[str]:
    """Lower-cased \\w+ tokens: what rank_bm25's examples and most baselines use."""
    return PLAIN_WORD.findall(text.lower())


def variant(
    stemmer: str | None, stopwords: frozenset[str], delimit: bool = True
) -> Callable[[str], list[str]]:
    """briefbot's word splitting and folding with another stemmer or stopword list; or, not
    delimited, as analyser version 1 split words: hyphens always split ("F-35" is "f" and
    "35"), and "F35" is one term, "f35", not also "f" and "35"."""
    stem = Stemmer.Stemmer(stemmer).stemWord if stemmer else (lambda w: w)
    stop = frozenset(analysis._JOINS.sub("", w) for w in stopwords)

    @lru_cache(maxsize=200_000)
    def term(word: str) -> str | None:
        folded = analysis.spelling(word)
        if not folded or folded in stop:
            return None
        return stem(folded)

    @lru_cache(maxsize=200_000)
    def terms(word: str) -> tuple[str, ...]:
        if not delimit:
            return (t,) if (t := term(word)) is not None else ()
        return analysis.delimited(word, term)

    split = analysis.split if delimit else VERSION_1_WORD.findall

    def analyse(text: str) -> list[str]:
        return [t for w in split(text) for t in terms(w)]

    return analyse


ANALYSERS: dict[str, Callable[[str], list[str]]] = {
    "plain lower-case \\w+ (no stopwords, no stemming)": plain,
    "folded words, no stopwords, no stemming": variant(None, frozenset()),
    "folded, Snowball stopwords, no stemming": variant(None, analysis.STOPWORDS),
    "folded, Snowball stopwords, Porter": variant("porter", analysis.STOPWORDS),
    "folded, no stopwords, Snowball English": variant("english", frozenset()),
    "folded, Lucene's 33 stopwords, Snowball English": variant("english", LUCENE_STOPWORDS),
    "as briefbot, analyser version 1 (a word one term, hyphens split)": variant(
        "english", analysis.STOPWORDS, delimit=False
    ),
    "briefbot: folded, Snowball stopwords, Snowball English": analysis.analyse,
}


_CUTS: dict[tuple[int, int], list] = {}


def _cut(docs: list[Doc], max_words: int) -> list:
    key = (id(docs), max_words)
    if key not in _CUTS:
        _CUTS[key] = cut(docs, max_words)
    return _CUTS[key]


def evaluate(
    docs: list[Doc],
    questions: list[Question],
    analyser: Callable[[str], list[str]],
    *,
    k1: float = 1.2,
    b: float = 0.75,
    max_words: int | None = None,
    title_weight: int = 0,
) -> dict[str, float]:
    units = _cut(docs, max_words or 10**9)
    terms = analysed(units, docs, analyser, title_weight)
    model = BM25(terms, k1, b)
    r1, r5, r100, mrr, ndcg = [], [], [], [], []
    for q in questions:
        top = model.top(analyser(q.text), 400)
        ranked = dedupe(docs[units[i][0]].id for i, _ in top)
        r1.append(recall_at(ranked, q.relevant, 1))
        r5.append(recall_at(ranked, q.relevant, 5))
        r100.append(recall_at(ranked, q.relevant, 100))
        mrr.append(mrr_at(ranked, q.relevant, 10))
        ndcg.append(ndcg_at(ranked, q.relevant, 10))
    return {
        "R@1": mean(r1),
        "R@5": mean(r5),
        "MRR@10": mean(mrr),
        "nDCG@10": mean(ndcg),
        "R@100": mean(r100),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["analyser", "params", "size", "title", "all"])
    args = parser.parse_args()
    part = args.part or "all"
    squad = (squad_docs(), squad_questions("tune"))
    scifact = (scifact_docs(), scifact_questions("train"))
    started = time.monotonic()

    def row(label: str, title_weight: tuple[int, int] = (0, 1), **kw) -> None:
        a = evaluate(*squad, title_weight=title_weight[0], **kw)
        s = evaluate(*scifact, title_weight=title_weight[1], **kw)
        print(
            f"| {label} | {a['R@1']:.3f} | {a['R@5']:.3f} | {a['MRR@10']:.3f} "
            f"| {s['nDCG@10']:.3f} | {s['R@100']:.3f} |",
            flush=True,
        )

    header = (
        "| {} | SQuAD tune R@1 | R@5 | MRR@10 | SciFact train nDCG@10 | R@100 |\n"
        "|---|---|---|---|---|---|"
    )
    default_size = 120
    if part in ("analyser", "all"):
        print(
            "\nAnalyser (k1 1.2, b 0.75 as FTS5; 120-word passages; SQuAD paragraph text"
            " only, SciFact title and text)\n"
        )
        print(header.format("analyser"))
        for label, analyser in ANALYSERS.items():
            row(label, analyser=analyser, max_words=default_size)
    if part in ("params", "all"):
        print("\nBM25 parameters (briefbot's analyser, 120-word passages)\n")
        print(header.format("k1, b"))
        for k1 in (0.6, 0.9, 1.2, 1.5, 2.0):
            for b in (0.4, 0.6, 0.75, 0.9):
                row(f"{k1}, {b}", analyser=analysis.analyse, k1=k1, b=b, max_words=default_size)
    if part in ("size", "all"):
        print("\nPassage size (briefbot's analyser, k1 1.2, b 0.75)\n")
        print(header.format("MAX_WORDS"))
        for size in (60, 90, 120, 160, 240, None):
            row(str(size or "whole paragraph"), analyser=analysis.analyse, max_words=size)
    if part in ("title", "all"):
        print("\nDocument title repeated with every passage (briefbot's analyser, 120 words)\n")
        print(header.format("title weight (SQuAD, SciFact)"))
        for weights in ((0, 0), (1, 1), (2, 2)):
            row(
                f"{weights[0]}",
                analyser=analysis.analyse,
                max_words=default_size,
                title_weight=weights,
            )
    print(f"\n({time.monotonic() - started:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
