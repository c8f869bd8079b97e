"""The fair queue of questions (`bot/turns.py`) on its own, with asyncio: chats take turns,
a chat's questions go one at a time in order, a flood is turned away with one notice."""

from __future__ import annotations

import asyncio

import pytest

from bot.turns import FORGET_AFTER, Refused, Turn, Turns


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def ask(turns: Turns, chat: int, sent_at: float | None = None) -> Turn | Refused:
    """Ask, and when admitted have it answered there and then."""
    turn = turns.admit(chat, sent_at)
    if isinstance(turn, Turn):
        async with turn:
            pass
    return turn


async def answer_all(turns: Turns, asked: list[tuple[int, Turn]], log: list, hold: float = 0.0):
    """Answer each admitted question in a task of its own, as the bot does, noting the order
    the turns came up in and the most answered at once."""
    busy = {"now": 0, "most": 0}

    async def one(chat: int, n: int, turn: Turn) -> None:
        async with turn:
            busy["now"] += 1
            busy["most"] = max(busy["most"], busy["now"])
            log.append((chat, n))
            await asyncio.sleep(hold)
            busy["now"] -= 1

    await asyncio.gather(*(one(chat, n, turn) for n, (chat, turn) in enumerate(asked)))
    return busy["most"]


def test_chats_take_turns_rather_than_waiting_behind_a_busy_one() -> None:
    async def main():
        turns = Turns(at_once=1, burst=5, seconds=0)
        asked = [(1, turns.admit(1)) for _ in range(5)]  # a busy chat asks five at once
        asked += [(2, turns.admit(2)), (3, turns.admit(3))]  # then two quiet chats, once each
        log: list = []
        await answer_all(turns, asked, log, hold=0.001)
        return [chat for chat, _ in log]

    order = asyncio.run(main())
    # The first of chat 1 was already being answered; then each chat in turn.
    assert order == [1, 2, 3, 1, 1, 1, 1]


def test_a_chat_is_answered_one_question_at_a_time_in_the_order_asked() -> None:
    async def main():
        turns = Turns(at_once=8, burst=5, seconds=0)
        asked = [(chat, turns.admit(chat)) for _ in range(4) for chat in (1, 2)]
        log: list = []
        most = await answer_all(turns, asked, log, hold=0.005)
        return log, most

    log, most = asyncio.run(main())
    for chat in (1, 2):
        numbers = [n for c, n in log if c == chat]
        assert numbers == sorted(numbers)
    assert most == 2  # eight places, but each chat takes only one at a time


def test_no_more_than_at_once_are_answered_together() -> None:
    async def main():
        turns = Turns(at_once=3, burst=5, seconds=0)
        asked = [(chat, turns.admit(chat)) for chat in range(10)]
        assert (turns.answering, turns.waiting) == (3, 7)
        most = await answer_all(turns, asked, [], hold=0.005)
        return most, turns.answering, turns.waiting

    assert asyncio.run(main()) == (3, 0, 0)


def test_a_flood_is_told_once_and_dropped_until_it_stops() -> None:
    clock = Clock()

    async def main():
        turns = Turns(at_once=4, burst=5, seconds=3, clock=clock)
        got = []
        # A script sending ten questions a second for six seconds, each answered at once.
        for _ in range(60):
            got.append(await ask(turns, 7))
            clock.now += 0.1
        # Quiet for the length of the span: the chat is answered again.
        clock.now += 3
        return got, await ask(turns, 7)

    flood, after = asyncio.run(main())
    admitted = [t for t in flood if isinstance(t, Turn)]
    refused = [t for t in flood if isinstance(t, Refused)]
    assert len(admitted) == 5 and flood[:5] == admitted  # the first handful, then nothing
    assert [r.tell for r in refused] == [True] + [False] * 54  # one notice for the flood
    assert isinstance(after, Turn)


def test_a_later_flood_is_told_again() -> None:
    clock = Clock()

    async def main():
        turns = Turns(at_once=4, burst=2, seconds=3, clock=clock)
        first = [await ask(turns, 7) for _ in range(4)]
        clock.now += 10
        second = [await ask(turns, 7) for _ in range(4)]
        return first, second

    for burst in asyncio.run(main()):
        assert [type(t) for t in burst[:2]] == [Turn, Turn]
        assert burst[2:] == [Refused(tell=True), Refused(tell=False)]


def test_a_person_asking_once_a_second_is_never_turned_away() -> None:
    """Telegram gives a message's date in whole seconds: one question a second for a minute,
    with the defaults, each answered before the next."""

    async def main():
        turns = Turns(at_once=8, burst=5, seconds=3)
        for second in range(60):
            assert isinstance(await ask(turns, 1, float(second)), Turn), second

    asyncio.run(main())


def test_the_times_sent_count_not_the_times_delivered() -> None:
    """After the bot was away, Telegram delivers a chat's questions of the last minutes at
    once: not a flood."""

    async def main():
        turns = Turns(at_once=8, burst=3, seconds=3)
        late = [await ask(turns, 1, sent_at=10.0 * n) for n in range(3)]
        return late + [await ask(turns, 2, sent_at=50.0) for _ in range(4)]

    got = asyncio.run(main())
    assert all(isinstance(t, Turn) for t in got[:3])
    assert isinstance(got[-1], Refused)  # four at once from chat 2 are one too many


def test_a_full_queue_turns_questions_away_while_answers_are_slow() -> None:
    async def main():
        turns = Turns(at_once=1, burst=2, seconds=0)  # no limit on the rate, only the queue
        first, second = turns.admit(1), turns.admit(1)
        third = turns.admit(1)
        async with first:
            pass
        fourth = turns.admit(1)  # one place free again
        async with second:
            pass
        async with fourth:
            pass
        return third, fourth

    third, fourth = asyncio.run(main())
    assert third == Refused(tell=True)
    assert isinstance(fourth, Turn)


def test_a_failed_or_cancelled_question_gives_its_place_back() -> None:
    async def main():
        turns = Turns(at_once=1, burst=5, seconds=0)
        failing, waiting, last = turns.admit(1), turns.admit(2), turns.admit(3)

        async def fail():
            async with failing:
                await asyncio.sleep(0.01)
                raise RuntimeError("search failed")

        async def wait():
            async with waiting:
                raise AssertionError("a cancelled question was answered")

        waiter = asyncio.ensure_future(wait())
        await asyncio.sleep(0)
        waiter.cancel()
        with pytest.raises(RuntimeError):
            await fail()
        async with last:  # chat 3 gets its turn: neither kept a place
            pass
        return turns.answering, turns.waiting

    assert asyncio.run(main()) == (0, 0)


def test_a_question_cancelled_just_as_its_turn_came_gives_it_back() -> None:
    async def main():
        turns = Turns(at_once=1, burst=5, seconds=0)
        first, second, third = turns.admit(1), turns.admit(2), turns.admit(3)

        async def enter(turn):
            async with turn:
                await asyncio.sleep(1)

        waiter = asyncio.ensure_future(enter(second))
        await asyncio.sleep(0)
        async with first:
            pass  # on leaving, the turn passes to `second` ...
        waiter.cancel()  # ... whose task is cancelled before it runs again
        await asyncio.gather(waiter, return_exceptions=True)
        async with third:
            pass
        return turns.answering, turns.waiting

    assert asyncio.run(main()) == (0, 0)


def test_quiet_chats_are_forgotten() -> None:
    clock = Clock()

    async def main():
        turns = Turns(at_once=8, burst=5, seconds=3, clock=clock)
        for chat in range(100):
            await ask(turns, chat)
        assert turns.chats == 100
        clock.now += FORGET_AFTER + 1
        await ask(turns, 1000)
        return turns.chats

    assert asyncio.run(main()) == 1


def test_settings_that_make_no_sense_are_refused() -> None:
    with pytest.raises(ValueError):
        Turns(at_once=0, burst=5, seconds=3)
    with pytest.raises(ValueError):
        Turns(at_once=1, burst=0, seconds=3)
