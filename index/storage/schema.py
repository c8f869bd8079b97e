"""The index's tables, as named migrations applied in order when an index is opened."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from . import frequencies, migrate, postings

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

SET = "briefbot-index"


def create_documents_and_passages(db: Database) -> None:
    db["documents"].create(
        {
            "id": int,
            "path": str,  # relative to the corpus folder
            "sha256": str,
            "size": int,
            "mtime_ns": int,
            "title": str,
            "date": str,  # ISO date, or NULL for an undated briefing
            "source": str,
            "warnings": str,  # JSON list
            "passages": int,
            "indexed_at": str,
        },
        pk="id",
        not_null={"path", "sha256", "title"},
    )
    db["documents"].create_index(["path"], unique=True)
    db["documents"].create_index(["date"])
    db["passages"].create(
        {
            "id": int,
            "document_id": int,
            "ordinal": int,
            "heading": str,
            "text": str,
            "start": int,
            "end": int,
            "sentences": str,  # JSON list of [start, end] within text
            "length": int,  # number of terms, as BM25 counts it
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
        not_null={"document_id", "ordinal", "text"},
    )
    db["passages"].create_index(["document_id", "ordinal"], unique=True)
    # The analysed terms, space separated: the `ascii` tokenizer then only splits on spaces,
    # since every term is already lower case and free of punctuation.
    db.execute(
        "CREATE VIRTUAL TABLE passages_fts USING fts5(terms, tokenize = 'ascii', detail = full)"
    )
    db["failures"].create({"path": str, "reason": str, "at": str}, pk="path")
    db["meta"].create({"key": str, "value": str}, pk="key")


def add_passage_page(db: Database) -> None:
    """The page a passage is on, so a quote from a PDF can name it; NULL for other formats."""
    db["passages"].add_column("page", int)


def add_failure_size_and_time(db: Database) -> None:
    """A failed file's size and change time (which a chmod moves too), so a reindex need not
    read it again until something about it changes."""
    db["failures"].add_column("size", int)
    db["failures"].add_column("ctime_ns", int)


def add_postings(db: Database) -> None:
    """Postings beside FTS5 that let a question read only what can change its top 10,
    derived from the passages already indexed."""
    postings.rebuild(db.conn)


def add_vocabulary(db: Database) -> None:
    """Each term's document frequency and spelling key, so that a question need not read
    FTS5's whole term list first (`index.storage.frequencies`)."""
    frequencies.fill(db.conn)


def add_vocabulary_key_index(db: Database) -> None:
    """Terms by spelling key, so that `briefbot ask` can look a misspelt word up without
    reading the whole vocabulary (`frequencies.Spellings`)."""
    frequencies.index_keys(db.conn)


STEPS = (
    create_documents_and_passages,
    add_passage_page,
    add_failure_size_and_time,
    add_postings,
    add_vocabulary,
    add_vocabulary_key_index,
)


def pending(conn: sqlite3.Connection) -> bool:
    """Whether the index misses a step, read in plain SQL (`migrate`)."""
    return migrate.pending(conn, SET, STEPS)


def migrations() -> Migrations:
    """The steps as sqlite-utils Migrations, made on first use."""
    return migrate.migrations(SET, STEPS)
