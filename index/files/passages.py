"""Documents into passages: what a reader would quote.

A passage is a paragraph under its section heading. A paragraph longer than about
`max_words` is cut at sentence boundaries into nearly equal parts, so no passage ends
mid-sentence and none is a stub. Sentence spans are kept with each passage so that quoting
never has to split text again.

Text with no sentence ends (a 5 MB line with no full stop, a run of base64) would otherwise be
one passage as long as itself, quoted whole and sent as hundreds of messages; such a run is cut
at spaces into pieces of at most `MAX_PIECE_CHARS` characters (a single "word" longer than
that is cut where the limit falls), and the pieces are grouped like sentences.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .model import Document
from .sentences import split

MAX_WORDS = 120
#: No piece of a passage (a sentence, or a cut of a run without sentence ends) is longer.
MAX_PIECE_CHARS = 2_000

_WORD = re.compile(r"\S+")


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
        spans = _bounded(block.text, split(block.text) or [(0, len(block.text))])
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
    limit = max_words * 1.25
    # Most paragraphs are short enough whole: their sentences' counts below add up to no more
    # than the paragraph's words plus a twelfth of its characters (no sentence is cut inside
    # a word within `MAX_PIECE_CHARS`), so they are not counted one by one.
    if len(text) <= MAX_PIECE_CHARS and len(text.split()) + len(text) // 12 <= limit:
        return [spans]
    # A run of very long "words" (a URL list, base64) counts one word per 12 characters, so
    # that it is cut like prose of the same length.
    counts = [max(len(text[s:e].split()), (e - s) // 12) for s, e in spans]
    total = sum(counts)
    if total <= limit or len(spans) == 1:
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


def _bounded(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The sentence spans, with any longer than `MAX_PIECE_CHARS` cut at spaces."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if e - s <= MAX_PIECE_CHARS:
            out.append((s, e))
            continue
        start = end = None
        for m in _WORD.finditer(text, s, e):
            ws, we = m.span()
            if start is not None and we - start > MAX_PIECE_CHARS:
                out.append((start, end))
                start = None
            while we - ws > MAX_PIECE_CHARS:  # one "word" longer than any quote
                out.append((ws, ws + MAX_PIECE_CHARS))
                ws += MAX_PIECE_CHARS
            if start is None:
                start = ws
            end = we
        if start is not None:
            out.append((start, end))
    return out
