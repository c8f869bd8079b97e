"""The postings written beside FTS5, in the caller's transaction: passages added (to
`postings_recent`, folded into a segment when there are enough) or deleted (recorded until a
merge drops them), and every posting derived again from FTS5 (a whole build).
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
import uuid
from collections.abc import Iterable, Sequence

import numpy as np

from .segments import Inverter, merge
from .state import segment_docs
from .tables import TABLES, UNDATED, bump, create_tables, uuid_of
from .tokens import fts_tokens

#: Passages kept in `postings_recent` before they are folded into a segment.
RECENT_MAX = 1_000
#: Segments of at most this many postings are merged with others of a similar size.
MERGE_MAX_POSTINGS = 1_000_000
#: Segments of a similar size (same power of MERGE_FANIN) merged once there are this many.
MERGE_FANIN = 4
#: A whole build inverts its passages in segments of about this many tokens: writing one
#: holds about 20 bytes a token at its peak (a process of 205 MB for 6.5 million tokens; a
#: build of 300,000 passages peaked at 390 MB), so the writer's memory does not grow with the
#: corpus. Half as many tokens a segment (4 million) took the build down to 298 MB but split
#: 100,000 synthetic passages into two segments, and `bench/speed`'s p99 went from 3.9 to
#: 7.9 ms (newswire 5.6 to 8.0 ms). Since a bulk build makes a segment in a thread while the
#: next fills (`bulk.Writer`), 8 million took `--rebuild` of 1,000,000 passages to 503 MB, 7
#: million to 448 MB, and still hold 100,000 synthetic passages (6.5 million tokens) in one.
CHUNK_TOKENS = 7_000_000


def _day(date: dt.date | None) -> int:
    return date.toordinal() if date else int(UNDATED)


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
    bump(conn, len(rows), sum(len(text.split()) for _, text in texts))
    (recent,) = conn.execute("SELECT count(*) FROM postings_recent").fetchone()
    if recent > RECENT_MAX:
        flush_recent(conn)


def delete_passages(conn: sqlite3.Connection, passage_ids: Iterable[int]) -> None:
    """Forget passages about to be deleted from FTS5 (call it before the FTS5 delete)."""
    ids = sorted(set(passage_ids))
    if not ids:
        return
    removed, removed_tokens = 0, 0
    uid = uuid_of(conn)
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
    bump(conn, -removed, -removed_tokens)


def _segment_of(conn: sqlite3.Connection, uid: str, pid: int) -> tuple[int, int] | None:
    """The segment holding the live postings of passage `pid`, and its length."""
    rows = conn.execute(
        "SELECT id FROM postings_segments WHERE min_id <= ? AND max_id >= ? ORDER BY id DESC",
        (pid, pid),
    ).fetchall()
    for (segment,) in rows:
        docs = segment_docs(conn, uid, segment)
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


def _write_segment(
    conn: sqlite3.Connection, docs: Iterable[tuple[int, int, list[str]]], count: bool = False
) -> None:
    """Invert (passage id, day, tokens) rows into a segment, holding only integers meanwhile;
    with `count`, the rows are new to the counts too (a rebuild)."""
    inverter = Inverter()
    for pid, day, tokens in docs:
        inverter.add(pid, day, tokens)
    inverter.write(conn, count=count)
