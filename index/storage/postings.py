"""Per-term postings beside FTS5, so a question reads only what can change its top 10.

A plain FTS5 `OR` query ranked by `bm25()` reads every posting of every question term, twice
(once to count the passages holding it, once to score them), so a question of common words
costs time in proportion to the corpus. This module keeps the same postings in a form that a
ranking can stop reading early, and ranks with exactly FTS5's formula, so its top 10 is the
plain plan's top 10.

Layout (all in the index file, written in the caller's transaction, so after any crash it
agrees with FTS5, which stays the index of record):

- `postings_recent`: passages added since the last fold, one row each, appended in id order.
  Adding a briefing writes only these rows and one counter row.
- `postings_segments` and `postings_parts`: immutable segments, each the postings of a set of
  passages, one row per (segment, term): passage ids in ascending order, term frequencies,
  and for long lists a head of the postings with the highest impact at the index's average
  length when the segment was written, with the impact where the head stops. When
  `postings_recent` grows past `RECENT_MAX` passages it is folded into a new segment;
  segments of a similar size are merged, so there are few.
- `postings_deleted`: a removed passage whose postings sit in a segment, with its terms, until
  a merge drops them. Ids are reused by SQLite, so a removal names its segment.
- `postings_stats`: passage count and total length (FTS5's N and average length) and a
  version that every write changes (readers key their caches on it).

Ranking (`rank`) is the threshold algorithm with random access: score exactly every passage of
the rare terms and the heads of the common ones, take the k-th best score as a threshold, and
stop when what no passage outside the candidates can reach (the sum, over terms, of the impact
where each head stops) falls below it; otherwise read deeper heads, and at the end score every
posting of the terms whose idf is not floored, then exactly the few passages that can still
reach the top. Date filters apply to the candidates: a date per passage is kept beside its
length. Segments never change once written, so their arrays are cached across questions.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sqlite3
import threading
import uuid
from array import array
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

#: FTS5's BM25 parameters (fixed in its `bm25()`).
K1 = 1.2
B = 0.75
#: FTS5 floors the idf of a term found in more than half the passages to this.
IDF_FLOOR = 1e-6
#: Passages kept in `postings_recent` before they are folded into a segment.
RECENT_MAX = 1_000
#: Segments of at most this many postings are merged with others of a similar size.
MERGE_MAX_POSTINGS = 1_000_000
#: Segments of a similar size (same power of MERGE_FANIN) merged once there are this many.
MERGE_FANIN = 4
#: Lists shorter than this are always read whole; longer ones get a head.
HEAD_MIN = 1_024
#: Candidates taken from each head at the first pass; each further pass takes 4 times more.
FIRST_DEPTH = 64
#: A list gets a frequency-by-passage array when it holds at least 1/DENSE_SHARE of them.
DENSE_SHARE = 16
#: Heads are read at most this deep before every posting is scored instead.
DEEPEST = 1_024
#: A list whose head is used up is read whole when it is at most this long.
WHOLE_MAX = 32_768
#: A whole build inverts its passages in segments of about this many tokens: writing one
#: holds about 20 bytes a token at its peak (a process of 205 MB for 6.5 million tokens; a
#: build of 300,000 passages peaked at 390 MB), so the writer's memory does not grow with the
#: corpus. Half as many tokens a segment (4 million) took the build down to 298 MB but split
#: 100,000 synthetic passages into two segments, and `bench/speed`'s p99 went from 3.9 to
#: 7.9 ms (newswire 5.6 to 8.0 ms), so segments stay this large.
CHUNK_TOKENS = 8_000_000
#: Bytes of decoded arrays kept in memory across questions.
CACHE_BYTES = 80 * 1024 * 1024
#: Slack on every upper bound: impacts are stored in float32 and computed in another order.
BOUND_SLACK = 1.0 + 1e-6
#: Day number for an undated briefing: outside every date filter, as in SQL where NULL fails.
UNDATED = np.iinfo(np.int32).min

# FTS5's `ascii` tokenizer: runs of ASCII letters and digits and of any non-ASCII character.
# Each class is written as the rest of ASCII that it leaves out: the same set as the range
# in the comment beside it, which `re` takes 5 ms to compile, at every start of the bot.
_FTS_TOKEN = re.compile(r"[^\x00-/:-@\[-`{-\x7f]+")  # [0-9A-Za-z\u0080-\U0010ffff]+
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_SIMPLE_TERM = re.compile(r"[^\x00-/:-`{-\x7f]+")  # [0-9a-z\u0080-\U0010ffff]+
_PLAIN_TEXT = re.compile(r"[^\x00-\x1f!-/:-`{-\x7f]*")  # [ 0-9a-z\u0080-\U0010ffff]*

TABLES = (
    "postings_stats",
    "postings_recent",
    "postings_segments",
    "postings_parts",
    "postings_deleted",
)


def fts_tokens(text: str) -> list[str]:
    """The tokens FTS5 stores for `text`, so lengths and frequencies match its own."""
    if _PLAIN_TEXT.fullmatch(text):  # analysed terms: FTS5 splits them on the spaces only
        return text.split()
    return _FTS_TOKEN.findall(text.translate(_ASCII_LOWER))


class _Vocabulary(dict):
    """Term -> number, numbering a term the first time it is looked up."""

    def __missing__(self, term: str) -> int:
        self[term] = number = len(self)
        return number


_DDL = (
    """CREATE TABLE IF NOT EXISTS postings_stats (
        id INTEGER PRIMARY KEY CHECK (id = 0),
        uuid TEXT NOT NULL, passages INTEGER NOT NULL, tokens INTEGER NOT NULL,
        version INTEGER NOT NULL, next_segment INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS postings_recent (
        passage_id INTEGER PRIMARY KEY, day INTEGER NOT NULL, terms TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS postings_segments (
        id INTEGER PRIMARY KEY, passages INTEGER NOT NULL, postings INTEGER NOT NULL,
        min_id INTEGER NOT NULL, max_id INTEGER NOT NULL, avgdl REAL NOT NULL,
        first_part INTEGER NOT NULL, last_part INTEGER NOT NULL,
        ids BLOB NOT NULL, lengths BLOB NOT NULL, days BLOB NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS postings_parts (
        id INTEGER PRIMARY KEY, segment INTEGER NOT NULL, term TEXT NOT NULL,
        n INTEGER NOT NULL, top REAL NOT NULL,
        ids BLOB NOT NULL, tfs BLOB NOT NULL, head_ids BLOB, head_w BLOB)""",
    "CREATE INDEX IF NOT EXISTS postings_parts_term ON postings_parts (term, segment)",
    """CREATE TABLE IF NOT EXISTS postings_deleted (
        id INTEGER PRIMARY KEY, passage_id INTEGER NOT NULL, segment INTEGER NOT NULL,
        terms TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS postings_deleted_segment ON postings_deleted (segment)",
)


def create_tables(conn: sqlite3.Connection) -> None:
    """The postings tables, inside the caller's transaction (no implicit commit)."""
    for statement in _DDL:
        conn.execute(statement)


def has_tables(conn: sqlite3.Connection) -> bool:
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return set(TABLES) <= names


# ---------------------------------------------------------------------------------------------
# Writing


def _day(date: dt.date | None) -> int:
    return date.toordinal() if date else int(UNDATED)


def _random_number() -> int:
    import secrets  # here, not at the top: only writes need it, and it costs 5 ms to import

    return secrets.randbits(62)


def _bump(conn: sqlite3.Connection, passages: int, tokens: int) -> None:
    # A random version, and random segment numbers, so that two copies of one index file
    # that are then written apart never look alike to a reader's caches.
    conn.execute(
        "UPDATE postings_stats SET passages = passages + ?, tokens = tokens + ?,"
        " version = ? WHERE id = 0",
        (passages, tokens, _random_number()),
    )


def add_passages(
    conn: sqlite3.Connection, rows: Sequence[tuple[int, Sequence[str]]], date: dt.date | None
) -> None:
    """Record passages just written to FTS5 as (rowid, terms), all of one briefing."""
    if not rows:
        return
    day = _day(date)
    texts = [(pid, " ".join(fts_tokens(" ".join(terms)))) for pid, terms in rows]
    conn.executemany(
        "INSERT INTO postings_recent (passage_id, day, terms) VALUES (?, ?, ?)",
        [(pid, day, text) for pid, text in texts],
    )
    _bump(conn, len(rows), sum(len(text.split()) for _, text in texts))
    (recent,) = conn.execute("SELECT count(*) FROM postings_recent").fetchone()
    if recent > RECENT_MAX:
        flush_recent(conn)


def delete_passages(conn: sqlite3.Connection, passage_ids: Iterable[int]) -> None:
    """Forget passages about to be deleted from FTS5 (call it before the FTS5 delete)."""
    ids = sorted(set(passage_ids))
    if not ids:
        return
    removed, removed_tokens = 0, 0
    uid = _uuid(conn)
    for pid in ids:
        row = conn.execute(
            "DELETE FROM postings_recent WHERE passage_id = ? RETURNING terms", (pid,)
        ).fetchone()
        if row is not None:
            removed += 1
            removed_tokens += len(row[0].split())
            continue
        found = _segment_of(conn, uid, pid)
        if found is None:  # not known here; nothing to forget
            continue
        segment, length = found
        row = conn.execute("SELECT terms FROM passages_fts WHERE rowid = ?", (pid,)).fetchone()
        conn.execute(
            "INSERT INTO postings_deleted (passage_id, segment, terms) VALUES (?, ?, ?)",
            (pid, segment, " ".join(fts_tokens(row[0] if row else ""))),
        )
        removed += 1
        removed_tokens += length
    _bump(conn, -removed, -removed_tokens)


def _segment_of(conn: sqlite3.Connection, uid: str, pid: int) -> tuple[int, int] | None:
    """The segment holding the live postings of passage `pid`, and its length."""
    rows = conn.execute(
        "SELECT id FROM postings_segments WHERE min_id <= ? AND max_id >= ? ORDER BY id DESC",
        (pid, pid),
    ).fetchall()
    for (segment,) in rows:
        docs = _segment_docs(conn, uid, segment)
        i = int(np.searchsorted(docs.ids, pid))
        if i < len(docs.ids) and docs.ids[i] == pid:
            dead = conn.execute(
                "SELECT 1 FROM postings_deleted WHERE segment = ? AND passage_id = ?",
                (segment, pid),
            ).fetchone()
            if dead is None:
                return segment, int(docs.lengths[i])
    return None


def start(conn: sqlite3.Connection) -> None:
    """Empty postings with zero counts, for segments to be written into (a whole build)."""
    create_tables(conn)
    for table in TABLES:
        conn.execute(f"DELETE FROM {table}")
    conn.execute(
        "INSERT INTO postings_stats (id, uuid, passages, tokens, version, next_segment)"
        " VALUES (0, ?, 0, 0, 0, 1)",
        (uuid.uuid4().hex,),
    )


def rebuild(conn: sqlite3.Connection) -> None:
    """Derive everything again from FTS5, in segments of about `CHUNK_TOKENS` tokens."""
    start(conn)
    rows = conn.execute(
        "SELECT f.rowid, d.date, f.terms FROM passages_fts f"
        " LEFT JOIN passages p ON p.id = f.rowid LEFT JOIN documents d ON d.id = p.document_id"
        " ORDER BY f.rowid"
    )
    inverter = Inverter()
    for pid, date, terms in rows:
        day = _day(dt.date.fromisoformat(date[:10])) if date else int(UNDATED)
        inverter.add(pid, day, fts_tokens(terms))
        if inverter.tokens >= CHUNK_TOKENS:
            inverter.write(conn, count=True)
    inverter.write(conn, count=True)


def flush_recent(conn: sqlite3.Connection) -> None:
    """Move the recent passages into a segment of their own, then merge similar segments."""
    rows = conn.execute(
        "SELECT passage_id, day, terms FROM postings_recent ORDER BY passage_id"
    ).fetchall()
    if not rows:
        return
    _write_segment(conn, [(pid, day, terms.split()) for pid, day, terms in rows])
    conn.execute("DELETE FROM postings_recent")
    _merge_similar(conn)


def _merge_similar(conn: sqlite3.Connection) -> None:
    while True:
        segments = conn.execute(
            "SELECT id, postings FROM postings_segments WHERE postings <= ? ORDER BY id",
            (MERGE_MAX_POSTINGS,),
        ).fetchall()
        levels: dict[int, list[int]] = {}
        for segment, postings in segments:
            level = int(math.log(max(postings, 1), MERGE_FANIN))
            levels.setdefault(level, []).append(segment)
        full = [ids for ids in levels.values() if len(ids) >= MERGE_FANIN]
        if not full:
            return
        merge(conn, full[0])


def merge(conn: sqlite3.Connection, segments: Sequence[int]) -> None:
    """Replace `segments` by one, leaving out the postings of removed passages."""
    uid = _uuid(conn)
    doc_ids, doc_lengths, doc_days = [], [], []
    vocab = _Vocabulary()
    term_of, id_blobs, tf_arrays = [], [], []
    for segment in segments:
        dead = _dead_ids(conn, segment)
        docs = _segment_docs(conn, uid, segment)
        live = ~np.isin(docs.ids, dead)
        doc_ids.append(docs.ids[live])
        doc_lengths.append(docs.lengths[live])
        doc_days.append(docs.days[live])
        first, last = conn.execute(
            "SELECT first_part, last_part FROM postings_segments WHERE id = ?", (segment,)
        ).fetchone()
        rows = conn.execute(
            "SELECT term, n, ids, tfs FROM postings_parts WHERE id BETWEEN ? AND ?", (first, last)
        ).fetchall()
        terms = np.repeat([vocab[r[0]] for r in rows], [r[1] for r in rows]).astype(np.int64)
        ids = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.uint32)
        tfs = np.concatenate([_decode_tfs(r[3], r[1]).astype(np.uint32) for r in rows] or [ids])
        if len(dead):  # removed passages go now, and their records with them
            keep = ~np.isin(ids, dead)
            terms, ids, tfs = terms[keep], ids[keep], tfs[keep]
        term_of.append(terms)
        id_blobs.append(ids.tobytes())
        tf_arrays.append(tfs)
        conn.execute("DELETE FROM postings_parts WHERE id BETWEEN ? AND ?", (first, last))
        conn.execute("DELETE FROM postings_segments WHERE id = ?", (segment,))
        conn.execute("DELETE FROM postings_deleted WHERE segment = ?", (segment,))
    names = list(vocab)
    rank = np.empty(len(names), dtype=np.uint64)
    rank[np.argsort(np.array(names, dtype=object))] = np.arange(len(names), dtype=np.uint64)
    tids = rank[np.concatenate(term_of).astype(np.int64)] if names else np.zeros(0, np.uint64)
    pids = np.frombuffer(b"".join(id_blobs), dtype=np.uint32)
    tfs = np.concatenate(tf_arrays) if tf_arrays else np.zeros(0, np.uint32)
    order = np.argsort((tids << np.uint64(32)) | pids.astype(np.uint64), kind="stable")
    tids, pids, tfs = tids[order], pids[order], tfs[order]
    starts = np.flatnonzero(np.concatenate(([True], tids[1:] != tids[:-1]))) if len(tids) else tids
    ordered = sorted(names)
    _store_segment(
        conn,
        np.concatenate(doc_ids),
        np.concatenate(doc_lengths),
        np.concatenate(doc_days),
        [ordered[int(t)] for t in tids[starts]],
        starts,
        pids,
        tfs,
    )


def _dead_ids(conn: sqlite3.Connection, segment: int) -> np.ndarray:
    return np.array(
        sorted(
            r[0]
            for r in conn.execute(
                "SELECT passage_id FROM postings_deleted WHERE segment = ?", (segment,)
            )
        ),
        dtype=np.uint32,
    )


def _write_segment(
    conn: sqlite3.Connection, docs: Iterable[tuple[int, int, list[str]]], count: bool = False
) -> None:
    """Invert (passage id, day, tokens) rows into a segment, holding only integers meanwhile;
    with `count`, the rows are new to the counts too (a rebuild)."""
    inverter = Inverter()
    for pid, day, tokens in docs:
        inverter.add(pid, day, tokens)
    inverter.write(conn, count=count)


class Inverter:
    """Passages in, one segment out: each passage's tokens are kept as term numbers (4 bytes a
    token), so a chunk of a bulk build holds integers, not strings, until it is written."""

    def __init__(self) -> None:
        self.vocab = _Vocabulary()
        self.term_ids = array("I")
        self.counts, self.ids, self.days = array("q"), array("I"), array("i")
        self._number = self.vocab.__getitem__

    @property
    def tokens(self) -> int:
        return len(self.term_ids)

    def add(self, pid: int, day: int, tokens: Sequence[str]) -> None:
        self.term_ids.extend(map(self._number, tokens))
        self.counts.append(len(tokens))
        self.ids.append(pid)
        self.days.append(day)

    def write(self, conn: sqlite3.Connection, count: bool = False) -> None:
        """Write the segment (with `count`, add its passages to the counts first), then
        start afresh."""
        ids, days, counts, term_ids = self.ids, self.days, self.counts, self.term_ids
        vocab = self.vocab
        self.__init__()
        doc_ids = np.frombuffer(ids, dtype=np.uint32) if ids else np.zeros(0, np.uint32)
        doc_days = np.frombuffer(days, dtype=np.int32) if days else np.zeros(0, np.int32)
        lengths = np.frombuffer(counts, dtype=np.int64) if counts else np.zeros(0, np.int64)
        if count:
            _bump(conn, len(doc_ids), int(lengths.sum()))
        if not len(doc_ids):
            return
        names = list(vocab)
        del vocab
        # Number terms in text order, so that the segment's rows go in sorted by term.
        rank = np.empty(len(names), dtype=np.uint64)
        rank[np.argsort(np.array(names, dtype=object))] = np.arange(len(names), dtype=np.uint64)
        tids = rank[np.frombuffer(term_ids, dtype=np.uint32)]
        del term_ids
        keys = tids  # worked in place: the peak is what bounds a chunk (`CHUNK_TOKENS`)
        del tids
        keys <<= np.uint64(32)
        keys |= np.repeat(doc_ids.astype(np.uint64), lengths)
        keys.sort()
        new = np.empty(len(keys), dtype=bool)
        new[0] = True
        np.not_equal(keys[1:], keys[:-1], out=new[1:])
        first = np.flatnonzero(new)
        del new
        tf = np.empty(len(first), dtype=np.uint32)  # each run's length, without int64 copies
        np.subtract(first[1:], first[:-1], out=tf[:-1], casting="unsafe")
        tf[-1] = len(keys) - first[-1]
        keys = keys[first]
        del first
        term_of = keys >> np.uint64(32)
        pids = (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        del keys
        starts = np.flatnonzero(np.concatenate(([True], term_of[1:] != term_of[:-1])))
        ordered = sorted(names)
        terms = [ordered[int(t)] for t in term_of[starts]]
        _store_segment(conn, doc_ids, lengths.astype(np.uint32), doc_days, terms, starts, pids, tf)


def _store_segment(
    conn: sqlite3.Connection,
    doc_ids: np.ndarray,
    doc_lengths: np.ndarray,
    doc_days: np.ndarray,
    terms: list[str],
    starts: np.ndarray,
    pids: np.ndarray,
    tfs: np.ndarray,
) -> None:
    """Write a segment: `terms` in ascending order, term i's postings at pids[starts[i]:]."""
    segment = _random_number() | 1
    order = np.argsort(doc_ids, kind="stable")
    doc_ids, doc_lengths, doc_days = doc_ids[order], doc_lengths[order], doc_days[order]
    # Heads are ordered at the index's average length now, which later drifts only a little.
    passages, tokens = conn.execute(
        "SELECT passages, tokens FROM postings_stats WHERE id = 0"
    ).fetchone()
    avgdl = tokens / passages if passages > 0 and tokens > 0 else 1.0
    ends = np.append(starts[1:], len(pids)).astype(np.int64)
    starts = starts.astype(np.int64)
    rows = []
    if len(pids):
        length_of = np.zeros(int(doc_ids.max()) + 1, dtype=np.float64)
        length_of[doc_ids] = doc_lengths
        # Impacts a million postings at a time: the temporaries of the whole formula at once
        # were the peak of a bulk build's memory.
        w = np.empty(len(pids), dtype=np.float64)
        for a in range(0, len(pids), 1 << 20):
            b = a + (1 << 20)
            w[a:b] = _impact(tfs[a:b].astype(np.float64), length_of[pids[a:b]], avgdl)
        del length_of
        tops = np.maximum.reduceat(w, starts).tolist()
        heads = {
            i: _head(pids[s:e], w[s:e])
            for i, s, e in zip(
                np.flatnonzero(ends - starts >= HEAD_MIN).tolist(),
                starts[ends - starts >= HEAD_MIN].tolist(),
                ends[ends - starts >= HEAD_MIN].tolist(),
                strict=True,
            )
        }
        del w
        tf_bytes = tfs.astype(np.uint16 if tfs.max() < 65_536 else np.uint32)
        pids = pids.astype(np.uint32, copy=False)
        for i, (s, e) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
            head_ids, head_w = heads.get(i, (None, None))
            rows.append(
                (
                    segment,
                    terms[i],
                    e - s,
                    tops[i],
                    pids[s:e].tobytes(),
                    tf_bytes[s:e].tobytes(),
                    head_ids,
                    head_w,
                )
            )
    (first,) = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM postings_parts").fetchone()
    conn.executemany(
        "INSERT INTO postings_parts (segment, term, n, top, ids, tfs, head_ids, head_w)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.execute(
        "INSERT INTO postings_segments (id, passages, postings, min_id, max_id, avgdl,"
        " first_part, last_part, ids, lengths, days) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            segment,
            len(doc_ids),
            len(pids),
            int(doc_ids[0]) if len(doc_ids) else 0,
            int(doc_ids[-1]) if len(doc_ids) else -1,
            avgdl,
            first,
            first + len(rows) - 1,
            doc_ids.astype(np.uint32).tobytes(),
            doc_lengths.astype(np.uint32).tobytes(),
            doc_days.astype(np.int32).tobytes(),
        ),
    )


def _head(ids: np.ndarray, w: np.ndarray) -> tuple[bytes, bytes]:
    """The postings of highest impact, best first, and their impacts with one more entry:
    head_w[j] bounds every posting at depth j or deeper, the last everything past the head."""
    size = max(HEAD_MIN // 2, len(ids) // 8)
    pick = np.argpartition(-w, size)[: size + 1]
    pick = pick[np.lexsort((ids[pick], -w[pick]))]
    return ids[pick[:size]].astype(np.uint32).tobytes(), w[pick].astype(np.float32).tobytes()


def _decode_tfs(blob: bytes, n: int) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.uint16 if len(blob) == 2 * n else np.uint32)


def _impact(tf: np.ndarray, length: np.ndarray, avgdl: float) -> np.ndarray:
    """FTS5's per-term BM25 factor without the idf, in its own order of operations."""
    return (tf * (K1 + 1.0)) / (tf + K1 * (1 - B + B * length / avgdl))


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True, slots=True)
class _Docs:
    ids: np.ndarray
    lengths: np.ndarray
    days: np.ndarray


@dataclass(slots=True)
class _Part:
    """One term's postings in one segment (or among the recent passages)."""

    ids: np.ndarray  # ascending passage ids
    tfs: np.ndarray
    avgdl: float  # the average length the head was ordered at
    top: float  # the highest impact at `avgdl`
    head_ids: np.ndarray | None = None  # ids by descending impact at `avgdl`
    head_w: np.ndarray | None = None  # their impacts, one more than head_ids
    dense: np.ndarray | None = None  # frequency by passage id, for lists of common terms
    count: int = 0  # postings, when only `dense` holds them

    @property
    def nbytes(self) -> int:
        extra = 0 if self.head_ids is None else self.head_ids.nbytes + self.head_w.nbytes
        dense = 0 if self.dense is None else self.dense.nbytes
        return self.ids.nbytes + self.tfs.nbytes + extra + dense

    @property
    def n(self) -> int:
        return len(self.ids) if self.dense is None or len(self.ids) else int(self.count)

    def densify(self) -> None:
        """A frequency per passage id: one byte a passage, looked up without a search, for a
        list long enough that this is not much more than the list itself. A list holding a
        quarter of the passages or more keeps only that (and its head)."""
        size = int(self.ids[-1]) + 1
        if len(self.ids) * DENSE_SHARE >= size:
            dtype = np.uint8 if int(self.tfs.max()) < 256 else np.uint16
            self.dense = np.zeros(size, dtype=dtype)
            self.dense[self.ids] = self.tfs
            if len(self.ids) * 4 >= size and self.head_ids is not None:
                self.count = len(self.ids)
                self.ids = np.zeros(0, dtype=np.uint32)  # not a view: free the blob
                self.tfs = np.zeros(0, dtype=self.tfs.dtype)


class _Recent:
    """The postings of the passages added since the last fold, flat and grouped by term.

    A fold holds up to `RECENT_MAX` passages and tens of thousands of distinct terms; making
    a part for each whenever a reader met a new version of the index cost it 0.4 s, which a
    bot under load pays on every thread at once. A question's terms are sliced out instead.
    """

    def __init__(self, rows: list[tuple[int, list[str]]], lengths: np.ndarray, avgdl: float):
        self.avgdl = avgdl
        self.vocab: dict[str, int] = {}
        term_ix: list[int] = []
        pids: list[int] = []
        tfs: list[int] = []
        for pid, words in rows:  # ascending passage ids, kept within a term by a stable sort
            for term, tf in Counter(words).items():
                term_ix.append(self.vocab.setdefault(term, len(self.vocab)))
                pids.append(pid)
                tfs.append(tf)
        order = np.argsort(np.array(term_ix, dtype=np.int64), kind="stable")
        self.ids = np.array(pids, dtype=np.uint32)[order]
        self.tfs = np.array(tfs, dtype=np.uint32)[order]
        counts = np.bincount(np.array(term_ix, dtype=np.int64), minlength=len(self.vocab))
        self.ends = np.cumsum(counts)
        self.starts = self.ends - counts
        impact = _impact(self.tfs.astype(np.float64), lengths[self.ids].astype(np.float64), avgdl)
        self.tops = np.maximum.reduceat(impact, self.starts) if len(impact) else impact

    def part(self, term: str) -> _Part | None:
        i = self.vocab.get(term)
        if i is None:
            return None
        span = slice(int(self.starts[i]), int(self.ends[i]))
        return _Part(self.ids[span], self.tfs[span], self.avgdl, float(self.tops[i]))


@dataclass(slots=True)
class _State:
    """What one version of the index looks like to a reader."""

    passages: int
    tokens: int
    segments: dict[int, float]  # segment -> its avgdl
    lengths: np.ndarray  # by passage id
    days: np.ndarray  # by passage id
    recent: _Recent
    dead: dict[int, np.ndarray]  # segment -> sorted removed ids
    norm: np.ndarray  # by passage id: BM25's length normalisation, k1 (1 - b + b dl / avgdl)


class _Cache:
    """A byte-bounded LRU of immutable segment arrays, shared by every connection."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.items: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: tuple) -> object | None:
        with self.lock:
            hit = self.items.get(key)
            if hit is None:
                return None
            self.items.move_to_end(key)
            return hit[0]

    def put(self, key: tuple, value: object, nbytes: int) -> None:
        with self.lock:
            if key in self.items:
                return
            self.items[key] = (value, nbytes)
            self.size += nbytes
            while self.size > self.capacity and len(self.items) > 1:
                _, (_, n) = self.items.popitem(last=False)
                self.size -= n

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.size = 0


_cache = _Cache(CACHE_BYTES)
_states: OrderedDict[tuple[str, int], _State] = OrderedDict()
_states_lock = threading.Lock()
_build_lock = threading.Lock()


def _uuid(conn: sqlite3.Connection) -> str:
    return conn.execute("SELECT uuid FROM postings_stats WHERE id = 0").fetchone()[0]


def _segment_docs(conn: sqlite3.Connection, uid: str, segment: int) -> _Docs:
    key = (uid, "docs", segment)
    docs = _cache.get(key)
    if docs is None:
        ids, lengths, days = (
            _blob(conn, "postings_segments", column, segment)
            for column in ("ids", "lengths", "days")
        )
        docs = _Docs(
            np.frombuffer(ids, dtype=np.uint32),
            np.frombuffer(lengths, dtype=np.uint32),
            np.frombuffer(days, dtype=np.int32),
        )
        _cache.put(key, docs, len(ids) + len(lengths) + len(days))
    return docs  # type: ignore[return-value]


def _blob(conn: sqlite3.Connection, table: str, column: str, rowid: int) -> bytes:
    """One blob, read whole: a third faster than a SELECT of it, which the first question
    waits for at a million passages (12 MB of a segment's passages)."""
    with conn.blobopen(table, column, rowid, readonly=True) as blob:
        return blob.read()


def _state(conn: sqlite3.Connection) -> tuple[str, _State] | None:
    row = conn.execute(
        "SELECT uuid, passages, tokens, version FROM postings_stats WHERE id = 0"
    ).fetchone()
    if row is None:
        return None
    uid, passages, tokens, version = row
    with _states_lock:
        state = _states.get((uid, version))
        if state is not None:
            _states.move_to_end((uid, version))
            return uid, state
    with _build_lock:  # one thread reads a new version; the others wait for it, not repeat it
        with _states_lock:
            state = _states.get((uid, version))
        if state is None:
            state = _read_state(conn, uid, passages, tokens)
            with _states_lock:
                _states[(uid, version)] = state
                while len(_states) > 2:
                    _states.popitem(last=False)
    return uid, state


def warm(conn: sqlite3.Connection) -> None:
    """Read the current version's state now, so the first question does not wait for it."""
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        _state(conn)
    except sqlite3.OperationalError:  # an index from before the postings existed
        pass
    finally:
        if own:
            conn.execute("COMMIT")


def _read_state(conn: sqlite3.Connection, uid: str, passages: int, tokens: int) -> _State:
    segments = dict(conn.execute("SELECT id, avgdl FROM postings_segments ORDER BY id"))
    dead: dict[int, list[int]] = {}
    for pid, segment in conn.execute("SELECT passage_id, segment FROM postings_deleted"):
        dead.setdefault(segment, []).append(pid)
    dead_arrays = {s: np.array(sorted(v), dtype=np.uint32) for s, v in dead.items()}
    recent_rows = conn.execute(
        "SELECT passage_id, day, terms FROM postings_recent ORDER BY passage_id"
    ).fetchall()
    id_parts, length_parts, day_parts = [], [], []
    for segment in segments:
        docs = _segment_docs(conn, uid, segment)
        ids, lengths, days = docs.ids, docs.lengths, docs.days
        if segment in dead_arrays:
            live = ~np.isin(ids, dead_arrays[segment])
            ids, lengths, days = ids[live], lengths[live], days[live]
        id_parts.append(ids)
        length_parts.append(lengths)
        day_parts.append(days)
    recent_words: list[tuple[int, list[str]]] = []
    if recent_rows:
        r_ids, r_lengths, r_days = [], [], []
        for pid, day, terms in recent_rows:
            words = terms.split()
            recent_words.append((pid, words))
            r_ids.append(pid)
            r_lengths.append(len(words))
            r_days.append(day)
        id_parts.append(np.array(r_ids, dtype=np.uint32))
        length_parts.append(np.array(r_lengths, dtype=np.uint32))
        day_parts.append(np.array(r_days, dtype=np.int32))
    size = max((int(ids.max()) + 1 for ids in id_parts if len(ids)), default=1)
    lengths = np.zeros(size, dtype=np.uint32)
    days = np.full(size, UNDATED, dtype=np.int32)
    for ids, ls, ds in zip(id_parts, length_parts, day_parts, strict=True):
        _put(lengths, ids, ls)
        _put(days, ids, ds)
    avgdl = tokens / passages if passages else 1.0
    recent = _Recent(recent_words, lengths, avgdl)
    # The norm of each length that occurs, then looked up: the same float32 values as working
    # it out passage by passage in float64, for a fraction of the time at a million passages.
    by_length = np.arange(int(lengths.max()) + 1)
    norm = (K1 * (1 - B + B * by_length / avgdl)).astype(np.float32)[lengths]
    return _State(passages, tokens, segments, lengths, days, recent, dead_arrays, norm)


def _put(out: np.ndarray, ids: np.ndarray, values: np.ndarray) -> None:
    """`out[ids] = values`, copied into a slice when the ids run without a gap (a segment with
    nothing removed): ten times faster than scattering a million values."""
    if (
        len(ids) > 1
        and int(ids[-1]) - int(ids[0]) + 1 == len(ids)
        and bool(np.all(ids[1:] > ids[:-1]))
    ):
        out[int(ids[0]) : int(ids[-1]) + 1] = values
    else:
        out[ids] = values


def _parts(
    conn: sqlite3.Connection, uid: str, state: _State, terms: list[str]
) -> dict[str, list[_Part]]:
    """Each term's postings, one part per segment that holds it, removed passages left out."""
    found: dict[str, list[_Part]] = {t: [] for t in terms}
    marks = ",".join("?" * len(terms))
    rows = conn.execute(
        f"SELECT id, segment, term, n, top FROM postings_parts WHERE term IN ({marks})", terms
    ).fetchall()
    for part_id, segment, term, n, top in rows:
        if segment not in state.segments:  # merged away since the state was read
            continue
        dead = state.dead.get(segment)
        key = (uid, "part", segment, term, 0 if dead is None else len(dead))
        part = _cache.get(key)
        if part is None:
            ids, tfs, head_ids, head_w = conn.execute(
                "SELECT ids, tfs, head_ids, head_w FROM postings_parts WHERE id = ?", (part_id,)
            ).fetchone()
            ids_a = np.frombuffer(ids, dtype=np.uint32)
            part = _Part(ids_a, _decode_tfs(tfs, n), state.segments[segment], top)
            if head_ids is not None:
                part.head_ids = np.frombuffer(head_ids, dtype=np.uint32)
                part.head_w = np.frombuffer(head_w, dtype=np.float32)
            if dead is not None:
                live = ~np.isin(part.ids, dead)
                part.ids, part.tfs = part.ids[live], part.tfs[live]
                if part.head_ids is not None:
                    keep = ~np.isin(part.head_ids, dead)
                    part.head_ids = part.head_ids[keep]
                    part.head_w = np.append(part.head_w[:-1][keep], part.head_w[-1])
            if len(part.ids):
                part.densify()  # type: ignore[attr-defined]
            _cache.put(key, part, part.nbytes)
        if part.n:  # type: ignore[attr-defined]
            found[term].append(part)  # type: ignore[arg-type]
    for term in terms:
        part = state.recent.part(term)
        if part is not None:
            found[term].append(part)
    return found


def is_simple(term: str) -> bool:
    """Whether FTS5 reads `term` as the single token it is (and not as a phrase)."""
    return bool(_SIMPLE_TERM.fullmatch(term))


def rank(
    conn: sqlite3.Connection,
    terms: Sequence[str],
    k: int,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[tuple[int, float]] | None:
    """The best `k` (passage id, score) for the terms, as FTS5's `bm25()` ranks them.

    None when this index cannot answer (no postings, or a term FTS5 would read as a phrase):
    the caller then asks FTS5.
    """
    if not terms or k <= 0:
        return []
    if not all(is_simple(t) for t in terms):
        return None
    own = not conn.in_transaction  # one snapshot for every read, whatever a writer commits
    if own:
        conn.execute("BEGIN")
    try:
        try:
            got = _state(conn)
        except sqlite3.OperationalError:  # an index from before the postings existed
            return None
        if got is None:
            return None
        uid, state = got
        if state.passages <= 0:
            return []
        parts = _parts(conn, uid, state, list(dict.fromkeys(terms)))
    finally:
        if own:
            conn.execute("COMMIT")
    return _Ranking(state, terms, parts, since, until).top(k)


class _Ranking:
    """One question's threshold algorithm over the parts of its terms."""

    def __init__(self, state, terms, parts, since, until) -> None:
        self.state = state
        self.avgdl = state.tokens / state.passages
        self.terms = list(terms)
        self.parts = parts
        self.lo = since.toordinal() if since else None
        self.hi = until.toordinal() if until else None
        n = state.passages
        self.idf: dict[str, float] = {}
        for term, ps in parts.items():
            hits = sum(p.n for p in ps)
            idf = math.log((n - hits + 0.5) / (hits + 0.5))
            self.idf[term] = idf if idf > 0.0 else IDF_FLOOR
        self.live = [t for t in self.terms if parts[t]]

    def _bound(self, part: _Part, depth: int) -> float:
        """Highest impact a posting of `part` outside its first `depth` head entries can have."""
        if part.head_ids is None:
            return 0.0 if depth > 0 else part.top * self._drift(part) * BOUND_SLACK
        w = float(part.head_w[min(depth, len(part.head_w) - 1)])
        return w * self._drift(part) * BOUND_SLACK

    def _drift(self, part: _Part) -> float:
        # With a larger average length every impact can grow by at most avgdl/avgdl0.
        return max(1.0, self.avgdl / part.avgdl)

    def scores(self, cand: np.ndarray) -> np.ndarray:
        """Exact scores of candidate passages, summed in the question's order as FTS5 does."""
        length = self.state.lengths[cand].astype(np.float64)
        score = np.zeros(len(cand), dtype=np.float64)
        freq_of: dict[str, np.ndarray] = {}
        for term in self.terms:
            if not self.parts[term]:
                continue
            f = freq_of.get(term)
            if f is None:
                f = np.zeros(len(cand), dtype=np.float64)
                for part in self.parts[term]:
                    if part.dense is not None:
                        inside = cand < len(part.dense)
                        f[inside] += part.dense[cand[inside]]
                        continue
                    pos = np.searchsorted(part.ids, cand)
                    pos[pos >= len(part.ids)] = 0
                    hit = part.ids[pos] == cand
                    f[hit] = part.tfs[pos[hit]]
                freq_of[term] = f
            score += self.idf[term] * _impact(f, length, self.avgdl)
        return score

    def _allowed(self, cand: np.ndarray) -> np.ndarray:
        if self.lo is None and self.hi is None:
            return cand
        days = self.state.days[cand]
        ok = days != UNDATED
        if self.lo is not None:
            ok &= days >= self.lo
        if self.hi is not None:
            ok &= days <= self.hi
        return cand[ok]

    def top(self, k: int) -> list[tuple[int, float]]:
        if not self.live:
            return []
        depth = dict.fromkeys(self.parts, FIRST_DEPTH)
        while True:
            pieces = []
            bound = dict.fromkeys(self.parts, 0.0)
            for term, ps in self.parts.items():
                for part in ps:
                    if part.head_ids is not None and depth[term] < len(part.head_ids):
                        pieces.append(part.head_ids[: depth[term]])
                        bound[term] = max(bound[term], self._bound(part, depth[term]))
                    elif part.head_ids is None or (part.n <= WHOLE_MAX and len(part.ids)):
                        pieces.append(part.ids)
                    else:  # a long list (or one kept only densely) would be read whole:
                        return self._exhaustive(k)  # score everything at once
            reach = {t: self.idf[t] * bound[t] * self.terms.count(t) for t in self.parts}
            outside = sum(reach.values())
            cand = self._allowed(_union(pieces))
            best = _best(cand, self.scores(cand), k)
            if outside == 0.0 or (len(best) == k and best[-1][1] > outside):
                return best
            # Read deeper only where it lowers the bound most: the terms that could still
            # bring a passage from outside to the top, not the near-weightless common ones.
            widest = max(reach.values())
            for term, r in reach.items():
                if r >= widest / 4:
                    depth[term] *= 4
            if max(depth.values()) > DEEPEST:  # heads this deep rarely prove a bound
                return self._exhaustive(k)

    def _exhaustive(self, k: int) -> list[tuple[int, float]]:
        """Every posting of the weighty terms, by impacts computed once per list, then exact
        scores for the passages that can still reach the top. Terms found in over half the
        passages (idf floored to 1e-6) are looked up only for those passages."""
        heavy = [t for t in self.parts if self.parts[t] and self.idf[t] > IDF_FLOOR]
        light = [t for t in self.parts if self.parts[t] and self.idf[t] <= IDF_FLOOR]
        acc = np.zeros(len(self.state.lengths), dtype=np.float32)
        norm = self.state.norm
        for term in heavy if heavy else light:
            weight = np.float32(self.idf[term] * self.terms.count(term))
            for part in self.parts[term]:
                if part.n and not len(part.ids):  # held densely: no scatter needed
                    tf = part.dense.astype(np.float32)
                    size = len(tf)
                    acc[:size] += weight * (tf * np.float32(K1 + 1.0)) / (tf + norm[:size])
                    continue
                tf = part.tfs.astype(np.float32)
                acc[part.ids] += weight * (tf * np.float32(K1 + 1.0)) / (tf + norm[part.ids])
        drift = 1.0  # float32 impacts at today's average length: only rounding differs
        allowed = self._allowed_mask()
        if allowed is not None:
            acc[~allowed] = 0.0
        slack = 0.0
        if heavy and light:
            slack = sum(
                self.idf[t] * self.terms.count(t) * max(self._bound(p, 0) for p in self.parts[t])
                for t in light
            )
        if k >= len(acc):
            return self._exhaustive_all(k)
        kth = _kth_largest(acc, k)
        # The k passages at or above `kth` score at least `floor` exactly; a passage can
        # reach the top only if its approximate score is at least `cut`.
        floor = kth / drift * (1 - 1e-5)
        if floor <= slack or kth <= 0.0:
            return self._exhaustive_all(k)
        cut = (floor - slack) / (drift * (1 + 1e-5))
        cand = np.flatnonzero(acc >= cut).astype(np.uint32)
        return _best(cand, self.scores(cand), k)

    def _allowed_mask(self) -> np.ndarray | None:
        if self.lo is None and self.hi is None:
            return None
        days = self.state.days
        ok = days != UNDATED
        if self.lo is not None:
            ok &= days >= self.lo
        if self.hi is not None:
            ok &= days <= self.hi
        return ok

    def _exhaustive_all(self, k: int) -> list[tuple[int, float]]:
        seen = np.zeros(len(self.state.lengths), dtype=bool)
        for ps in self.parts.values():
            for p in ps:
                if p.n and not len(p.ids):
                    seen[: len(p.dense)] |= p.dense > 0
                else:
                    seen[p.ids] = True
        cand = self._allowed(np.flatnonzero(seen).astype(np.uint32))
        return _best(cand, self.scores(cand), k)


def _kth_largest(values: np.ndarray, k: int) -> float:
    """The k-th largest value, by way of block maxima: a full partition of a million mostly
    equal values is slow, and at least k values reach the k-th largest block maximum."""
    starts = np.arange(0, len(values), 1024)
    if len(starts) > k:
        maxima = np.maximum.reduceat(values, starts)
        floor = np.partition(maxima, len(maxima) - k)[len(maxima) - k]
        values = values[values >= floor]
    return float(np.partition(values, len(values) - k)[len(values) - k])


def _union(arrays: list[np.ndarray]) -> np.ndarray:
    """Sorted distinct ids (a sort: numpy's hashing `unique` is slow on these)."""
    ids = np.sort(np.concatenate(arrays)) if arrays else np.zeros(0, np.uint32)
    if len(ids) < 2:
        return ids
    return ids[np.concatenate(([True], ids[1:] != ids[:-1]))]


def _best(cand: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k best (id, score), score descending then id ascending, as FTS5 orders them."""
    keep = scores > 0.0
    cand, scores = cand[keep], scores[keep]
    if len(cand) > k:
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        keep = scores >= kth
        cand, scores = cand[keep], scores[keep]
    order = np.lexsort((cand, -scores))[:k]
    return [(int(cand[i]), float(scores[i])) for i in order]


def check(conn: sqlite3.Connection) -> dict[str, int]:
    """Counts to compare with FTS5's own, for tests and `stats`."""
    passages, tokens = conn.execute(
        "SELECT passages, tokens FROM postings_stats WHERE id = 0"
    ).fetchone()
    (segments,) = conn.execute("SELECT count(*) FROM postings_segments").fetchone()
    (recent,) = conn.execute("SELECT count(*) FROM postings_recent").fetchone()
    (deleted,) = conn.execute("SELECT count(*) FROM postings_deleted").fetchone()
    return {
        "passages": passages,
        "tokens": tokens,
        "segments": segments,
        "recent": recent,
        "deleted": deleted,
    }
