"""Which chats the bot serves, and chats coming and going: the allow-list, checked for every
update before any feature sees it; the note of the chats that use the bot; a group that
becomes a supergroup; the bot added to a group (it introduces itself) or removed from a chat
(what the chat set is forgotten).
"""

from __future__ import annotations

import logging
import time

from telegram import Chat, InlineQueryResultsButton, Update, User
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from . import render
from .help import help_text
from .sending import send
from .services import Services, services
from .topics import thread_of

log = logging.getLogger("briefbot.bot")

Context = ContextTypes.DEFAULT_TYPE

#: Chats are written to the state file at most this often (seconds), not on every message.
BOOKKEEPING_EVERY = 3600.0

REFUSAL = (
    "Sorry, this bot only answers in the chats it was set up for, and this is not one of them."
    " If you run it, add {chat_id} to ALLOWED_CHAT_IDS."
)
REFUSAL_SHORT = "Sorry, this bot only answers in the chats it was set up for."


def register(app: Application) -> None:
    """The gatekeeper first (group -1) for every update, so the allow-list covers everything,
    including the handlers other features register; then migrations and membership."""
    app.add_handler(TypeHandler(Update, gatekeeper), group=-1)
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, migrated))
    app.add_handler(ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER))


def _allowed(svc: Services, chat: Chat | None, user: User | None) -> bool:
    allowed = svc.settings.allowed_chat_ids
    if not allowed:
        return True
    admins = svc.settings.admin_user_ids
    if chat is None:  # inline queries: the user is the one asking
        return user is not None and (user.id in allowed or user.id in admins)
    if chat.id in allowed:
        return True
    if chat.type == ChatType.PRIVATE and user is not None and user.id in admins:
        return True
    return svc.state.migrated_from(chat.id) in allowed


async def gatekeeper(update: Update, context: Context) -> None:
    """Refuse chats outside the allow-list (once per chat, politely, with no data) and note
    the chats that use the bot."""
    svc = services(context)
    chat, user = update.effective_chat, update.effective_user
    if not _allowed(svc, chat, user):
        await _refuse(update, context, svc)
        raise ApplicationHandlerStop
    if chat is not None and time.monotonic() - svc.seen.get(chat.id, -1e9) > BOOKKEEPING_EVERY:
        svc.seen[chat.id] = time.monotonic()
        title = chat.title if chat.type != ChatType.PRIVATE else None
        remember = svc.run(svc.state.remember_chat, chat.id, chat.type, title)
        if update.message is not None and update.message.text is not None:
            # Not awaited for a text: the chat's next message must not overtake this one on
            # its way to the chat's queue of questions (bot/turns.py).
            context.application.create_task(remember, update=update)
        else:  # a chat leaving or migrating is noted only once this is
            await remember


async def _refuse(update: Update, context: Context, svc: Services) -> None:
    if update.inline_query:
        button = InlineQueryResultsButton(text=REFUSAL_SHORT, start_parameter="private")
        await update.inline_query.answer([], cache_time=300, is_personal=True, button=button)
        return
    if update.callback_query:
        await update.callback_query.answer(REFUSAL_SHORT, show_alert=True)
        return
    chat = update.effective_chat
    if chat is None:
        return
    member = update.my_chat_member
    if member and member.new_chat_member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        return  # it can't be told anything now
    title = chat.title if chat.type != ChatType.PRIVATE else None
    if await svc.run(svc.state.refuse_once, chat.id, chat.type, title):
        log.info("refused chat %s (%s): not in ALLOWED_CHAT_IDS", chat.id, chat.type)
        text = render.esc(REFUSAL.format(chat_id=chat.id))
        await send(context, chat.id, [text], thread=thread_of(update))


async def migrated(update: Update, context: Context) -> None:
    """A group became a supergroup: its state moves to the new id."""
    svc = services(context)
    message = update.effective_message
    if message.migrate_to_chat_id:
        old, new = message.chat_id, message.migrate_to_chat_id
    else:
        old, new = message.migrate_from_chat_id, message.chat_id
    log.info("chat %s became supergroup %s", old, new)
    await svc.run(svc.state.migrate_chat, old, new)
    svc.seen.pop(old, None)
    context.application.migrate_chat_data(old_chat_id=old, new_chat_id=new)


async def membership(update: Update, context: Context) -> None:
    """The bot was added to or removed from a chat (or blocked in a private chat)."""
    svc = services(context)
    change = update.my_chat_member
    chat = change.chat
    gone = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
    new, old = change.new_chat_member.status, change.old_chat_member.status
    if new in gone:
        log.info("removed from chat %s (%s)", chat.id, new)
        svc.seen.pop(chat.id, None)
        await svc.run(svc.state.forget_chat, chat.id)
        return
    if old in gone and chat.type != ChatType.PRIVATE:
        await svc.run(svc.state.remember_chat, chat.id, chat.type, chat.title)
        await send(context, chat.id, [await help_text(context, group=True)])
