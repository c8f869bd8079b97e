"""What the bot knows and how to ask it: `/start` and `/help`, `/sources` with its paging
buttons, and a command nobody handles, which in a private chat points to /help.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from index import browse

from . import render
from .sending import in_group_reply_to, send
from .services import Services, services
from .topics import thread_of

Context = ContextTypes.DEFAULT_TYPE

#: An unknown command is named back up to this many characters.
MAX_COMMAND = 40
UNKNOWN_COMMAND = "I don't know {command}. Send /help to see what I can do."


def register(app: Application) -> None:
    """/start, /help, /sources and its buttons; unknown commands after every other handler
    (group 1), so that it can tell which commands the other features took."""
    message = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler(("start", "help"), help_command, filters=message))
    app.add_handler(CommandHandler("sources", sources_command, filters=message))
    app.add_handler(CallbackQueryHandler(sources_button, pattern=r"^src:\d{1,6}$"))
    app.add_handler(MessageHandler(message & filters.COMMAND, unknown_command), group=1)


async def help_text(context: Context, group: bool) -> str:
    """The help, with what the index holds now (briefings and their dates)."""
    svc = services(context)

    def overview():
        with svc.index.connected() as conn:
            return browse.overview(conn)

    return render.help_message(await svc.run(overview), context.bot.username, group)


async def help_command(update: Update, context: Context) -> None:
    chat = update.effective_chat
    text = await help_text(context, chat.type != ChatType.PRIVATE)
    await send(
        context, chat.id, [text], reply_to=in_group_reply_to(update), thread=thread_of(update)
    )


def _sources(svc: Services, offset: int) -> tuple[list[browse.Briefing], int]:
    with svc.index.connected() as conn:
        total = browse.overview(conn).documents
        return browse.briefings(conn, render.SOURCES_PER_PAGE, offset), total


async def sources_command(update: Update, context: Context) -> None:
    svc = services(context)
    briefings, total = await svc.run(_sources, svc, 0)
    await send(
        context,
        update.effective_chat.id,
        [render.sources_page(briefings, 0, total)],
        reply_to=in_group_reply_to(update),
        keyboard=render.sources_keyboard(0, total),
        thread=thread_of(update),
    )


async def sources_button(update: Update, context: Context) -> None:
    svc = services(context)
    query = update.callback_query
    offset = int(query.data.split(":")[1])
    briefings, total = await svc.run(_sources, svc, offset)
    await query.answer()
    if not briefings:
        offset, (briefings, total) = 0, await svc.run(_sources, svc, 0)
    try:
        await query.edit_message_text(
            render.sources_page(briefings, offset, total),
            parse_mode=ParseMode.HTML,
            reply_markup=render.sources_keyboard(offset, total),
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def unknown_command(update: Update, context: Context) -> None:
    """A command no handler takes. In a private chat it can only be meant for this bot, which
    points to /help; in a group it may be another bot's, so it is left alone. It runs after
    the other handlers (group 1), for every command, so it steps aside when one of them took
    it (including those other modules register)."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    for handler in context.application.handlers.get(0, []):
        if isinstance(handler, CommandHandler) and handler.check_update(update):
            return
    command = (message.text or "/").split(maxsplit=1)[0].partition("@")[0]
    if len(command) > MAX_COMMAND:  # Telegram's own commands are at most 32 characters
        command = command[:MAX_COMMAND] + "…"
    text = UNKNOWN_COMMAND.format(command=command)
    await send(
        context, chat.id, [render.esc(text)], reply_to=message.message_id, thread=thread_of(update)
    )
