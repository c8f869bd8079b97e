"""The index changing, vanishing or breaking under a running bot: reindexing while questions
arrive never puts `database is locked` (or any error) in front of a user; a deleted or damaged
index gives users a clear message and the log a clear line, and the next reindex recovers.
The long run (50 questions a second for a minute) is `bench/storage_faults.py`."""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
import time
from collections import Counter
from pathlib import Path

import index_damage
import pytest
from botapi import BotAPIStandIn, standin_fixture  # noqa: F401
from bothelpers import PRIVATE, bot_settings, running_bot
from faults import QUESTIONS, tally

from bot import render
from bot.errors import INDEX_UNAVAILABLE
from index.storage.reindex import reindex


def churn(corpus: Path, db: Path, stop: threading.Event, reports: list) -> None:
    """Reindex again and again, adding, changing and removing briefings, with a full rebuild
    (swapped in under the readers) every fourth time."""
    for n in itertools.count():
        if stop.is_set():
            return
        (corpus / f"2024-06-{n % 28 + 1:02d}-churn-{n}.txt").write_text(
            f"Churn note {n}: the Lisbon tramway and the Gaza talks, round {n}.\n" * 20
        )
        if n >= 2:
            (corpus / f"2024-06-{(n - 2) % 28 + 1:02d}-churn-{n - 2}.txt").unlink()
        reports.append(reindex(corpus, db, rebuild=n % 4 == 3, wait=60))


def test_reindexing_while_answering_fifty_questions_a_second(
    standin: BotAPIStandIn, indexed, caplog
) -> None:
    corpus, db = indexed
    settings = bot_settings(standin, corpus, db)
    chats = [PRIVATE + n for n in range(50)]  # once a second each, as people ask
    questions = itertools.cycle(QUESTIONS)
    asked: Counter[int] = Counter()
    stop, reports = threading.Event(), []

    async def main():
        async with running_bot(settings):
            writer = threading.Thread(target=churn, args=(corpus, db, stop, reports))
            writer.start()
            try:
                start = time.monotonic()
                for i in range(200):  # 50 a second for 4 seconds
                    await asyncio.sleep(max(0.0, start + i / 50 - time.monotonic()))
                    chat = chats[i % len(chats)]
                    standin.push_text(chat, next(questions))
                    asked[chat] += 1
                deadline = time.monotonic() + 40
                while time.monotonic() < deadline:
                    done = tally(standin, asked)
                    if done.once + done.twice + done.apologies >= done.asked:
                        break
                    await asyncio.sleep(0.1)
            finally:
                stop.set()
                await asyncio.to_thread(writer.join)

    with caplog.at_level(logging.WARNING):
        asyncio.run(main())
    result = tally(standin, asked)
    assert len(reports) >= 3 and any(r.rebuilt for r in reports)  # the writer kept writing
    assert (result.once, result.twice, result.unanswered, result.apologies) == (200, 0, 0, 0)
    assert not any("locked" in (m.plain_text or "") for m in standin.sent)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


def _ask(standin: BotAPIStandIn, question: str):
    async def go():
        before = len(standin.messages_to(PRIVATE))
        standin.push_text(PRIVATE, question)
        messages = await standin.wait_for_messages_async(before + 1, chat_id=PRIVATE)
        return messages[before]

    return go()


@pytest.mark.parametrize(
    "harm, logged",
    [
        (index_damage.delete, "no index at"),
        (index_damage.cut_short, "is damaged"),
        (index_damage.replace_with_garbage, "is damaged"),
    ],
    ids=["deleted", "cut-short", "garbage"],
)
def test_a_lost_or_damaged_index_is_said_plainly_and_the_next_reindex_recovers(
    standin: BotAPIStandIn, indexed, caplog, harm, logged
) -> None:
    corpus, db = indexed
    settings = bot_settings(standin, corpus, db)

    async def main():
        async with running_bot(settings):
            before = await _ask(standin, "Lisbon tramway stage")
            await asyncio.to_thread(harm, db)
            during = [await _ask(standin, q) for q in ("Gaza", "zeppelin airship clause")]
            report = await asyncio.to_thread(reindex, corpus, db)
            after = await _ask(standin, "Lisbon tramway stage")
            return before, during, report, after

    with caplog.at_level(logging.WARNING):
        before, during, report, after = asyncio.run(main())
    assert "<b>tramway</b>" in before.text
    assert [m.plain_text for m in during] == [INDEX_UNAVAILABLE] * 2
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and all(logged in e and "briefbot reindex" in e for e in errors), errors
    assert all("Traceback" not in e for e in errors)  # a line to act on, not a stack
    assert report.counts["added"] == 13 and not report.failed
    assert after.text == before.text
    assert render.SOMETHING_WENT_WRONG not in [m.plain_text for m in standin.sent]
