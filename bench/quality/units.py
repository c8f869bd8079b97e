"""Documents cut into the passages briefbot indexes, analysed by any analyser, for the
in-memory comparisons (analysers, BM25 parameters, passage size, title weight)."""

from __future__ import annotations

from collections.abc import Callable

from index.files.documents import parse
from index.files.passages import MAX_WORDS, passages

from .data import Doc, briefing

Analyser = Callable[[str], list[str]]


def cut(docs: list[Doc], max_words: int = MAX_WORDS) -> list[tuple[int, str | None, str]]:
    """(document number, heading, text) of every passage, as the reindexer cuts them."""
    out = []
    for n, doc in enumerate(docs):
        parsed = parse(briefing(doc, title_as_heading=False).encode(), f"{n:05d}.md")
        out.extend((n, p.heading, p.text) for p in passages(parsed, max_words))
    return out


def analysed(
    units: list[tuple[int, str | None, str]],
    docs: list[Doc],
    analyser: Analyser,
    title_weight: int = 0,
) -> list[list[str]]:
    """Each passage's terms: the document title's `title_weight` times, then its text's."""
    titles: dict[int, list[str]] = {}
    out = []
    for n, _, text in units:
        if n not in titles:
            titles[n] = analyser(docs[n].title) * title_weight
        out.append(titles[n] + analyser(text))
    return out
