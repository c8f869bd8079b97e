"""How many passages hold each term, and each term's spelling key, kept beside FTS5.

A question's first answer needs the index's vocabulary (`index.storage.vocabulary`): every
term with its document frequency, and the spelling keys that match a misspelt word to it.
Read from FTS5's term list (`fts5vocab`), that took 0.83 s at 100,000 synthetic passages
(70,000 terms), half of it computing the keys, and grew with the index; the bot paid it at
every start and `briefbot ask` on every question. Kept here, in the transactions that change
the passages, it is one table read (0.12 s at 70,000 terms, on the same loaded machine).

`vocabulary(term, df, key)` holds one row per term of at least one passage: written whole by
a build (`fill`), and changed by each document written or removed (`add`, `remove`). Each
reindex then records FTS5's state beside it (`mark`: a hash of FTS5's structure and averages
records, which every write to FTS5 changes); a reader trusts the table only when that still
matches, so passages written by anything else (a benchmark's own loader, an older version)
leave the vocabulary to be read from FTS5's term list, as before, rather than wrong.

A process that asks one question (`briefbot ask`) need not read the table whole (0.13 s of
its 0.5 s at 1,000,000 synthetic passages, more with a real vocabulary): `Frequencies` and
`Spellings` look terms up one at a time, by the table's key and by an index on the spelling
key, as the question asks for them.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache

TABLE = "vocabulary"
#: FTS5's state when the table was last brought in line with it (`mark`).
SYNC_META = "vocabulary_fts_state"
#: Stored with the keys; an index whose keys were made by another version of
#: `vocabulary.key` has them made again when read.
KEY_META = "vocabulary_key_version"
#: The index on spelling keys, which looking a misspelt word up term by term needs.
KEY_INDEX = "vocabulary_key"


def _key_version() -> str:
    from .vocabulary import KEY_VERSION

    return KEY_VERSION


@lru_cache(maxsize=65_536)  # a briefing added brings its common terms back each time
def _key(term: str) -> str | None:
    from .vocabulary import spelling_key

    return spelling_key(term)


def create(conn: sqlite3.Connection) -> None:
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} (term TEXT PRIMARY KEY, df INTEGER NOT NULL,"
        " key TEXT) WITHOUT ROWID"
    )
    index_keys(conn)


def index_keys(conn: sqlite3.Connection) -> None:
    """The index on spelling keys (`Spellings`), made once the rows are in."""
    conn.execute(f"CREATE INDEX IF NOT EXISTS {KEY_INDEX} ON {TABLE} (key)")


def has_table(conn: sqlite3.Connection) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)
        ).fetchone()
        is not None
    )


#: FTS5 cuts a longer token to this many bytes (`FTS5_MAX_TOKEN_SIZE`), so a term longer
#: than that is not among its terms as it is spelt.
FTS5_TOKEN_BYTES = 32_768


def add_spelling_keys(keys: dict[str, str | None], terms: Iterable[str]) -> None:
    """Add to `keys` the spelling key of each term it lacks, for `fill`: a bulk build makes
    them in a thread as it meets new terms."""
    from .vocabulary import spelling_key

    for term in terms:
        if term not in keys:
            keys[term] = spelling_key(term)


def fill(
    conn: sqlite3.Connection,
    df: Mapping[str, int] | None = None,
    keys: Mapping[str, str | None] | None = None,
) -> None:
    """Everything again, inside the caller's transaction: from FTS5's term list, or from `df`
    when a whole build gives the passages holding each term, as it counted them in its
    postings (which hold FTS5's tokens). Reading FTS5's term list decodes every posting
    again: 2.9 s at 1,000,000 synthetic passages, at the end of a build when nothing else
    runs. A term FTS5 would cut leaves the count to FTS5. `keys` are spelling keys already
    made (`add_spelling_keys`); a term without one has it made here."""
    keys = keys or {}
    create(conn)
    conn.execute(f"DROP INDEX IF EXISTS {KEY_INDEX}")  # made once after the rows, not kept up
    conn.execute(f"DELETE FROM {TABLE}")
    if df is not None and all(len(t.encode()) <= FTS5_TOKEN_BYTES for t in _long(df)):
        rows = sorted(df.items())  # FTS5's order: by UTF-8 bytes, which is code point order
    else:
        conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_vocab"
            " USING fts5vocab(main, passages_fts, row)"
        )
        rows = conn.execute("SELECT term, doc FROM temp.fts_vocab").fetchall()
    conn.executemany(
        f"INSERT INTO {TABLE} (term, df, key) VALUES (?, ?, ?)",
        [(term, n, keys[term] if term in keys else _key(term)) for term, n in rows],
    )
    index_keys(conn)
    _set_key_version(conn)
    mark(conn)


def _long(terms: Iterable[str]) -> Iterator[str]:
    """The terms that may be longer than `FTS5_TOKEN_BYTES` (a character is 1 to 4 bytes)."""
    return (t for t in terms if len(t) > FTS5_TOKEN_BYTES // 4)


def fts_state(conn: sqlite3.Connection) -> str:
    """A hash of FTS5's structure and averages records: it changes with every write."""
    digest = hashlib.blake2b(digest_size=16)
    for rowid, block in conn.execute(
        "SELECT id, block FROM passages_fts_data WHERE id IN (1, 10) ORDER BY id"
    ):
        digest.update(rowid.to_bytes(8, "big") + len(block).to_bytes(8, "big") + block)
    return digest.hexdigest()


def mark(conn: sqlite3.Connection) -> None:
    """Record that the table agrees with FTS5 as it stands (at the end of a reindex)."""
    if has_table(conn):
        if conn.in_transaction:  # FTS5 writes its pending terms at a savepoint, not later
            conn.execute("SAVEPOINT fts_flush")
            conn.execute("RELEASE fts_flush")
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (SYNC_META, fts_state(conn))
        )


def _set_key_version(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (KEY_META, _key_version())
    )


def distinct(token_lists: Iterable[Iterable[str]]) -> Counter[str]:
    """Passages per term among these passages (each given as its tokens)."""
    counts: Counter[str] = Counter()
    for tokens in token_lists:
        counts.update(set(tokens))
    return counts


def add(conn: sqlite3.Connection, counts: Counter[str]) -> None:
    """Passages holding these terms were written."""
    if not counts:
        return
    conn.executemany(
        f"INSERT INTO {TABLE} (term, df, key) VALUES (?, ?, ?)"
        " ON CONFLICT (term) DO UPDATE SET df = df + excluded.df",
        [(term, n, _key(term)) for term, n in counts.items()],
    )


def remove(conn: sqlite3.Connection, counts: Counter[str]) -> None:
    """Passages holding these terms are being removed."""
    if not counts:
        return
    conn.executemany(
        f"UPDATE {TABLE} SET df = df - ? WHERE term = ?", [(n, t) for t, n in counts.items()]
    )
    conn.execute(f"DELETE FROM {TABLE} WHERE df <= 0")


def current(conn: sqlite3.Connection) -> bool:
    """Whether the table can be looked up term by term: in line with FTS5 (`mark`), its keys
    made by this version of `vocabulary.key`, and indexed by key (an index made before the
    key index has it from its next reindex)."""
    try:
        synced = conn.execute("SELECT value FROM meta WHERE key = ?", (SYNC_META,)).fetchone()
        version = conn.execute("SELECT value FROM meta WHERE key = ?", (KEY_META,)).fetchone()
        indexed = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (KEY_INDEX,)
        ).fetchone()
    except sqlite3.OperationalError:
        return False
    return (
        indexed is not None
        and version is not None
        and version[0] == _key_version()
        and synced is not None
        and synced[0] == fts_state(conn)
    )


class Frequencies(Mapping[str, int]):
    """Term → passages holding it, looked up in the table as asked and remembered: what
    `Vocabulary.df` is for a process that asks a question or two (see the module's note)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._known: dict[str, int] = {}
        self._count: int | None = None

    def get(self, term: str, default: int | None = None) -> int | None:  # type: ignore[override]
        n = self._known.get(term)
        if n is None:
            row = self._conn.execute(f"SELECT df FROM {TABLE} WHERE term = ?", (term,)).fetchone()
            n = self._known[term] = row[0] if row else 0
        return n if n > 0 else default

    def __getitem__(self, term: str) -> int:
        n = self.get(term)
        if n is None:
            raise KeyError(term)
        return n

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.get(term) is not None

    def __len__(self) -> int:
        if self._count is None:
            self._count = self._conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]
        return self._count

    def __iter__(self) -> Iterator[str]:
        return (term for (term,) in self._conn.execute(f"SELECT term FROM {TABLE} ORDER BY term"))


class Spellings(Mapping[str, tuple[str, ...]]):
    """Spelling key → the terms under it, looked up by the key index as asked: what
    `Vocabulary`'s keys are beside `Frequencies`."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._known: dict[str, tuple[str, ...]] = {}

    def get(self, k: str, default=None):  # type: ignore[override]
        terms = self._known.get(k)
        if terms is None:
            terms = self._known[k] = tuple(
                term
                for (term,) in self._conn.execute(
                    f"SELECT term FROM {TABLE} WHERE key = ? ORDER BY term", (k,)
                )
            )
        return terms if terms else default

    def __getitem__(self, k: str) -> tuple[str, ...]:
        terms = self.get(k)
        if terms is None:
            raise KeyError(k)
        return terms

    def __len__(self) -> int:
        return self._conn.execute(
            f"SELECT count(DISTINCT key) FROM {TABLE} WHERE key IS NOT NULL"
        ).fetchone()[0]

    def __iter__(self) -> Iterator[str]:
        return (
            k
            for (k,) in self._conn.execute(
                f"SELECT DISTINCT key FROM {TABLE} WHERE key IS NOT NULL ORDER BY key"
            )
        )


def read(conn: sqlite3.Connection) -> tuple[dict[str, int], dict[str, list[str]] | None] | None:
    """Every term's document frequency, and the terms under each spelling key (None when the
    keys were made by another version of `vocabulary.key`); None for an index without the
    table (one made before it, not yet migrated: a dry run, or a read-only file), or whose
    passages were written since by something that did not keep it (see `mark`)."""
    try:
        synced = conn.execute("SELECT value FROM meta WHERE key = ?", (SYNC_META,)).fetchone()
        if synced is None or synced[0] != fts_state(conn):
            return None
        rows = conn.execute(f"SELECT term, df, key FROM {TABLE} ORDER BY term").fetchall()
        version = conn.execute("SELECT value FROM meta WHERE key = ?", (KEY_META,)).fetchone()
    except sqlite3.OperationalError:
        return None
    df = {term: n for term, n, _ in rows}
    if version is None or version[0] != _key_version():
        return df, None
    keys: dict[str, list[str]] = {}
    for term, _, k in rows:
        if k is not None:
            keys.setdefault(k, []).append(term)
    return df, keys
