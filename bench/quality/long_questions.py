"""The "nothing answers this" threshold on long questions: does it turn away answers, or
noise?

`respond.MIN_COVERAGE` was set on SQuAD's short questions (`bench/variants.py`). SciFact's
claims are longer (a median of 9 terms), and as the bot replies they lose about 0.1 of
nDCG@10 to it. Here each train claim is asked twice, at several thresholds:

- of SciFact's abstracts: how many get a passage quoted, and how many of all claims get
  a relevant one at the top;
- of SQuAD's paragraphs, which answer none of them: how many get a passage quoted anyway,
  a false answer.

Run: `nice .venv/bin/python -m bench.quality.long_questions` (under a minute).
"""

from __future__ import annotations

import statistics

from index import analysis, respond, understand, vocabulary

from .data import Doc, Question, scifact_docs, scifact_questions, squad_docs
from .pipeline import indexed

THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, respond.MIN_COVERAGE, 0.5)


def best_passages(
    docs: list[Doc], claims: list[Question], title_as_heading: bool
) -> list[tuple[float, bool]]:
    """For each claim, the coverage of its best passage (0 with none) and whether that
    passage's document is relevant to it."""
    out = []
    with indexed(docs, title_as_heading=title_as_heading) as idx:
        vocab = vocabulary.get(idx.conn)
        for claim in claims:
            reading = understand.read(claim.text, vocab, conn=idx.conn)
            outcome = respond.respond(idx.conn, reading, 1)
            # A refused claim keeps its coverage, and its passage in `nearest`.
            coverage = outcome.confidence or 0.0
            top = outcome.hits[0].document if outcome.hits else None
            if top is None and outcome.nearest:
                top = outcome.nearest[0].document
            out.append((coverage, top is not None and idx.paths[top] in claim.relevant))
    return out


def main() -> None:
    claims = scifact_questions("train")
    asked = best_passages(scifact_docs(), claims, title_as_heading=True)
    elsewhere = best_passages(squad_docs(), claims, title_as_heading=False)
    terms = statistics.median(len(analysis.analyse(c.text)) for c in claims)
    print(f"\nSciFact's {len(claims)} train claims, a median of {terms:g} terms each\n")
    print(
        "| coverage ≥ | of SciFact: passage quoted | relevant passage quoted first |"
        " of SQuAD: passage quoted (false answers) |"
    )
    print("|---|---|---|---|")
    for threshold in THRESHOLDS:
        quoted = [right for coverage, right in asked if coverage >= threshold]
        false = sum(1 for coverage, _ in elsewhere if coverage >= threshold)
        mark = " (`MIN_COVERAGE`)" if threshold == respond.MIN_COVERAGE else ""
        print(
            f"| {threshold:g}{mark} | {len(quoted) / len(claims):.0%}"
            f" | {sum(quoted) / len(claims):.0%} | {false / len(claims):.0%} |"
        )


if __name__ == "__main__":
    main()
