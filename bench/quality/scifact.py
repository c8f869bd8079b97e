"""BEIR SciFact: for each scientific claim, the abstracts that support or refute it, among
5,183; nDCG@10 and Recall@100, as the BEIR paper and Pyserini report them.

Each abstract is written as a briefing whose heading is the paper's title, so that BM25 sees
title and text together, as Pyserini's "flat" index does, and is indexed through briefbot's
own pipeline; an abstract ranks where its best passage does. In the same run:

- rank_bm25's BM25Okapi (its defaults, k1 1.5, b 0.75) over plain lower-case \\w+ tokens of
  title and text, one document per abstract;
- briefbot's `search()`: BM25 in SQLite FTS5 over briefbot's analysed terms;
- the answer pipeline before and after re-ranking (what `Index.answer` ranks);
- `Index.answer` as the bot replies (a claim whose best passage holds too little of it gets
  no passage, counted as a miss).

Published BM25 on the same 300 test claims: 0.665 nDCG@10 (BEIR paper, Elasticsearch) and
0.679 nDCG@10, 0.925 Recall@100 (Pyserini, title and text as one field). Choices were made on
the 809 train claims (`--split train`); the test figure is reported once, after choosing.

Run: `nice .venv/bin/python -m bench.quality.scifact` (about three minutes).
"""

from __future__ import annotations

import argparse
import time

from rank_bm25 import BM25Okapi

from .analysers import plain
from .data import scifact_docs, scifact_questions
from .metrics import mean, ndcg_at, recall_at
from .pipeline import add_drop_option, indexed, reranked, stage_labels, weights_without

#: Passages asked for, enough to hold a hundred distinct abstracts.
DEPTH = 400


class Scores:
    def __init__(self) -> None:
        self.ndcg: list[float] = []
        self.r100: list[float] = []

    def add(self, ranked: list[str], relevant: frozenset[str]) -> None:
        self.ndcg.append(ndcg_at(ranked, relevant, 10))
        self.r100.append(recall_at(ranked, relevant, 100))

    def row(self, label: str, base: Scores | None = None) -> str:
        ndcg = mean(self.ndcg)
        ratio = f" ({ndcg / mean(base.ndcg):.3f}×)" if base else ""
        return f"| {label} | {ndcg:.3f}{ratio} | {mean(self.r100):.3f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="test", choices=["test", "train"])
    add_drop_option(parser)
    args = parser.parse_args()
    weights = weights_without(args.drop)
    started = time.monotonic()
    docs = scifact_docs()
    questions = scifact_questions(args.split)

    baseline = Scores()
    model = BM25Okapi([plain(f"{d.title} {d.text}") for d in docs])
    for q in questions:
        s = model.get_scores(plain(q.text))
        order = sorted(range(len(docs)), key=lambda i: -s[i])[:100]
        baseline.add([docs[i].id for i in order], q.relevant)

    stages = [Scores() for _ in stage_labels(args.drop)]
    with indexed(docs, title_as_heading=True) as idx:
        for q in questions:
            ranked_by = idx.stages(q.text, DEPTH, lambda c: reranked(idx.conn, c, weights))
            for scores, ranked in zip(stages, ranked_by, strict=True):
                scores.add(ranked, q.relevant)

    print(f"\nBEIR SciFact, {args.split} claims: {len(questions)} over {len(docs)} abstracts\n")
    print("| ranking | nDCG@10 (× rank_bm25) | Recall@100 |")
    print("|---|---|---|")
    print(baseline.row("rank_bm25 BM25Okapi, lower-case \\w+ tokens"))
    for scores, label in zip(stages, stage_labels(args.drop), strict=True):
        print(scores.row(label, baseline))
    print(f"({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
