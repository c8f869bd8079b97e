"""One segment made and written: passages inverted into term postings (`Inverter`), or
segments merged into one (`merge`), stored with a head of the highest-impact postings of
each long list, which lets a ranking stop reading early.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Sequence

import numpy as np

from .bm25 import impact
from .state import segment_docs
from .tables import bump, decode_tfs, random_number, uuid_of

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
            bump(conn, len(doc_ids), int(lengths.sum()))
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
    segment = random_number() | 1
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
            w[a:b] = impact(tfs[a:b].astype(np.float64), length_of[pids[a:b]], avgdl)
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
