"""The text half of a whole build, spread over the machine's cores.

A first build or a rebuild reads every file, splits it into passages and analyses each one:
13.3 s of CPU for 100,000 synthetic passages (now 4.2 s: each piece of text analysed once,
`analysis.counted`, and sentence ends read with string methods), a third of the build, on one
core while the other sat idle. Here worker processes do it, a batch of files at a time, and
hand back only what the index stores: each passage's row and its terms as one
space-separated string. The single writer (`index.storage.bulk`) takes the batches in corpus
order, so passage ids come out exactly as a build one file at a time would number them.

At most `AHEAD` batches per worker are in flight, so when the writer falls behind the workers
wait, and memory stays bounded whatever the corpus size.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .. import analysis
from ..files.documents import UnreadableFile, parse
from ..files.passages import passages as split_passages

#: Files a worker reads per task: enough that pickling and scheduling are a small share.
BATCH_FILES = 32
#: Batches in flight per worker, ahead of the writer.
AHEAD = 4
#: Fewer files than this are read in the writer's own process: a corpus this small is read
#: in a second or two, and tests and first runs on a few briefings need no processes.
MIN_FILES_FOR_WORKERS = 256

#: One passage as the index stores it: ordinal, heading, text, start, end, sentence spans
#: (JSON), length in terms, page, and the terms, space separated.
PassageRow = tuple[int, str | None, str, int, int, str, int, int | None, str]


@dataclass(slots=True)
class Prepared:
    """One file, read and analysed, or the reason it could not be."""

    relative: str
    failure: str | None = None
    size: int | None = None
    ctime_ns: int | None = None  # recorded with a failure, so an untouched file is not read
    sha256: str = ""
    mtime_ns: int = -1
    title: str = ""
    date: str | None = None  # ISO date
    source: str | None = None
    warnings: list[str] = field(default_factory=list)
    passages: list[PassageRow] = field(default_factory=list)


def prepare(corpus: Path, file: Path, relative: str) -> Prepared:
    """Read, hash, parse, split and analyse one file, as `reindex` would for a fresh index."""
    from .reindex import _read_limited, _stat_inside, _trusted  # as a one-file update

    stat = None
    try:
        stat = _stat_inside(corpus, file)
        data = _read_limited(file, stat)
        mtime = _trusted(stat.st_mtime_ns)
        doc = parse(data, relative)
    except UnreadableFile as exc:
        return _failed(relative, str(exc), stat)
    except OSError as exc:
        return _failed(relative, f"it could not be read: {exc.strerror or exc}", stat)
    except Exception as exc:  # a reader library's own bug must not stop the other files
        return _failed(relative, f"its reader failed ({type(exc).__name__}: {exc})", stat)
    rows = []
    headings = {"": ("", 0)}  # a heading stands over several passages: analysed once
    for p in split_passages(doc):
        # What `store.passage_terms` gives, joined: the heading's terms, then the text's.
        heading = headings.get(p.heading or "")
        if heading is None:
            heading = headings[p.heading] = analysis.counted(p.heading)
        text, length = analysis.counted(p.text)
        terms = (heading[0] + text)[:-1]
        sentences = _spans(p.sentences)
        length += heading[1]
        rows.append(
            (p.ordinal, p.heading, p.text, p.start, p.end, sentences, length, p.page, terms)
        )
    return Prepared(
        relative,
        size=stat.st_size,
        sha256=hashlib.sha256(data).hexdigest(),
        mtime_ns=mtime,
        title=doc.title,
        date=doc.date.isoformat() if doc.date else None,
        source=doc.source,
        warnings=doc.warnings,
        passages=rows,
    )


def _spans(spans: Sequence[tuple[int, int]]) -> str:
    """`json.dumps(spans, separators=(",", ":"))`, as a one-file update writes them, in half
    the time (0.4 s of a worker's CPU for 100,000 passages): a build writes one a passage."""
    return "[" + ",".join([f"[{a},{b}]" for a, b in spans]) + "]"


def _failed(relative: str, reason: str, stat: os.stat_result | None) -> Prepared:
    from .reindex import _trusted

    if stat is None:
        return Prepared(relative, reason)
    return Prepared(relative, reason, stat.st_size, _trusted(stat.st_ctime_ns))


def _die_with(parent: int) -> None:
    """End this worker when the build that started it ends, even by `kill -9`: a worker left
    waiting for batches that will never come would hold the build's output pipes open."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before the signal was set
        os._exit(1)


def _batch(corpus: str, relatives: Sequence[str]) -> list[Prepared]:
    """A worker's task. Its word caches are emptied after each: a worker analyses a passage
    by its pieces (`analysis.counted`), whose cache answers all but the first sight of a
    piece, so the word → term and word → terms caches held the same words again for nothing
    (27 MB at 95,000 words)."""
    root = Path(corpus)
    try:
        return [prepare(root, root / relative, relative) for relative in relatives]
    finally:
        analysis.term.cache_clear()
        analysis.terms.cache_clear()


def _first_task(pool: ProcessPoolExecutor, corpus: str, batch: list[str]) -> Future[list[Prepared]]:
    """Submit the first batch, which forks the workers, with what this process holds frozen:
    left out of the workers' garbage collections, which would otherwise write to every
    object of it (the imports, the list of files) and so copy its pages into each worker
    (20 MB less a worker in a build of 300,000 passages)."""
    gc.freeze()
    try:
        return pool.submit(_batch, corpus, batch)
    finally:
        gc.unfreeze()


def default_workers() -> int:
    """One worker per core this process may use; none (the writer reads) on one core."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return cores if cores > 1 else 0


def prepared(corpus: Path, files: Sequence[str], workers: int | None = None) -> Iterator[Prepared]:
    """Every file (a path relative to `corpus`) prepared, in the order given; `workers`
    processes (default: one per core) read them when there are enough files to be worth
    starting them."""
    if workers is None:
        workers = default_workers() if len(files) >= MIN_FILES_FOR_WORKERS else 0
    forking = "fork" in multiprocessing.get_all_start_methods()
    if workers <= 0 or threading.active_count() > 1 or not forking:
        # Workers are forked: quick to start, nothing imported again, and no main script run
        # again as spawning and fork servers do. A process running other threads (the bot,
        # `watch`) is not forked, since its copy may hold a lock another thread held; it
        # reads the files itself, as does one on a system without fork.
        for relative in files:
            yield prepare(corpus, corpus / relative, relative)
        return
    context = multiprocessing.get_context("fork")
    batches = (list(files[i : i + BATCH_FILES]) for i in range(0, len(files), BATCH_FILES))
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_die_with, initargs=(os.getpid(),)
    )
    with pool:
        pending: deque[Future[list[Prepared]]] = deque()
        try:
            for batch in batches:
                if pending:
                    pending.append(pool.submit(_batch, str(corpus), batch))
                else:  # the first task forks the workers
                    pending.append(_first_task(pool, str(corpus), batch))
                if len(pending) >= workers * AHEAD:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
