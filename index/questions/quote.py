"""Which sentences of a passage to quote, and which words in them to highlight.

The passage's own sentences are a small corpus of their own; rank-bm25 scores them against
the question's terms with the same analyser, and the best one or two are quoted in reading
order. BM25+ rather than BM25Okapi: over two or three sentences Okapi's idf is zero or
negative for most terms, while BM25+'s stays positive, so a sentence holding a rare question
word still outranks one holding none. Highlights are the spans of the words whose terms the
question asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rank_bm25 import BM25Plus

from .. import analysis
from .figures import Asked, new_figure, says

#: A second sentence is quoted when it scores at least this share of the best one, or when it
#: brings question terms the best one lacks.
SECOND_SENTENCE_SHARE = 0.6
#: Sentences added after a quoted one to close a quotation it opens, at most.
MAX_CLOSING = 3
#: Passages whose words are kept once read: the same passages come back in the answers to
#: questions on one subject, on the next page, and in a followed subject's news.
TOKENS_KEPT = 1024


@dataclass(frozen=True, slots=True)
class Quote:
    sentences: list[tuple[int, int]]  # spans within the passage text, in reading order
    highlights: list[tuple[int, int]]  # spans of matched words within the passage text

    def text(self, passage: str) -> str:
        """The quoted sentences, word for word, joined with a space."""
        return " ".join(passage[s:e] for s, e in self.sentences)


def highlight_spans(tokens: list[analysis.Token], wanted: set[str]) -> list[tuple[int, int]]:
    """The spans of the words that hold a wanted term: one per word, however many of its
    terms matched ("F-35": f35, f and 35)."""
    return list(dict.fromkeys((t.start, t.end) for t in tokens if t.term in wanted))


def choose(
    text: str,
    sentences: list[tuple[int, int]],
    terms: list[str],
    max_sentences: int = 2,
    figures: frozenset[str] | None = None,
    figure: Asked | None = None,
    news: bool = False,
) -> Quote:
    """The sentence or two of `text` that best answer `terms`, and the words that matched.

    `figures` is given when the question asks for a number ("how much", "when"): the numbers
    the question holds itself. The first sentence quoted is then the best of those that hold
    a number the question does not, where any does: the one that says the figure asked for.
    `figure` is the kind of figure asked for ("how many products": a count of products,
    `figures.asked`): a sentence that says one of that kind comes before any other number.

    `news` is for "the latest on X": of the sentences holding the question's words, the first
    leads, since news is told first and background after it. BM25 over a passage's sentences
    favours the short one, which in news is the background ("Niger was suspended in August",
    quoted as the latest on Niger before the talks its briefing opens with)."""
    wanted = set(terms)
    tokens = passage_tokens(text)
    highlights = highlight_spans(tokens, wanted)
    if not sentences:
        sentences = [(0, len(text))]
    sentence_terms = _by_sentence(tokens, sentences)
    if len(sentences) == 1 or not wanted:
        return Quote(sentences[:1], highlights)
    model = BM25Plus(sentence_terms)
    # BM25+ gives every sentence the same floor for each question term; take it off so
    # that a score is what the sentence's own words earn.
    floor = model.delta * sum(model.idf.get(q, 0.0) for q in wanted)
    scores = [score - floor for score in model.get_scores(list(wanted))]
    matched = [set(st) & wanted for st in sentence_terms]
    numbered = [0] * len(sentences)
    if figures is not None:
        numbered = [int(new_figure(text[s:e], figures)) for s, e in sentences]
    if figure is not None:
        said = [says(figure, text[s:e]) for s, e in sentences]
        numbered = [n + 2 * x for n, x in zip(numbered, said, strict=True)]
    order = sorted(
        (i for i in range(len(sentences)) if matched[i]),
        key=lambda i: (-numbered[i], i if news else -scores[i], i),
    )
    if not order:
        return Quote([sentences[0]], highlights)
    best = order[0]
    chosen = [best]
    covered = set(matched[best])
    for i in order[1:]:
        if len(chosen) >= max_sentences:
            break
        adds = matched[i] - covered
        if scores[i] >= SECOND_SENTENCE_SHARE * scores[best] or adds:
            chosen.append(i)
            covered |= adds
    return Quote(_closed(text, sentences, sorted(chosen)), highlights)


@lru_cache(maxsize=TOKENS_KEPT)
def passage_tokens(text: str) -> tuple[analysis.Token, ...]:
    """A passage's words with their spans, read once for every question that quotes it."""
    return tuple(analysis.tokens(text))


def _open_quote(text: str) -> bool:
    """Whether `text` opens a quotation it does not close."""
    return text.count("“") > text.count("”") or text.count('"') % 2 == 1


def _closed(
    text: str, sentences: list[tuple[int, int]], chosen: list[int]
) -> list[tuple[int, int]]:
    """The chosen sentences, each followed by the next ones of the passage where it opens a
    quotation that only they close: a quote never stops inside someone's words."""
    out: list[int] = []
    for i in chosen:
        if i in out:
            continue
        out.append(i)
        j, span = i, text[sentences[i][0] : sentences[i][1]]
        while _open_quote(span) and j + 1 < len(sentences) and j - i < MAX_CLOSING:
            j += 1
            span = text[sentences[i][0] : sentences[j][1]]
            if j not in out:
                out.append(j)
        if _open_quote(span):  # no sentence of the passage closes it: as it was
            del out[out.index(i) + 1 :]
    return [sentences[i] for i in sorted(out)]


def _by_sentence(tokens: list[analysis.Token], sentences: list[tuple[int, int]]) -> list[list[str]]:
    """Each sentence's terms, in one pass: tokens and sentences both run in text order."""
    out: list[list[str]] = [[] for _ in sentences]
    i = 0
    for term, start, _ in tokens:
        while i < len(sentences) and start >= sentences[i][1]:
            i += 1
        if i == len(sentences):
            break
        if start >= sentences[i][0]:
            out[i].append(term)
    return out
