"""Everything the bot sends goes through here: HTML messages in order (`send`), "typing…"
while an answer is worked on (`typing`), the notice to a chat that sends faster than anyone
reads (`too_fast`), and the retries of a request that failed for want of Telegram
(`RateLimiter`, which `app` installs).

`send` is where a chat's going is noticed: a group that became a supergroup is followed, a
chat that removed the bot and a topic that was closed or deleted are forgotten, so every
feature that posts (answers, daily summaries, followed subjects) keeps the state file right
without checking for itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from telegram import InlineKeyboardMarkup, Message, ReplyParameters, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, TelegramError
from telegram.ext import AIORateLimiter, ContextTypes

from . import render
from .services import Services, services
from .state import forget_topic
from .topics import thread_of, topic_gone

log = logging.getLogger("briefbot.bot")

Context = ContextTypes.DEFAULT_TYPE

#: How long the reply waits for a "typing…" request in flight before going out anyway.
TYPING_WAIT = 1.0
#: "typing…" shows for about 5 s; it is sent again this often while the work goes on.
TYPING_EVERY = 4.0
#: Pauses (seconds) before each new try of a request that failed for want of Telegram: a 5xx
#: answer, a dropped connection, a timeout. Together they ride out a restart of the Bot API
#: server or a proxy; a question whose reply still fails gets the error handler's apology.
NETWORK_RETRIES = (0.5, 1.0, 2.0, 4.0, 8.0)

TOO_FAST = (
    "One moment, I'm still answering your earlier questions. Questions sent meanwhile are"
    " skipped, so please ask those again once my answers are in."
)


async def send(
    context: Context,
    chat_id: int,
    texts: list[str],
    *,
    reply_to: int | None = None,
    keyboard: InlineKeyboardMarkup | None = None,
    thread: int | None = None,
) -> list[Message]:
    """Send HTML messages in order, the keyboard on the last, the first replying to
    `reply_to`, all in the forum topic `thread` (`topics.thread_of`; without it a message
    goes to the General topic, wherever it was asked). A group that became a supergroup is
    followed to its new id; a chat that removed or blocked the bot is forgotten and sent
    nothing more, and so is a topic that was closed or deleted (only that topic)."""
    svc = services(context)
    sent: list[Message] = []
    for i, text in enumerate(texts):
        kwargs = {
            "parse_mode": ParseMode.HTML,
            "link_preview_options": render.NO_PREVIEW,
            "reply_markup": keyboard if i == len(texts) - 1 else None,
            "message_thread_id": thread,
        }
        if reply_to is not None and i == 0:
            kwargs["reply_parameters"] = ReplyParameters(reply_to, allow_sending_without_reply=True)
        try:
            sent.append(await context.bot.send_message(chat_id, text, **kwargs))
        except ChatMigrated as exc:
            log.info("chat %s became supergroup %s", chat_id, exc.new_chat_id)
            await svc.run(svc.state.migrate_chat, chat_id, exc.new_chat_id)
            chat_id = exc.new_chat_id
            kwargs.pop("reply_parameters", None)
            sent.append(await context.bot.send_message(chat_id, text, **kwargs))
        except Forbidden as exc:
            log.info("chat %s removed or blocked the bot (%s); forgetting it", chat_id, exc)
            await svc.run(svc.state.forget_chat, chat_id)
            break
        except BadRequest as exc:
            if not topic_gone(exc):
                raise
            await _forget_topic(svc, chat_id, thread, exc)
            break
    return sent


async def _forget_topic(svc: Services, chat_id: int, thread: int | None, error: Exception) -> None:
    """A topic that was closed or deleted: what was set in it stops, as for a chat that
    removed the bot, and the group's other topics go on."""
    where = f"topic {thread}" if thread is not None else "the General topic"
    log.info("%s of chat %s was closed or deleted (%s); forgetting it", where, chat_id, error)
    await svc.run(forget_topic, svc.state, chat_id, thread)


def in_group_reply_to(update: Update) -> int | None:
    """The message a reply to a command goes under: in a group, the command itself, so that
    the person who asked finds the reply among everyone else's messages; in a private chat,
    none (the reply follows the command anyway)."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or chat.type == ChatType.PRIVATE or message is None:
        return None
    return message.message_id


async def too_fast(update: Update, context: Context) -> None:
    """Tell a chat sending questions faster than anyone reads the answers to wait; the
    questions it sends meanwhile are dropped (`turns`), and it is told once, not for each."""
    chat, message = update.effective_chat, update.effective_message
    log.info("chat %s is sending questions too fast; dropping them for now", chat.id)
    text = [render.esc(TOO_FAST)]
    await send(context, chat.id, text, reply_to=message.message_id, thread=thread_of(update))


async def _typing(context: Context, chat_id: int, thread: int | None = None) -> None:
    try:
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=thread)
    except TelegramError as exc:  # only a courtesy; the reply itself reports real trouble
        log.debug("typing action failed in chat %s: %s", chat_id, exc)


@contextlib.asynccontextmanager
async def typing(context: Context, chat_id: int, thread: int | None = None) -> AsyncIterator[None]:
    """Show "typing…" (in the forum topic `thread`) while the body works, once it has taken
    a noticeable time (Telegram asks bots to send it only then), renewed until the body ends.
    A quick answer sends no extra request, which under load is a third of the bot's HTTP
    calls."""
    svc = services(context)
    done = asyncio.Event()
    task: asyncio.Task | None = None

    async def keep_typing() -> None:
        while not done.is_set():
            await _typing(context, chat_id, thread)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), TYPING_EVERY)

    def start() -> None:
        nonlocal task
        task = asyncio.ensure_future(keep_typing())

    timer = asyncio.get_running_loop().call_later(svc.typing_after, start)
    try:
        yield
    finally:
        timer.cancel()
        done.set()
        if task is not None:  # let a request in flight land before the reply, not after
            finished, _ = await asyncio.wait({task}, timeout=TYPING_WAIT)
            if not finished:
                task.cancel()


class RateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter, honouring flood control (429 retry_after) with retries, and
    trying again after network errors and server errors (PTB does neither by itself), except
    that "typing…" is neither limited nor retried: it does not use up the budget of a group's
    20 messages a minute, and one lost is harmless.

    A request that timed out after Telegram acted on it would be sent twice by a retry;
    Telegram offers no way to tell, and a reply sent twice is better than one never sent."""

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args) -> Any:
        if endpoint == "sendChatAction":
            return await callback(*args, **kwargs)
        for pause in (*NETWORK_RETRIES, None):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:  # a NetworkError in PTB, but the request itself is at fault
                raise
            except NetworkError as exc:
                if pause is None:
                    raise
                log.warning("%s failed (%s); trying again in %.1f s", endpoint, exc, pause)
                await asyncio.sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover
