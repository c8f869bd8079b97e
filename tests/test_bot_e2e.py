"""The bot end to end: the real python-telegram-bot client against the Bot API stand-in,
checking what a person in the chat would see."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import socket
import urllib.error
import urllib.request

from botapi import BOT_USERNAME, BotAPIStandIn, standin_fixture  # noqa: F401
from bothelpers import (
    GROUP,
    PRIVATE,
    RAILWAY_QUESTION,
    bot_settings,
    button,
    callback_answers,
    passage_ids,
    rank_of,
    running_bot,
    until,
)

from bot import render
from bot.app import build_application, webhook_options
from bot.services import services
from bot.state import State
from index.questions.answer import Index
from index.storage.reindex import reindex


def test_railway_question_in_a_private_chat(standin: BotAPIStandIn, indexed) -> None:
    settings = bot_settings(standin, *indexed)

    async def main():
        async with running_bot(settings) as app:
            services(app).typing_after = 0.0  # show "typing…" however quick the answer
            asked = standin.push_text(PRIVATE, RAILWAY_QUESTION)
            assert asked is not None
            return await standin.wait_for_messages_async(1, chat_id=PRIVATE)

    [reply] = asyncio.run(main())
    assert reply.parse_mode == "HTML"
    assert reply.disable_web_page_preview is True
    assert reply.reply_to_message_id == 1
    assert "Highlighting the construction of the Rasht-Astara railway" in reply.plain_text
    assert "<b>railway</b>" in reply.text and "<b>Raeisi</b>" in reply.text
    assert "<blockquote" in reply.text
    assert re.match(
        r"Results 1–3 of \d+\n\nPutin Raeisi Nowruz\n19 March 2024\n"
        r"1\. Railway Project as a Catalyst for Cooperation\n",
        reply.plain_text,
    )
    assert reply.plain_text.count("Putin Raeisi Nowruz") == 1  # one briefing, one heading
    assert [b["text"] for b in reply.buttons][:3] == ["Context 1", "Context 2", "Context 3"]
    assert all(len(b["callback_data"].encode()) < 64 for b in reply.buttons)
    typing = standin.calls_to("sendChatAction")
    assert typing and typing[0].params["action"] == "typing"
    assert typing[0].params["chat_id"] == PRIVATE
    assert {c["command"] for c in standin.commands_for()} >= {"ask", "sources", "help"}


def test_ask_in_a_group_and_follow_up_by_replying(standin: BotAPIStandIn, indexed) -> None:
    settings = bot_settings(standin, *indexed)

    async def main():
        async with running_bot(settings):
            standin.push_text(GROUP, f"/ask {RAILWAY_QUESTION}", chat_type="supergroup")
            [first] = await standin.wait_for_messages_async(1, chat_id=GROUP)
            standin.push_text(GROUP, f"/ask@{BOT_USERNAME} Gaza blockade")
            await standin.wait_for_messages_async(2, chat_id=GROUP)
            # Privacy mode: chatter in the group never reaches the bot.
            assert standin.push_text(GROUP, "lunch at noon, anyone?") is None
            standin.push_text(GROUP, "/ask")
            await standin.wait_for_messages_async(3, chat_id=GROUP)
            # A reply to the bot is a follow-up, read with the question it follows.
            standin.push_text(GROUP, "and Gaza?", reply_to_message=first)
            [*_, follow_up] = await standin.wait_for_messages_async(4, chat_id=GROUP)
            # ... and so is a reply to that reply's answer.
            standin.push_text(GROUP, "and the zorblax?", reply_to_message=follow_up)
            return await standin.wait_for_messages_async(5, chat_id=GROUP)

    first, gaza, hint, follow_up, nothing = asyncio.run(main())
    assert "<b>railway</b>" in first.text
    assert "<b>Gaza</b>" in gaza.text and "<b>blockade</b>" in gaza.text
    assert "/ask" in hint.plain_text and "<blockquote" not in hint.text
    assert follow_up.plain_text.startswith("Read as: what Raeisi said about Gaza.")
    assert "<b>Gaza</b>" in follow_up.text and "<b>Raeisi</b>" in follow_up.text
    assert follow_up.reply_to_message_id is not None
    # Asked about what no briefing holds, the speaker's other subjects are not an answer: the
    # reply says so plainly and names the nearest briefings.
    assert nothing.plain_text.startswith(
        "Read as: what Raeisi said about the zorblax.\nNo briefing mentions zorblax; the"
        " nearest briefings are Putin Raeisi Nowruz"
    )
    assert "<blockquote" not in nothing.text


def test_paging_to_the_end_and_back_survives_a_restart(
    standin: BotAPIStandIn, indexed, tmp_path
) -> None:
    settings = bot_settings(standin, *indexed)

    async def press(message, data):
        before = len(standin.messages_to(PRIVATE))
        standin.push_callback(PRIVATE, message.message_id, data)
        *_, edited = await standin.wait_for_messages_async(before + 1, chat_id=PRIVATE)
        return edited

    async def forward_and_back():
        standin.push_text(PRIVATE, "Lisbon tramway stage")
        [first] = await standin.wait_for_messages_async(1, chat_id=PRIVATE)
        pages, shown = [passage_ids(first)], first
        while (more := button(shown, render.MORE_RESULTS)) is not None:
            shown = await press(shown, more)
            pages.append(passage_ids(shown))
        backwards = [passage_ids(shown)]
        while (back := button(shown, render.BACK)) is not None:
            shown = await press(shown, back)
            backwards.append(passage_ids(shown))
        return first, shown, pages, backwards

    async def main():
        async with running_bot(settings):
            first, last, pages, backwards = await forward_and_back()
        # A new process, the same state file: the old buttons still work.
        async with running_bot(settings):
            again = await press(last, button(last, render.MORE_RESULTS))
        return first, last, pages, backwards, again

    first, last, pages, backwards, again = asyncio.run(main())
    assert len(pages) == 4  # ten tramway briefings, three a page
    assert [len(p) for p in pages] == [3, 3, 3, 1]
    flat = [p for page in pages for p in page]
    assert len(set(flat)) == 10
    assert backwards[::-1] == pages
    assert last.method == "editMessageText"
    assert last.plain_text.startswith("Results 1–3")
    assert passage_ids(again) == pages[1]

    # Expired pages answer with a clear message rather than nothing.
    expired_state = State(settings.state_db, page_ttl=dt.timedelta(seconds=0))

    async def expired():
        async with running_bot(settings, expired_state):
            before = len(callback_answers(standin))
            standin.push_callback(PRIVATE, last.message_id, button(last, render.MORE_RESULTS))
            await until(lambda: len(callback_answers(standin)) > before)

    asyncio.run(expired())
    assert callback_answers(standin)[-1]["text"] == render.EXPIRED


def test_more_in_reply_to_an_answer_sends_its_next_page(standin: BotAPIStandIn, indexed) -> None:
    """ "more" replied to an answer is its "More" button, as a new message; at the
    last page it says there is no more."""
    settings = bot_settings(standin, *indexed)

    async def main():
        async with running_bot(settings):
            standin.push_text(PRIVATE, "Lisbon tramway stage")
            [first] = await standin.wait_for_messages_async(1, chat_id=PRIVATE)
            shown = [first]
            for n in range(2, 6):
                standin.push_text(PRIVATE, "more please", reply_to_message=shown[-1])
                [*_, reply] = await standin.wait_for_messages_async(n, chat_id=PRIVATE)
                shown.append(reply)
            return shown

    first, second, third, fourth, last = asyncio.run(main())
    pages = [passage_ids(m) for m in (first, second, third, fourth)]
    assert [len(p) for p in pages] == [3, 3, 3, 1]  # ten tramway briefings, three a page
    assert len({p for page in pages for p in page}) == 10
    assert second.plain_text.startswith("Results 4–6") and button(second, render.BACK)
    assert first.method == second.method == "sendMessage"
    assert last.plain_text == "There are no more results for that question."


def test_a_long_answer_arrives_split_and_well_formed(standin: BotAPIStandIn, indexed) -> None:
    settings = bot_settings(standin, *indexed)

    async def main():
        async with running_bot(settings):
            standin.push_text(PRIVATE, "zeppelin airship clause report")
            return await standin.wait_for_messages_async(3, chat_id=PRIVATE)

    messages = asyncio.run(main())
    assert len(messages) == 3
    assert all(c.status == 200 for c in standin.calls_to("sendMessage"))  # all valid HTML
    assert all(len(m.plain_text) <= 4096 for m in messages)
    # Cut between passages: each message holds whole passages, numbered in order across them,
    # and ends with the end of a quote; the first says how many there are.
    assert messages[0].plain_text.startswith("3 results\n\n")
    numbers = [[int(n) for n in re.findall(r"^(\d+)\.", m.plain_text, re.M)] for m in messages]
    assert all(numbers) and sum(numbers, []) == list(range(1, len(sum(numbers, [])) + 1))
    assert all(m.text.endswith("</blockquote>") for m in messages)
    assert all(m.text.count("<blockquote") == m.text.count("</blockquote>") for m in messages)
    assert not messages[0].buttons and messages[-1].buttons  # the keyboard goes last
    assert messages[0].reply_to_message_id is not None


def test_markup_in_a_passage_is_shown_not_obeyed(standin: BotAPIStandIn, indexed) -> None:
    settings = bot_settings(standin, *indexed)

    async def main():
        async with running_bot(settings):
            standin.push_text(PRIVATE, "tariff on steel")
            return await standin.wait_for_messages_async(1, chat_id=PRIVATE)

    [reply] = asyncio.run(main())
    assert "<steel> & 'aluminium' rose by 5% </b> overnight" in reply.plain_text
    assert 'Tariffs <b>& "trade"</b>' in reply.plain_text
    assert "Duties & <levies>" in reply.plain_text
    assert "&lt;<b>steel</b>&gt; &amp; " in reply.text
    assert "<b>tariff</b>" in reply.text


def test_context_button_shows_the_passage_in_its_place(standin: BotAPIStandIn, indexed) -> None:
    """The whole passage, marked, between the end of the paragraph before it and the start of
    the one after, each under its section's heading."""
    settings = bot_settings(standin, *indexed)

    async def main():
        async with running_bot(settings):
            standin.push_text(PRIVATE, RAILWAY_QUESTION)
            [reply] = await standin.wait_for_messages_async(1, chat_id=PRIVATE)
            railway = rank_of(reply, "Highlighting the construction")
            standin.push_callback(PRIVATE, reply.message_id, button(reply, f"Context {railway}"))
            await standin.wait_for_messages_async(2, chat_id=PRIVATE)
            # A rank the answer never showed is not another passage.
            standin.push_callback(PRIVATE, reply.message_id, button(reply, "Context 1")[:-1] + "9")
            await until(lambda: len(callback_answers(standin)) == 2)
            return standin.messages_to(PRIVATE)

    reply, context = asyncio.run(main())
    assert context.reply_to_message_id == reply.message_id
    seen = context.plain_text
    assert "This project is seen as a significant step" in seen  # the rest of the passage
    assert "<blockquote>▶ Highlighting the construction" in context.text
    assert "<b>railway</b>" in context.text
    # The end of the paragraph before, under its own heading, and the start of the next.
    before = "Addressing Regional Conflicts and Cooperation\n… The shared positions on Palestine"
    assert before in seen
    assert "The conversation also covered" not in seen  # its start is left out
    assert "\nThe dialogue between Putin and Raeisi not only reinforces" in seen
    assert "Their commitment to strengthening" not in seen and seen.endswith(" …")
    assert seen.index("The shared positions") < seen.index("▶") < seen.index("The dialogue")
    assert callback_answers(standin)[-1]["text"] == render.EXPIRED


def test_inline_mode_offers_an_article_per_passage(standin: BotAPIStandIn, indexed) -> None:
    settings = bot_settings(standin, *indexed, inline_cache_seconds=7)

    async def main():
        async with running_bot(settings):
            standin.push_inline_query(PRIVATE, "railway Raeisi")
            standin.push_inline_query(PRIVATE, "qqqzzz")
            return await standin.wait_for_calls_async("answerInlineQuery", 2)

    calls = asyncio.run(main())
    by_query = {len(c.params.get("results") or []) > 0: c.params for c in calls}
    found, empty = by_query[True], by_query[False]
    results = found["results"]
    assert 1 <= len(results) <= 5
    assert all(r["type"] == "article" for r in results)
    assert len({r["id"] for r in results}) == len(results)
    content = results[0]["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert "<b>railway</b>" in content["message_text"]
    assert "19 March 2024" in content["message_text"]
    assert found["cache_time"] == 7
    assert empty["button"]["start_parameter"] == "help"


def test_start_sources_and_admin_commands(standin: BotAPIStandIn, indexed) -> None:
    corpus, db = indexed
    admin = 555
    settings = bot_settings(standin, corpus, db, admin_user_ids=frozenset({admin}))

    async def main():
        async with running_bot(settings):
            standin.push_text(PRIVATE, "/start")
            [start] = await standin.wait_for_messages_async(1, chat_id=PRIVATE)
            standin.push_text(PRIVATE, "/sources")
            [_, sources] = await standin.wait_for_messages_async(2, chat_id=PRIVATE)
            standin.push_callback(PRIVATE, sources.message_id, button(sources, "Older"))
            [*_, older] = await standin.wait_for_messages_async(3, chat_id=PRIVATE)
            standin.push_text(PRIVATE, "/stats")
            [*_, refused] = await standin.wait_for_messages_async(4, chat_id=PRIVATE)

            # New briefings reach the bot after a reindex, with no restart: one from the
            # command line, one from /reindex.
            standin.push_text(admin, "Ouagadougou")
            await standin.wait_for_messages_async(1, chat_id=admin)
            (corpus / "2024-05-01-sahel.txt").write_text("A summit met in Ouagadougou.\n")
            await asyncio.to_thread(reindex, corpus, db)
            standin.push_text(admin, "Ouagadougou")
            await standin.wait_for_messages_async(2, chat_id=admin)
            (corpus / "2024-05-02-nile.txt").write_text("The dam on the Nile at Aswan.\n")
            standin.push_text(admin, "/reindex")
            await standin.wait_for_messages_async(3, chat_id=admin)
            standin.push_text(admin, "Aswan")
            await standin.wait_for_messages_async(4, chat_id=admin)
            standin.push_text(admin, "/stats")
            await standin.wait_for_messages_async(5, chat_id=admin)
            return start, sources, older, refused, standin.messages_to(admin)

    start, sources, older, refused, admin_messages = asyncio.run(main())
    assert "13 briefings" in start.plain_text
    assert "/summary" in start.plain_text and "/daily 08:00" in start.plain_text
    assert "(dated 2024-01-15 to 2024-04-10)" in start.plain_text
    assert "/ask" in start.plain_text and f"@{BOT_USERNAME}" in start.plain_text
    assert sources.plain_text.startswith("Briefings 1–10 of 13, newest first")
    assert "2024-04-10 Tramway note 9" in sources.plain_text
    assert older.method == "editMessageText" and "11–13 of 13" in older.plain_text
    assert refused.plain_text == "Only the bot's administrators can use /stats."
    before, after, reindexed, aswan, stats = admin_messages
    assert before.plain_text.startswith("No briefing mentions Ouagadougou;")
    assert "Ouagadougou" in after.plain_text and "<b>Ouagadougou</b>" in after.text
    assert "1 added" in reindexed.plain_text and "0 failed" in reindexed.plain_text
    assert "Aswan" in aswan.plain_text
    assert "documents: 15" in stats.plain_text
    assert "3 questions: 2 answered, 1 with nothing to answer them" in stats.plain_text
    admin_scope = {"type": "chat", "chat_id": admin}
    assert {c["command"] for c in standin.commands_for(admin_scope)} >= {"stats", "reindex"}


def test_misspellings_and_nothing_relevant(standin: BotAPIStandIn, indexed) -> None:
    settings = bot_settings(standin, *indexed)

    async def main():
        async with running_bot(settings):
            for n, question in enumerate(
                ["Raisi railwey", "zorblax", "what is it?", "Gaza in 2019"]
            ):
                standin.push_text(PRIVATE, question)
                await standin.wait_for_messages_async(n + 1, chat_id=PRIVATE)
            return standin.messages_to(PRIVATE)

    corrected, unknown, stopwords, dates = asyncio.run(main())
    assert corrected.plain_text.startswith("Showing results for Raeisi and railway.")
    assert "<b>Raeisi</b>" in corrected.text and "<b>railway</b>" in corrected.text
    assert unknown.plain_text == (
        "No briefing mentions zorblax; try other words, or a name or place."
    )
    assert "no words I can look up" in stopwords.plain_text
    # "in 2019" says when, not which briefings: the best answers, saying they are of 2024.
    assert "Nothing in the briefings in 2019 or soon after answers that" in dates.plain_text
    assert [b["text"] for b in unknown.buttons] == ["I expected an answer"]
    assert not stopwords.buttons  # nothing to look up: not a question the briefings could answer


def test_a_question_for_a_days_briefings_and_a_framed_question(
    standin: BotAPIStandIn, indexed
) -> None:
    settings = bot_settings(standin, *indexed)

    async def main():
        async with running_bot(settings):
            for n, question in enumerate(
                ["what happened on 19 March 2024?", "is the railway mentioned?"]
            ):
                standin.push_text(PRIVATE, question)
                await standin.wait_for_messages_async(n + 1, chat_id=PRIVATE)
            return standin.messages_to(PRIVATE)

    day, mentioned = asyncio.run(main())
    assert day.plain_text.startswith("Briefings on 19 March 2024.")
    assert "Russian President Vladimir Putin extended his congratulations" in day.plain_text
    quote = day.text.split("<blockquote>", 1)[1].split("</blockquote>", 1)[0]
    assert quote.startswith("Russian President") and "<b>" not in quote  # nothing to mark
    assert "Highlighting the construction of the Rasht-Astara railway" in mentioned.plain_text
    assert "<b>railway</b>" in mentioned.text


def test_a_greeting_gets_the_help_and_thanks_a_welcome(standin: BotAPIStandIn, indexed) -> None:
    settings = bot_settings(standin, *indexed)

    async def main():
        async with running_bot(settings):
            for n, text in enumerate(["Hello!", "thanks a lot", "hello kitty"]):
                standin.push_text(PRIVATE, text)
                await standin.wait_for_messages_async(n + 1, chat_id=PRIVATE)
            return standin.messages_to(PRIVATE)

    hello, thanks, question = asyncio.run(main())
    assert hello.plain_text.startswith("I answer questions from 13 briefings")
    assert thanks.plain_text == "You're welcome. Ask again any time."
    assert "No briefing mentions hello" in question.plain_text  # a question, not a greeting


def _post_update(port: int, path: str, update: dict, secret: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/{path}",
        data=json.dumps(update).encode(),
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_webhook_mode_serves_updates_with_the_right_secret(standin: BotAPIStandIn, indexed) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = bot_settings(
        standin,
        *indexed,
        webhook_url="https://bot.example.org/briefbot/hook",
        webhook_listen="127.0.0.1",
        webhook_port=port,
        webhook_secret="s3cret-Token_1",
    )
    user = {"id": PRIVATE, "is_bot": False, "first_name": "Ann"}
    message = {"message_id": 5, "date": 0, "chat": {**user, "type": "private"}, "from": user}

    async def main():
        state = State(settings.state_db)
        app = build_application(settings, Index(settings.db), state)
        async with app:
            await app.post_init(app)
            await app.start()
            await app.updater.start_webhook(**webhook_options(settings))
            try:
                forged = {"update_id": 1, "message": {**message, "text": "Gaza"}}
                real = {"update_id": 2, "message": {**message, "text": RAILWAY_QUESTION}}
                refused = await asyncio.to_thread(_post_update, port, "briefbot/hook", forged, "x")
                accepted = await asyncio.to_thread(
                    _post_update, port, "briefbot/hook", real, "s3cret-Token_1"
                )
                replies = await standin.wait_for_messages_async(1, chat_id=PRIVATE)
                await asyncio.sleep(0.2)  # time for a forged update to be (wrongly) answered
            finally:
                await app.updater.stop()
                await app.stop()
        state.close()
        return refused, accepted, replies

    refused, accepted, replies = asyncio.run(main())
    assert (refused, accepted) == (403, 200)
    assert len(standin.messages_to(PRIVATE)) == 1 and "<b>railway</b>" in replies[0].text
    [hook] = standin.calls_to("setWebhook")
    assert hook.params["url"] == "https://bot.example.org/briefbot/hook"
    assert hook.params["secret_token"] == "s3cret-Token_1"
