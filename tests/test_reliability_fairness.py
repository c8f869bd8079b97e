"""No side doors, through the Bot API stand-in: inline answers stay with the person who asked
when access is restricted, and one chat sending too fast neither slows the others nor gets
answers late and out of order (bot/turns.py)."""

from __future__ import annotations

import asyncio
import time

import pytest
from botapi import BotAPIStandIn, standin_fixture  # noqa: F401
from bothelpers import (
    PRIVATE,
    RAILWAY_QUESTION,
    bot_settings,
    button,
    running_bot,
    until,
)

from bot import answering, render
from bot.sending import TOO_FAST
from bot.services import QUESTIONS_AT_ONCE, SEARCH_THREADS, services

STRANGER = 77
NOISY = 5001
QUIET = 5002
ADMIN = 555


@pytest.mark.parametrize("allowed", [frozenset(), frozenset({PRIVATE})], ids=["open", "allow-list"])
def test_inline_results_are_personal_whenever_an_allow_list_is_set(
    standin: BotAPIStandIn, indexed, allowed
) -> None:
    """Telegram serves cached inline results to anyone typing the same query, unless they are
    personal: with an allow-list, a refused user would see what an allowed one was shown."""
    settings = bot_settings(standin, *indexed, allowed_chat_ids=allowed, inline_cache_seconds=30)

    async def main():
        async with running_bot(settings):
            for query in ("railway Raeisi", "qqqzzz", ""):
                standin.push_inline_query(PRIVATE, query)
            await standin.wait_for_calls_async("answerInlineQuery", 3)
            if allowed:
                standin.push_inline_query(STRANGER, "railway Raeisi")
                await standin.wait_for_calls_async("answerInlineQuery", 4)
            return [c.params for c in standin.calls_to("answerInlineQuery")]

    answers = asyncio.run(main())
    found = [a for a in answers if a["results"]]
    assert len(found) == 1 and "<b>railway</b>" in str(found[0]["results"])
    for sent in answers:
        assert sent.get("is_personal", False) is bool(allowed), sent
    assert found[0]["cache_time"] == 30


def test_a_flood_is_told_once_and_its_answers_stay_in_order(standin: BotAPIStandIn, indexed):
    """Thirty questions at once from one chat: the first handful answered, in the order asked,
    one notice for the rest, and none of them answered late; a quiet chat beside it is
    answered as usual."""
    settings = bot_settings(standin, *indexed)  # the defaults: 5 questions in 3 s
    questions = [RAILWAY_QUESTION, "Gaza blockade", "Lisbon tramway stage", "Nowruz greetings"]

    async def main():
        async with running_bot(settings):
            # No await in between: the bot sends nothing meanwhile, so the questions are
            # messages 1 to 30 of the chat.
            for n in range(30):
                standin.push_text(NOISY, questions[n % len(questions)])
            standin.push_text(QUIET, RAILWAY_QUESTION)
            await standin.wait_for_messages_async(1, chat_id=QUIET)
            await standin.wait_for_messages_async(6, chat_id=NOISY)
            await asyncio.sleep(1.0)  # time for any late answer to (wrongly) go out
            return standin.messages_to(NOISY), standin.messages_to(QUIET)

    noisy, [quiet] = asyncio.run(main())
    notices = [m for m in noisy if m.plain_text == TOO_FAST]
    answers = [m for m in noisy if m.plain_text != TOO_FAST]
    assert [m.reply_to_message_id for m in answers] == [1, 2, 3, 4, 5]
    assert [m.reply_to_message_id for m in notices] == [6]
    assert "<b>railway</b>" in quiet.text


def test_buttons_and_admin_commands_are_not_held_up_by_waiting_questions(
    standin: BotAPIStandIn, indexed, monkeypatch
) -> None:
    """Four times as many chats as are answered at once ask together while each search takes
    80 ms: a button press and /stats wait behind the questions being answered, not behind all
    of them, and every question is answered."""
    settings = bot_settings(
        standin, *indexed, search_processes=0, admin_user_ids=frozenset({ADMIN})
    )
    reply, search = answering.reply, 0.08

    def slow_reply(*args, **kwargs):
        time.sleep(search)
        return reply(*args, **kwargs)

    chats = [QUIET + n for n in range(4 * QUESTIONS_AT_ONCE)]

    async def main():
        async with running_bot(settings) as app:
            assert services(app).turns.at_once == QUESTIONS_AT_ONCE
            standin.push_text(PRIVATE, "Lisbon tramway stage")
            [first] = await standin.wait_for_messages_async(1, chat_id=PRIVATE)
            monkeypatch.setattr(answering, "reply", slow_reply)
            for chat in chats:
                standin.push_text(chat, RAILWAY_QUESTION)
            pressed = time.time()
            standin.push_callback(PRIVATE, first.message_id, button(first, render.MORE_RESULTS))
            standin.push_text(ADMIN, "/stats")
            [edit] = await until(lambda: standin.calls_to("editMessageText"), timeout=20)
            [stats] = await standin.wait_for_messages_async(1, chat_id=ADMIN, timeout=20)
            for chat in chats:
                await standin.wait_for_messages_async(1, chat_id=chat, timeout=30)
            return pressed, edit, stats

    pressed, edit, stats = asyncio.run(main())
    # All the searches take 2.6 s on the bot's four threads, those answered at once 0.6 s:
    # the press and /stats wait behind the latter, not behind all of them.
    all_of_them = len(chats) * search / SEARCH_THREADS
    assert edit.timestamp - pressed < 0.75 * all_of_them
    assert stats.timestamp - pressed < 0.75 * all_of_them
    assert "passages" in stats.plain_text
    assert all(len(standin.messages_to(chat)) == 1 for chat in chats)
