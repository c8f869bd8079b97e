"""Where the bot's questions are answered: in a worker process beside the event loop.

A process runs Python one thread at a time, so a search in the bot's thread pool took turns
with the event loop that receives updates and sends replies: under load each waited for the
other, and on a two-core machine one core did all of the bot's work. A worker process has its
own interpreter; the loop does Telegram's side on one core while the worker searches on the
other (bench/bot_load.py). The worker opens the index itself and keeps its caches (postings,
vocabulary, passages read) warm between questions; questions and answers cross as pickles,
about 0.1 ms each way.

Questions take their turn in a worker, one at a time. That costs little: the slowest ones
take tens of milliseconds at a million passages (docs/benchmarks.md), while the event loop,
which receives every chat's messages and sends their replies, never waits for any search.
More processes (`BRIEFBOT_SEARCH_PROCESSES`) take questions side by side on more cores.
With 0 the same functions run in the bot's thread pool on its own `Index`, as on a machine
with one core.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import gc
import logging
import multiprocessing
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TypeVar

from index import Answer, Index, Reading, vocabulary

log = logging.getLogger("briefbot.answering")
T = TypeVar("T")

#: The questions an answer follows up, nearest first, each with the date it was asked on:
#: what a reply to an answer is read against, rebuilt from the state file by the bot.
Chain = Sequence[tuple[str, dt.date | None]]


def ask(
    index: Index,
    question: str,
    k: int,
    offset: int = 0,
    chain: Chain = (),
    today: dt.date | None = None,
) -> Answer:
    """`Index.answer`, with the questions it follows up read first, in the order asked."""
    return index.answer(question, k=k, offset=offset, previous=follow(index, chain), today=today)


def reply(
    index: Index, question: str, k: int, chain: Chain = (), today: dt.date | None = None
) -> tuple[Answer, list[vocabulary.Suggestion]]:
    """A question's first page, and when nothing answers it, the words to suggest instead:
    one trip to the worker for what would otherwise take two."""
    answer = ask(index, question, k, 0, chain, today)
    return answer, ([] if answer.found else suggest(index, answer.missing))


def follow(index: Index, chain: Chain) -> Reading | None:
    """How the last question of `chain` was read, in the context of those before it."""
    previous = None
    for question, day in reversed(chain):
        previous = index.answer(question, k=1, previous=previous, today=day).reading
    return previous


def suggest(index: Index, words: Sequence[str]) -> list[vocabulary.Suggestion]:
    """The words typed that no briefing holds (`Answer.missing`: decided once, where the
    question was answered), each with the nearest words the index has."""
    with index.connected() as conn:
        return vocabulary.suggest(conn, words)


# -- the worker process ------------------------------------------------------------------------

_index: Index | None = None


def _open(path: Path, aliases: Path | None) -> None:
    global _index
    # Ctrl-C in a terminal reaches the whole process group: the bot stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _index = Index(path, aliases)


def _warm() -> None:
    try:
        if _index.outdated():  # type: ignore[union-attr]
            log.warning("the index was built by an earlier briefbot: run `briefbot reindex`")
        _index.warm()  # type: ignore[union-attr]
        # The index as read at start lives as long as the worker: out of the collector's way
        # (a full pass over it took 20 ms, a pause in the middle of some question).
        gc.freeze()
    except Exception as exc:  # each question says what is wrong; a reindex mends it
        log.warning("index not ready in the answering process: %s", exc)


def _in_worker(fn: Callable[..., T], *args) -> T:
    return fn(_index, *args)


def _pool(path: Path, aliases: Path | None, processes: int, method: str) -> ProcessPoolExecutor:
    """`processes` workers, started now, each opening the index and reading it at once."""
    pool = ProcessPoolExecutor(
        processes,
        mp_context=multiprocessing.get_context(method),
        initializer=_open,
        initargs=(path, aliases),
    )
    for _ in range(processes):
        pool.submit(_warm)
    return pool


def fork_early(path: Path, aliases: Path | None, processes: int) -> ProcessPoolExecutor | None:
    """The answering processes, forked at the start of `briefbot run`, or None when they
    cannot be (no processes wanted, threads already running, no fork on this system).

    Started from the bot once it was built (`Answerer.start`), a worker was a fresh
    interpreter that imported the question path again and read the index while the first
    question waited: 0.4 s of the bot's 1.3 s to its first answer at 100,000 passages. Forked
    from the command before it imports Telegram's libraries, a worker has the question path
    already and reads the index on one core while the bot imports and connects on the other.
    Fork is safe only while the process has one thread (a lock another thread held stays held
    in the child), so this is for the start; a worker replaced later is spawned (`start`)."""
    if (
        processes <= 0
        or threading.active_count() > 1
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return None
    return _pool(path, aliases, processes, "fork")


class Answerer:
    """Runs `ask`, `reply`, `suggest` and `follow` in worker processes, or in `threads` when
    `processes` is 0; a worker that died is replaced and the question asked again once.
    `pool` is workers already started for it (`fork_early`)."""

    def __init__(
        self,
        index: Index,
        processes: int,
        threads: Executor,
        pool: ProcessPoolExecutor | None = None,
    ) -> None:
        self.index = index
        self.processes = processes
        self.threads = threads
        self.pool = pool

    def start(self) -> None:
        """Start the workers and have them read the index before the first question."""
        if self.processes <= 0:
            self.index.warm()
            return
        if self.pool is not None:  # forked at the start of the command (`fork_early`)
            return
        # not fork: the bot has threads, and a forked lock held by one of them stays held
        self.pool = _pool(self.index.path, self.index.aliases.path, self.processes, "spawn")

    def close(self, wait: bool = True) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=wait, cancel_futures=True)
            self.pool = None

    async def run(self, fn: Callable[..., T], *args) -> T:
        """`fn(index, *args)` off the event loop, in a worker when there are workers."""
        loop = asyncio.get_running_loop()
        pool = self.pool
        if pool is None:
            return await loop.run_in_executor(
                self.threads, functools.partial(fn, self.index, *args)
            )
        try:
            return await loop.run_in_executor(pool, functools.partial(_in_worker, fn, *args))
        except BrokenProcessPool:
            if self.pool is pool:  # the first question to find it broken replaces it
                log.error("an answering process died; starting another and asking again")
                self.close(wait=False)
                self.start()
            return await loop.run_in_executor(self.pool, functools.partial(_in_worker, fn, *args))
