"""Questions answered in a worker process (`bot.answering`): the same answers as in the
bot's own threads, follow-ups read in context, and a worker that dies replaced."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from bothelpers import build_index

from bot import answering
from bot.answering import Answerer
from index.questions.answer import Index

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def answerers(tmp_path):
    _, db = build_index(tmp_path)
    threads = ThreadPoolExecutor(2)
    in_process = Answerer(Index(db), 1, threads)
    in_threads = Answerer(Index(db), 0, threads)
    in_process.start()
    in_threads.start()
    yield in_process, in_threads
    in_process.close()
    threads.shutdown()


def ids(answer) -> list[int]:
    return [h.hit.passage_id for h in answer.hits]


def test_a_worker_answers_as_the_threads_do(answerers) -> None:
    in_process, in_threads = answerers

    async def main():
        asked = ("what did Raeisi say about the railway?", 3)
        return (
            await in_process.run(answering.ask, *asked),
            await in_threads.run(answering.ask, *asked),
            await in_process.run(answering.ask, "and the tramway?", 3, 0, [asked[:1] + (None,)]),
            await in_process.run(answering.suggest, ["railwey", "zorblax"]),
            await in_process.run(answering.reply, "zorblax quux", 3),
            await in_process.run(answering.reply, *asked),
        )

    worker, threads, follow_up, suggested, nothing, found = asyncio.run(main())
    assert worker.found and ids(worker) == ids(threads)
    assert worker.hits[0].quote == threads.hits[0].quote
    assert follow_up.reading is not None and follow_up.reading.follow_up
    assert any("railway" in s.alternatives for s in suggested)
    answer, suggestions = nothing  # nothing answers it: the words to offer come with it
    assert not answer.found and [s.word for s in suggestions] == ["zorblax", "quux"]
    answer, suggestions = found
    assert ids(answer) == ids(worker) and suggestions == []


def test_a_worker_that_dies_is_replaced(answerers) -> None:
    in_process, _ = answerers

    async def main():
        before = await in_process.run(answering.ask, "railway", 3)
        for pid in list(in_process.pool._processes):  # what an out-of-memory kill does
            os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(0.5)
        after = await in_process.run(answering.ask, "railway", 3)
        return before, after

    before, after = asyncio.run(main())
    assert before.found and ids(after) == ids(before)


#: Run in a fresh interpreter, which has one thread as `briefbot run` has when it forks.
FORKED = """
import asyncio, sys, threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from bot import answering
from index.questions.answer import Index
db = Path(sys.argv[1])
pool = answering.fork_early(db, None, 1)
assert pool is not None
answerer = answering.Answerer(Index(db), 1, ThreadPoolExecutor(1), pool)
answerer.start()  # adopts the forked workers
assert answerer.pool is pool
answer = asyncio.run(answerer.run(answering.ask, "what did Raeisi say about the railway?", 3))
threading.Thread(target=lambda: None).start()
print(answering.fork_early(db, None, 1), [h.hit.passage_id for h in answer.hits])
answerer.close()
"""


def test_workers_forked_at_the_start_answer_as_the_threads_do(answerers, tmp_path) -> None:
    """`briefbot run` forks its answering processes before it starts any thread; once one
    runs, no process is forked (a lock a thread held would stay held in the child)."""
    _, in_threads = answerers

    async def main():
        return await in_threads.run(answering.ask, "what did Raeisi say about the railway?", 3)

    expected = ids(asyncio.run(main()))
    out = subprocess.run(
        [sys.executable, "-c", FORKED, str(in_threads.index.path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"None {expected}"
