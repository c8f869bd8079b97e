"""A forum group with topics on the Bot API stand-in, and asking and pressing in it: what the
forum tests of several modules share."""

from __future__ import annotations

import pytest
from botapi import BotAPIStandIn

FORUM = -1007001


@pytest.fixture(name="forum")
def forum_fixture(standin: BotAPIStandIn) -> dict[str, int]:
    """A forum with two topics besides the General one."""
    standin.make_forum(FORUM, title="Newsroom")
    return {"rail": standin.open_topic(FORUM, "Railways"), "gas": standin.open_topic(FORUM, "Gas")}


async def ask(standin: BotAPIStandIn, text: str, thread: int | None = None, **kwargs):
    """Post `text` in a topic of the forum (None: the General topic); the bot's reply."""
    before = len(standin.messages_to(FORUM))
    standin.push_text(FORUM, text, thread_id=thread, **kwargs)
    *_, reply = await standin.wait_for_messages_async(before + 1, chat_id=FORUM)
    return reply


async def press(standin: BotAPIStandIn, message, data: str):
    """Press a button under `message`; the message the press posts or edits."""
    before, answered = len(standin.messages_to(FORUM)), len(standin.calls_to("answerCallbackQuery"))
    standin.push_callback(FORUM, message.message_id, data)
    *_, posted = await standin.wait_for_messages_async(before + 1, chat_id=FORUM)
    await standin.wait_for_calls_async("answerCallbackQuery", answered + 1)
    return posted


def named(message) -> int | None:
    """The topic the bot named when it sent `message` (not where a reply took it)."""
    return message.params.get("message_thread_id")
