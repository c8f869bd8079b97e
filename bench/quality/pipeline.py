"""The answer pipeline's steps, run one by one so that each can be measured: the question as
`understand` reads it, the passages `query.search` ranks (BM25, with names and spelling
variants weighed), and the re-ranker's order of the best of them. `respond.respond` runs the
same steps for `Index.answer`."""

from __future__ import annotations

import argparse
import sqlite3
from dataclasses import dataclass

from index import query, rerank, understand, vocabulary
from index.search import Hit


@dataclass(slots=True)
class Candidates:
    question: str
    terms: list[str]
    hits: list[Hit]  # BM25's order


def candidates(conn: sqlite3.Connection, question: str, depth: int) -> Candidates:
    """The passages the re-ranker sees for `question`, in the order it receives them."""
    vocab = vocabulary.get(conn)
    reading = understand.read(question, vocab, conn=conn)
    q = reading.query()
    return Candidates(reading.question, q.term_list(), query.search(conn, q, depth, 0, vocab))


def reranked(conn: sqlite3.Connection, c: Candidates, weights=None) -> list[Hit]:
    vocab = vocabulary.get(conn)
    if weights is None:
        return rerank.rerank(c.question, c.terms, c.hits, vocab)
    return rerank.rerank(c.question, c.terms, c.hits, vocab, weights)


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
