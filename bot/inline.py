"""Inline mode: `@bot question` typed in any chat offers the top passages, each an article to
send there.
"""

from __future__ import annotations

from telegram import InlineQueryResultsButton, Update
from telegram.ext import Application, ContextTypes, InlineQueryHandler

from . import answering, render
from .services import Services, services

Context = ContextTypes.DEFAULT_TYPE

#: Results offered in inline mode.
INLINE_RESULTS = 5


def register(app: Application) -> None:
    """Inline queries."""
    app.add_handler(InlineQueryHandler(inline_query))


def _personal(svc: Services) -> bool:
    """Whether inline results must be kept for the person who asked. Telegram's servers keep
    the results for a query text for `inline_cache_seconds` and show them to anyone who types
    the same text meanwhile, without asking the bot, unless they are personal. With an
    allow-list, who asks decides what they may see (the passages, or a refusal), so a shared
    result would show the passages to the very people the list refuses. Without one, every
    user gets the same answer, and sharing it saves a search."""
    return bool(svc.settings.allowed_chat_ids)


async def inline_query(update: Update, context: Context) -> None:
    """`@bot question` in any chat: the top passages, each an article to send."""
    svc = services(context)
    query = update.inline_query
    question = query.query.strip()
    cache, personal = svc.settings.inline_cache_seconds, _personal(svc)
    help_button = InlineQueryResultsButton(text="How to ask", start_parameter="help")
    if not question:
        await query.answer([], cache_time=cache, is_personal=personal, button=help_button)
        return
    answer = await svc.answers.run(answering.ask, question, INLINE_RESULTS, 0, (), svc.today())
    results = render.inline_results(answer)
    if not results:
        button = InlineQueryResultsButton(text="Nothing found. How to ask", start_parameter="help")
        await query.answer([], cache_time=cache, is_personal=personal, button=button)
        return
    await query.answer(results, cache_time=cache, is_personal=personal)
