"""The feedback buttons in Telegram: 👍/👎 under answers, "I expected an answer" under "nothing
answers", `/privacy`, and the daily pruning of old records (`bot/feedback.py` keeps them).

Unlike the paging buttons, which only the asker uses in a group, anyone who reads an answer
may vote on it, once, and change or take back their vote. A press edits nothing but the
buttons and is answered with a toast: it never posts into the chat, which in a group would
be noise for everyone. Nothing is kept, and no buttons are shown, while collection is off
(`BRIEFBOT_FEEDBACK_DAYS=0`); chats outside the allow-list never get this far (the
gatekeeper in `chats` stops their updates first).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from typing import Protocol

from telegram import Chat, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from index import Answer, passage_key

from . import feedback, render, render_feedback
from .services import Services, services
from .state import Page
from .topics import thread_of

log = logging.getLogger("briefbot.votes")

Context = ContextTypes.DEFAULT_TYPE

#: The job that deletes records past their retention, once a day (and once at start-up).
PRUNE_JOB = "feedback-prune"
PRUNE_EVERY = dt.timedelta(days=1)
#: The period `/stats` sums up.
STATS_DAYS = 30
#: Where the locks that order the edits of one message's buttons are kept, in `bot_data`.
LOCKS = "briefbot.vote_locks"


def register(app: Application) -> None:
    """The vote buttons, `/privacy`, and the pruning job started with the bot."""
    message = filters.UpdateType.MESSAGE
    app.add_handler(CallbackQueryHandler(vote_button, pattern=r"^vote:\d{1,18}:[+-]$"))
    app.add_handler(CallbackQueryHandler(miss_button, pattern=r"^miss:\d{1,18}$"))
    app.add_handler(CommandHandler("privacy", privacy_command, filters=message))
    services(app).startup.append(start_pruning)


def collecting(svc: Services) -> bool:
    return svc.settings.feedback_days > 0


def _private(chat: Chat) -> bool:
    return chat.type == ChatType.PRIVATE


# -- under each answer -------------------------------------------------------------------------


class Replied(Protocol):
    """A reply about to be sent (`asking.Reply`)."""

    keyboard: InlineKeyboardMarkup | None
    page: Page | None  # its page of results, when passages were found
    answer: Answer | None
    today: dt.date | None  # the date it was asked on, where the bot's users are


async def keep(
    svc: Services, chat: Chat, asker: int | None, reply: Replied, earlier: Page | None
) -> InlineKeyboardMarkup | None:
    """Keep the question `asker` asked in `chat` (following up `earlier`, if it did) and what
    its answer showed, and return the reply's keyboard with the feedback row added; the
    keyboard as it was while collection is off."""
    answer, page, keyboard = reply.answer, reply.page, reply.keyboard
    if not collecting(svc) or answer is None or not (answer.terms or answer.found or answer.note):
        return keyboard  # a question with nothing to look up ("what is it?") is not kept
    writes = _writes(svc)
    record_id = await writes.take(svc)
    writes.write(
        svc,
        record_id,
        question=answer.question,
        reading=answer.reading,
        terms=answer.terms,
        shown={qh.rank: passage_key(qh.hit) for qh in answer.hits},
        chat_id=chat.id,
        chat_type=chat.type,
        asker=asker,
        page_id=page.id if page else None,
        follows_page=earlier.id if earlier else None,
        today=reply.today,
    )
    row = render_feedback.feedback_row(record_id, feedback.Tally(), answer.found, _private(chat))
    return render_feedback.with_row(keyboard, row)


class Writes:
    """Records written beside the reply rather than before it: the reply's vote buttons need
    the record's id, so ids are taken ahead (from the highest ever given), and each record is
    written in the order asked while the reply goes out. Writing it first added a hop to a
    thread and a transaction to every answer's wait (at 100 questions a second, the handler's
    p95 from 24 to 37 ms). A vote waits for its record's write, and a shutdown for them all
    (`settled`); a page of results turned, or `/stats` asked, before an answer's record is
    written (within milliseconds of the answer) goes without it rather than wait."""

    def __init__(self) -> None:
        self.last: int | None = None
        self.tail: asyncio.Task | None = None
        self.pending: dict[int, asyncio.Task] = {}

    async def take(self, svc: Services) -> int:
        if self.last is None:
            top = await svc.run(feedback.last_id, svc.state)
            if self.last is None:  # another answer may have taken the first meanwhile
                self.last = top
        self.last += 1
        return self.last

    def write(self, svc: Services, record_id: int, **fields) -> None:
        before = self.tail

        async def write() -> None:
            if before is not None:
                await asyncio.wait([before])  # in the order asked: a follow-up links its first
            await svc.run(feedback.record, svc.state, record_id=record_id, **fields)

        task = asyncio.get_running_loop().create_task(write())
        self.tail = self.pending[record_id] = task
        task.add_done_callback(lambda done: self._done(record_id, done))

    def _done(self, record_id: int, task: asyncio.Task) -> None:
        self.pending.pop(record_id, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("feedback record %s not kept", record_id, exc_info=task.exception())

    async def settled(self, record_id: int | None = None) -> None:
        """Wait until record `record_id` (or every record taken so far) is written."""
        task = self.pending.get(record_id) if record_id is not None else self.tail
        if task is not None and not task.done():
            await asyncio.wait([task])


def _writes(svc: Services) -> Writes:
    if svc.feedback_writes is None:
        svc.feedback_writes = Writes()
    return svc.feedback_writes


async def page_keyboard(
    svc: Services, chat: Chat, page: Page, keyboard: InlineKeyboardMarkup | None
) -> InlineKeyboardMarkup | None:
    """Another page of an answer keeps the answer's vote row, with its votes so far."""
    if not collecting(svc):
        return keyboard
    found = await svc.run(feedback.for_page, svc.state, page.id)
    if found is None:
        return keyboard
    record_id, tally = found
    return render_feedback.with_row(
        keyboard, render_feedback.vote_row(record_id, tally, _private(chat))
    )


# -- presses -----------------------------------------------------------------------------------


async def vote_button(update: Update, context: Context) -> None:
    """👍 or 👎 under an answer."""
    _, record_id, sign = update.callback_query.data.split(":")
    await _press(update, context, int(record_id), feedback.UP if sign == "+" else feedback.DOWN)


async def miss_button(update: Update, context: Context) -> None:
    """ "I expected an answer" under "nothing answers": a vote against the refusal."""
    _, record_id = update.callback_query.data.split(":")
    await _press(update, context, int(record_id), feedback.DOWN)


async def _press(update: Update, context: Context, record_id: int, vote: int) -> None:
    svc = services(context)
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    if not collecting(svc) or chat is None or user is None:
        await query.answer(render_feedback.TOO_OLD)
        return
    await _writes(svc).settled(record_id)
    cast = await svc.run(feedback.cast, svc.state, record_id, chat.id, user.id, vote)
    if cast is None:
        await query.answer(render_feedback.TOO_OLD)
        return
    await query.answer(render_feedback.thanks(cast.before, cast.after, cast.found))
    message = query.message
    if message is None or not message.is_accessible:
        return
    # One message's buttons are edited one press at a time, each with the votes as they are
    # then, so that of two presses at once the last edit shows both.
    locks: dict[tuple[int, int], asyncio.Lock] = context.bot_data.setdefault(LOCKS, {})
    if len(locks) > 1000:
        for k in [k for k, lock in locks.items() if not lock.locked()]:
            del locks[k]
    async with locks.setdefault((chat.id, message.message_id), asyncio.Lock()):
        tally = await svc.run(feedback.tally, svc.state, record_id)
        row = render_feedback.feedback_row(record_id, tally, cast.found, _private(chat))
        try:
            await query.edit_message_reply_markup(
                render_feedback.with_row(message.reply_markup, row)
            )
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise


# -- /privacy, /stats, pruning -----------------------------------------------------------------


async def privacy_command(update: Update, context: Context) -> None:
    """What is kept and for how long, in one paragraph; in a group, under the command."""
    svc = services(context)
    chat, message = update.effective_chat, update.effective_message
    text = render_feedback.privacy_message(svc.settings.feedback_days, svc.settings.page_ttl_days)
    reply = None
    if not _private(chat) and message is not None:
        reply = ReplyParameters(message.message_id, allow_sending_without_reply=True)
    await context.bot.send_message(
        chat.id,
        text,
        parse_mode=ParseMode.HTML,
        reply_parameters=reply,
        message_thread_id=thread_of(update),
    )


async def with_feedback(svc: Services, stats: str) -> list[str]:
    """The admins' `/stats` with the feedback of the last `STATS_DAYS` days after it, in one
    message when both fit."""
    if not collecting(svc):
        text = render_feedback.COLLECTION_OFF
    else:
        now, days = time.time(), min(STATS_DAYS, svc.settings.feedback_days)
        rep = await svc.run(feedback.report, svc.state, now - days * feedback.DAY, now + 1)
        text = render_feedback.stats_feedback(rep, days)
    both = f"{stats}\n\n{text}"
    return [both] if render.size(both) <= render.LIMIT else [stats, text]


async def prune(svc: Services) -> int:
    removed = await svc.run(feedback.prune, svc.state, svc.settings.feedback_days)
    if removed:
        log.info("deleted %d feedback records past their retention", removed)
    return removed


async def _prune_job(context: Context) -> None:
    await prune(services(context))


async def start_pruning(app: Application) -> None:
    """Prune at start-up (a retention shortened, or collection turned off, applies at once)
    and then every day."""
    await prune(services(app))
    for job in app.job_queue.get_jobs_by_name(PRUNE_JOB):
        job.schedule_removal()
    app.job_queue.run_repeating(_prune_job, interval=PRUNE_EVERY, first=PRUNE_EVERY, name=PRUNE_JOB)
