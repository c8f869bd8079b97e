"""The bot when things go wrong: strangers, flood control, server errors, chats that block
the bot or become supergroups, and the token in logs."""

from __future__ import annotations

import asyncio
import logging

import pytest
from botapi import DEFAULT_TOKEN, BotAPIStandIn, standin_fixture  # noqa: F401
from bothelpers import (
    PRIVATE,
    RAILWAY_QUESTION,
    bot_settings,
    running_bot,
    until,
)

from bot import logs, render, sending
from bot.chats import REFUSAL_SHORT
from bot.state import State

STRANGER = 77
STRANGE_GROUP = -100777


def test_allow_list_refuses_once_and_gives_no_data(standin: BotAPIStandIn, indexed) -> None:
    settings = bot_settings(standin, *indexed, allowed_chat_ids=frozenset({PRIVATE}))

    async def main():
        async with running_bot(settings):
            for _ in range(2):
                standin.push_text(STRANGER, RAILWAY_QUESTION)
                standin.push_text(STRANGE_GROUP, "/ask railway", chat_type="supergroup")
            standin.push_inline_query(STRANGER, "railway")
            standin.push_text(PRIVATE, RAILWAY_QUESTION)
            await standin.wait_for_messages_async(1, chat_id=PRIVATE)
            await standin.wait_for_calls_async("answerInlineQuery", 1)
            await until(lambda: standin.messages_to(STRANGE_GROUP))
            await asyncio.sleep(0.3)  # time for any second refusal to (wrongly) go out
            return standin.calls_to("answerInlineQuery")[0].params

    inline = asyncio.run(main())
    [refusal] = standin.messages_to(STRANGER)
    [group_refusal] = standin.messages_to(STRANGE_GROUP)
    assert refusal.plain_text.startswith("Sorry, this bot only answers in the chats")
    assert str(STRANGER) in refusal.plain_text  # the id its owner would add
    assert "railway" not in refusal.plain_text and not refusal.buttons
    assert group_refusal.plain_text.startswith("Sorry")
    assert inline["results"] == [] and inline["button"]["text"] == REFUSAL_SHORT
    assert "<b>railway</b>" in standin.messages_to(PRIVATE)[0].text
    # The stranger's typing indicator never showed either: nothing was looked up.
    assert {c.params["chat_id"] for c in standin.calls_to("sendChatAction")} <= {PRIVATE}


# AIORateLimiter itself reads the deprecated int form of RetryAfter.retry_after.
@pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
def test_flood_control_is_waited_out_and_the_reply_delivered(
    standin: BotAPIStandIn, indexed
) -> None:
    settings = bot_settings(standin, *indexed)
    standin.fail_next("sendMessage", status=429, retry_after=1)

    async def main():
        async with running_bot(settings):
            standin.push_text(PRIVATE, RAILWAY_QUESTION)
            return await standin.wait_for_messages_async(1, chat_id=PRIVATE, timeout=10)

    [reply] = asyncio.run(main())
    assert [c.status for c in standin.calls_to("sendMessage")] == [429, 200]
    assert "<b>railway</b>" in reply.text


def test_a_server_error_on_one_send_does_not_stop_the_bot(
    standin: BotAPIStandIn, indexed, caplog, monkeypatch
) -> None:
    settings = bot_settings(standin, *indexed)
    # Server errors are tried again (tests/test_reliability_telegram.py); one that outlasts
    # every try ends in an apology.
    monkeypatch.setattr(sending, "NETWORK_RETRIES", (0.01,) * len(sending.NETWORK_RETRIES))
    standin.fail_next("sendMessage", status=500, count=1 + len(sending.NETWORK_RETRIES))

    async def main():
        async with running_bot(settings):
            standin.push_text(PRIVATE, RAILWAY_QUESTION)
            await standin.wait_for_messages_async(1, chat_id=PRIVATE)
            standin.push_text(PRIVATE, "Gaza")
            return await standin.wait_for_messages_async(2, chat_id=PRIVATE)

    with caplog.at_level(logging.ERROR, logger="briefbot"):
        apology, answer = asyncio.run(main())
    tries = 1 + len(sending.NETWORK_RETRIES)
    assert [c.status for c in standin.calls_to("sendMessage")] == [500] * tries + [200, 200]
    assert apology.plain_text == render.SOMETHING_WENT_WRONG
    assert "Traceback" not in apology.plain_text
    assert "<b>Gaza</b>" in answer.text
    [record] = [r for r in caplog.records if r.name == "briefbot.bot"]
    assert f"in chat {PRIVATE}" in record.getMessage() and record.exc_info is not None


def test_blocked_and_migrated_chats(standin: BotAPIStandIn, indexed) -> None:
    settings = bot_settings(standin, *indexed)
    state = State(settings.state_db)
    old_group, new_group = -4001, -1004001
    blocked = 13

    async def main():
        async with running_bot(settings, state):
            # A user who blocked the bot: the reply gets 403, the chat is forgotten.
            standin.forbidden_chats.add(blocked)
            standin.push_text(blocked, RAILWAY_QUESTION)
            await until(lambda: (state.chat(blocked) or {}).get("removed_at"))

            # A group with an answer on record becomes a supergroup.
            standin.push_text(old_group, "/ask railway", chat_type="group")
            [answer] = await standin.wait_for_messages_async(1, chat_id=old_group)
            await until(lambda: state.page_for_message(old_group, answer.message_id))
            standin.push_migration(old_group, new_group)
            await until(lambda: state.chat(new_group))
            # A late message from the old id: the reply follows the chat to its new id.
            standin.push_text(old_group, "/ask Gaza")
            await standin.wait_for_messages_async(1, chat_id=new_group)
            page_id = int(answer.buttons[0]["callback_data"].split(":")[1])
            pages = (state.page(page_id, old_group), state.page(page_id, new_group))
            standin.push_my_chat_member(new_group, "kicked")
            await until(lambda: (state.chat(new_group) or {}).get("removed_at"))
            return standin.messages_to(new_group), pages

    [moved], (old_page, new_page) = asyncio.run(main())
    assert [c.status for c in standin.calls_to("sendMessage")][-3:] == [200, 400, 200]
    assert "<b>Gaza</b>" in moved.text
    assert old_page is None and new_page.question == "railway"  # the page moved
    assert state.chat(old_group) is None
    assert state.chat(new_group)["migrated_from"] == old_group
    assert state.counts()["pages"] == 0  # the kicked group's pages went with it
    assert state.chat(blocked)["removed_at"] is not None


def test_the_token_never_reaches_the_logs(standin: BotAPIStandIn, indexed, caplog) -> None:
    settings = bot_settings(standin, *indexed)
    secret = DEFAULT_TOKEN.split(":")[1]
    standin.fail_next("sendMessage", status=500)

    async def main():
        async with running_bot(settings):
            standin.push_text(PRIVATE, RAILWAY_QUESTION)
            await standin.wait_for_messages_async(1, chat_id=PRIVATE)
            # Whatever logs a URL with the token in it, at any level, gets it masked.
            url = f"{standin.base_url}{DEFAULT_TOKEN}/sendMessage"
            logging.getLogger("telegram.ext").warning("request to %s failed", url)
            try:
                raise RuntimeError(f"could not reach {url}")
            except RuntimeError:
                logging.getLogger("briefbot.bot").exception("while sending")

    with caplog.at_level(logging.DEBUG):
        asyncio.run(main())
    assert caplog.records  # PTB, the bot and the stand-in all logged plenty
    assert secret not in caplog.text
    assert all(secret not in (r.exc_text or "") for r in caplog.records)
    assert logs.REDACTED in caplog.text
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
