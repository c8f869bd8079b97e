"""The answer pipeline's steps, run one by one so that each can be measured: the question as
`understand` reads it, the passages `query.search` ranks (BM25, with names and spelling
variants weighed), and the re-ranker's order of the best of them. `respond.respond` runs the
same steps for `Index.answer`."""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from index.questions import query, rerank, understand
from index.questions.answer import Index
from index.storage import vocabulary
from index.storage.search import Hit, search

from .data import Doc, build
from .metrics import dedupe


@dataclass(slots=True)
class Candidates:
    question: str
    terms: list[query.Weighted]  # as the re-ranker weighs them (`Query.ranked_terms`)
    hits: list[Hit]  # BM25's order


def candidates(conn: sqlite3.Connection, question: str, depth: int) -> Candidates:
    """The passages the re-ranker sees for `question`, in the order it receives them."""
    vocab = vocabulary.get(conn)
    reading = understand.reading_of(question, vocab, conn=conn)
    q = reading.query()
    return Candidates(reading.question, q.ranked_terms(), query.search(conn, q, depth, 0, vocab))


def reranked(conn: sqlite3.Connection, c: Candidates, weights=None) -> list[Hit]:
    vocab = vocabulary.get(conn)
    if weights is None:
        return rerank.rerank(c.question, c.terms, c.hits, vocab)
    return rerank.rerank(c.question, c.terms, c.hits, vocab, weights)


@dataclass(slots=True)
class Indexed:
    """A question set's documents indexed through briefbot's own pipeline, open both ways a
    benchmark reads them: a plain connection for each step, and `Index` as the bot answers."""

    conn: sqlite3.Connection
    index: Index
    paths: dict[str, str]  # briefing path -> document id

    def stages(
        self, question: str, depth: int, reorder: Callable[[Candidates], list[Hit]]
    ) -> list[list[str]]:
        """The documents each stage ranks for `question`, best first: `search()`, the answer
        pipeline before re-ranking and after it (`reorder`), and `Index.answer` as the bot
        replies (nothing, when the best passage holds too little of the question)."""
        pure = search(self.conn, question, depth)
        c = candidates(self.conn, question, depth)
        before, after = c.hits, reorder(c)
        replied = [h.hit for h in self.index.answer(question, k=depth).hits]
        return [self._documents(hits) for hits in (pure, before, after, replied)]

    def _documents(self, hits: Iterable[Hit]) -> list[str]:
        return dedupe(self.paths[h.document] for h in hits)


def stage_labels(dropped: list[str]) -> list[str]:
    """The table rows' names for what `Indexed.stages` returns, in its order."""
    without = f" without {', '.join(dropped)}" if dropped else ""
    return [
        "briefbot `search()`: FTS5 BM25, Snowball, stopwords",
        "answer pipeline before re-ranking",
        f"answer pipeline, top {rerank.DEPTH} re-ranked{without}",
        "`Index.answer` as replied (no reply counts as a miss)",
    ]


@contextlib.contextmanager
def indexed(docs: list[Doc], title_as_heading: bool = False) -> Iterator[Indexed]:
    """`docs` indexed in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="briefbot-quality-") as tmp:
        db = Path(tmp) / "index.db"
        paths = build(docs, db, title_as_heading=title_as_heading)
        conn = sqlite3.connect(db)
        index = Index(db)
        try:
            yield Indexed(conn, index, paths)
        finally:
            index.close()
            conn.close()


def add_drop_option(parser: argparse.ArgumentParser) -> None:
    """`--drop FEATURE`: what a question set scores with a re-ranker feature left out."""
    parser.add_argument(
        "--drop",
        action="append",
        default=[],
        metavar="FEATURE",
        help="re-rank with this feature's weight set to zero (repeatable)",
    )


def weights_without(dropped: list[str]) -> dict[str, float]:
    """The re-ranker's weights with the `dropped` features' set to zero."""
    return {n: (0.0 if n in dropped else w) for n, w in rerank.WEIGHTS.items()}
