"""The bot in a forum group (a supergroup organised in topics), end to end with the real
client against the Bot API stand-in: everything it posts because of a message goes to that
message's topic, naming the topic itself rather than counting on the reply to carry it there,
and a topic that was closed or deleted is let go of, alone."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from botapi import DEFAULT_USER_ID, BotAPIStandIn, standin_fixture  # noqa: F401
from bothelpers import RAILWAY_QUESTION, bot_settings, button, running_bot, until
from forumhelpers import FORUM, ask, forum_fixture, named, press  # noqa: F401

from bot import render, sending
from bot.sending import TOO_FAST
from bot.services import services
from bot.state import State, subscribe, subscription

#: A chat the bot is set up for, when it is set up for some only.
ELSEWHERE = 77


def refused(standin: BotAPIStandIn) -> list:
    return [c for c in standin.calls_to("sendMessage") if c.status != 200]


def test_everything_asked_in_a_topic_is_answered_in_it(
    standin: BotAPIStandIn, indexed, forum
) -> None:
    """Help, sources, hints, answers, "nothing found", paging, context and follow-ups, each in
    the topic asked in; and what is asked in the General topic is answered there."""
    rail = forum["rail"]
    settings = bot_settings(standin, *indexed, chat_burst=20)  # more questions than a person's

    async def main():
        async with running_bot(settings) as application:
            services(application).typing_after = 0.0  # show "typing…" however quick the answer
            shown = {"help": await ask(standin, "/help", rail)}
            shown["sources"] = await ask(standin, "/sources", rail)
            shown["empty"] = await ask(standin, "/ask", rail)
            shown["nothing"] = await ask(standin, "/ask qqqzzzx wwwvvvy", rail)
            answer = shown["answer"] = await ask(standin, "/ask Lisbon tramway stage", rail)
            shown["more"] = await press(standin, answer, button(answer, render.MORE_RESULTS))
            shown["context"] = await press(standin, answer, button(answer, "Context"))
            shown["reply"] = await ask(standin, "more", rail, reply_to_message=answer)
            follow_up = await ask(standin, "and the council?", rail, reply_to_message=answer)
            shown["follow-up"] = follow_up
            # The General topic is no topic; a reply there names the first message of its
            # chain as its thread, which Telegram refuses as a topic to post to.
            helped = await ask(standin, "/help")
            general = [helped, await ask(standin, "what about Gaza?", reply_to_message=helped)]
            return shown, general

    shown, general = asyncio.run(main())
    for what, message in shown.items():
        assert message.message_thread_id == rail, what
        if message.method == "sendMessage":
            assert named(message) == rail, what
    assert shown["more"].method == "editMessageText"  # in place, in the topic
    assert "Lisbon tramway" in shown["answer"].plain_text
    assert shown["nothing"].plain_text.startswith("No briefing mentions qqqzzzx")
    for message in general:
        assert message.message_thread_id is None and named(message) is None
    assert "<b>Gaza</b>" in general[1].text
    assert [m for m in standin.messages_to(FORUM) if m.message_thread_id != rail] == general
    assert refused(standin) == []
    typing = [c.params.get("message_thread_id") for c in standin.calls_to("sendChatAction")]
    assert typing and set(typing) <= {rail, None} and rail in typing


def test_a_reply_stays_in_the_topic_when_the_question_is_gone(
    standin: BotAPIStandIn, indexed, forum
) -> None:
    """A reply whose message was deleted meanwhile goes out as no reply, to the General topic
    unless it names its topic."""
    rail = forum["rail"]
    settings = bot_settings(standin, *indexed)

    async def main():
        async with running_bot(settings):
            standin.delay_next("sendMessage", 0.5)
            standin.push_text(FORUM, "/help", thread_id=rail)
            [call] = await standin.wait_for_calls_async("sendMessage")
            # While the reply is on its way, the question is deleted.
            standin.user_deletes(FORUM, call.params["reply_parameters"]["message_id"])
            [reply] = await standin.wait_for_messages_async(1, chat_id=FORUM)
            return reply

    reply = asyncio.run(main())
    assert reply.message_thread_id == rail
    assert "/ask" in reply.plain_text


def test_admin_commands_notices_and_apologies_go_to_the_topic(
    standin: BotAPIStandIn, indexed, forum, monkeypatch
) -> None:
    """What the bot sends without replying to anything: /stats, /reindex, the notice to a
    chat asking too fast, and the apology when a reply could not be sent."""
    rail, gas = forum["rail"], forum["gas"]
    settings = bot_settings(standin, *indexed, admin_user_ids=frozenset({DEFAULT_USER_ID}))
    monkeypatch.setattr(sending, "NETWORK_RETRIES", (0.01,) * len(sending.NETWORK_RETRIES))

    async def main():
        async with running_bot(settings):
            stats = await ask(standin, "/stats", rail)
            reindexed = await ask(standin, "/reindex", rail)
            standin.fail_next("sendMessage", status=500, count=1 + len(sending.NETWORK_RETRIES))
            apology = await ask(standin, "/help", gas)
            before = len(standin.messages_to(FORUM))
            for _ in range(12):
                standin.push_text(FORUM, f"/ask {RAILWAY_QUESTION}", thread_id=gas)
            await until(
                lambda: [m for m in standin.messages_to(FORUM)[before:] if m.plain_text == TOO_FAST]
            )
            return stats, reindexed, apology, standin.messages_to(FORUM)[before:]

    stats, reindexed, apology, flood = asyncio.run(main())
    assert "passages" in stats.plain_text.lower()
    assert stats.message_thread_id == rail and reindexed.message_thread_id == rail
    assert stats.reply_to_message_id is None  # it went there only because it named the topic
    assert apology.plain_text == render.SOMETHING_WENT_WRONG
    assert apology.message_thread_id == gas and named(apology) == gas
    [notice] = [m for m in flood if m.plain_text == TOO_FAST]
    assert notice.message_thread_id == gas and named(notice) == gas


def test_a_refusal_goes_to_the_topic(standin: BotAPIStandIn, indexed, forum) -> None:
    rail = forum["rail"]
    settings = bot_settings(standin, *indexed, allowed_chat_ids=frozenset({ELSEWHERE}))

    async def main():
        async with running_bot(settings):
            return await ask(standin, "/help", rail)

    refusal = asyncio.run(main())
    assert str(FORUM) in refusal.plain_text and "ALLOWED_CHAT_IDS" in refusal.plain_text
    assert refusal.message_thread_id == rail and named(refusal) == rail


def test_a_closed_topic_is_let_go_of_alone(standin: BotAPIStandIn, indexed, forum, caplog) -> None:
    """An administrator asks in a topic that is closed: the bot, no administrator, cannot
    post there. It stops what was set in that topic, says nothing more, and the group's other
    topics keep theirs."""
    rail, gas = forum["rail"], forum["gas"]
    settings = bot_settings(standin, *indexed)
    state = State(settings.state_db)
    for thread in (rail, gas, None):
        subscribe(state, FORUM, dt.time(7, 0), "UTC", thread_id=thread)

    async def main():
        async with running_bot(settings, state):
            standin.close_topic(FORUM, rail)
            standin.push_text(FORUM, "/help", thread_id=rail)
            await until(lambda: refused(standin))
            await until(lambda: subscription(state, FORUM, rail) is None)
            await asyncio.sleep(0.3)  # time for an apology to (wrongly) be tried

    with caplog.at_level(logging.INFO, logger="briefbot"):
        asyncio.run(main())
    [call] = standin.calls_to("sendMessage")
    assert call.status == 400 and call.params["message_thread_id"] == rail
    assert subscription(state, FORUM, gas) is not None and subscription(state, FORUM) is not None
    assert state.chat(FORUM) is None or state.chat(FORUM)["removed_at"] is None
    assert any(
        f"topic {rail} of chat {FORUM} was closed or deleted" in r.getMessage()
        for r in caplog.records
    )
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    state.close()
