"""A small BM25 over in-memory postings, with FTS5's formula and free k1 and b.

It scores the same terms FTS5 would and floors a negative idf at 1e-6 as FTS5 does, so with
k1 = 1.2 and b = 0.75 it ranks as `bm25()` does (tests/test_bm25_reference.py checks that for
the index itself). It exists to compare analysers and parameters quickly: FTS5's `bm25()`
fixes k1 and b, and rebuilding an index per variant would only be slower.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping

import numpy as np


class BM25:
    def __init__(self, docs: list[list[str]], k1: float = 1.2, b: float = 0.75):
        self.n = len(docs)
        lengths = np.array([len(d) for d in docs], dtype=np.float64)
        avgdl = float(lengths.mean()) if self.n else 1.0
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for i, doc in enumerate(docs):
            for term, tf in Counter(doc).items():
                ids, tfs = postings.setdefault(term, ([], []))
                ids.append(i)
                tfs.append(tf)
        norm = k1 * (1 - b + b * lengths / avgdl)
        self.postings = {}
        for term, (ids, tfs) in postings.items():
            ids_a = np.array(ids, dtype=np.int64)
            tf_a = np.array(tfs, dtype=np.float64)
            idf = math.log((self.n - len(ids) + 0.5) / (len(ids) + 0.5))
            idf = idf if idf > 0 else 1e-6
            self.postings[term] = (ids_a, idf * tf_a * (k1 + 1) / (tf_a + norm[ids_a]))

    def scores(self, weights: Mapping[str, float]) -> np.ndarray:
        """Every document's score, each term's BM25 times its weight."""
        out = np.zeros(self.n)
        for term, weight in weights.items():
            entry = self.postings.get(term)
            if entry is not None:
                out[entry[0]] += weight * entry[1]
        return out

    def top(self, terms: list[str], k: int) -> list[tuple[int, float]]:
        """The best `k` documents holding any of `terms`, ties broken by position."""
        scores = self.scores(dict.fromkeys(terms, 1.0))
        candidates = np.flatnonzero(scores > 0)  # a term held scores above 0, even floored
        if len(candidates) > k:
            part = np.argpartition(-scores[candidates], k - 1)[:k]
            candidates = candidates[part]
        order = sorted(candidates.tolist(), key=lambda i: (-scores[i], i))
        return [(i, float(scores[i])) for i in order[:k]]
