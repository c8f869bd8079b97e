"""One segment made and written: passages inverted into term postings (`Inverter`), or
segments merged into one (`merge`), stored with a head of the highest-impact postings of
each long list, which lets a ranking stop reading early.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np

from .bm25 import impact
from .state import segment_docs
from .tables import bump, decode_tfs, random_number, tf_bytes, tf_widths, uuid_of

#: Lists shorter than this are always read whole; longer ones get a head.
HEAD_MIN = 1_024


class _Vocabulary(dict):
    """Term -> number, numbering a term the first time it is looked up."""

    def __missing__(self, term: str) -> int:
        self[term] = number = len(self)
        return number


def merge(conn: sqlite3.Connection, segments: Sequence[int]) -> None:
    """Replace `segments` by one, leaving out the postings of removed passages."""
    uid = uuid_of(conn)
    doc_ids, doc_lengths, doc_days = [], [], []
    vocab = _Vocabulary()
    term_of, id_blobs, tf_arrays = [], [], []
    for segment in segments:
        dead = _dead_ids(conn, segment)
        docs = segment_docs(conn, uid, segment)
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
        tfs = np.concatenate([decode_tfs(r[3], r[1]).astype(np.uint32) for r in rows] or [ids])
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


#: Tokens an `Inverter` sorts into a run at a time, as its passages come (`Inverter.add`).
#: Sorting a whole segment's keys at once (6.5 million for 100,000 synthetic passages: 0.65 s
#: with the runs of pairs read from them) was most of the end of a build, on one core once
#: the workers were done; a run of a million is sorted while the passages after it are
#: written, and a segment is then its runs put side by side, term by term (`_combine`).
RUN_TOKENS = 1 << 20

#: A run's keys are 4 bytes when every one is below this (`_sort_run`), 8 otherwise.
NARROW_KEYS = 1 << 32

Submit = Callable[..., "Future[_Run]"]


class Inverter:
    """Passages in, one segment out: each passage's tokens are kept as term numbers (4 bytes a
    token), so a chunk of a bulk build holds integers, not strings, until it is written; every
    `RUN_TOKENS` tokens they are sorted into a run of (term, passage, tf) postings, with
    `submit` (a thread pool's) beside the caller, or in line without it."""

    def __init__(self, submit: Submit | None = None) -> None:
        self.vocab = _Vocabulary()
        self.term_ids = array("I")  # the tokens not yet in a run
        self.counts, self.ids, self.days = array("q"), array("I"), array("i")
        self.runs: list[Future[_Run] | _Run] = []
        self.submit = submit
        self._number = self.vocab.__getitem__
        self._run_tokens = 0  # tokens in `runs`
        self._run_passages = 0  # passages in `runs`
        self._ascending = True  # passage ids added in ascending order, as runs need
        self._last_id = -1

    @property
    def tokens(self) -> int:
        return self._run_tokens + len(self.term_ids)

    def add(self, pid: int, day: int, tokens: Sequence[str]) -> None:
        self.term_ids.extend(map(self._number, tokens))
        self.counts.append(len(tokens))
        self.ids.append(pid)
        self.days.append(day)
        if pid <= self._last_id:
            self._ascending = False
        self._last_id = pid
        if len(self.term_ids) >= RUN_TOKENS and self._ascending:
            self._cut()

    def _cut(self, in_line: bool = False) -> None:
        """The tokens not yet in a run, sorted into one (`in_line`: by the caller)."""
        a, b = self._run_passages, len(self.ids)
        args = (self.term_ids, np.array(self.ids[a:b], np.uint32), np.array(self.counts[a:b]))
        submit = None if in_line else self.submit
        self.runs.append(submit(_sort_run, *args) if submit else _sort_run(*args))
        self._run_tokens += len(self.term_ids)
        self._run_passages = b
        self.term_ids = array("I")

    def write(
        self, conn: sqlite3.Connection, count: bool = False, df: dict[str, int] | None = None
    ) -> None:
        """Write the segment (with `count`, add its passages to the counts first), then
        start afresh; with `df`, add to it how many of the segment's passages hold each
        term."""
        store(conn, self.invert(), count, df)

    def invert(self) -> Inverted:
        """The segment made from the passages added so far, ready to store, and the inverter
        emptied. It reads no index, so a bulk build makes it in a thread while it goes on
        writing passages (numpy's sort, most of the time, lets the other thread run)."""
        if len(self.term_ids) or not self.runs:
            self._cut(in_line=True)  # this may run in the pool: it waits for no other task
        ids, days, counts, vocab, runs = self.ids, self.days, self.counts, self.vocab, self.runs
        ascending = self._ascending
        self.__init__(self.submit)
        doc_ids = np.frombuffer(ids, dtype=np.uint32) if ids else np.zeros(0, np.uint32)
        doc_days = np.frombuffer(days, dtype=np.int32) if days else np.zeros(0, np.int32)
        lengths = np.frombuffer(counts, dtype=np.int64) if counts else np.zeros(0, np.int64)
        if not len(doc_ids):
            return Inverted(doc_ids, lengths, doc_days)
        names = list(vocab)
        del vocab
        # Terms in text order, so that the segment's rows go in sorted by term.
        by_text = sorted(range(len(names)), key=names.__getitem__)
        rank = np.empty(len(names), dtype=np.int64)
        rank[by_text] = np.arange(len(names), dtype=np.int64)
        sorted_runs = [run if isinstance(run, _Run) else run.result() for run in runs]
        del runs
        pids, tf, term_ranks, starts = _combine(sorted_runs, rank, ascending)
        terms = [names[by_text[t]] for t in term_ranks.tolist()]
        return Inverted(doc_ids, lengths, doc_days, terms, starts, pids, tf)


@dataclass(slots=True)
class _Run:
    """Some passages' postings, by term number (in the order terms were first met), then
    passage id: term terms[i]'s run of postings starts at pids[starts[i]]."""

    terms: np.ndarray
    starts: np.ndarray
    pids: np.ndarray
    tfs: np.ndarray


def _sort_run(term_ids: array, doc_ids: np.ndarray, lengths: np.ndarray) -> _Run:
    """Passages' tokens (term numbers, passage after passage) sorted into a run. Each token's
    key is its term number times the run's passages plus its passage's place among them:
    4 bytes while that fits, which numpy sorts in two thirds of the time of 8 (a run of a
    million tokens: 37 ms against 56)."""
    n = len(doc_ids)
    terms = np.frombuffer(term_ids, dtype=np.uint32)
    narrow = not len(terms) or (int(terms.max()) + 1) * n < NARROW_KEYS
    kind = np.uint32 if narrow else np.uint64
    keys = terms.astype(kind)
    del terms, term_ids
    keys *= kind(n)
    keys += np.repeat(np.arange(n, dtype=kind), lengths)
    keys.sort()
    new = np.empty(len(keys), dtype=bool)  # where each (term, passage) pair starts
    new[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=new[1:])
    at = np.flatnonzero(new)
    tfs = np.diff(at, append=len(keys)).astype(np.uint32)
    pairs = keys[at]
    del keys, new
    term = pairs // kind(n)
    pids = doc_ids[(pairs - term * kind(n)).astype(np.int64)]
    changed = np.empty(len(term), dtype=bool)
    changed[:1] = True
    np.not_equal(term[1:], term[:-1], out=changed[1:])
    starts = np.flatnonzero(changed)
    return _Run(term[changed].astype(np.int64), starts, pids.astype(np.uint32), tfs)


def _combine(
    runs: list[_Run], rank: np.ndarray, ascending: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The runs' postings as one segment's: sorted by term (its `rank` in text order), then
    passage id, with the rank of each term that has postings and where its postings start.
    A term's postings are its runs' lists side by side, in the runs' order, which is passage
    order when passages came `ascending`: each term's place is counted, not sorted for. The
    runs are emptied as they are put in place, so the segment is held about once."""
    ranks = [rank[run.terms] for run in runs]  # a term is once at most in a run
    sizes = [np.diff(run.starts, append=len(run.pids)) for run in runs]
    held = np.zeros(len(rank), dtype=np.int64)  # postings by term rank
    for r, n in zip(ranks, sizes, strict=True):
        held[r] += n
    at = np.zeros(len(rank), dtype=np.int64)  # where each term's postings start
    np.cumsum(held[:-1], out=at[1:])
    total = int(held.sum())
    pids = np.empty(total, dtype=np.uint32)
    tfs = np.empty(total, dtype=np.uint32)
    free = at.copy()  # where each term's next run's list goes
    while runs:
        run, r, n = runs.pop(0), ranks.pop(0), sizes.pop(0)
        dest = np.repeat(free[r] - run.starts, n) + np.arange(len(run.pids))
        pids[dest] = run.pids
        tfs[dest] = run.tfs
        free[r] += n
        del run, r, n, dest
    term_ranks = np.flatnonzero(held)
    starts = at[term_ranks]
    if not ascending:  # passage ids out of order within a term's postings: sort each list
        keys = (np.repeat(term_ranks.astype(np.uint64), held[term_ranks]) << np.uint64(32)) | pids
        by = np.argsort(keys, kind="stable")
        pids, tfs = pids[by], tfs[by]
    return pids, tfs, term_ranks, starts


@dataclass(slots=True)
class Inverted:
    """A segment made and not yet stored: its passages (ids, lengths, days) and its terms in
    ascending order, term i's postings at pids[starts[i]:] with their frequencies."""

    doc_ids: np.ndarray
    lengths: np.ndarray
    days: np.ndarray
    terms: list[str] = field(default_factory=list)
    starts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint32))
    tfs: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint32))
    rows: Rows | None = None  # its parts' rows, made ahead (`make_rows`)


@dataclass(slots=True)
class Rows:
    """A segment's parts' rows, made before it is stored, for the average length it will be
    stored at: `store` writes them as they are when the index's counts then give that."""

    segment: int
    avgdl: float
    parts: list[tuple]


def make_rows(segment: Inverted, passages: int, tokens: int) -> None:
    """Make the segment's parts' rows now, for an index that will hold `passages` passages of
    `tokens` tokens once it is stored (its own counted). Made in line, `store` makes each
    row in Python before SQLite writes it (0.27 s of 0.6 for 100,000 synthetic passages): a
    bulk build makes its last segment's in a thread while FTS5 merges its own segments, when
    nothing else is left to do."""
    if not len(segment.doc_ids) or not len(segment.pids):
        return
    number = random_number() | 1
    avgdl = _avgdl(passages, tokens)
    ends = np.append(segment.starts[1:], len(segment.pids)).astype(np.int64)
    parts = _part_rows(
        number,
        segment.terms,
        segment.starts.astype(np.int64),
        ends,
        segment.pids,
        segment.tfs,
        segment.doc_ids,
        segment.lengths.astype(np.uint32),
        avgdl,
    )
    segment.rows = Rows(number, avgdl, list(parts))


def _avgdl(passages: int, tokens: int) -> float:
    return tokens / passages if passages > 0 and tokens > 0 else 1.0


def store(
    conn: sqlite3.Connection,
    segment: Inverted,
    count: bool = False,
    df: dict[str, int] | None = None,
) -> None:
    """Write a segment `Inverter.invert` made (with `count`, add its passages to the counts
    first); with `df`, add to it how many of the segment's passages hold each term."""
    if count:
        bump(conn, len(segment.doc_ids), int(segment.lengths.sum()))
    if not len(segment.doc_ids):
        return
    if df is not None:
        held = np.diff(segment.starts, append=len(segment.pids)).tolist()
        for term, n in zip(segment.terms, held, strict=True):
            df[term] = df.get(term, 0) + n
    _store_segment(
        conn,
        segment.doc_ids,
        segment.lengths.astype(np.uint32),
        segment.days,
        segment.terms,
        segment.starts,
        segment.pids,
        segment.tfs,
        segment.rows,
    )


#: Postings a step of a segment's writing works on at once: its temporary arrays stay a few
#: MB, not a whole chunk's size (`CHUNK_TOKENS`) each.
_STEP = 1 << 18


def _store_segment(
    conn: sqlite3.Connection,
    doc_ids: np.ndarray,
    doc_lengths: np.ndarray,
    doc_days: np.ndarray,
    terms: list[str],
    starts: np.ndarray,
    pids: np.ndarray,
    tfs: np.ndarray,
    made: Rows | None = None,
) -> None:
    """Write a segment: `terms` in ascending order, term i's postings at pids[starts[i]:]; its
    parts' rows as `made` if they were made for the average length it is written at."""
    segment = random_number() | 1
    order = np.argsort(doc_ids, kind="stable")
    doc_ids, doc_lengths, doc_days = doc_ids[order], doc_lengths[order], doc_days[order]
    # Heads are ordered at the index's average length now, which later drifts only a little.
    passages, tokens = conn.execute(
        "SELECT passages, tokens FROM postings_stats WHERE id = 0"
    ).fetchone()
    avgdl = _avgdl(passages, tokens)
    ends = np.append(starts[1:], len(pids)).astype(np.int64)
    starts = starts.astype(np.int64)
    (first,) = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM postings_parts").fetchone()
    parts = len(starts) if len(pids) else 0
    if parts:
        if made is not None and made.avgdl == avgdl:
            segment, rows = made.segment, made.parts
        else:
            rows = _part_rows(segment, terms, starts, ends, pids, tfs, doc_ids, doc_lengths, avgdl)
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
            first + parts - 1,
            doc_ids.astype(np.uint32).tobytes(),
            doc_lengths.astype(np.uint32).tobytes(),
            doc_days.astype(np.int32).tobytes(),
        ),
    )


def _part_rows(
    segment: int,
    terms: list[str],
    starts: np.ndarray,
    ends: np.ndarray,
    pids: np.ndarray,
    tfs: np.ndarray,
    doc_ids: np.ndarray,
    doc_lengths: np.ndarray,
    avgdl: float,
) -> Iterator[tuple]:
    """Each term's row of the segment, made as it is written: impacts are computed for the
    terms of a few hundred thousand postings at a time, so neither they nor the rows' bytes are
    ever held for the whole segment (together they were the peak of a bulk build)."""
    length_of = np.zeros(int(doc_ids.max()) + 1, dtype=np.float64)
    length_of[doc_ids] = doc_lengths
    pids = pids.astype(np.uint32, copy=False)
    t = 0
    while t < len(terms):
        u = max(t + 1, int(np.searchsorted(starts, starts[t] + _STEP, side="right")))
        lo, hi = int(starts[t]), int(ends[u - 1])
        w = impact(tfs[lo:hi].astype(np.float64), length_of[pids[lo:hi]], avgdl)
        tops = np.maximum.reduceat(w, starts[t:u] - lo).tolist()
        most = np.maximum.reduceat(tfs[lo:hi], starts[t:u] - lo).tolist()
        widths = tf_widths(tfs[lo:hi])
        for i, s, e in zip(range(t, u), starts[t:u].tolist(), ends[t:u].tolist(), strict=True):
            head_ids, head_w = (
                _head(pids[s:e], w[s - lo : e - lo]) if e - s >= HEAD_MIN else (None, None)
            )
            yield (
                segment,
                terms[i],
                e - s,
                tops[i - t],
                pids[s:e].tobytes(),
                tf_bytes(widths, s - lo, e - lo, most[i - t]),
                head_ids,
                head_w,
            )
        t = u


def _head(ids: np.ndarray, w: np.ndarray) -> tuple[bytes, bytes]:
    """The postings of highest impact, best first, and their impacts with one more entry:
    head_w[j] bounds every posting at depth j or deeper, the last everything past the head."""
    size = max(HEAD_MIN // 2, len(ids) // 8)
    pick = np.argpartition(-w, size)[: size + 1]
    pick = pick[np.lexsort((ids[pick], -w[pick]))]
    return ids[pick[:size]].astype(np.uint32).tobytes(), w[pick].astype(np.float32).tobytes()
