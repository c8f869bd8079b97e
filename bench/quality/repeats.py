"""Answers that repeat themselves: how many answers of the development sets had passages
saying nearly the same thing among their first three, with repeats shown and told once, and
what that does to right-first and top-3.

    nice -n 10 .venv/bin/python -m bench.quality.repeats            # the table
    nice -n 10 .venv/bin/python -m bench.quality.repeats --sweep    # `repeats.SAME`, tuning halves

Questions and "right" are those of `bench/quality/questions.py` (its indexes, reused), asked
through `Index.answer` as `briefbot ask` asks them. "Shown" is the code with `repeats.SAME`
above 1 (nothing is a repeat); "told once" is the code as it is. A repeat among the first
three is a pair of them that `repeats` calls the same at the threshold in use. The sweep
prints right-first and top 3 on the tuning halves per threshold; the threshold itself was
chosen by reading the pairs of passages among the tuning answers' first five, by their
share (shares of 1.0 are word-for-word repeats, 0.73 and below different facts).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.quality import questions as bench  # noqa: E402
from index.questions import repeats  # noqa: E402


def _repeating(index, q: bench.Question, measure: float) -> tuple[bool, bool, bool]:
    """(has a repeat among the first three, right first, right in the first three)."""
    a = index.answer(q.text, k=bench.K, today=q.today)
    hits = [h.hit for h in a.hits[:3]]
    chosen, repeats.SAME = repeats.SAME, measure
    try:
        repeated = any(repeats.same(x, y) for i, x in enumerate(hits) for y in hits[i + 1 :])
    finally:
        repeats.SAME = chosen
    shown = [(h.hit.document, h.quote_text) for h in a.hits]
    return repeated, bool(shown) and q.right(*shown[0]), any(q.right(*s) for s in shown[:3])


def figures(index_of, questions, same: float, measure: float) -> dict[tuple[str, bool], list]:
    chosen, repeats.SAME = repeats.SAME, same
    try:
        out: dict[tuple[str, bool], list] = {}
        for q in questions:
            if not q.answerable:
                continue
            out.setdefault((q.set, q.tuning), []).append(_repeating(index_of[q.set], q, measure))
        return out
    finally:
        repeats.SAME = chosen


def _share(rows: list, i: int) -> str:
    return f"{sum(r[i] for r in rows) / len(rows):.1%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sweep", action="store_true", help="figures per threshold, tuning")
    args = parser.parse_args()
    corpus_b, qs_b = bench.briefings_dev()
    corpus_r, qs_r = bench.reuters_dev()
    index_of = {
        "briefings": bench.indexed("briefings", corpus_b),
        "reuters": bench.indexed("reuters", corpus_r),
    }
    questions = qs_b + qs_r
    measure = repeats.SAME
    if args.sweep:
        tuning = [q for q in questions if q.tuning]
        print("| threshold | first | top 3 |")
        print("|---|---|---|")
        for same in (0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1.0, 1.01):
            rows = [r for rs in figures(index_of, tuning, same, same).values() for r in rs]
            print(
                f"| {same:.2f} | {sum(r[1] for r in rows) / len(rows):.1%}"
                f" | {sum(r[2] for r in rows) / len(rows):.1%} |"
            )
        return
    before = figures(index_of, questions, 1.01, measure)
    after = figures(index_of, questions, repeats.SAME, measure)
    print(
        "| set | half | answers | with a repeat in the first three: shown | told once"
        " | first: shown | told once | top 3: shown | told once |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for key in sorted(before, key=lambda k: (k[0], not k[1])):
        b, a = before[key], after[key]
        n = len(b)
        share = _share
        print(
            f"| {key[0]} | {'tune' if key[1] else 'held out'} | {n}"
            f" | {sum(r[0] for r in b)} | {sum(r[0] for r in a)}"
            f" | {share(b, 1)} | {share(a, 1)} | {share(b, 2)} | {share(a, 2)} |"
        )


if __name__ == "__main__":
    main()
