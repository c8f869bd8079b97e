"""What the bot answers and what it leaves alone, end to end over the Bot API stand-in: in a
group only questions get answers, commands are answered under the command, an unknown
command gets a pointer in private and silence in a group, and a reply that finds nothing
names only the words the person typed that no briefing holds."""

from __future__ import annotations

import asyncio
import datetime as dt

from botapi import BOT_USERNAME, BotAPIStandIn, standin_fixture  # noqa: F401
from bothelpers import GROUP, PRIVATE, RAILWAY_QUESTION, bot_settings, running_bot
from telegram_html import visible

from bot import render
from index.questions.answer import Answer
from index.questions.respond import Nearest
from index.storage.vocabulary import Suggestion

#: Time for a message the bot should leave alone to be (wrongly) answered after all.
SETTLE = 0.5


async def quiet(standin: BotAPIStandIn, chat_id: int) -> list:
    """The chat's messages once the bot has had time to send any it should not."""
    await asyncio.sleep(SETTLE)
    return standin.messages_to(chat_id)


def test_chatter_in_reply_to_an_answer_in_a_group_gets_no_reply(
    standin: BotAPIStandIn, indexed
) -> None:
    """👍, "ok", "great, thanks" under an answer, or "@bot thanks!", are said to the people in
    the group, not asked: no answer reposted, no "No briefing mentions ok", no "you're
    welcome" for everyone to scroll past. A question replied to the answer still is one."""
    settings = bot_settings(standin, *indexed)

    async def main():
        async with running_bot(settings):
            standin.push_text(GROUP, f"/ask {RAILWAY_QUESTION}", chat_type="supergroup")  # 1
            [answer] = await standin.wait_for_messages_async(1, chat_id=GROUP)  # 2
            for text in ("👍", "ok", "great, thanks", "lol 😂", "got it"):  # 3-7
                standin.push_text(GROUP, text, reply_to_message=answer)
            standin.push_text(GROUP, f"@{BOT_USERNAME} thanks!")  # 8
            standin.push_text(GROUP, "ok so what about Gaza?", reply_to_message=answer)  # 9
            await standin.wait_for_messages_async(2, chat_id=GROUP)
            return await quiet(standin, GROUP)

    answer, follow_up = asyncio.run(main())
    assert "<b>railway</b>" in answer.text
    assert follow_up.reply_to_message_id == 9  # the question, not any of the chatter
    assert "<b>Gaza</b>" in follow_up.text


def test_chatter_in_a_private_chat_gets_nothing_and_thanks_a_welcome(
    standin: BotAPIStandIn, indexed
) -> None:
    settings = bot_settings(standin, *indexed)

    async def main():
        async with running_bot(settings):
            standin.push_text(PRIVATE, "👍")  # 1
            standin.push_text(PRIVATE, "lol")  # 2
            standin.push_text(PRIVATE, "thanks!")  # 3
            await standin.wait_for_messages_async(1, chat_id=PRIVATE)
            return await quiet(standin, PRIVATE)

    [welcome] = asyncio.run(main())
    assert welcome.plain_text == "You're welcome. Ask again any time."
    assert welcome.reply_to_message_id == 3


def test_help_and_sources_in_a_group_reply_to_the_command_and_are_not_searched(
    standin: BotAPIStandIn, indexed
) -> None:
    """/help and /sources go under the command that asked for them, and the group's help
    says that a mention works too. Chatter or "more" replied to them is left alone; a real
    question replied to the help is answered."""
    settings = bot_settings(standin, *indexed)

    async def main():
        async with running_bot(settings):
            standin.push_text(GROUP, "/help", chat_type="supergroup")  # 1
            [help_message] = await standin.wait_for_messages_async(1, chat_id=GROUP)  # 2
            standin.push_text(GROUP, "/sources")  # 3
            [_, sources] = await standin.wait_for_messages_async(2, chat_id=GROUP)  # 4
            for text in ("ok", "nice", "more"):  # 5-7
                standin.push_text(GROUP, text, reply_to_message=help_message)
            for text in ("👍", "thanks!"):  # 8-9
                standin.push_text(GROUP, text, reply_to_message=sources)
            standin.push_text(GROUP, RAILWAY_QUESTION, reply_to_message=help_message)  # 10
            await standin.wait_for_messages_async(3, chat_id=GROUP)
            return await quiet(standin, GROUP)

    help_message, sources, answer = asyncio.run(main())
    assert help_message.reply_to_message_id == 1
    assert sources.reply_to_message_id == 3
    assert sources.plain_text.startswith("Briefings 1–10 of 13")
    shown = help_message.plain_text
    assert "/ask what was agreed on trade?" in shown
    assert f"mention me with it: @{BOT_USERNAME} what was agreed on trade?" in shown
    assert answer.reply_to_message_id == 10 and "<b>railway</b>" in answer.text


def test_help_in_a_private_chat_mentions_asking_by_mention_in_groups(
    standin: BotAPIStandIn, indexed
) -> None:
    """ "help me" is asked of the bot, not of the briefings; a private chat's help says how
    asking works in a group too, and is not sent as a reply there."""
    settings = bot_settings(standin, *indexed)

    async def main():
        async with running_bot(settings):
            for n, text in enumerate(["help me", "how do I use this?"]):
                standin.push_text(PRIVATE, text)
                await standin.wait_for_messages_async(n + 1, chat_id=PRIVATE)
            standin.push_text(GROUP, f"@{BOT_USERNAME} help me", chat_type="supergroup")  # 1
            await standin.wait_for_messages_async(1, chat_id=GROUP)
            return standin.messages_to(PRIVATE), standin.messages_to(GROUP)

    (help_me, how), [in_group] = asyncio.run(main())
    for reply in (help_me, how):
        assert reply.plain_text.startswith("I answer questions from 13 briefings")
        assert f"ask with /ask or mention me (@{BOT_USERNAME})" in reply.plain_text
        assert reply.reply_to_message_id is None
    assert "No briefing mentions" not in help_me.plain_text
    assert in_group.plain_text.startswith("I answer questions from 13 briefings")
    assert in_group.reply_to_message_id == 1


def test_an_unknown_command_gets_a_pointer_in_private_and_silence_in_a_group(
    standin: BotAPIStandIn, indexed
) -> None:
    settings = bot_settings(standin, *indexed)

    async def main():
        async with running_bot(settings):
            standin.push_text(PRIVATE, "/foo bar")  # 1
            await standin.wait_for_messages_async(1, chat_id=PRIVATE)  # 2
            standin.push_text(PRIVATE, "/summary 2024-03-19")  # 3: another module's command
            await standin.wait_for_messages_async(2, chat_id=PRIVATE)
            standin.push_text(GROUP, "/foo", chat_type="supergroup")  # 1
            standin.push_text(GROUP, f"/foo@{BOT_USERNAME}")  # 2
            standin.push_text(GROUP, "/help")  # 3
            await standin.wait_for_messages_async(1, chat_id=GROUP)
            return await quiet(standin, PRIVATE), await quiet(standin, GROUP)

    (pointer, summary), [help_message] = asyncio.run(main())
    assert pointer.plain_text == "I don't know /foo. Send /help to see what I can do."
    assert pointer.reply_to_message_id == 1
    assert "19 March 2024" in summary.plain_text  # the summary, and no pointer besides
    assert help_message.reply_to_message_id == 3


def test_nothing_found_names_only_the_content_words_typed(standin: BotAPIStandIn, indexed) -> None:
    """One sentence: the words typed that no briefing holds, never the ones a question is put
    in ("what", "tell", "say", "latest", "news", "use"), nor a greeting in front."""
    settings = bot_settings(standin, *indexed)
    questions = [
        "what can you tell me about bitcoin?",
        "hi, what is the latest news on zorblax and dogecoin?",
        "what did they say about quux?",
        "how do they use the railway?",  # answered: "use" is no word to be missing
    ]

    async def main():
        async with running_bot(settings):
            for n, question in enumerate(questions):
                standin.push_text(PRIVATE, question)
                await standin.wait_for_messages_async(n + 1, chat_id=PRIVATE)
            return standin.messages_to(PRIVATE)

    bitcoin, latest, quux, railway = asyncio.run(main())
    assert bitcoin.plain_text == (
        "No briefing mentions bitcoin; try other words, or a name or place."
    )
    assert latest.plain_text.endswith(
        "No briefing mentions zorblax or dogecoin; try other words, or a name or place."
    )
    assert quux.plain_text == "No briefing mentions quux; try other words, or a name or place."
    assert "<b>railway</b>" in railway.text and "No briefing mentions" not in railway.plain_text
    for reply, question in zip((bitcoin, latest, quux), questions, strict=False):
        named = reply.plain_text.split("No briefing mentions ", 1)[1].split(";")[0]
        assert set(named.replace(" or ", " ").split()) <= set(question.strip("?").split())


def test_nothing_found_is_one_sentence_with_the_nearest_briefings() -> None:
    """The missing words (with the spellings the briefings have), then the nearest
    briefings, in one sentence; without missing words, that nothing answers."""
    nearest = [
        Nearest("Railway talks", dt.date(2024, 3, 19), "a.md"),
        Nearest("Tariffs, duties & levies", dt.date(2024, 2, 1), "b.md"),
        Nearest("Undated note", None, "c.md"),
    ]
    answer = Answer("zorblax railwey", ["railway"], nearest=nearest)
    missing = [Suggestion("zorblax", []), Suggestion("railwey", ["railway", "rail"])]
    said = visible(render.nothing_found(answer, missing))
    assert said == (
        "No briefing mentions zorblax or railwey (did you mean railway or rail?); the nearest"
        " briefings are Railway talks (19 March 2024), Tariffs, duties & levies"
        " (1 February 2024) and Undated note (undated)."
    )
    assert visible(render.nothing_found(Answer("q", ["q"], nearest=nearest[:1]))) == (
        "Nothing in the briefings answers that; the nearest briefings are Railway talks"
        " (19 March 2024)."
    )
