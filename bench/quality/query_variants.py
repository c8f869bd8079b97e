"""Ways of asking the index more than the question's own words, on the tuning data: is
SciFact's nDCG@10 held back by what BM25 is asked, or by what the claims and abstracts say?

Every row scores the passages briefbot cuts (120 words; SciFact's title with each passage,
as `scifact.py` indexes it) with the same in-memory BM25 as `analysers.py` (FTS5's formula,
k1 1.2, b 0.75), and a document ranks by its best passage. The rows:

- **repeated words count**: a question term asked twice counts 2c / (c + 1) times (BM25's
  query-term saturation) instead of once;
- **the passage's document**: each passage's score plus a share of its whole document's BM25
  (a story told across several passages counts for each of them);
- **pseudo-relevance feedback**: RM3, the question's terms (weight 0.7) with the 20 terms
  most frequent in the best 10 passages, each passage weighing its softmaxed score;
- **abbreviations**: "chronic kidney disease (CKD)" read from the corpus; a question that
  uses one form also asks for the other (weight 0.3).

Only tuning data is read: SQuAD's tuning half and SciFact's train claims.

Run: `nice .venv/bin/python -m bench.quality.query_variants` (about two minutes).
"""

from __future__ import annotations

import math
import re
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from index import analysis

from .bm25 import BM25
from .data import Doc, Question, scifact_docs, scifact_questions, squad_docs, squad_questions
from .metrics import dedupe, mean, ndcg_at, recall_at
from .units import analysed, cut

_DEFINED = re.compile(r"\(([A-Za-z][A-Za-z0-9-]{1,9})\)")
_WORD = re.compile(r"[A-Za-z0-9]+")
_ABBREVIATION = re.compile(r"\b[A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*\b")


def abbreviations(texts: Iterable[str]) -> dict[str, str]:
    """Each abbreviation defined in parentheses after its long form, to its commonest long
    form: the words before it, back to one whose initial is each of its letters in turn."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        for m in _DEFINED.finditer(text):
            short = m.group(1)
            letters = [c.lower() for c in short if c.isalpha()]
            if sum(c.isupper() for c in short) < 2 or len(letters) < 2:
                continue
            before = _WORD.findall(text[max(0, m.start() - 200) : m.start()])
            words: list[str] = []
            i = len(letters) - 1
            for word in reversed(before):
                if i < 0 or len(words) >= len(letters) + 3:
                    break
                words.append(word)
                if word[0].lower() == letters[i]:
                    i -= 1
            if i < 0:
                seen[short.lower()][" ".join(reversed(words)).lower()] += 1
    return {short: forms.most_common(1)[0][0] for short, forms in seen.items()}


@dataclass
class Collection:
    """A question set's passages, scored in memory."""

    docs: list[Doc]
    terms: list[list[str]]  # each passage's terms
    owner: np.ndarray  # each passage's document
    passages: BM25
    documents: BM25
    short: dict[str, str]  # abbreviation -> long form
    long: dict[str, str]  # long form's terms, space separated -> abbreviation

    @classmethod
    def of(cls, docs: list[Doc], title_weight: int) -> Collection:
        units = cut(docs, 120)
        terms = analysed(units, docs, analysis.analyse, title_weight)
        owner = np.array([n for n, _, _ in units])
        whole: list[list[str]] = [[] for _ in docs]
        for n, passage in zip(owner, terms, strict=True):
            whole[n] += passage
        short = abbreviations(d.text for d in docs)
        long = {" ".join(analysis.analyse(form)): s for s, form in short.items()}
        return cls(docs, terms, owner, BM25(terms), BM25(whole), short, long)

    def scores(self, weights: dict[str, float], model: BM25 | None = None) -> np.ndarray:
        return (model or self.passages).scores(weights)

    def ranked(self, scores: np.ndarray) -> list[str]:
        top = np.argsort(-scores, kind="stable")[:400]
        return dedupe(self.docs[self.owner[i]].id for i in top)


Variant = Callable[[Collection, str], np.ndarray]


def plain(c: Collection, question: str) -> np.ndarray:
    return c.scores(dict.fromkeys(analysis.analyse(question), 1.0))


def repeated(c: Collection, question: str) -> np.ndarray:
    counts = Counter(analysis.analyse(question))
    return c.scores({t: 2 * n / (n + 1) for t, n in counts.items()})


def with_document(share: float) -> Variant:
    def variant(c: Collection, question: str) -> np.ndarray:
        weights = dict.fromkeys(analysis.analyse(question), 1.0)
        return c.scores(weights) + share * c.scores(weights, c.documents)[c.owner]

    return variant


def feedback(c: Collection, question: str, passages: int = 10, terms: int = 20) -> np.ndarray:
    asked = list(dict.fromkeys(analysis.analyse(question)))
    first = plain(c, question)
    top = np.argsort(-first, kind="stable")[:passages]
    prior = np.exp(first[top] - first[top].max())
    model: Counter[str] = Counter()
    for i, p in zip(top, prior, strict=True):
        length = len(c.terms[i]) or 1
        for term, n in Counter(c.terms[i]).items():
            model[term] += p * n / length
    expansion = dict(model.most_common(terms))
    total = sum(expansion.values()) or 1.0
    weights = {t: 0.7 / len(asked) for t in asked}
    for term, value in expansion.items():
        weights[term] = weights.get(term, 0.0) + 0.3 * value / total
    return c.scores(weights)


def spelt_out(c: Collection, question: str, weight: float = 0.3) -> np.ndarray:
    asked = analysis.analyse(question)
    extra: set[str] = set()
    for m in _ABBREVIATION.finditer(question):
        form = c.short.get(m.group().lower())
        if form:
            extra.update(analysis.analyse(form))
    text = " ".join(asked)
    for form, short in c.long.items():
        if form.count(" ") and f" {form} " in f" {text} ":
            extra.update(analysis.analyse(short))
    weights = dict.fromkeys(asked, 1.0)
    weights.update({t: weight for t in extra - set(asked)})
    return c.scores(weights)


VARIANTS: dict[str, Variant] = {
    "the question's words, each once (as `search()`)": plain,
    "repeated words count": repeated,
    "plus 0.3 × the passage's document": with_document(0.3),
    "plus 0.5 × the passage's document": with_document(0.5),
    "pseudo-relevance feedback (RM3)": feedback,
    "abbreviations spelt out, and the reverse": spelt_out,
}


def measure(
    c: Collection, questions: list[Question], metric: Callable[[list[str], frozenset], float]
) -> dict[str, list[float]]:
    """Each variant's figure for each question."""
    return {
        label: [metric(c.ranked(variant(c, q.text)), q.relevant) for q in questions]
        for label, variant in VARIANTS.items()
    }


def noise(values: list[float], base: list[float], n: int = 300) -> float:
    """The standard error of the gain over `base` on `n` questions like these (paired): what
    SciFact's 300 test claims can tell apart."""
    gains = [v - b for v, b in zip(values, base, strict=True)]
    return statistics.pstdev(gains) / math.sqrt(n)


def mismatch(c: Collection, questions: list[Question]) -> tuple[int, float, float]:
    """How many claims have no relevant document in BM25's top 10, and the share of a claim's
    terms that its relevant document lacks (the best of them), for the claims found and for
    those missed."""
    held: dict[str, set[str]] = defaultdict(set)
    for n, terms in zip(c.owner, c.terms, strict=True):
        held[c.docs[n].id].update(terms)
    found, missed = [], []
    for q in questions:
        asked = set(analysis.analyse(q.text))
        lacking = min(len(asked - held[d]) / (len(asked) or 1) for d in q.relevant)
        top = c.ranked(plain(c, q.text))[:10]
        (found if q.relevant.intersection(top) else missed).append(lacking)
    return len(missed), mean(found), mean(missed)


def main() -> None:
    started = time.monotonic()
    abstracts, claims = Collection.of(scifact_docs(), title_weight=1), scifact_questions("train")
    missed, lacking_found, lacking_missed = mismatch(abstracts, claims)
    scifact = measure(
        abstracts,
        claims,
        lambda ranked, relevant: ndcg_at(ranked, relevant, 10),
    )
    squad = measure(
        Collection.of(squad_docs(), title_weight=0),
        squad_questions("tune"),
        lambda ranked, relevant: recall_at(ranked, relevant, 1),
    )
    base = next(iter(VARIANTS))
    print(
        "\n| question asked as | SciFact train nDCG@10 | standard error of the gain on 300 claims"
        " | SQuAD tune R@1 |\n|---|---|---|---|"
    )
    for label in VARIANTS:
        error = f"{noise(scifact[label], scifact[base]):.4f}" if label != base else ""
        print(f"| {label} | {mean(scifact[label]):.4f} | {error} | {mean(squad[label]):.4f} |")
    print(
        f"\nSciFact: {missed} of {len(claims)} train claims have no relevant abstract in BM25's"
        f" top 10. Their relevant abstract lacks {lacking_missed:.0%} of their terms, against"
        f" {lacking_found:.0%} for the claims found."
    )
    print(f"({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
