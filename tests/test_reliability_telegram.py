"""Faults from Telegram, through the Bot API stand-in: flood control, server errors, dropped
connections, timeouts and a restart of the server. Every question is answered, none twice.
The full soak (10,000 questions from 50 chats) is `bench/soak.py`."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter

import pytest
from bothelpers import PRIVATE, bot_settings, running_bot
from faults import CLIENT_TIMEOUT, QUESTIONS, FaultyStandIn, tally

pytestmark = pytest.mark.filterwarnings(
    # AIORateLimiter itself reads the deprecated int form of RetryAfter.retry_after.
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)


@pytest.fixture
def faulty():
    with FaultyStandIn(rate=0.0) as server:
        yield server


def test_each_fault_is_ridden_out_and_each_question_answered_once(
    faulty: FaultyStandIn, indexed
) -> None:
    settings = bot_settings(faulty, *indexed)
    asked = Counter()

    async def ask(question: str, *faults: tuple[str, str]) -> None:
        for method, kind in faults:
            faulty.inject(method, kind)
        faulty.push_text(PRIVATE, question)
        asked[PRIVATE] += 1
        await faulty.wait_for_messages_async(asked[PRIVATE], chat_id=PRIVATE, timeout=20)

    async def main():
        async with running_bot(settings):
            await ask("Gaza", ("sendMessage", "500"))
            await ask("Lisbon tramway stage", ("sendMessage", "drop"))
            await ask("tariff on steel", ("sendMessage", "429"))
            await ask("Putin Nowruz", ("sendMessage", "timeout"))
            await ask("Raisi railwey", ("getUpdates", "500"), ("getUpdates", "drop"))
            await ask("zorblax", ("sendMessage", "500"), ("sendMessage", "drop"))
            # The server goes away for a second: what is asked meanwhile waits in its queue,
            # and a reply in flight is sent again once it is back.
            faulty.delay_next("sendMessage", 0.5)
            faulty.push_text(PRIVATE, "what did Raeisi say about the railway?")
            asked[PRIVATE] += 1
            await asyncio.sleep(0.2)
            await asyncio.to_thread(faulty.restart, 1.0)
            faulty.push_text(PRIVATE, "Gaza in 2019")
            asked[PRIVATE] += 1
            await faulty.wait_for_messages_async(asked[PRIVATE], chat_id=PRIVATE, timeout=30)
            await asyncio.sleep(0.5)  # time for a duplicate to (wrongly) arrive

    started = time.monotonic()
    asyncio.run(main())
    result = tally(faulty, asked)
    assert (result.once, result.twice, result.unanswered, result.apologies) == (8, 0, 0, 0)
    statuses = Counter(c.status for c in faulty.calls_to("sendMessage"))
    assert statuses[500] >= 2 and statuses[429] >= 1 and statuses[None] >= 2  # faults happened
    assert time.monotonic() - started >= CLIENT_TIMEOUT  # the timeout was waited out


def test_random_faults_at_five_percent_lose_no_question(faulty: FaultyStandIn, indexed) -> None:
    """A small soak: 30 chats, 4 questions each (as fast as people ask: a chat sending faster
    is turned away, bot/turns.py), 5% of calls failing, and a restart of the server half way."""
    settings = bot_settings(faulty, *indexed)
    chats = [PRIVATE + n for n in range(30)]
    questions = itertools.cycle(QUESTIONS)
    asked = Counter()

    async def main():
        async with running_bot(settings):
            faulty.rate = 0.05
            for round_ in range(4):
                for chat in chats:
                    faulty.push_text(chat, next(questions))
                    asked[chat] += 1
                await asyncio.sleep(0.5)
                if round_ == 1:
                    await asyncio.to_thread(faulty.restart, 0.5)
            deadline = time.monotonic() + 40
            while time.monotonic() < deadline:
                done = tally(faulty, asked)
                if done.once + done.twice == done.asked:
                    break
                await asyncio.sleep(0.2)
            faulty.rate = 0.0
            await asyncio.sleep(0.5)

    asyncio.run(main())
    result = tally(faulty, asked)
    assert sum(faulty.injected.values()) >= 1, "no fault was injected"
    assert result.asked == 120
    assert (result.once, result.twice, result.unanswered) == (120, 0, 0), (result, faulty.injected)
    assert result.apologies == 0
