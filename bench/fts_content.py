"""What FTS5's stored copy of the terms weighs, and what doing without it would cost.

FTS5 keeps each passage's terms (`passages_fts_content`) beside its inverted index. Our own
code reads them back: the question path re-scores its candidates on their terms
(`query.terms_of`), and removing a passage reads its terms to take them out of FTS5, the
postings and the stored frequencies. A contentless table (`content=''`) keeps no copy, so
those terms must come from elsewhere. On an index already built, in-process, this measures:

- each table's share of the file (SQLite's `dbstat`);
- the terms of 20 candidate passages, as a question re-scores them: read from FTS5's copy
  (`query.terms_of`), made again by analysing the passages' text (as the build made them),
  or decompressed from a zlib copy kept instead;
- the passages loaded into a fresh FTS5 table with its copy, without it, and without it but
  with a zlib copy beside it: time and size (the peers' way of loading, `executemany`).

    nice -n 10 .venv/bin/python bench/fts_content.py --db data/index.db
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
import zlib
from pathlib import Path

from index import analysis
from index.questions.query import terms_of

CANDIDATES = 20  # a question's re-scored candidates: `query.RESCORE_DEPTH`, or 2 × its pool
ROUNDS = 300


def table_sizes(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    return conn.execute(
        "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
    ).fetchall()


def analysed(conn: sqlite3.Connection, rowids: list[int]) -> dict[int, list[str]]:
    """The terms of each passage made again from its text, as `store.passage_terms` made them."""
    marks = ",".join("?" * len(rowids))
    return {
        rowid: (analysis.analyse(heading) if heading else []) + analysis.analyse(text)
        for rowid, heading, text in conn.execute(
            f"SELECT id, heading, text FROM passages WHERE id IN ({marks})", rowids
        )
    }


def per_round(read, conn: sqlite3.Connection, rounds: list[list[int]]) -> float:
    """Median milliseconds for one round of `CANDIDATES` passages."""
    times = []
    for rowids in rounds:
        started = time.perf_counter()
        read(conn, rowids)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def load(rows: list[tuple[int, str]], contentless: bool, zlib_copy: bool) -> tuple[float, int]:
    """Seconds to load `rows` into a fresh FTS5 table (optimised once), and the file's size."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fts.db"
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        content = ", content=''" if contentless else ""
        conn.execute(
            f"CREATE VIRTUAL TABLE f USING fts5(terms, tokenize = 'ascii', detail = full{content})"
        )
        conn.execute("CREATE TABLE copy (id INTEGER PRIMARY KEY, z BLOB)")
        started = time.perf_counter()
        conn.execute("BEGIN")
        for i in range(0, len(rows), 5000):
            batch = rows[i : i + 5000]
            conn.executemany("INSERT INTO f (rowid, terms) VALUES (?, ?)", batch)
            if zlib_copy:
                conn.executemany(
                    "INSERT INTO copy (id, z) VALUES (?, ?)",
                    [(r, zlib.compress(t.encode(), 6)) for r, t in batch],
                )
        conn.execute("COMMIT")
        conn.execute("INSERT INTO f (f) VALUES ('optimize')")
        conn.close()
        return time.perf_counter() - started, path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--load", type=int, default=100_000, help="Passages to load (0: none).")
    args = parser.parse_args()
    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    sizes = table_sizes(conn)
    total = sum(size for _, size in sizes)
    print(f"{args.db}: {total / 1e6:.1f} MB in tables")
    for name, size in sizes[:6]:
        print(f"  {name}: {size / 1e6:.1f} MB ({100 * size / total:.1f}%)")

    top = conn.execute("SELECT max(id) FROM passages").fetchone()[0]
    rng = random.Random(7)
    rounds = [[rng.randint(1, top) for _ in range(CANDIDATES)] for _ in range(ROUNDS)]
    copies = {
        rowid: zlib.compress(" ".join(terms).encode(), 6)
        for rowids in rounds
        for rowid, terms in terms_of(conn, rowids).items()
    }

    def decompressed(_conn: sqlite3.Connection, rowids: list[int]) -> dict[int, list[str]]:
        return {r: zlib.decompress(copies[r]).decode().split() for r in rowids if r in copies}

    for read in (terms_of, analysed):  # once first: the page cache and the analyser's
        per_round(read, conn, rounds)
    print(f"terms of {CANDIDATES} candidates, median of {ROUNDS} rounds:")
    print(f"  FTS5's copy (query.terms_of): {per_round(terms_of, conn, rounds):.3f} ms")
    print(f"  analysing the text again: {per_round(analysed, conn, rounds):.3f} ms")
    ms = per_round(decompressed, conn, rounds)
    print(f"  decompressing a zlib copy (in memory; reading it adds a row read): {ms:.3f} ms")
    assert all(analysed(conn, r) == terms_of(conn, r) for r in rounds[:50])
    if args.load:
        rows = conn.execute(
            "SELECT rowid, terms FROM passages_fts ORDER BY rowid LIMIT ?", (args.load,)
        ).fetchall()
        print(f"loading {len(rows):,} passages into FTS5 (executemany, one optimize):")
        for label, contentless, zlib_copy in (
            ("with FTS5's copy", False, False),
            ("contentless", True, False),
            ("contentless, zlib copy beside", True, True),
        ):
            seconds, size = load(rows, contentless, zlib_copy)
            print(f"  {label}: {seconds:.2f} s, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
