"""SQuAD v1.1 dev as paragraph retrieval: for each question, where does the paragraph that
holds its answer rank among the 2,067 paragraphs?

Each paragraph is written as a briefing (its article's name as the title, which BM25 does not
index) and indexed through briefbot's own pipeline. Figures are on the held-out half of the
questions (the articles not used to fit the re-ranker or choose anything; see data.py) unless
`--split` says otherwise. In the same run:

- rank_bm25's BM25Okapi (its defaults, k1 1.5, b 0.75) over plain lower-case \\w+ tokens;
- briefbot's `search()`: BM25 in SQLite FTS5 over briefbot's analysed terms;
- the answer pipeline before re-ranking (the question read by `understand`, names and
  spelling variants weighed by `query.search`);
- the same with the re-ranker (`index/questions/rerank.py`): what `Index.answer` ranks;
- `Index.answer` as the bot replies, where a question whose best passage holds too little of
  it gets no passage (`index/questions/judge.py`), counted as a miss.

A paragraph cut into several passages ranks where its best passage does.

Run: `nice .venv/bin/python -m bench.quality.squad` (about three minutes).
"""

from __future__ import annotations

import argparse
import statistics
import time

from rank_bm25 import BM25Okapi

from index.questions import rerank
from index.questions.answer import Index
from index.storage import vocabulary
from index.storage.search import Hit

from .analysers import plain
from .data import squad_docs, squad_questions
from .metrics import mean, mrr_at, recall_at
from .pipeline import Candidates, add_drop_option, indexed, stage_labels, weights_without

#: Passages asked for, enough to hold ten distinct paragraphs.
DEPTH = 40
#: The fewest candidates a reply of three reads: three to show, one to tell of more.
FEWEST = 4
#: Questions timed through `Index.answer` with and without re-ranking.
TIMED = 1000


class Scores:
    def __init__(self) -> None:
        self.r1: list[float] = []
        self.r5: list[float] = []
        self.mrr: list[float] = []

    def add(self, ranked: list[str], relevant: frozenset[str]) -> None:
        self.r1.append(recall_at(ranked, relevant, 1))
        self.r5.append(recall_at(ranked, relevant, 5))
        self.mrr.append(mrr_at(ranked, relevant, 10))

    def row(self, label: str, base: Scores | None = None) -> str:
        r1 = mean(self.r1)
        ratio = f" ({r1 / mean(base.r1):.3f}×)" if base else ""
        return f"| {label} | {r1:.3f}{ratio} | {mean(self.r5):.3f} | {mean(self.mrr):.3f} |"


def _answer_times(index: Index, questions: list[str]) -> tuple[list[float], list[float]]:
    """CPU milliseconds of `Index.answer(question, k=3)`, as a reply asks, with the
    re-ranker's candidates and with only the four a reply of three reads (`rerank.DEPTH` 4:
    three to show and one to tell whether there are more), each question on both in turn."""
    depth = rerank.DEPTH
    with_it: list[float] = []
    without: list[float] = []
    for question in questions:
        for d, out in ((depth, with_it), (FEWEST, without)):
            rerank.DEPTH = d
            rerank.clear_cache()
            t0 = time.thread_time()
            index.answer(question, k=3)
            out.append((time.thread_time() - t0) * 1000)
    rerank.DEPTH = depth
    return with_it, without


def _percentiles(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values), values[int(0.99 * (len(values) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="heldout", choices=["heldout", "tune", "all"])
    add_drop_option(parser)
    args = parser.parse_args()
    weights = weights_without(args.drop)
    started = time.monotonic()
    docs = squad_docs()
    questions = squad_questions(args.split)

    baseline = Scores()
    model = BM25Okapi([plain(d.text) for d in docs])
    for q in questions:
        s = model.get_scores(plain(q.text))
        order = sorted(range(len(docs)), key=lambda i: -s[i])[:10]
        baseline.add([docs[i].id for i in order], q.relevant)

    stages = [Scores() for _ in stage_labels(args.drop)]
    costs: list[float] = []  # wall-clock milliseconds
    cpu: list[float] = []  # this thread's CPU milliseconds: the cost on an idle core
    with indexed(docs) as idx:
        vocab = vocabulary.get(idx.conn)

        def timed(c: Candidates) -> list[Hit]:
            rerank.clear_cache()  # SQuAD asks about the same paragraphs again and again
            t0, c0 = time.perf_counter(), time.thread_time()
            ordered = rerank.rerank(c.question, c.terms, c.hits, vocab, weights)
            if len(c.hits) >= 2:
                costs.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.thread_time() - c0) * 1000)
            return ordered

        for q in questions:
            ranked_by = idx.stages(q.text, DEPTH, timed)
            for scores, ranked in zip(stages, ranked_by, strict=True):
                scores.add(ranked, q.relevant)
        paired = _answer_times(idx.index, [q.text for q in questions[:TIMED]])

    print(
        f"\nSQuAD v1.1 dev, {args.split} questions: {len(questions)} over {len(docs)} paragraphs\n"
    )
    print("| ranking | Recall@1 (× rank_bm25) | Recall@5 | MRR@10 |")
    print("|---|---|---|---|")
    print(baseline.row("rank_bm25 BM25Okapi, lower-case \\w+ tokens"))
    for scores, label in zip(stages, stage_labels(args.drop), strict=True):
        print(scores.row(label, baseline))
    print(f"\nRe-ranking {rerank.DEPTH} candidates never read before, per question:")
    for label, values in (("CPU time", cpu), ("wall-clock", costs)):
        p50, p99 = _percentiles(values)
        print(f"- {label}: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    print(f"\n`Index.answer(question, k=3)`, CPU time, first {TIMED} questions:")
    for label, values in (
        (f"{rerank.DEPTH} candidates", paired[0]),
        (f"{FEWEST} candidates", paired[1]),
    ):
        p50, p99 = _percentiles(values)
        print(f"- {label}: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    print(f"({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
