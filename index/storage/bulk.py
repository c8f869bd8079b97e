"""A whole build written in bulk: a first build, and every `--rebuild`, into a fresh index.

Writing one file at a time (`store.write_document`) costs a statement per passage for the
passages table and another for FTS5, then the postings derived again from FTS5 at the end.
Into an index nobody reads yet, the rows go in instead as `executemany` batches of
`BATCH_PASSAGES`, and the postings are inverted as the passages pass, in segments of
`postings.writing.CHUNK_TOKENS` tokens, without reading anything back, with the text work in
`index.storage.prepare`'s worker processes beside it. Through the CLI, at 100,000 synthetic
passages on two shared cores, a first build took 40.2 s against 56.9 s before, and with the
text work, the vocabulary's counts and the end of a build made cheaper since, 5.7 s against
bm25s + save's 6.2 s (`docs/benchmarks.md`, Indexing): bound by the CPU the writer and the
workers need together (about 4.4 and 4.6 s).

The result is the index a build one file at a time makes: the same passage and document ids
in the same corpus order, the same FTS5 rows and settings, the same counts, and postings whose
ranking is FTS5's `bm25()` (tests/test_bulk.py compares the two builds question by question).
FTS5's own pages differ, as it flushes and merges its segments at other moments.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from pathlib import Path

from . import frequencies, postings, prepare, store

#: Passages written per `executemany`. The writer takes no batch from the workers while it
#: writes, and they work at most `prepare.AHEAD` batches ahead of it (about 2,500 synthetic
#: passages): with 5,000, they sat idle in every write, and the writer then waited for them
#: (1.3 s of a 5.4 s build of 100,000 synthetic passages, in process; 0.4 s with 1,000).
BATCH_PASSAGES = 1_000
#: FTS5's memory for terms not yet written, during a build (its `hashsize`; 1 MB otherwise).
#: Each time it fills, FTS5 writes a segment and, every few segments, merges them: with 8 MB,
#: it writes an eighth as many and merges less, and its inserts take 1.1 s of CPU instead of
#: 1.6 s for 100,000 synthetic passages (the final merge 0.18 s instead of 0.23).
FTS5_HASH_BYTES = 8 << 20
#: New terms given to a thread together to have their spelling keys made, as the passages
#: come (`Writer._key_new_terms`). Made at the end of a build, the keys of its 70,000 terms
#: (100,000 synthetic passages) took 0.25 s of the last core's time while FTS5 merged.
KEY_TERMS = 8_192

Known = tuple[str, int, int]  # sha256, size, mtime_ns, as the live index recorded them


class Writer:
    """Rows gathered into batches, ids numbered as SQLite would have numbered them."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.documents: list[tuple] = []
        self.passages: list[tuple] = []
        self.fts: list[tuple[int, str]] = []
        #: Segments are made beside the writing (`Inverter.invert`), and their runs sorted
        #: (`Inverter.add`): see `_segment_full`.
        self.threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="bulk")
        self.inverter = postings.Inverter(self.threads.submit)
        self.df: dict[str, int] = {}  # passages per term, counted as the segments are written
        self.next_document = 1
        self.next_passage = 1
        self.at = store.now()
        self.inverting: Future[postings.Inverted] | None = None
        self.stored = (0, 0)  # passages and tokens in the segments stored so far
        self.keys: dict[str, str | None] = {}  # spelling keys, made in the threads
        self.keying: list[Future[None]] = []
        self.keyed = 0  # terms of the inverter's vocabulary given to be keyed
        postings.start(conn)
        conn.execute(
            "INSERT INTO passages_fts (passages_fts, rank) VALUES ('hashsize', ?)",
            (FTS5_HASH_BYTES,),
        )

    def add(self, item: prepare.Prepared) -> None:
        document_id = self.next_document
        self.next_document += 1
        self.documents.append(
            (
                document_id,
                item.relative,
                item.sha256,
                item.size,
                item.mtime_ns,
                item.title,
                item.date,
                item.source,
                json.dumps(item.warnings),
                len(item.passages),
                self.at,
            )
        )
        day = dt.date.fromisoformat(item.date).toordinal() if item.date else int(postings.UNDATED)
        for ordinal, heading, text, start, end, sentences, length, page, terms in item.passages:
            pid = self.next_passage
            self.next_passage += 1
            self.passages.append(
                (pid, document_id, ordinal, heading, text, start, end, sentences, length, page)
            )
            self.fts.append((pid, terms))
            self.inverter.add(pid, day, postings.fts_tokens(terms))
        if len(self.passages) >= BATCH_PASSAGES:
            self.flush()
        if len(self.inverter.vocab) >= self.keyed + KEY_TERMS:
            self._key_new_terms()
        if self.inverter.tokens >= postings.writing.CHUNK_TOKENS:
            self._segment_full()
        elif self.inverting is not None and self.inverting.done():
            self._store_inverted()

    def _segment_full(self) -> None:
        """Make the full segment in a thread and go on writing passages meanwhile. Made in
        line, each segment of a large build (about 1.3 s for 8 million tokens) left the
        workers idle once the batches ahead were read: 8 times in a build of 1,000,000
        passages. The writer stores each segment once it is made, in order, before the next
        one is begun, so the index holds what the build in line wrote."""
        self._store_inverted()
        self._key_new_terms()
        full, self.inverter = self.inverter, postings.Inverter(self.threads.submit)
        self.keyed = 0
        self.inverting = self.threads.submit(full.invert)

    def _key_new_terms(self) -> None:
        """Have the spelling keys of the terms met since the last time made in a thread."""
        vocab = self.inverter.vocab
        new = list(islice(vocab, self.keyed, None))
        self.keyed = len(vocab)
        self.keying.append(self.threads.submit(frequencies.add_spelling_keys, self.keys, new))

    def _store_inverted(self) -> None:
        if self.inverting is not None:
            self._store(self.inverting.result())
            self.inverting = None
            _give_back_memory()

    def _store(self, segment: postings.Inverted) -> None:
        postings.store(self.conn, segment, count=True, df=self.df)
        passages, tokens = self.stored
        self.stored = (passages + len(segment.doc_ids), tokens + int(segment.lengths.sum()))

    def _last_segment(self) -> postings.Inverted:
        """The last segment, with its rows made for the counts it completes."""
        segment = self.inverter.invert()
        passages, tokens = self.stored
        passages += len(segment.doc_ids)
        postings.make_rows(segment, passages, tokens + int(segment.lengths.sum()))
        return segment

    def flush(self) -> None:
        self.conn.executemany(
            "INSERT INTO documents (id, path, sha256, size, mtime_ns, title, date, source,"
            " warnings, passages, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self.documents,
        )
        self.conn.executemany(
            "INSERT INTO passages (id, document_id, ordinal, heading, text, start, end,"
            " sentences, length, page) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self.passages,
        )
        self.conn.executemany("INSERT INTO passages_fts (rowid, terms) VALUES (?, ?)", self.fts)
        self.documents.clear()
        self.passages.clear()
        self.fts.clear()

    def finish(self) -> None:
        """The last rows, segment and vocabulary, and FTS5's segments merged into one. Done
        one after the other, this was 2.1 s of 9.7 at 100,000 passages on one core while the
        other sat idle; here the last segment and its parts' rows are made in a thread
        while FTS5 merges (SQLite and numpy's sort let other threads run), so SQLite is left
        only to write them, and the vocabulary's spelling keys were made as terms came."""
        self.flush()
        self._store_inverted()
        self._key_new_terms()
        last = self.threads.submit(self._last_segment)
        self.conn.execute("INSERT INTO passages_fts (passages_fts) VALUES ('optimize')")
        # FTS5 keeps its settings in the index: updates then go back to its default.
        self.conn.execute("DELETE FROM passages_fts_config WHERE k = 'hashsize'")
        self._store(last.result())
        for keying in self.keying:
            keying.result()
        frequencies.fill(self.conn, self.df, self.keys)

    def close(self) -> None:
        """Stop the threads; a segment still being made is left unmade."""
        self.threads.shutdown(cancel_futures=True)


#: Objects allocated, less those freed, between two collections of the youngest generation
#: of Python's cycle collector during a build (700 by default). Every row and file a build
#: holds for a while is met by some 500 collections for 100,000 synthetic passages and
#: moved up a generation, 0.2 to 0.4 s of the writer's CPU, for almost no cycle found (fewer
#: than 500 objects freed); with this threshold, 50 collections take 0.05 s.
GC_THRESHOLD = 50_000


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect cycles less often while building (the worker processes, forked here, too)."""
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], GC_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _give_back_memory() -> None:
    """Return the memory a postings segment used to the system. glibc keeps freed memory for
    reuse, and the arrays and rows of one segment left the writer 60 to 70 MB larger after
    each (300,000 passages: 182 → 253 → 312 MB between segments); trimmed, it stays at its
    size between segments."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):  # not glibc
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def build(
    conn: sqlite3.Connection,
    corpus: Path,
    files: list[str],
    previous: dict[str, Known],
    on_file: Callable[[prepare.Prepared, str, str], None],
    workers: int | None = None,
) -> None:
    """Write every file of `files` (paths relative to `corpus`) into the empty index behind `conn`,
    inside the caller's transaction. `on_file` hears of each file as it is written, with its
    status against `previous` (what the live index held) and why."""
    with _fewer_collections():
        writer = Writer(conn)
        try:
            for item in prepare.prepared(corpus, files, workers):
                if item.failure is not None:
                    store.record_failure(
                        conn, item.relative, item.failure, item.size, item.ctime_ns
                    )
                    on_file(item, "failed", item.failure)
                    continue
                writer.add(item)
                known = previous.get(item.relative)
                if known is None:
                    on_file(item, "added", "")
                elif known[0] == item.sha256:
                    on_file(item, "unchanged", "")
                else:
                    reason = "" if known[0] else "the analyser changed since it was indexed"
                    on_file(item, "changed", reason)
            writer.finish()
        finally:
            writer.close()
