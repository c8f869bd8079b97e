"""Tests for the Bot API stand-in, driven by the real python-telegram-bot client.

They double as usage examples: pytest-asyncio is not available, so each test runs its
coroutine with ``asyncio.run`` while the stand-in serves from its own thread.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from botapi import (
    BOT_ID,
    BOT_USERNAME,
    DEFAULT_USER_ID,
    BotAPIStandIn,
    standin_fixture,  # noqa: F401  (provides the ``standin`` fixture)
)
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

TOKEN = "123:ABC"


def _raw_call(standin: BotAPIStandIn, method: str, *, data: bytes | None = None, **headers) -> dict:
    """POST straight to the stand-in (bypassing PTB) and return the decoded JSON answer."""
    request = urllib.request.Request(
        f"{standin.base_url}{TOKEN}/{method}", data=data or b"", headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        return json.load(error)


async def _run_polling(app: Application, body) -> None:
    """Run ``body()`` while ``app`` polls the stand-in, then shut everything down cleanly."""
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            await body()
        finally:
            await app.updater.stop()
            await app.stop()


def test_get_me_round_trip(standin: BotAPIStandIn) -> None:
    async def main():
        async with standin.bot(TOKEN) as bot:  # initialize() itself calls getMe
            return await bot.get_me()

    me = asyncio.run(main())

    assert me.id == BOT_ID
    assert me.username == BOT_USERNAME
    assert me.first_name == "briefbot"
    assert me.can_join_groups and me.supports_inline_queries
    assert me.can_read_all_group_messages is False
    assert len(standin.calls_to("getMe")) == 2
    assert standin.token == TOKEN
    assert TOKEN not in repr(standin)


def test_echo_through_polling_application(standin: BotAPIStandIn) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more:1")]])
        await update.message.reply_text(
            f"<b>You said:</b> {update.message.text}",
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
            do_quote=True,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )

    app = ApplicationBuilder().token(TOKEN).base_url(standin.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))

    async def body():
        await app.bot.set_my_commands([BotCommand("ask", "Ask a question")])
        standin.push_text(42, "hello there")
        return await standin.wait_for_messages_async(1, timeout=5)

    started = time.monotonic()
    asyncio.run(_run_polling(app, body))
    assert time.monotonic() - started < 5

    [reply] = standin.messages_to(42)
    assert reply.method == "sendMessage"
    assert reply.text == "<b>You said:</b> hello there"
    assert reply.plain_text == "You said: hello there"
    assert reply.parse_mode == "HTML"
    assert reply.reply_markup == {
        "inline_keyboard": [[{"text": "More", "callback_data": "more:1"}]]
    }
    assert reply.buttons[0]["callback_data"] == "more:1"
    assert reply.reply_to_message_id == 1  # the pushed message, first in this chat
    assert reply.disable_web_page_preview is True
    assert reply.message_id == 2  # ids are shared between the user's and the bot's messages
    assert standin.commands_for() == [{"command": "ask", "description": "Ask a question"}]
    assert standin.calls_to("setMyCommands")
    assert standin.calls_to("deleteWebhook")
    assert standin.pending_updates == []  # stopping the updater confirmed the offset


# AIORateLimiter itself reads the deprecated int form of RetryAfter.retry_after.
@pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
def test_rate_limited_send_is_retried(standin: BotAPIStandIn) -> None:
    app = standin.application_builder(TOKEN).rate_limiter(AIORateLimiter(max_retries=2)).build()
    standin.fail_next("sendMessage", status=429, retry_after=1)

    async def main():
        async with app:
            return await app.bot.send_message(7, "after the wait")

    started = time.monotonic()
    message = asyncio.run(main())
    elapsed = time.monotonic() - started

    assert message.text == "after the wait"
    assert [c.status for c in standin.calls_to("sendMessage")] == [429, 200]
    assert 1.0 <= elapsed < 4
    assert [m.text for m in standin.sent] == ["after the wait"]


def test_429_body_matches_telegram(standin: BotAPIStandIn) -> None:
    standin.fail_next("sendMessage", status=429, retry_after=3)
    answer = _raw_call(standin, "sendMessage", data=b"chat_id=1&text=x")
    assert answer == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }


def test_server_error_once_then_success(standin: BotAPIStandIn) -> None:
    standin.fail_next("sendMessage", status=500)

    async def main():
        async with standin.bot(TOKEN) as bot:
            with pytest.raises(NetworkError, match="Internal Server Error"):
                await bot.send_message(9, "first")
            return await bot.send_message(9, "second")

    message = asyncio.run(main())
    assert message.message_id == 1  # the failed call allocated nothing
    assert [c.status for c in standin.calls_to("sendMessage")] == [500, 200]
    assert [m.text for m in standin.messages_to(9)] == ["second"]


def test_drop_delay_and_forbidden(standin: BotAPIStandIn) -> None:
    standin.forbidden_chats.add(13)
    standin.drop_next("sendMessage")
    standin.delay_next("getChat", 1.0)

    async def main():
        async with standin.bot(TOKEN) as bot:
            with pytest.raises(NetworkError):
                await bot.send_message(12, "dropped")
            with pytest.raises(TimedOut):
                await bot.get_chat(12, read_timeout=0.2)
            with pytest.raises(Forbidden, match="bot was blocked by the user"):
                await bot.send_message(13, "blocked")
            return await bot.send_message(12, "fine")

    assert asyncio.run(main()).text == "fine"
    assert [c.status for c in standin.calls_to("sendMessage")] == [None, 403, 200]


def test_unknown_method_and_request_encodings(standin: BotAPIStandIn) -> None:
    assert _raw_call(standin, "fooBar") == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found: method not found",
    }

    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    as_json = json.dumps({"chat_id": 5, "text": "json body", "reply_markup": markup}).encode()
    assert _raw_call(standin, "sendMessage", data=as_json, **{"Content-Type": "application/json"})[
        "ok"
    ]
    form = urllib.parse.urlencode(
        {"chat_id": "5", "text": "123", "reply_markup": json.dumps(markup)}
    ).encode()
    assert _raw_call(standin, "sendmessage", data=form)["ok"]  # method names ignore case
    boundary = "XyZ"
    parts = [("chat_id", "5"), ("text", "multipart"), ("reply_markup", json.dumps(markup))]
    multipart = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in parts
    )
    multipart_body = (multipart + f"--{boundary}--\r\n").encode()
    content_type = f"multipart/form-data; boundary={boundary}"
    assert _raw_call(standin, "sendMessage", data=multipart_body, **{"Content-Type": content_type})[
        "ok"
    ]

    records = standin.wait_for_messages(3)
    assert [r.text for r in records] == ["json body", "123", "multipart"]
    assert all(r.chat_id == 5 and r.reply_markup == markup for r in records)
    assert [r.message_id for r in records] == [1, 2, 3]


def test_pushed_updates_parse_in_ptb(standin: BotAPIStandIn) -> None:
    async def main():
        async with standin.bot(TOKEN) as bot:
            sent = await bot.send_message(-1001, "pick one")
            [record] = standin.messages_to(-1001)
            standin.push_text(
                -1001,
                f"/ask@{BOT_USERNAME} what is 😀 @someone",
                chat_type="supergroup",
                chat_title="Briefing room",
            )
            standin.push_text(-1001, "thanks", reply_to_message=record)
            standin.push_callback(-1001, sent.message_id, "choice:2")
            standin.push_inline_query(77, "budget")
            standin.push_migration(-5, -1005)
            standin.push_my_chat_member(-1001, "kicked")
            return await bot.get_updates(timeout=0)

    command, reply, callback, inline, migration, kicked = asyncio.run(main())

    assert command.effective_chat.title == "Briefing room"
    assert command.effective_user.id == DEFAULT_USER_ID
    entities = command.message.parse_entities()
    assert list(entities.values()) == [f"/ask@{BOT_USERNAME}", "@someone"]
    assert next(iter(entities)).type == MessageEntity.BOT_COMMAND
    assert reply.message.reply_to_message.from_user.id == BOT_ID
    assert callback.callback_query.data == "choice:2"
    assert callback.callback_query.message.text == "pick one"
    assert inline.inline_query.query == "budget" and inline.inline_query.from_user.id == 77
    assert migration.message.migrate_to_chat_id == -1005
    assert kicked.my_chat_member.new_chat_member.status == "kicked"
    assert [u.update_id for u in (command, kicked)] == [1, 6]


def test_privacy_mode_hides_plain_group_chatter(standin: BotAPIStandIn) -> None:
    assert standin.push_text(-300, "just chatting", chat_type="group") is None
    assert standin.push_text(-300, f"hey @{BOT_USERNAME}", chat_type="group") is not None
    assert len(standin.hidden) == 1
    standin.set_admins(-300, BOT_ID)  # admin bots see everything
    assert standin.push_text(-300, "just chatting", chat_type="group") is not None


def test_long_poll_waits_and_honours_offset(standin: BotAPIStandIn) -> None:
    async def main():
        async with standin.bot(TOKEN) as bot:
            started = time.monotonic()
            assert await bot.get_updates(timeout=1) == ()
            waited = time.monotonic() - started

            threading.Timer(0.2, standin.push_text, args=(8, "late")).start()
            started = time.monotonic()
            [update] = await bot.get_updates(timeout=5)
            woke_after = time.monotonic() - started

            again = await bot.get_updates(timeout=0)  # not confirmed yet
            confirmed = await bot.get_updates(offset=update.update_id + 1, timeout=0)
            return waited, woke_after, update, again, confirmed

    waited, woke_after, update, again, confirmed = asyncio.run(main())
    assert 0.9 <= waited < 2
    assert woke_after < 1
    assert update.message.text == "late"
    assert [u.update_id for u in again] == [update.update_id]
    assert confirmed == ()
    assert standin.pending_updates == []


def test_callback_answer_and_edits(standin: BotAPIStandIn) -> None:
    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer("Loading")
        await query.edit_message_text(f"Chose {query.data}")

    app = standin.application_builder(TOKEN).build()
    app.add_handler(CallbackQueryHandler(on_button))

    async def body():
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Two", callback_data="2")]])
        sent = await app.bot.send_message(21, "Pick", reply_markup=keyboard)
        standin.push_callback(21, sent.message_id, "2")
        await standin.wait_for_messages_async(2)
        with pytest.raises(BadRequest, match="(?i)message is not modified"):
            await app.bot.edit_message_text("Chose 2", chat_id=21, message_id=sent.message_id)
        await app.bot.edit_message_reply_markup(21, sent.message_id, reply_markup=keyboard)

    asyncio.run(_run_polling(app, body))

    first, edit, markup_edit = standin.messages_to(21)
    assert edit.method == "editMessageText"
    assert edit.message_id == first.message_id
    assert edit.text == "Chose 2"
    assert edit.reply_markup is None  # the edit dropped the keyboard, as Telegram does
    assert markup_edit.method == "editMessageReplyMarkup"
    assert markup_edit.text == "Chose 2" and markup_edit.buttons[0]["callback_data"] == "2"
    [answer] = standin.calls_to("answerCallbackQuery")
    assert answer.params["text"] == "Loading" and answer.status == 200


def test_refusals_bots_must_handle(standin: BotAPIStandIn) -> None:
    standin.push_migration(-40, -10040)
    standin.push_my_chat_member(44, "kicked")  # a private chat: the user blocked the bot
    standin.push_inline_query(5, "q")

    async def main():
        async with standin.bot(TOKEN) as bot:
            with pytest.raises(ChatMigrated) as migrated:
                await bot.send_message(-40, "hi")
            assert migrated.value.new_chat_id == -10040
            with pytest.raises(Forbidden, match="blocked by the user"):
                await bot.send_message(44, "hi")
            with pytest.raises(BadRequest, match="unsupported start tag"):
                await bot.send_message(1, "a < b", parse_mode=ParseMode.HTML)
            with pytest.raises(BadRequest, match="reserved"):
                await bot.send_message(1, "Done.", parse_mode=ParseMode.MARKDOWN_V2)
            await bot.send_message(1, "Done\\. *bold*", parse_mode=ParseMode.MARKDOWN_V2)
            with pytest.raises(BadRequest, match="(?i)message is too long"):
                await bot.send_message(1, "x" * 4097)
            with pytest.raises(BadRequest):
                await bot.set_my_commands([BotCommand("Ask", "uppercase is invalid")])
            [update] = await bot.get_updates(allowed_updates=["inline_query"])
            result = InlineQueryResultArticle("r1", "Title", InputTextMessageContent("body"))
            assert await bot.answer_inline_query(update.inline_query.id, [result])
            assert await bot.send_chat_action(1, "typing")
            assert await bot.delete_my_commands()
            assert await bot.get_my_commands() == ()
            assert await bot.close() and await bot.log_out()

    asyncio.run(main())
    assert standin.messages_to(1)[0].plain_text == "Done. bold"


def test_admin_lookup_is_configurable(standin: BotAPIStandIn) -> None:
    standin.set_admins(-100500, 11, 12, owner=10)

    async def main():
        async with standin.bot(TOKEN) as bot:
            statuses = [(await bot.get_chat_member(-100500, uid)).status for uid in (10, 11, 99)]
            admins = await bot.get_chat_administrators(-100500)
            chat = await bot.get_chat(-100500)
            return statuses, admins, chat

    statuses, admins, chat = asyncio.run(main())
    assert statuses == ["creator", "administrator", "member"]
    assert [m.user.id for m in admins] == [10, 11, 12]
    assert chat.type == "supergroup"


def test_async_context_manager_and_sync_wait() -> None:
    async def main():
        async with BotAPIStandIn() as standin:
            async with standin.bot(TOKEN) as bot:
                await bot.send_message(3, "from async code")
            return standin

    standin = asyncio.run(main())
    assert not standin.running
    assert [m.text for m in standin.sent] == ["from async code"]

    with BotAPIStandIn() as standin:
        # The bot runs in another thread; the test thread blocks on the recorded message.
        sender = threading.Thread(
            target=lambda: asyncio.run(_send_later(standin, 0.2)), daemon=True
        )
        sender.start()
        [record] = standin.wait_for_messages(1, timeout=5, chat_id=4)
        sender.join(5)
        assert record.text == "later"
        with pytest.raises(TimeoutError, match="waiting for 2 message"):
            standin.wait_for_messages(2, timeout=0.1)
        standin.clear()
        assert standin.sent == [] and standin.calls == []


async def _send_later(standin: BotAPIStandIn, delay: float) -> None:
    await asyncio.sleep(delay)
    async with standin.bot(TOKEN) as bot:
        await bot.send_message(4, "later")


FORUM = -1007000


def test_forum_topics_as_telegram_has_them(standin: BotAPIStandIn) -> None:
    """Messages in topics carry their topic, replies follow their message into its topic, a
    reply in the General topic names a thread that is no topic, and closed or deleted topics
    refuse posts with Telegram's errors."""
    standin.make_forum(FORUM, title="Desk")
    rail = standin.open_topic(FORUM, "Railways")
    gas = standin.open_topic(FORUM, "Gas")

    async def main():
        async with standin.bot(TOKEN) as bot:
            standin.push_text(FORUM, "/ask trains", thread_id=rail)
            standin.push_text(FORUM, "/ask anything")
            *opened, asked, general = await bot.get_updates(timeout=0)
            named = await bot.send_message(FORUM, "named", message_thread_id=rail)
            followed = await bot.send_message(
                FORUM, "followed", reply_parameters=ReplyParameters(asked.message.message_id)
            )
            in_general = await bot.send_message(FORUM, "general")
            standin.push_text(FORUM, "and then?", reply_to_message=in_general.message_id)
            [*_, reply] = await bot.get_updates(offset=general.update_id + 1, timeout=0)
            with pytest.raises(BadRequest, match="(?i)message thread not found"):
                await bot.send_message(
                    FORUM, "x", message_thread_id=reply.message.message_thread_id
                )
            standin.close_topic(FORUM, rail)
            with pytest.raises(BadRequest, match="(?i)^topic_closed$"):
                await bot.send_message(FORUM, "x", message_thread_id=rail)
            with pytest.raises(BadRequest, match="(?i)^topic_closed$"):  # a reply goes there too
                await bot.send_message(
                    FORUM, "x", reply_parameters=ReplyParameters(asked.message.message_id)
                )
            standin.delete_topic(FORUM, gas)
            with pytest.raises(BadRequest, match="(?i)message thread not found"):
                await bot.send_message(FORUM, "x", message_thread_id=gas)
            standin.close_general_topic(FORUM)
            with pytest.raises(BadRequest, match="(?i)^topic_closed$"):
                await bot.send_message(FORUM, "x")
            standin.set_admins(FORUM, BOT_ID)  # administrators still post in closed topics
            await bot.send_message(FORUM, "as admin", message_thread_id=rail)
            return opened, asked, general, named, followed, in_general, reply

    opened, asked, general, named, followed, in_general, reply = asyncio.run(main())
    assert [u.message.forum_topic_created.name for u in opened] == ["Railways", "Gas"]
    assert [u.message.message_thread_id for u in opened] == [rail, gas]
    assert asked.message.chat.is_forum
    assert asked.message.is_topic_message and asked.message.message_thread_id == rail
    assert asked.message.reply_to_message.forum_topic_created.name == "Railways"
    assert not general.message.is_topic_message and general.message.message_thread_id is None
    assert named.is_topic_message and named.message_thread_id == rail
    assert followed.message_thread_id == rail and followed.is_topic_message
    assert in_general.message_thread_id is None
    assert not reply.message.is_topic_message
    assert reply.message.message_thread_id == in_general.message_id
    where = {m.text: m.message_thread_id for m in standin.messages_to(FORUM)}
    assert where == {"named": rail, "followed": rail, "general": None, "as admin": rail}
    assert [m.text for m in standin.messages_in_topic(FORUM, rail)] == [
        "named",
        "followed",
        "as admin",
    ]
