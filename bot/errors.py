"""One place for every error a handler or a job raises (PTB's error handler): it is logged with
the update it came from, and the person is told something went wrong, never what.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import ChatMigrated, Forbidden, NetworkError, TelegramError
from telegram.ext import Application, ContextTypes

from index import IndexMissing

from . import render
from .services import services
from .topics import thread_of

log = logging.getLogger("briefbot.bot")

Context = ContextTypes.DEFAULT_TYPE

INDEX_UNAVAILABLE = (
    "The briefings can't be read right now (the index is missing or being rebuilt)."
    " Please try again in a few minutes."
)


def register(app: Application) -> None:
    """The error handler, for every update and job."""
    app.add_error_handler(on_error)


def _describe(update: object) -> str:
    """Enough about an update to find it again, without the whole message."""
    if not isinstance(update, Update):
        return repr(update)[:200] if update is not None else "no update (a background task)"
    chat, user = update.effective_chat, update.effective_user
    kind = next(
        (
            name
            for name in ("message", "edited_message", "callback_query", "inline_query")
            if getattr(update, name) is not None
        ),
        "other",
    )
    text = ""
    if update.effective_message is not None and update.effective_message.text:
        text = update.effective_message.text
    elif update.callback_query is not None:
        text = update.callback_query.data or ""
    elif update.inline_query is not None:
        text = update.inline_query.query
    return (
        f"update {update.update_id} ({kind}) in chat {chat.id if chat else '-'}"
        f" from user {user.id if user else '-'}: {text[:80]!r}"
    )


async def on_error(update: object, context: Context) -> None:
    """Log the error with the update it came from, and tell the person something went wrong
    (never what, and never a stack trace). A chat that removed the bot or became a supergroup
    is no error: the state file follows it."""
    error = context.error
    svc = services(context)
    chat = update.effective_chat if isinstance(update, Update) else None
    if isinstance(error, Forbidden) and chat is not None:
        log.info("chat %s removed or blocked the bot (%s); forgetting it", chat.id, error)
        await svc.run(svc.state.forget_chat, chat.id)
        return
    if isinstance(error, ChatMigrated) and chat is not None:
        log.info("chat %s became supergroup %s", chat.id, error.new_chat_id)
        await svc.run(svc.state.migrate_chat, chat.id, error.new_chat_id)
        return
    if isinstance(error, NetworkError) and not isinstance(update, Update):
        log.warning("trouble reaching Telegram: %s", error)
        return
    if isinstance(error, IndexMissing):
        log.error("%s while handling %s", error, _describe(update))
        text = INDEX_UNAVAILABLE
    else:
        log.error("error while handling %s", _describe(update), exc_info=error)
        text = render.SOMETHING_WENT_WRONG
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif chat is not None and update.inline_query is None:
            await context.bot.send_message(
                chat.id,
                render.esc(text),
                parse_mode=ParseMode.HTML,
                message_thread_id=thread_of(update),
            )
    except TelegramError as exc:
        log.warning("could not tell chat %s about the error: %s", chat.id if chat else "-", exc)
