"""Reindex when files in the corpus change, once per burst of changes.

watchfiles (inotify on Linux, with a polling fallback) collects file events and hands them over
only when none has arrived for `quiet_ms`, or after `max_wait_ms` of continuous change, so a
folder of 500 briefings copied in at once is one reindex. Each reindex looks only at the paths
that changed, so its cost does not grow with the size of the corpus.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import watchfiles

from ..files.documents import SUFFIXES
from .reindex import Report, reindex

#: How long the corpus must be still before a burst of changes is indexed.
QUIET_MS = 1_000
#: The longest a continuous stream of changes is held back.
MAX_WAIT_MS = 30_000
#: How long a run waits for another reindex (a manual one, say) to finish.
LOCK_WAIT_SECONDS = 600.0


class _CorpusFilter(watchfiles.DefaultFilter):
    """Briefing files and folders; hidden files, editor leftovers and other files are not."""

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        if not super().__call__(change, path):
            return False
        p = Path(path)
        if p.name.startswith("."):
            return False
        if p.name.lower().endswith(SUFFIXES) or p.is_dir():
            return True
        # A deleted folder can no longer be told from a file: let through names without a
        # suffix this reader would never index.
        return change == watchfiles.Change.deleted and not p.suffix


def watch(
    corpus: str | Path,
    db_path: str | Path,
    on_report: Callable[[Report], None],
    *,
    quiet_ms: int = QUIET_MS,
    max_wait_ms: int = MAX_WAIT_MS,
    stop: threading.Event | None = None,
    ready: Callable[[], None] | None = None,
) -> None:
    """Bring the index up to date, then reindex after each burst of changes until `stop`."""
    corpus = Path(corpus)
    on_report(reindex(corpus, db_path, wait=LOCK_WAIT_SECONDS))
    changes = watchfiles.watch(
        corpus,
        watch_filter=_CorpusFilter(),
        debounce=max_wait_ms,
        step=quiet_ms,
        stop_event=stop,
        rust_timeout=500,
        yield_on_timeout=True,
        raise_interrupt=False,
    )
    for batch in changes:
        if ready is not None:  # the watcher is installed once the first (empty) batch arrives
            ready()
            ready = None
        if not batch:
            continue
        paths = sorted({path for _, path in batch})
        on_report(reindex(corpus, db_path, paths=paths, wait=LOCK_WAIT_SECONDS))
