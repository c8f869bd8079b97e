"""A question's best passages from the postings, as FTS5's `bm25()` ranks them.

Ranking (`rank`) is the threshold algorithm with random access: score exactly every passage of
the rare terms and the heads of the common ones, take the k-th best score as a threshold, and
stop when what no passage outside the candidates can reach (the sum, over terms, of the impact
where each head stops) falls below it; otherwise read deeper heads, and at the end score every
posting of the terms whose idf is not floored, then exactly the few passages that can still
reach the top. Date filters apply to the candidates: a date per passage is kept beside its
length. Segments never change once written, so their arrays are cached across questions.
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from collections.abc import Sequence

import numpy as np

from .bm25 import IDF_FLOOR, K1, impact
from .state import Part, current, parts_of
from .tables import UNDATED
from .tokens import is_simple

#: Candidates taken from each head at the first pass; each further pass takes 4 times more.
FIRST_DEPTH = 64
#: Heads are read at most this deep before every posting is scored instead.
DEEPEST = 1_024
#: A list whose head is used up is read whole when it is at most this long.
WHOLE_MAX = 32_768
#: Slack on every upper bound: impacts are stored in float32 and computed in another order.
BOUND_SLACK = 1.0 + 1e-6


def rank(
    conn: sqlite3.Connection,
    terms: Sequence[str],
    k: int,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[tuple[int, float]] | None:
    """The best `k` (passage id, score) for the terms, as FTS5's `bm25()` ranks them.

    None when this index cannot answer (no postings, or a term FTS5 would read as a phrase):
    the caller then asks FTS5.
    """
    if not terms or k <= 0:
        return []
    if not all(is_simple(t) for t in terms):
        return None
    own = not conn.in_transaction  # one snapshot for every read, whatever a writer commits
    if own:
        conn.execute("BEGIN")
    try:
        try:
            got = current(conn)
        except sqlite3.OperationalError:  # an index from before the postings existed
            return None
        if got is None:
            return None
        uid, state = got
        if state.passages <= 0:
            return []
        parts = parts_of(conn, uid, state, list(dict.fromkeys(terms)))
    finally:
        if own:
            conn.execute("COMMIT")
    return _Ranking(state, terms, parts, since, until).top(k)


class _Ranking:
    """One question's threshold algorithm over the parts of its terms."""

    def __init__(self, state, terms, parts, since, until) -> None:
        self.state = state
        self.avgdl = state.tokens / state.passages
        self.terms = list(terms)
        self.parts = parts
        self.lo = since.toordinal() if since else None
        self.hi = until.toordinal() if until else None
        n = state.passages
        self.idf: dict[str, float] = {}
        for term, ps in parts.items():
            hits = sum(p.n for p in ps)
            idf = math.log((n - hits + 0.5) / (hits + 0.5))
            self.idf[term] = idf if idf > 0.0 else IDF_FLOOR
        self.live = [t for t in self.terms if parts[t]]

    def _bound(self, part: Part, depth: int) -> float:
        """Highest impact a posting of `part` outside its first `depth` head entries can have."""
        if part.head_ids is None:
            return 0.0 if depth > 0 else part.top * self._drift(part) * BOUND_SLACK
        w = float(part.head_w[min(depth, len(part.head_w) - 1)])
        return w * self._drift(part) * BOUND_SLACK

    def _drift(self, part: Part) -> float:
        # With a larger average length every impact can grow by at most avgdl/avgdl0.
        return max(1.0, self.avgdl / part.avgdl)

    def scores(self, cand: np.ndarray) -> np.ndarray:
        """Exact scores of candidate passages, summed in the question's order as FTS5 does."""
        length = self.state.lengths[cand].astype(np.float64)
        score = np.zeros(len(cand), dtype=np.float64)
        freq_of: dict[str, np.ndarray] = {}
        for term in self.terms:
            if not self.parts[term]:
                continue
            f = freq_of.get(term)
            if f is None:
                f = np.zeros(len(cand), dtype=np.float64)
                for part in self.parts[term]:
                    if part.dense is not None:
                        inside = cand < len(part.dense)
                        f[inside] += part.dense[cand[inside]]
                        continue
                    pos = np.searchsorted(part.ids, cand)
                    pos[pos >= len(part.ids)] = 0
                    hit = part.ids[pos] == cand
                    f[hit] = part.tfs[pos[hit]]
                freq_of[term] = f
            score += self.idf[term] * impact(f, length, self.avgdl)
        return score

    def _allowed(self, cand: np.ndarray) -> np.ndarray:
        if self.lo is None and self.hi is None:
            return cand
        days = self.state.days[cand]
        ok = days != UNDATED
        if self.lo is not None:
            ok &= days >= self.lo
        if self.hi is not None:
            ok &= days <= self.hi
        return cand[ok]

    def top(self, k: int) -> list[tuple[int, float]]:
        if not self.live:
            return []
        depth = dict.fromkeys(self.parts, FIRST_DEPTH)
        while True:
            pieces = []
            bound = dict.fromkeys(self.parts, 0.0)
            for term, ps in self.parts.items():
                for part in ps:
                    if part.head_ids is not None and depth[term] < len(part.head_ids):
                        pieces.append(part.head_ids[: depth[term]])
                        bound[term] = max(bound[term], self._bound(part, depth[term]))
                    elif part.head_ids is None or (part.n <= WHOLE_MAX and len(part.ids)):
                        pieces.append(part.ids)
                    else:  # a long list (or one kept only densely) would be read whole:
                        return self._exhaustive(k)  # score everything at once
            reach = {t: self.idf[t] * bound[t] * self.terms.count(t) for t in self.parts}
            outside = sum(reach.values())
            cand = self._allowed(_union(pieces))
            best = _best(cand, self.scores(cand), k)
            if outside == 0.0 or (len(best) == k and best[-1][1] > outside):
                return best
            # Read deeper only where it lowers the bound most: the terms that could still
            # bring a passage from outside to the top, not the near-weightless common ones.
            widest = max(reach.values())
            for term, r in reach.items():
                if r >= widest / 4:
                    depth[term] *= 4
            if max(depth.values()) > DEEPEST:  # heads this deep rarely prove a bound
                return self._exhaustive(k)

    def _exhaustive(self, k: int) -> list[tuple[int, float]]:
        """Every posting of the weighty terms, by impacts computed once per list, then exact
        scores for the passages that can still reach the top. Terms found in over half the
        passages (idf floored to 1e-6) are looked up only for those passages."""
        heavy = [t for t in self.parts if self.parts[t] and self.idf[t] > IDF_FLOOR]
        light = [t for t in self.parts if self.parts[t] and self.idf[t] <= IDF_FLOOR]
        acc = np.zeros(len(self.state.lengths), dtype=np.float32)
        norm = self.state.norm
        for term in heavy if heavy else light:
            weight = np.float32(self.idf[term] * self.terms.count(term))
            for part in self.parts[term]:
                if part.n and not len(part.ids):  # held densely: no scatter needed
                    tf = part.dense.astype(np.float32)
                    size = len(tf)
                    acc[:size] += weight * (tf * np.float32(K1 + 1.0)) / (tf + norm[:size])
                    continue
                tf = part.tfs.astype(np.float32)
                acc[part.ids] += weight * (tf * np.float32(K1 + 1.0)) / (tf + norm[part.ids])
        drift = 1.0  # float32 impacts at today's average length: only rounding differs
        allowed = self._allowed_mask()
        if allowed is not None:
            acc[~allowed] = 0.0
        slack = 0.0
        if heavy and light:
            slack = sum(
                self.idf[t] * self.terms.count(t) * max(self._bound(p, 0) for p in self.parts[t])
                for t in light
            )
        if k >= len(acc):
            return self._exhaustive_all(k)
        kth = _kth_largest(acc, k)
        # The k passages at or above `kth` score at least `floor` exactly; a passage can
        # reach the top only if its approximate score is at least `cut`.
        floor = kth / drift * (1 - 1e-5)
        if floor <= slack or kth <= 0.0:
            return self._exhaustive_all(k)
        cut = (floor - slack) / (drift * (1 + 1e-5))
        cand = np.flatnonzero(acc >= cut).astype(np.uint32)
        return _best(cand, self.scores(cand), k)

    def _allowed_mask(self) -> np.ndarray | None:
        if self.lo is None and self.hi is None:
            return None
        days = self.state.days
        ok = days != UNDATED
        if self.lo is not None:
            ok &= days >= self.lo
        if self.hi is not None:
            ok &= days <= self.hi
        return ok

    def _exhaustive_all(self, k: int) -> list[tuple[int, float]]:
        seen = np.zeros(len(self.state.lengths), dtype=bool)
        for ps in self.parts.values():
            for p in ps:
                if p.n and not len(p.ids):
                    seen[: len(p.dense)] |= p.dense > 0
                else:
                    seen[p.ids] = True
        cand = self._allowed(np.flatnonzero(seen).astype(np.uint32))
        return _best(cand, self.scores(cand), k)


def _kth_largest(values: np.ndarray, k: int) -> float:
    """The k-th largest value, by way of block maxima: a full partition of a million mostly
    equal values is slow, and at least k values reach the k-th largest block maximum."""
    starts = np.arange(0, len(values), 1024)
    if len(starts) > k:
        maxima = np.maximum.reduceat(values, starts)
        floor = np.partition(maxima, len(maxima) - k)[len(maxima) - k]
        values = values[values >= floor]
    return float(np.partition(values, len(values) - k)[len(values) - k])


def _union(arrays: list[np.ndarray]) -> np.ndarray:
    """Sorted distinct ids (a sort: numpy's hashing `unique` is slow on these)."""
    ids = np.sort(np.concatenate(arrays)) if arrays else np.zeros(0, np.uint32)
    if len(ids) < 2:
        return ids
    return ids[np.concatenate(([True], ids[1:] != ids[:-1]))]


def _best(cand: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k best (id, score), score descending then id ascending, as FTS5 orders them."""
    keep = scores > 0.0
    cand, scores = cand[keep], scores[keep]
    if len(cand) > k:
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        keep = scores >= kth
        cand, scores = cand[keep], scores[keep]
    order = np.lexsort((cand, -scores))[:k]
    return [(int(cand[i]), float(scores[i])) for i in order]
