"""The buttons under an answer, and the pages of results they lead to: "More" and "Back" (the
next or previous page, in the same message), the page counter between them, "Context n" (the
passage at rank n whole, in its place in its briefing), and button data no handler takes.

A page of results is a row in the state file (`state.Page`): the question, what it followed
up, the day it was asked and the passages shown at each rank, so that buttons keep working
after a restart and a reindex, and a later page never repeats or skips what was shown
(`continued`).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace

from telegram import Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from index import Answer, Hit, browse

from . import answering, render, votes
from .sending import send
from .services import Services, services
from .state import Page
from .topics import thread_of

Context = ContextTypes.DEFAULT_TYPE

#: Paging stops here: past this many results a question needs better words, not more pages.
MAX_OFFSET = 60
#: A follow-up of a follow-up … is read with at most this many questions before it.
MAX_FOLLOW_UPS = 3
#: A second press of the same "Context" button within this many seconds posts nothing more:
#: a double tap, or a press while the first is being answered. Later, it posts again, since the
#: first may have scrolled out of sight.
CONTEXT_ONCE_FOR = 120.0
#: The labels the button to an answer's next page has had: answers sent before the label
#: changed still have the old one.
NEXT_PAGE_LABELS = (render.MORE_RESULTS, "More results ▶")
#: Where the recent "Context" presses are kept, in `application.bot_data`.
CONTEXT_PRESSES = "briefbot.context_presses"


def register(app: Application) -> None:
    """The buttons under answers; button data no handler takes after every other handler
    (group 1). Register this before any other feature's buttons: PTB hands a button with
    empty data to every patterned handler, so the one for empty data must come first."""
    app.add_handler(CallbackQueryHandler(empty_button, pattern=r"^$"))
    app.add_handler(CallbackQueryHandler(more_button, pattern=r"^more:\d{1,18}:\d{1,6}$"))
    app.add_handler(CallbackQueryHandler(context_button, pattern=r"^ctx:\d{1,18}:\d{1,6}$"))
    app.add_handler(CallbackQueryHandler(position_button, pattern=r"^pos$"))
    app.add_handler(CallbackQueryHandler(unknown_button), group=1)


# -- pages of results ------------------------------------------------------------------------


def chain(svc: Services, page: Page | None) -> list[tuple[str, dt.date | None]]:
    """A page's question and those it followed up, nearest first, from the state file, so
    that a reply to an answer (or a later page of it) is read in the same context after a
    restart."""
    questions: list[tuple[str, dt.date | None]] = []
    while page is not None and len(questions) <= MAX_FOLLOW_UPS:
        questions.append((page.question, page.today))
        page = svc.state.page(page.follows, page.chat_id) if page.follows else None
    return questions


def keys(answer: Answer) -> dict[int, browse.PassageKey]:
    """The passages an answer shows, by rank, as the state file keeps them."""
    return {qh.rank: browse.key(qh.hit) for qh in answer.hits}


def continued(
    answer: Answer, shown: dict[int, browse.PassageKey], offset: int, k: int
) -> Answer | None:
    """The page at `offset` of an answer people have already paged through: the passages
    they saw at those ranks, where they saw them, and at ranks nobody has seen yet the best
    of `answer` (the question asked again, from the first rank) that were not shown at any
    other. None when a passage shown at one of this page's ranks is no longer among
    `answer`'s (its briefing changed, or the order cannot be reproduced): the page is then
    not shown at all, rather than a different one in its place.

    Asking again and counting on the same order would not do: a reindex changes the order,
    and even on the same index a later page is picked from more candidates than the first,
    which can reorder the first ranks, so a later page would repeat some passages and skip
    others."""
    found_keys = [browse.key(qh.hit) for qh in answer.hits]
    found = dict(zip(found_keys, answer.hits, strict=True))
    taken = set(shown.values())
    fresh = iter([qh for key, qh in zip(found_keys, answer.hits, strict=True) if key not in taken])
    page = []
    for rank in range(1, offset + k + 1):
        if rank in shown:
            qh = found.get(shown[rank])
            if qh is None and rank > offset:
                return None
        else:
            qh = next(fresh, None)
            if qh is None:
                break
        if rank > offset:
            page.append(replace(qh, rank=rank))
    missing = sum(1 for key in taken if key not in found)
    beyond = max(answer.total - len(answer.hits), 0)
    unshown = sum(1 for key in found_keys if key not in taken)
    total = len(shown) + unshown + max(beyond - missing, 0)
    return replace(
        answer,
        hits=page,
        more=total > offset + len(page),
        total=total,
        exact=answer.exact and not missing,
    )


async def page_at(svc: Services, page: Page, offset: int) -> Answer | None:
    """The page at `offset` of a page's question, going on from what it showed (`continued`);
    None when that cannot be done truthfully. The question is asked again a page deeper
    than needed, so that passages shown before that moved down a little are still found."""
    followed = page.follows and await svc.run(svc.state.page, page.follows, page.chat_id)
    earlier = await svc.run(chain, svc, followed) if followed else []
    k = svc.settings.results
    shown = await svc.run(svc.state.shown, page)
    for depth in sorted({offset + 2 * k, MAX_OFFSET + 2 * k}):
        again = await svc.answers.run(answering.ask, page.question, depth, 0, earlier, page.today)
        answer = continued(again, shown, offset, k)
        if answer is not None or not again.more:
            break
    if answer is not None:
        await svc.run(svc.state.remember_shown, page, keys(answer))
    return answer


def next_offset(answer: Message | None) -> int | None:
    """Where the "More" button under one of the bot's answers leads, if it has one."""
    markup = answer.reply_markup if answer is not None else None
    for row in markup.inline_keyboard if markup is not None else ():
        for b in row:
            data = b.callback_data if isinstance(b.callback_data, str) else ""
            if data.startswith("more:") and b.text in NEXT_PAGE_LABELS:
                return int(data.rsplit(":", 1)[1])
    return None


def around(svc: Services, passage: browse.PassageKey) -> list[Hit] | bool:
    """The passage with those around it, or whether its briefing is still there."""
    with svc.index.connected() as conn:
        hits = browse.around(conn, passage)
        return hits if hits is not None else browse.has_briefing(conn, passage.document)


async def _terms(svc: Services, page: Page) -> list[str]:
    """The words of a page's question to mark in a passage. The question is read again by
    the answering process, which holds what that takes (vocabulary, postings), so the bot's
    own process need not."""
    questions = await svc.run(chain, svc, page)
    reading = await svc.answers.run(answering.follow, questions) if questions else None
    return reading.highlight_terms if reading else []


# -- the buttons -----------------------------------------------------------------------------


def _not_theirs(update: Update, page: Page) -> bool:
    """Whether a button under a group's answer was pressed by someone other than the asker:
    paging edits the answer everyone reads, and "Context" posts into the group."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or chat.type == ChatType.PRIVATE or page.user_id is None:
        return False
    return user is None or user.id != page.user_id


async def _button_page(update: Update, context: Context, page_id: int) -> Page | None:
    """The page behind a button, when it is there and the one who pressed may use it; the
    press is answered with why not otherwise."""
    svc = services(context)
    query, chat = update.callback_query, update.effective_chat
    page = None
    if chat is not None and query.message is not None and query.message.is_accessible:
        page = await svc.run(svc.state.page, page_id, chat.id)
    if page is None:
        await query.answer(render.EXPIRED, show_alert=True)
    elif _not_theirs(update, page):
        await query.answer(render.NOT_YOURS, show_alert=True)
        page = None
    return page


async def more_button(update: Update, context: Context) -> None:
    """Another page of a question's results ("More", "Back"), in the same message."""
    svc = services(context)
    query = update.callback_query
    _, page_id, offset_text = query.data.split(":")
    offset = int(offset_text)
    page = await _button_page(update, context, int(page_id))
    if page is None:
        return
    if offset > MAX_OFFSET:
        await query.answer("That's as far as these results go.")
        return
    answer = await page_at(svc, page, offset)
    if answer is None:
        await query.answer(render.RESULTS_CHANGED, show_alert=True)
        return
    if not answer.hits:
        await query.answer("There are no more results.")
        return
    await query.answer()
    text = render.page_message(answer, offset)
    keyboard = render.answer_keyboard(page.id, answer, offset, svc.settings.results)
    keyboard = await votes.page_keyboard(svc, update.effective_chat, page, keyboard)
    try:
        await query.edit_message_text(
            text,
            parse_mode=ParseMode.HTML,
            link_preview_options=render.NO_PREVIEW,
            reply_markup=keyboard,
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():  # a double tap
            raise


async def position_button(update: Update, context: Context) -> None:
    """The page counter between "Back" and "More": it only shows where one is."""
    await update.callback_query.answer()


def _first_press(context: Context, key: tuple) -> bool:
    """Whether this press of a "Context" button is the first in `CONTEXT_ONCE_FOR` seconds,
    noting it if so. Read and noted with no await between, so that of two presses handled
    side by side (updates are handled concurrently) exactly one is the first."""
    presses: dict[tuple, float] = context.bot_data.setdefault(CONTEXT_PRESSES, {})
    now = time.monotonic()
    if now - presses.get(key, -CONTEXT_ONCE_FOR) < CONTEXT_ONCE_FOR:
        return False
    if len(presses) > 1000:  # keep only the recent ones
        for old in [k for k, t in presses.items() if now - t >= CONTEXT_ONCE_FOR]:
            del presses[old]
    presses[key] = now
    return True


async def context_button(update: Update, context: Context) -> None:
    """ "Context n": the passage shown at rank n, whole and in its place in its briefing,
    posted under the answer once, however often the button is tapped. If its briefing
    changed or is gone since, it says so and shows nothing else."""
    svc = services(context)
    query = update.callback_query
    _, page_text, rank_text = query.data.split(":")
    chat, user = update.effective_chat, update.effective_user
    message_id = query.message.message_id if query.message is not None else None
    press = (chat.id if chat else None, message_id, query.data, user.id if user else None)
    if not _first_press(context, press):
        await query.answer(render.ALREADY_SHOWN)
        return
    posted = False
    try:
        posted = await _post_context(update, context, svc, int(page_text), int(rank_text))
    finally:
        if not posted:  # a press that showed nothing may be tried again at once
            context.bot_data[CONTEXT_PRESSES].pop(press, None)


async def _post_context(
    update: Update, context: Context, svc: Services, page_id: int, rank: int
) -> bool:
    """Post the passage a "Context" button names, or answer the press with why not; whether
    it was posted."""
    query, chat = update.callback_query, update.effective_chat
    page = await _button_page(update, context, page_id)
    if page is None:
        return False
    passage = (await svc.run(svc.state.shown, page)).get(rank)
    if passage is None:
        await query.answer(render.EXPIRED, show_alert=True)
        return False
    hits = await svc.run(around, svc, passage)
    if not isinstance(hits, list):
        gone = render.PASSAGE_CHANGED if hits else render.BRIEFING_REMOVED
        await query.answer(gone, show_alert=True)
        return False
    terms = await _terms(svc, page)
    await query.answer()
    texts = render.context_messages(hits, passage.ordinal, terms)
    reply_to = query.message.message_id
    sent = await send(context, chat.id, texts, reply_to=reply_to, thread=thread_of(update))
    if sent:
        ids = [m.message_id for m in sent]
        await svc.run(svc.state.link_messages, sent[0].chat_id, ids, page.id)
    return bool(sent)


async def empty_button(update: Update, context: Context) -> None:
    """A button with empty data, which the bot never makes."""
    await update.callback_query.answer(render.EXPIRED, show_alert=True)


async def unknown_button(update: Update, context: Context) -> None:
    """Button data that no button handler takes (an older version's buttons, or data a client
    made up): answered, so the client stops waiting, and nothing else. It runs after the
    other handlers (group 1), for every button, so it steps aside when one of them took it."""
    for handler in context.application.handlers.get(0, []):
        if isinstance(handler, CallbackQueryHandler) and handler.check_update(update):
            return
    await update.callback_query.answer(render.EXPIRED, show_alert=True)
