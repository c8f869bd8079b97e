"""The postings tables, and what the writers and the readers share of them: the counters row,
how a day and a term frequency are stored. All are in the index file, written in the
caller's transaction, so after any crash they agree with FTS5, which stays the index of record:

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
"""

from __future__ import annotations

import sqlite3

import numpy as np

#: Day number for an undated briefing: outside every date filter, as in SQL where NULL fails.
UNDATED = np.iinfo(np.int32).min

TABLES = (
    "postings_stats",
    "postings_recent",
    "postings_segments",
    "postings_parts",
    "postings_deleted",
)


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


def uuid_of(conn: sqlite3.Connection) -> str:
    """The postings' identity: with the version, what every cached array is keyed on."""
    return conn.execute("SELECT uuid FROM postings_stats WHERE id = 0").fetchone()[0]


def random_number() -> int:
    """A fresh version or segment number (see `bump`)."""
    import secrets  # here, not at the top: only writes need it, and it costs 5 ms to import

    return secrets.randbits(62)


def bump(conn: sqlite3.Connection, passages: int, tokens: int) -> None:
    """Add to the passage and token counts, and give the postings a new version."""
    # A random version, and random segment numbers, so that two copies of one index file
    # that are then written apart never look alike to a reader's caches.
    conn.execute(
        "UPDATE postings_stats SET passages = passages + ?, tokens = tokens + ?,"
        " version = ? WHERE id = 0",
        (passages, tokens, random_number()),
    )


def decode_tfs(blob: bytes, n: int) -> np.ndarray:
    """A part's term frequencies: one byte each, or two or four when one does not fit."""
    return np.frombuffer(blob, dtype=_TF_WIDTHS[len(blob) // n] if n else np.uint8)


#: A part's frequencies by their width in bytes (`decode_tfs`, `tf_bytes`).
_TF_WIDTHS = {1: np.uint8, 2: np.uint16, 4: np.uint32}


def _width(top: int) -> int:
    """The fewest bytes a frequency as large as `top` fits in."""
    return 1 if top < 1 << 8 else 2 if top < 1 << 16 else 4


def tf_widths(tfs: np.ndarray) -> dict[int, np.ndarray]:
    """Some parts' frequencies in each width one of them may need (`tf_bytes`): one byte,
    and two or four only when the largest needs them."""
    widest = _width(int(tfs.max()) if len(tfs) else 0)
    return {width: tfs.astype(dtype) for width, dtype in _TF_WIDTHS.items() if width <= widest}


def tf_bytes(widths: dict[int, np.ndarray], start: int, end: int, top: int) -> bytes:
    """A part's frequencies, from `start` to `end` of those `tf_widths` gave, in the fewest
    bytes that hold its largest, `top`: one byte for almost every part (a term is rarely
    in a passage 256 times), where two each made the frequencies a sixteenth of the index."""
    return widths[_width(top)][start:end].tobytes()


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
