"""FTS5's BM25, in one place: its parameters, its idf floor and the per-term factor, in the
order of operations FTS5 uses, so that every score computed from the postings (and by the
reranker and the follow-ups) is the score FTS5's `bm25()` gives.
"""

from __future__ import annotations

import numpy as np

#: FTS5's BM25 parameters (fixed in its `bm25()`).
K1 = 1.2
B = 0.75
#: FTS5 floors the idf of a term found in more than half the passages to this.
IDF_FLOOR = 1e-6


def impact(tf: np.ndarray, length: np.ndarray, avgdl: float) -> np.ndarray:
    """FTS5's per-term BM25 factor without the idf, in its own order of operations."""
    return (tf * (K1 + 1.0)) / (tf + K1 * (1 - B + B * length / avgdl))
