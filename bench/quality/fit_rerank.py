"""Fit the re-ranker's weights on SQuAD's tuning questions, optionally with SciFact's train
claims, and print them for `index/questions/rerank.py`'s `WEIGHTS`.

The model is linear: a passage's score is its features (`rerank.features`) times the weights.
The weights maximise the likelihood that a relevant passage comes first (a softmax over each
question's candidates, the target shared among its relevant ones, a little L2), fitted by
full-batch Adam in numpy. A SQuAD question's relevant passage is its gold paragraph's; a
SciFact claim's are the passages of the abstracts that support or refute it, each abstract
indexed with its title as heading, and the candidates come from the same pipeline as
`scifact.py`'s (`pipeline.candidates`, its `DEPTH` passages asked for).

The two sets differ in size (about 5,500 questions against 800 claims) and in kind (short
questions about one paragraph against scientific claims about abstracts), so each gets a
share of the total weight (`--scifact-share`), spread evenly over its questions: the larger
set does not swamp the smaller one. Each share is judged by SQuAD's tuning Recall@1 and by
SciFact's train nDCG@10 of the re-ranked order, in-sample and with the claims split in two
(fitted on SQuAD and one half, scored on the other half). No share above 0 raised SciFact's
figure, and every share from 0.25 up cost SQuAD's, so `WEIGHTS` holds the fit on SQuAD alone
(`SCIFACT_SHARE` 0; the figures are in docs/benchmarks.md).

The development sets' tuning halves (odd ids of briefings-dev and reuters-dev) come in at
`DEV_SHARE` of the weight: their candidates as the answer path gathers them, a candidate
relevant where it holds a gold text or is a relevant item. Their held-out halves are printed
beside, never fitted on.

`--section` fits a ninth feature too, the BM25 of the passage's whole section (a story told
across passages, or a SciFact abstract cut in two); it was not kept (docs/benchmarks.md, "What
holds the figure back").

Only tuning data is read: half of SQuAD's articles (seeded; see data.py) and SciFact's train
claims. SQuAD's held-out half and SciFact's test claims are for `squad.py` and `scifact.py`.

Run: `nice .venv/bin/python -m bench.quality.fit_rerank` (about three minutes).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.questions import rerank, respond, understand
from index.storage import vocabulary
from index.storage.search import Hit

from .data import SEED, scifact_docs, scifact_questions, squad_docs, squad_questions
from .metrics import dedupe, mean, ndcg_at
from .pipeline import candidates, indexed
from .scifact import DEPTH as SCIFACT_DEPTH

#: SciFact's share of the total weight, chosen on the tuning figures (docs/benchmarks.md).
SCIFACT_SHARE = 0.0
#: The development sets' share (their tuning halves' candidates, as the answer path gathers
#: them): SQuAD has no dates, speakers or titles that matter, and a quarter of the weight
#: lifted the sets' tuning Recall@1 from 0.755 to 0.791 for 0.2 points of SQuAD's.
DEV_SHARE = 0.25
#: Shares compared by default: 0.5 is equal weight for the two sets.
SHARES = (0.1, 0.25, 0.5, 0.75, 1.0)


@dataclass(slots=True)
class Ranked:
    """One SciFact claim as the re-ranker sees it, enough to score any weights' nDCG@10."""

    x: np.ndarray  # the head's features, one row per passage
    head: list[str]  # the abstracts of the passages the re-ranker reorders
    tail: list[str]  # the abstracts after them, in BM25's order, each once
    relevant: frozenset[str]

    @property
    def y(self) -> np.ndarray:
        return np.array([d in self.relevant for d in self.head], dtype=float)


def section_scores(
    conn: sqlite3.Connection, hits: Sequence[Hit], terms: Sequence[str], stats
) -> list[float]:
    """Each passage's section (the passages of its document under the same heading, itself
    included) scored as one passage by BM25, its length measured against as many average
    passages, as a share of the best candidate's: a story told across passages."""
    weight = {t: rerank.idf(stats.df[t], stats.rows) for t in terms if stats.df.get(t, 0) > 0}
    out = []
    for h in hits:
        texts = [
            text.split()
            for (text,) in conn.execute(
                "SELECT f.terms FROM passages p JOIN passages q ON q.document_id = p.document_id"
                " AND q.heading IS p.heading JOIN passages_fts f ON f.rowid = q.id"
                " WHERE p.id = ?",
                (h.passage_id,),
            )
        ]
        tokens = [t for text in texts for t in text]
        norm = rerank.K1 * (
            1 - rerank.B + rerank.B * len(tokens) / (stats.avgdl * max(len(texts), 1))
        )
        out.append(rerank._saturated(Counter(t for t in tokens if t in weight), weight, norm))
    top = max(out, default=0.0)
    return [v / top if top > 0 else 0.0 for v in out]


def feature_rows(
    conn: sqlite3.Connection, c, hits: Sequence[Hit], vocab, section: bool
) -> list[dict]:
    """`rerank.features` for the hits, and with `section` the section's score too."""
    rows = rerank.features(c.question, c.terms, hits, vocab)
    if section:
        terms = [t.term for t in c.terms]
        for row, value in zip(rows, section_scores(conn, hits, terms, vocab), strict=True):
            row["section"] = value
    return rows


def collect(split: str = "tune", depth: int = rerank.DEPTH, section: bool = False):
    """Per SQuAD question: a (candidates × features) matrix and which candidates are
    relevant."""
    names: list[str] = []
    data = []
    with indexed(squad_docs()) as idx:
        vocab = vocabulary.get(idx.conn)
        for q in squad_questions(split):
            c = candidates(idx.conn, q.text, depth)
            if len(c.hits) < 2:
                continue
            rows = feature_rows(idx.conn, c, c.hits, vocab, section)
            names = names or list(rows[0])
            x = np.array([[r[n] for n in names] for r in rows])
            y = np.array([idx.paths[h.document] in q.relevant for h in c.hits], dtype=float)
            data.append((x, y))
    return names, data


def collect_scifact(
    split: str = "train", depth: int = rerank.DEPTH, section: bool = False
) -> list[Ranked]:
    """Every SciFact claim of `split`, its best `depth` passages with their features, as
    `scifact.py` ranks them (claims with fewer than two candidates keep BM25's order)."""
    out = []
    with indexed(scifact_docs(), title_as_heading=True) as idx:
        vocab = vocabulary.get(idx.conn)
        for q in scifact_questions(split):
            c = candidates(idx.conn, q.text, max(SCIFACT_DEPTH, depth))
            head, tail = c.hits[:depth], c.hits[depth:]
            x = np.zeros((len(head), len(rerank.WEIGHTS) + section))
            if len(head) >= 2:
                rows = feature_rows(idx.conn, c, head, vocab, section)
                x = np.array([list(r.values()) for r in rows])
            out.append(
                Ranked(
                    x,
                    [idx.paths[h.document] for h in head],
                    dedupe(idx.paths[h.document] for h in tail)[:20],
                    q.relevant,
                )
            )
    return out


def collect_dev(tuning: bool = True) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per development-set question of one half (odd ids tune): the candidates the answer
    path gathers for it (`respond.gather`, dates and speaker read), their features, and
    which hold a gold text (briefings-dev) or are a relevant item (reuters-dev)."""
    from . import questions as dev

    out = []
    for name, (corpus, asked) in (
        ("briefings", dev.briefings_dev()),
        ("reuters", dev.reuters_dev()),
    ):
        index = dev.indexed(name, corpus)
        with index.connected() as conn:
            vocab = vocabulary.get(conn)
            for q in asked:
                if q.tuning != tuning or not q.answerable:
                    continue
                reading = understand.reading_of(q.text, vocab, conn=conn, today=q.today)
                query = reading.query()
                if not (query.terms or query.required):
                    continue
                pool = respond.gather(conn, reading, query, vocab)
                if len(pool) < 2:
                    continue
                rows = rerank.features(reading.question, query.ranked_terms(), pool, vocab)
                x = np.array([list(r.values()) for r in rows])
                y = np.array([q.relevant(h.document, h.text) for h in pool], dtype=float)
                out.append((x, y))
    return out


def fit(data, l2: float = 1e-3, steps: int = 1500, rate: float = 0.05) -> np.ndarray:
    """Weights maximising the mean log-probability of the relevant candidates."""
    return fit_shared([(data, 1.0)], l2, steps, rate)


def fit_shared(
    sets: Sequence[tuple[list, float]], l2: float = 1e-3, steps: int = 1500, rate: float = 0.05
) -> np.ndarray:
    """`fit` over several sets of questions, each set weighing its share in all, spread
    evenly over its questions that have a relevant candidate."""
    data = []
    share = []
    for part, weight in sets:
        kept = [(x, y) for x, y in part if len(y) >= 2 and y.any()]
        data += kept
        share += [weight / len(kept)] * len(kept) if weight > 0 else [0.0] * len(kept)
    share = np.array(share) / sum(share)
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
        grad = np.einsum("q,qn,qnf->f", share, p - target, X) + l2 * w
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


def ndcg_at_10(w: np.ndarray | None, claims: Sequence[Ranked]) -> float:
    """nDCG@10 of the abstracts, the head reordered by `w` as `rerank.rerank` orders it
    (ties keep BM25's order), or in BM25's order if `w` is None."""
    values = []
    for c in claims:
        head = c.head
        if w is not None and len(head) >= 2:
            s = c.x @ w
            head = [head[i] for i in sorted(range(len(head)), key=lambda i: (-s[i], i))]
        values.append(ndcg_at(dedupe(head + c.tail), c.relevant, 10))
    return mean(values)


def _pairs(claims: Sequence[Ranked]) -> list:
    return [(c.x, c.y) for c in claims]


def _halves(claims: Sequence[Ranked]) -> tuple[list[Ranked], list[Ranked]]:
    order = list(range(len(claims)))
    random.Random(SEED).shuffle(order)
    half = len(order) // 2
    return [claims[i] for i in order[:half]], [claims[i] for i in order[half:]]


def judge(squad, claims: Sequence[Ranked], share: float) -> tuple[np.ndarray, float, float]:
    """Weights fitted with SciFact's `share`, and SciFact's train nDCG@10 with each half of
    the claims scored by weights fitted on SQuAD and the other half."""
    w = fit_shared([(squad, 1 - share), (_pairs(claims), share)])
    a, b = _halves(claims)
    held = []
    for fitted, scored in ((a, b), (b, a)):
        wh = fit_shared([(squad, 1 - share), (_pairs(fitted), share)])
        held.append(ndcg_at_10(wh, scored) * len(scored))
    return w, ndcg_at_10(w, claims), sum(held) / len(claims)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--depth", type=int, default=rerank.DEPTH)
    parser.add_argument(
        "--k1", type=float, default=rerank.K1, help="k1 of the features' own BM25 (FTS5's: 1.2)"
    )
    parser.add_argument(
        "--scifact-share",
        type=float,
        default=SCIFACT_SHARE,
        help=f"SciFact's share of the total weight, 0 to 1 (default {SCIFACT_SHARE})",
    )
    parser.add_argument(
        "--dev-share",
        type=float,
        default=DEV_SHARE,
        help=f"the development sets' share of the total weight (default {DEV_SHARE})",
    )
    parser.add_argument(
        "--compare",
        type=float,
        nargs="*",
        default=list(SHARES),
        metavar="SHARE",
        help="also fit with these shares and compare",
    )
    parser.add_argument(
        "--ablate", action="store_true", help="also refit without each feature in turn"
    )
    parser.add_argument(
        "--section",
        action="store_true",
        help="fit a ninth feature too: BM25 of the passage's whole section",
    )
    args = parser.parse_args()
    started = time.monotonic()
    rerank.K1 = args.k1
    names, squad = collect("tune", args.depth, args.section)
    claims = collect_scifact("train", args.depth, args.section)
    bm25 = sum(bool(y[0]) for _, y in squad) / len(squad)
    print(f"{len(squad)} SQuAD tuning questions with at least two of the top {args.depth} passages")
    print(f"{len(claims)} SciFact train claims")
    print(
        "\nSQuAD: Recall@1 of a passage from the gold paragraph; SciFact: nDCG@10 of the "
        "abstracts, in-sample and with each half of the claims scored by weights fitted on "
        "the other half\n"
    )
    print("| weights | SQuAD tune R@1 | SciFact train nDCG@10 | in halves |")
    print("|---|---|---|---|")
    print(f"| BM25's order | {bm25:.4f} | {ndcg_at_10(None, claims):.4f} | |")
    current = np.array([rerank.WEIGHTS.get(n, 0.0) for n in names])
    print(
        f"| `rerank.WEIGHTS` | {recall_at_1(current, squad):.4f} "
        f"| {ndcg_at_10(current, claims):.4f} | |"
    )
    shares = sorted(set(args.compare) | {args.scifact_share})
    for share in shares:
        w, ndcg, held = judge(squad, claims, share)
        rounded = np.round(w, 2)
        print(
            f"| SciFact share {share:g} | {recall_at_1(rounded, squad):.4f} "
            f"| {ndcg_at_10(rounded, claims):.4f} | {held:.4f} |"
        )
    print("(each share's weights rounded to two decimals, as `WEIGHTS` holds them)")
    dev_tune, dev_held = collect_dev(True), collect_dev(False)
    rest = 1 - args.dev_share
    sets = [
        (squad, rest * (1 - args.scifact_share)),
        (_pairs(claims), rest * args.scifact_share),
        (dev_tune, args.dev_share),
    ]
    chosen = np.round(fit_shared(sets), 2)
    print(f"\nWith the development sets' tuning halves at a share of {args.dev_share:g}:\n")
    print("| weights | SQuAD tune R@1 | dev tune R@1 | dev held-out R@1 |\n|---|---|---|---|")
    alone = np.round(fit_shared(sets[:2]), 2)
    rows = (("`rerank.WEIGHTS`", current), ("fitted without them", alone), ("refitted", chosen))
    for label, w in rows:
        tune = recall_at_1(w, [d for d in dev_tune if d[1].any()])
        held = recall_at_1(w, [d for d in dev_held if d[1].any()])
        print(f"| {label} | {recall_at_1(w, squad):.4f} | {tune:.4f} | {held:.4f} |")
    if args.ablate:
        print(f"\nSciFact share {args.scifact_share:g}, refitted without each feature:\n")
        print("| without | SQuAD tune R@1 | SciFact train nDCG@10 |\n|---|---|---|")
        for i, name in enumerate(names):
            keep = [j for j in range(len(names)) if j != i]
            part = [([(x[:, keep], y) for x, y in s], share) for s, share in sets]
            w = np.zeros(len(names))
            w[keep] = fit_shared(part)
            print(f"| {name} | {recall_at_1(w, squad):.4f} | {ndcg_at_10(w, claims):.4f} |")
    print(
        f"\nSciFact share {args.scifact_share:g}, development sets {args.dev_share:g}:"
        "\n\nWEIGHTS: dict[str, float] = {"
    )
    for n, value in zip(names, chosen, strict=True):
        print(f'    "{n}": {value:.2f},')
    print("}")
    print(f"({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
