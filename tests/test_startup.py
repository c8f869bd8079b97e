"""What a process pays before its first answer: opening an index that is up to date imports
no more than reading it needs, and what was made cheaper at import means the same as before."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlite_utils import Database

from index.storage import schema, store
from index.storage.postings import tokens

ROOT = Path(__file__).resolve().parents[1]


def test_opening_an_index_that_is_up_to_date_imports_no_sqlite_utils(db: Path) -> None:
    code = (
        "import sys\n"
        "from index.storage import store\n"
        "from index.storage.search import search\n"
        f"conn = store.connect({str(db)!r})\n"
        "hits = search(conn, ['railway'], k=3)\n"
        "print(len(hits), 'sqlite_utils' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    found, imported = out.stdout.split()
    assert int(found) > 0
    assert imported == "False"


def test_pending_agrees_with_sqlite_utils_through_an_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Database(path)
    schema.migrations().apply(old, stop_before="add_passage_page")
    assert schema.pending(old.conn)
    assert schema.migrations().pending(old) != []
    old.close()
    store.connect(path).close()  # brings it up to date
    conn = sqlite3.connect(path)
    assert not schema.pending(conn)
    assert schema.migrations().pending(Database(conn)) == []
    conn.close()
    blank = sqlite3.connect(tmp_path / "blank.db")
    assert schema.pending(blank)  # no record of any step


def test_the_fts5_token_classes_are_the_ranges_they_stand_for() -> None:
    every = "".join(map(chr, range(0x110000)))
    for compiled, meant in (
        (tokens._FTS_TOKEN, r"[0-9A-Za-z\u0080-\U0010ffff]+"),
        (tokens._SIMPLE_TERM, r"[0-9a-z\u0080-\U0010ffff]+"),
        (tokens._PLAIN_TEXT, r"[ 0-9a-z\u0080-\U0010ffff]*"),
    ):
        runs = re.compile(compiled.pattern.rstrip("*+") + "+")
        assert runs.findall(every) == re.findall(meant.rstrip("*+") + "+", every)
    assert tokens.fts_tokens("Caf\u00e9 au-lait, 2024!") == ["caf\u00e9", "au", "lait", "2024"]
    assert tokens.fts_tokens("plain terms here") == ["plain", "terms", "here"]
