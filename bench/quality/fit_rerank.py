"""Fit the re-ranker's weights on SQuAD's tuning questions and print them for
`index/rerank.py`'s `WEIGHTS`.

The model is linear: a passage's score is its features (`rerank.features`) times the weights.
The weights maximise the likelihood that the passage holding the answer comes first (a
softmax over each question's candidates, a little L2), fitted by full-batch Adam in numpy.
Only the tuning half of SQuAD is read (half the articles, seeded; see data.py); the held-out
half is for `squad.py`'s figures.

Run: `nice .venv/bin/python -m bench.quality.fit_rerank` (about a minute).
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np

from index import rerank, vocabulary

from .data import build, squad_docs, squad_questions
from .pipeline import candidates


def collect(split: str = "tune", depth: int = rerank.DEPTH):
    """Per question: a (candidates × features) matrix and which candidates are relevant."""
    docs = squad_docs()
    with tempfile.TemporaryDirectory(prefix="briefbot-fit-") as tmp:
        db = Path(tmp) / "index.db"
        paths = build(docs, db)
        conn = sqlite3.connect(db)
        vocab = vocabulary.get(conn)
        names: list[str] = []
        data = []
        for q in squad_questions(split):
            c = candidates(conn, q.text, depth)
            if len(c.hits) < 2:
                continue
            rows = rerank.features(c.question, c.terms, c.hits, vocab)
            names = names or list(rows[0])
            x = np.array([[r[n] for n in names] for r in rows])
            y = np.array([paths[h.document] in q.relevant for h in c.hits], dtype=float)
            data.append((x, y))
        conn.close()
    return names, data


def fit(data, l2: float = 1e-3, steps: int = 1500, rate: float = 0.05) -> np.ndarray:
    """Weights maximising the mean log-probability of the relevant candidates."""
    data = [(x, y) for x, y in data if y.any()]
    width = max(len(y) for _, y in data)
    features = data[0][0].shape[1]
    X = np.zeros((len(data), width, features))
    mask = np.zeros((len(data), width), dtype=bool)
    target = np.zeros((len(data), width))
    for i, (x, y) in enumerate(data):
        X[i, : len(y)] = x
        mask[i, : len(y)] = True
        target[i, : len(y)] = y / y.sum()
    w = np.zeros(features)
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for step in range(1, steps + 1):
        s = np.where(mask, X @ w, -np.inf)
        s -= s.max(axis=1, keepdims=True)
        p = np.exp(s)
        p /= p.sum(axis=1, keepdims=True)
        grad = np.einsum("qn,qnf->f", p - target, X) / len(data) + l2 * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w -= rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return w


def recall_at_1(w: np.ndarray, data) -> float:
    hits = 0
    for x, y in data:
        s = x @ w
        hits += bool(y[int(np.argmax(s))])
    return hits / len(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--depth", type=int, default=rerank.DEPTH)
    parser.add_argument(
        "--k1", type=float, default=rerank.K1, help="k1 of the features' own BM25 (FTS5's: 1.2)"
    )
    parser.add_argument(
        "--ablate", action="store_true", help="also refit without each feature in turn"
    )
    args = parser.parse_args()
    started = time.monotonic()
    rerank.K1 = args.k1
    names, data = collect("tune", args.depth)
    w = fit(data)
    bm25 = sum(bool(y[0]) for _, y in data) / len(data)
    print(f"{len(data)} tuning questions with at least two of the top {args.depth} passages")
    print(
        f"Recall@1 of a passage from the gold paragraph: BM25 order {bm25:.4f}, "
        f"re-ranked {recall_at_1(w, data):.4f}"
    )
    if args.ablate:
        print("\n| without | Recall@1 |\n|---|---|")
        for i, name in enumerate(names):
            keep = [j for j in range(len(names)) if j != i]
            part = [(x[:, keep], y) for x, y in data]
            print(f"| {name} | {recall_at_1(fit(part), part):.4f} |")
    print("\nWEIGHTS: dict[str, float] = {")
    for n, value in zip(names, w, strict=True):
        print(f'    "{n}": {value:.2f},')
    print("}")
    print(f"({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
