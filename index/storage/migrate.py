"""Named migrations, applied in order, whose progress is read in plain SQL.

The index and the bot's state file are each a list of named steps (sqlite-utils'
`Migrations`), applied when the file is opened. Asking sqlite-utils whether any is pending
means importing it, 30 to 50 ms on this machine: more than answering a question, and paid
by every start of `briefbot ask` and of the bot even when the file is up to date. Here that
question is answered from sqlite-utils' own record (`_sqlite_migrations`) directly, and
sqlite-utils is imported only to apply what is missing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils.migrations import Migrations

Steps = tuple[Callable[[Any], None], ...]


def pending(conn: sqlite3.Connection, name: str, steps: Steps) -> bool:
    """Whether the file behind `conn` misses one of `steps` of the migration set `name`."""
    if not conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
    ).fetchone():
        return True
    done = {
        step
        for (step,) in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", (name,)
        )
    }
    return any(step.__name__ not in done for step in steps)


@cache
def migrations(name: str, steps: Steps) -> Migrations:
    """`steps` as sqlite-utils' Migrations named `name`, made on first use (see `pending`)."""
    from sqlite_utils.migrations import Migrations  # only applying a step needs it

    out = Migrations(name)
    for step in steps:
        out()(step)
    return out
