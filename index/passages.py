"""Documents into passages: what a reader would quote.

A passage is a paragraph under its section heading. A paragraph longer than about
`max_words` is cut at sentence boundaries into nearly equal parts, so no passage ends
mid-sentence and none is a stub. Sentence spans are kept with each passage so that quoting
never has to split text again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .documents import Document
from .sentences import split

MAX_WORDS = 120


@dataclass(frozen=True, slots=True)
class Passage:
    ordinal: int  # position in the document, from 0
    heading: str | None
    text: str
    start: int  # span in the document's text
    end: int
    sentences: tuple[tuple[int, int], ...]  # spans within `text`
    page: int | None = None  # the page it is on, for formats that have pages


def passages(doc: Document, max_words: int = MAX_WORDS) -> list[Passage]:
    """The passages of a document, in reading order."""
    out: list[Passage] = []
    heading = None
    for block in doc.blocks:
        if block.kind == "heading":
            heading = block.text
            continue
        spans = split(block.text) or [(0, len(block.text))]
        for group in _cut(block.text, spans, max_words):
            s, e = group[0][0], group[-1][1]
            text = block.text[s:e]
            sentences = tuple((a - s, b - s) for a, b in group)
            out.append(
                Passage(
                    len(out), heading, text, block.start + s, block.start + e, sentences, block.page
                )
            )
    return out


def _cut(text: str, spans: list[tuple[int, int]], max_words: int) -> list[list[tuple[int, int]]]:
    """Group consecutive sentences into about equal parts of at most ~max_words words."""
    counts = [len(text[s:e].split()) for s, e in spans]
    total = sum(counts)
    if total <= max_words * 1.25 or len(spans) == 1:
        return [spans]
    parts = math.ceil(total / max_words)
    target = total / parts
    groups: list[list[tuple[int, int]]] = [[]]
    done = 0
    for span, count in zip(spans, counts, strict=True):
        boundary = target * len(groups)
        # Start a new part when this sentence would carry the part past its share by more
        # than half the sentence.
        if groups[-1] and done + count / 2 > boundary and len(groups) < parts:
            groups.append([])
        groups[-1].append(span)
        done += count
    return groups
