"""The answer pipeline's front door: a question in, ranked and quoted passages out.

`Index` is what an application holds. It opens one connection per thread, so that the
threads that share it never share a connection (the bot reads passages in a thread pool, and
answers questions in a process of its own), and reopens when the index file was replaced by a
rebuild, so a running bot never needs a restart to see a new index.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import analysis
from ..storage import postings, store, vocabulary
from ..storage.search import Filters, Hit, fetch, search
from . import english, places, respond, understand
from .aliases import AliasFile
from .quote import Quote


@dataclass(slots=True)
class QuotedHit:
    hit: Hit
    quote: Quote
    rank: int
    #: Passages of other briefings that say nearly the same (`repeats`), shown as "also in".
    also: list[Hit] = field(default_factory=list)

    @property
    def quote_text(self) -> str:
        return self.quote.text(self.hit.text)


@dataclass(slots=True)
class Answer:
    question: str
    terms: list[str]
    hits: list[QuotedHit] = field(default_factory=list)
    reading: understand.Reading | None = None  # how the question was read; pass it back
    nearest: list[respond.Nearest] = field(default_factory=list)  # when nothing answers
    note: str | None = None  # why nothing answers, when it is the dates
    more: bool = False  # whether more passages follow these (the next `offset` has some)
    notices: list[str] = field(default_factory=list)  # said with it: "No briefing mentions …"
    total: int = 0  # passages in the order the pages come from (at least, when not `exact`)
    exact: bool = True  # whether `total` counts them all, for "Results 1–3 of 12" or "of 12+"
    #: When nothing answers, the words typed that no briefing holds ("Ukraine"), for the
    #: reply to say why; with an answer they are in `notices`.
    missing: list[str] = field(default_factory=list)
    #: Why nothing is quoted, when nothing is: decided by `respond`, only worded by renderers.
    why: respond.Unanswered | None = None

    @property
    def found(self) -> bool:
        return bool(self.hits)

    @property
    def explanation(self) -> str | None:
        """How the question was read, for the reply, when not exactly as typed, and what the
        reply should say with the passages ("No briefing mentions Ukraine.")."""
        lines = [self.reading.explanation(self.found) if self.reading else None, *self.notices]
        return " ".join(line for line in lines if line) or None


@dataclass(frozen=True, slots=True)
class Stats:
    documents: int
    passages: int
    terms: int
    first_date: dt.date | None
    last_date: dt.date | None
    undated: int
    size_bytes: int
    last_reindex: str | None
    last_summary: str | None
    failures: list[tuple[str, str]]


class Index:
    """A briefbot index file, opened for reading."""

    def __init__(
        self, path: str | Path, aliases: str | Path | None = None, *, on_demand: bool = False
    ):
        """`on_demand`: for a process that asks a question or two and ends (`briefbot ask`),
        the vocabulary's terms are looked up as the questions need them rather than read
        whole before the first (`vocabulary.on_demand`)."""
        self.path = Path(path)
        self._local = threading.local()
        self.aliases = AliasFile(aliases)  # e.g. corpus/aliases.toml; read again on change
        self.on_demand = on_demand

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, reopened if the file was replaced since."""
        try:
            identity = os.stat(self.path).st_ino
        except FileNotFoundError:
            identity = None
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.identity == identity:
            return conn
        if conn is not None:
            conn.close()
            self._local.conn = None
        conn = store.connect(self.path)
        self._local.conn, self._local.identity = conn, identity
        return conn

    @contextmanager
    def connected(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, with a damaged or vanished index turned into
        `IndexMissing` (a message for people) and the connection dropped, so the next
        question, after a reindex, finds the index again."""
        try:
            yield self.connection()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise
            self.close()
            raise store.IndexMissing(f"the index at {self.path} cannot be read ({exc})") from exc
        except sqlite3.DatabaseError as exc:
            self.close()
            raise store.IndexMissing(
                f"the index at {self.path} is damaged ({exc}); `briefbot reindex` rebuilds it"
            ) from exc

    def search(
        self, question: str, k: int = 10, filters: Filters | None = None, offset: int = 0
    ) -> list[Hit]:
        with self.connected() as conn:
            return search(conn, question, k, filters, offset)

    def answer(
        self,
        question: str | understand.Reading,
        k: int = 3,
        filters: Filters | None = None,
        offset: int = 0,
        *,
        previous: understand.Reading | None = None,
        today: dt.date | None = None,
    ) -> Answer:
        """The best `k` passages for `question`, each with the sentences to quote.

        `previous` is the reading of the answer this question follows up (a reply to it, or
        the next question in a chat); `today` is the asking chat's date, for "yesterday".
        A `Reading` (`answer.reading`) asks the same question again, e.g. for the next page.
        """
        with self.connected() as conn:
            if isinstance(question, understand.Reading):
                reading = question
            else:
                reading = understand.reading_of(
                    question,
                    vocabulary.on_demand(conn) if self.on_demand else vocabulary.get(conn),
                    conn=conn,
                    aliases=self.aliases.current(),
                    today=today,
                    previous=previous,
                )
            out = respond.respond(conn, reading, k, filters, offset)
        # What a follow-up counts from: "the day before" from the answer's date, "it" from
        # the briefing it quoted first.
        answered = (out.hits[0].document,) if out.hits and offset == 0 else reading.answered
        reading = replace(reading, anchor=out.anchor or reading.anchor, answered=answered)
        return Answer(
            reading.question,
            reading.terms,
            [
                QuotedHit(h, q, offset + i + 1, also)
                for i, (h, q, also) in enumerate(
                    zip(out.hits, out.quotes, out.also or [[] for _ in out.hits], strict=True)
                )
            ],
            reading,
            out.nearest,
            out.note,
            out.more,
            out.notices,
            out.total,
            out.exact,
            out.missing,
            out.why,
        )

    def warm(self) -> None:
        """Read what every question needs (the vocabulary, the postings' state, the word lists)
        before the first question, which would otherwise wait for it: about 0.1 s at 100,000
        passages."""
        with self.connected() as conn:
            vocabulary.get(conn)
            postings.warm(conn)
        english.warm()
        places.warm()

    def passage(self, passage_id: int) -> Hit | None:
        """One passage by id, for showing it whole."""
        with self.connected() as conn:
            hits = fetch(conn, [(passage_id, 0.0)])
        return hits[0] if hits else None

    def outdated(self) -> bool:
        """Whether the index was built by a briefbot whose analyser made other terms of some
        words ("U.S." once "u"): its passages then miss questions asked with this one's, until
        `briefbot reindex` rebuilds it."""
        with self.connected() as conn:
            built = store.get_meta(conn, "analyser_version")
        return built is not None and built.split(".")[0] != analysis.ANALYSER_VERSION

    def stats(self) -> Stats:
        with self.connected() as conn:
            return self._stats(conn)

    def _stats(self, conn: sqlite3.Connection) -> Stats:
        documents, first, last, undated = conn.execute(
            "SELECT count(*), min(date), max(date), sum(date IS NULL) FROM documents"
        ).fetchone()
        passages = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
        # The vocabulary the reindex keeps (or FTS5's term list, once): not a scan of FTS5.
        terms = len(vocabulary.get(conn).df)
        size = sum(
            os.path.getsize(p) for p in (self.path, Path(f"{self.path}-wal")) if os.path.exists(p)
        )
        return Stats(
            documents,
            passages,
            terms,
            dt.date.fromisoformat(first) if first else None,
            dt.date.fromisoformat(last) if last else None,
            undated or 0,
            size,
            store.get_meta(conn, "last_reindex"),
            store.get_meta(conn, "last_reindex_summary"),
            list(conn.execute("SELECT path, reason FROM failures ORDER BY path")),
        )

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
