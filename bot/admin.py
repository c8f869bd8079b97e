"""The bot's administrators' commands (`ADMIN_USER_IDS`): `/stats` and `/reindex`. Anyone
else is told the command is theirs only, in a private chat or a group alike.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from index import ReindexBusy, reindex

from . import render, votes
from .sending import send, typing
from .services import services
from .topics import thread_of

log = logging.getLogger("briefbot.bot")

Context = ContextTypes.DEFAULT_TYPE

ADMINS_ONLY = "Only the bot's administrators can use /{command}."


def register(app: Application) -> None:
    """/stats and /reindex."""
    message = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("stats", stats_command, filters=message))
    app.add_handler(CommandHandler("reindex", reindex_command, filters=message))


async def _refused(update: Update, context: Context, command: str) -> bool:
    """Whether `command` was sent by someone other than the bot's administrators, who is then
    told it is theirs only."""
    user = update.effective_user
    if user is not None and user.id in services(context).settings.admin_user_ids:
        return False
    text = render.esc(ADMINS_ONLY.format(command=command))
    await send(context, update.effective_chat.id, [text], thread=thread_of(update))
    return True


async def stats_command(update: Update, context: Context) -> None:
    svc = services(context)
    chat, thread = update.effective_chat, thread_of(update)
    if await _refused(update, context, "stats"):
        return
    stats = await svc.run(svc.index.stats)
    counts = await svc.run(svc.state.counts)
    texts = await votes.with_feedback(svc, render.stats_message(stats, counts))
    await send(context, chat.id, texts, thread=thread)


async def reindex_command(update: Update, context: Context) -> None:
    """The incremental reindex the CLI runs, in a thread of its own so questions go on being
    answered meanwhile (from the old index until it commits)."""
    svc = services(context)
    chat, thread = update.effective_chat, thread_of(update)
    if await _refused(update, context, "reindex"):
        return
    try:
        async with typing(context, chat.id, thread):
            report = await asyncio.to_thread(reindex, svc.settings.corpus, svc.settings.db)
    except ReindexBusy:
        text = "Another reindex is running. Try again when it has finished."
        await send(context, chat.id, [render.esc(text)], thread=thread)
        return
    except FileNotFoundError as exc:
        await send(context, chat.id, [render.esc(f"Can't reindex: {exc}.")], thread=thread)
        return
    failures = [(f.path, f.reason) for f in report.failed]
    log.info("reindex by user %s: %s", update.effective_user.id, report.summary())
    text = render.reindex_message(report.summary(), failures)
    await send(context, chat.id, [text], thread=thread)
