"""What one version of the index looks like to a reader: each passage's length, date and
length normalisation, the recent passages' postings and the removed ones, read once per
version and shared by every thread; and each term's postings, decoded once per segment and
kept in a byte-bounded cache, since segments never change once written.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass

import numpy as np

from .bm25 import K1, B, impact
from .tables import UNDATED, decode_tfs

#: A list gets a frequency-by-passage array when it holds at least 1/DENSE_SHARE of them.
DENSE_SHARE = 16
#: Bytes of decoded arrays kept in memory across questions.
CACHE_BYTES = 80 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Docs:
    """A segment's passages: ids ascending, with the length and day of each."""

    ids: np.ndarray
    lengths: np.ndarray
    days: np.ndarray


@dataclass(slots=True)
class Part:
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
        impacts = impact(self.tfs.astype(np.float64), lengths[self.ids].astype(np.float64), avgdl)
        self.tops = np.maximum.reduceat(impacts, self.starts) if len(impacts) else impacts

    def part(self, term: str) -> Part | None:
        i = self.vocab.get(term)
        if i is None:
            return None
        span = slice(int(self.starts[i]), int(self.ends[i]))
        return Part(self.ids[span], self.tfs[span], self.avgdl, float(self.tops[i]))


@dataclass(slots=True)
class State:
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
_states: OrderedDict[tuple[str, int], State] = OrderedDict()
_states_lock = threading.Lock()
_build_lock = threading.Lock()


def segment_docs(conn: sqlite3.Connection, uid: str, segment: int) -> Docs:
    """A segment's passages, decoded once and cached, since a segment never changes."""
    key = (uid, "docs", segment)
    docs = _cache.get(key)
    if docs is None:
        ids, lengths, days = (
            _blob(conn, "postings_segments", column, segment)
            for column in ("ids", "lengths", "days")
        )
        docs = Docs(
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


def current(conn: sqlite3.Connection) -> tuple[str, State] | None:
    """The postings' identity and the state of their version now (None without postings),
    read once per version and shared by every thread."""
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
        current(conn)
    except sqlite3.OperationalError:  # an index from before the postings existed
        pass
    finally:
        if own:
            conn.execute("COMMIT")


def _read_state(conn: sqlite3.Connection, uid: str, passages: int, tokens: int) -> State:
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
        docs = segment_docs(conn, uid, segment)
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
    return State(passages, tokens, segments, lengths, days, recent, dead_arrays, norm)


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


def parts_of(
    conn: sqlite3.Connection, uid: str, state: State, terms: list[str]
) -> dict[str, list[Part]]:
    """Each term's postings, one part per segment that holds it, removed passages left out."""
    found: dict[str, list[Part]] = {t: [] for t in terms}
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
            part = Part(ids_a, decode_tfs(tfs, n), state.segments[segment], top)
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
