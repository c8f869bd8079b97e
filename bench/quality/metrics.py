"""Ranking metrics, computed per question on document ids, best first."""

from __future__ import annotations

import math
from collections.abc import Iterable


def dedupe(ids: Iterable[str]) -> list[str]:
    """Documents in the order their first passage was ranked: a document counts once."""
    return list(dict.fromkeys(ids))


def recall_at(ranked: list[str], relevant: frozenset[str], k: int) -> float:
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def mrr_at(ranked: list[str], relevant: frozenset[str], k: int) -> float:
    for i, doc in enumerate(ranked[:k]):
        if doc in relevant:
            return 1.0 / (i + 1)
    return 0.0


def ndcg_at(ranked: list[str], relevant: frozenset[str], k: int) -> float:
    """Binary-relevance nDCG, as BEIR's evaluation (pytrec_eval) computes it."""
    dcg = sum(1.0 / math.log2(i + 2) for i, doc in enumerate(ranked[:k]) if doc in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return dcg / ideal


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0
