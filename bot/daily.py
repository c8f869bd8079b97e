"""Daily summaries: `/daily` subscriptions, the jobs that post them, and `/summary` on demand.

A subscription is a row in the state file; the job that posts it is a PTB `run_daily` job named
`daily:<chat id>` (`daily:<chat id>:<topic>` for one set in a forum topic, which posts to that
topic: each topic of a group has its own), at the chat's local time in its own time zone (so
summer time moves with it). PTB keeps jobs in memory only, so they are rebuilt from the state
file at start-up, and brought in line again whenever a chat migrates, removes the bot, closes
or deletes the topic a summary goes to, or its job finds no subscription behind it.

The summary covers the briefings dated the chat's local day, then the "late additions":
briefings dated earlier that were indexed since the chat's last summary (after the index's
newest `indexed_at` that the last summary saw). A job that fails to
deliver is logged and tried once more a little later; each chat has its own job, so one chat's
trouble never holds up another's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import threading
import time
from collections import OrderedDict
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackContext,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    JobQueue,
    MessageHandler,
    filters,
)

from index import (
    IndexMissing,
    Summary,
    browse,
    count_late,
    day_briefings,
    late_briefings,
    summarise,
    watermark,
)

from . import render, render_summary
from .days import day_name, today
from .sending import send
from .services import Services, services
from .state import Subscription, subscribe, subscription, subscriptions, summary_sent, unsubscribe
from .topics import thread_of

log = logging.getLogger("briefbot.daily")

Context = ContextTypes.DEFAULT_TYPE

JOB = "daily:"
RETRY_JOB = "daily-retry:"
#: Seconds before a summary that failed to go out is tried again (once).
RETRY_AFTER = 300.0
#: Digest summaries kept for the "More" button, by day.
CACHED_DAYS = 8
#: Pages past this are not served (a digest of 650 briefings has about 30).
MAX_PAGE = 1000

USAGE = (
    "Use /daily HH:MM [time zone] to get a summary of each day's briefings at that time, "
    "e.g. /daily 08:30 or /daily 21:00 Europe/Moscow. /daily shows the setting and "
    "/daily off stops it."
)
SUMMARY_USAGE = "Use /summary, /summary yesterday or /summary 2024-03-19."
ADMINS_ONLY = "Only the group's administrators can change its daily summary."
UNKNOWN_ZONE = (
    "I don't know the time zone “{zone}”. Use a name such as Europe/Moscow, Asia/Tehran, "
    "America/New_York or UTC."
)
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def register(app: Application) -> None:
    """The daily-summary commands, the "More" button, and the jobs rebuilt at start-up."""
    message = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("daily", daily_command, filters=message))
    app.add_handler(CommandHandler("summary", summary_command, filters=message))
    app.add_handler(
        CallbackQueryHandler(more_button, pattern=rf"^{render_summary.CALLBACK}:\d{{8}}:\d{{1,4}}$")
    )
    # After `chats` (group 0) has moved a migrated chat's rows or forgotten a chat that
    # removed the bot, the jobs follow.
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, _resync_handler), group=1)
    app.add_handler(ChatMemberHandler(_resync_handler, ChatMemberHandler.MY_CHAT_MEMBER), group=1)
    services(app).startup.append(rebuild_jobs)


# -- time zones and days ---------------------------------------------------------------------


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    zones = {z.lower(): z for z in available_timezones()}
    zones.setdefault("utc", "UTC")
    return zones


def zone_name(text: str) -> str | None:
    """The IANA name for what someone typed ("europe/moscow" → "Europe/Moscow"), or None."""
    return _zones().get(text.strip().lower())


def parse_day(arg: str | None, today: dt.date) -> dt.date | None:
    """`today`, `yesterday` or an ISO date; None when it is none of those."""
    if not arg or arg.lower() == "today":
        return today
    if arg.lower() == "yesterday":
        return today - dt.timedelta(days=1)
    if _DAY.match(arg):
        try:
            return dt.date.fromisoformat(arg)
        except ValueError:
            return None
    return None


def _default_zone(svc: Services) -> str:
    zone = zone_name(svc.settings.timezone)
    if zone is None:
        log.warning(
            "BRIEFBOT_TIMEZONE %r is not a known time zone; using UTC", svc.settings.timezone
        )
        return "UTC"
    return zone


# -- building summaries ----------------------------------------------------------------------


class _Summaries:
    """Day summaries kept for the "More" button, recomputed only when the day's briefings
    changed, so the pages behind "More" are the pages of the summary that was sent. Shared
    by the thread pool, hence the lock."""

    def __init__(self, size: int = CACHED_DAYS):
        self.size = size
        self._days: OrderedDict[dt.date, tuple[tuple, Summary]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, svc: Services, day: dt.date) -> Summary:
        with svc.index.connected() as conn:
            signature = conn.execute(
                "SELECT count(*), max(indexed_at) FROM documents WHERE date = ?",
                (day.isoformat(),),
            ).fetchone()
            with self._lock:
                cached = self._days.get(day)
                if cached is not None and cached[0] == signature:
                    self._days.move_to_end(day)
                    return cached[1]
            briefings = day_briefings(conn, day)
        summary = summarise(briefings, day=day)
        with self._lock:
            self._days[day] = (signature, summary)
            while len(self._days) > self.size:
                self._days.popitem(last=False)
        return summary


def build(
    svc: Services,
    summaries: _Summaries,
    day: dt.date,
    late_after: str | None = None,
    late: bool = False,
) -> tuple[Summary, int, str | None]:
    """The summary of `day`; with `late`, also the briefings dated earlier and indexed after
    the watermark `late_after`, their total (only the newest are listed), and the index's
    watermark now. It is read first: a briefing indexed while the summary is being made is
    then either in this summary or a late addition in the next, never in neither."""
    mark = None
    if late:
        with svc.index.connected() as conn:
            mark = watermark(conn)
    summary = summaries.get(svc, day)
    if not late:
        return summary, 0, None
    with svc.index.connected() as conn:
        found = late_briefings(conn, day, late_after)
        total = count_late(conn, day, late_after) if found else 0
    if found:
        summary = dataclasses.replace(summary, late=summarise([], late=found).late)
    return summary, total, mark


def _watermark(svc: Services) -> str | None:
    try:
        with svc.index.connected() as conn:
            return watermark(conn)
    except IndexMissing:
        return None


def _cache(context: CallbackContext | Application) -> _Summaries:
    return context.bot_data.setdefault("daily_summaries", _Summaries())


# -- jobs ------------------------------------------------------------------------------------


def _plan(sub: Subscription) -> tuple[str, str]:
    return sub.at.strftime("%H:%M"), sub.timezone


def job_name(chat_id: int, thread_id: int | None = None, kind: str = JOB) -> str:
    """The name of the job posting a chat's summary, or one topic's: `daily:<chat>[:<topic>]`.
    The name is the job's key, so that each topic of a group has a job of its own."""
    return f"{kind}{chat_id}" if thread_id is None else f"{kind}{chat_id}:{thread_id}"


def _thread_in(name: str | None) -> int | None:
    """The topic a job posts to, from its name (`job_name`)."""
    parts = (name or "").split(":")
    return int(parts[2]) if len(parts) > 2 else None


def schedule(job_queue: JobQueue, sub: Subscription) -> None:
    """(Re)place the daily job of the chat (or topic) at its local time in its time zone."""
    name = job_name(sub.chat_id, sub.thread_id)
    for job in job_queue.get_jobs_by_name(name):
        job.schedule_removal()
    job_queue.run_daily(
        daily_job,
        time=sub.at.replace(tzinfo=ZoneInfo(sub.timezone)),
        chat_id=sub.chat_id,
        name=name,
        data=_plan(sub),
    )


def sync(job_queue: JobQueue, subs: list[Subscription]) -> None:
    """Make the daily jobs match the subscriptions: one job per subscribed chat or topic, none
    else."""
    wanted = {job_name(s.chat_id, s.thread_id): s for s in subs}
    for job in job_queue.jobs():
        if not (job.name or "").startswith(JOB):
            continue
        sub = wanted.get(job.name)
        if sub is not None and job.data == _plan(sub) and not job.removed:
            del wanted[job.name]  # already right
        else:
            job.schedule_removal()
    for sub in wanted.values():
        schedule(job_queue, sub)


async def rebuild_jobs(app: Application) -> None:
    """Start-up: PTB does not keep jobs, the state file keeps subscriptions."""
    svc = services(app)
    subs = await svc.run(subscriptions, svc.state)
    sync(app.job_queue, subs)
    log.info("daily summaries scheduled for %d chats and topics", len(subs))


async def resync(context: CallbackContext) -> None:
    svc = services(context)
    sync(context.job_queue, await svc.run(subscriptions, svc.state))


async def _resync_handler(update: Update, context: Context) -> None:
    await resync(context)


async def deliver(context: CallbackContext, sub: Subscription) -> bool:
    """Post the chat's summary for its local day now, in the topic it was set in; False when
    the chat, or the topic, is gone."""
    svc = services(context)
    now = dt.datetime.now(dt.UTC)
    day = today(sub.timezone, now)
    summary, late_total, mark = await svc.run(
        build, svc, _cache(context), day, sub.seen_up_to, late=True
    )
    if summary.empty:
        if svc.settings.daily_silent_when_empty:
            await svc.run(
                summary_sent, svc.state, sub.chat_id, now.timestamp(), mark, sub.thread_id
            )
            return True
        texts = [render.esc(render_summary.nothing_new(day))]
    else:
        texts = render_summary.summary_messages(summary, 0, late_total)
    keyboard = render_summary.more_keyboard(summary, 0)
    sent = await send(context, sub.chat_id, texts, keyboard=keyboard, thread=sub.thread_id)
    if not sent:  # the chat removed or blocked the bot, or the topic went, and was forgotten
        await resync(context)
        return False
    chat_id = sent[0].chat_id
    await svc.run(summary_sent, svc.state, chat_id, now.timestamp(), mark, sub.thread_id)
    if chat_id != sub.chat_id:  # the group became a supergroup on the way
        await resync(context)
    return True


async def daily_job(context: CallbackContext) -> None:
    """A chat's daily summary, or its one retry. Errors stop here: they are logged, and the
    first one schedules the retry."""
    job = context.job
    chat_id, thread = job.chat_id, _thread_in(job.name)
    retry = (job.name or "").startswith(RETRY_JOB)
    svc = services(context)
    try:
        sub = await svc.run(subscription, svc.state, chat_id, thread)
        if sub is None:  # stopped, migrated or forgotten since the job was made
            await resync(context)
            return
        await deliver(context, sub)
    except Exception as exc:
        if retry:
            log.error(
                "daily summary for chat %s failed again; next one tomorrow", chat_id, exc_info=exc
            )
            return
        log.warning(
            "daily summary for chat %s failed (%s); trying again in %.0f s",
            chat_id,
            exc,
            RETRY_AFTER,
        )
        context.job_queue.run_once(
            daily_job, RETRY_AFTER, chat_id=chat_id, name=job_name(chat_id, thread, RETRY_JOB)
        )


# -- commands --------------------------------------------------------------------------------


async def may_change(update: Update, context: Context) -> bool:
    """Anyone in a private chat; in a group, its administrators (asked of Telegram, so it is
    always current), an anonymous administrator, or one of the bot's own administrators."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat.type == ChatType.PRIVATE:
        return True
    if user is not None and user.id in services(context).settings.admin_user_ids:
        return True
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id  # posted as the group: an anonymous admin
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


def _next_run(context: CallbackContext, sub: Subscription) -> str:
    jobs = context.job_queue.get_jobs_by_name(job_name(sub.chat_id, sub.thread_id))
    when = jobs[0].next_t if jobs else None
    if when is None:
        return ""
    local = when.astimezone(ZoneInfo(sub.timezone))
    return f" The next one is on {day_name(local.date())} at {local:%H:%M}."


def _setting(context: CallbackContext, sub: Subscription) -> str:
    return f"Daily summary at {sub.at:%H:%M} ({sub.timezone}).{_next_run(context, sub)}"


async def daily_command(update: Update, context: Context) -> None:
    """/daily HH:MM [zone] subscribes, /daily shows, /daily off stops; in a forum topic, the
    summary of that topic, which each topic sets for itself."""
    svc = services(context)
    chat, message = update.effective_chat, update.effective_message
    args = context.args or []
    thread = thread_of(update)
    here = "topic" if thread is not None else "chat"
    current = await svc.run(subscription, svc.state, chat.id, thread)

    async def reply(text: str) -> None:
        await send(context, chat.id, [render.esc(text)], reply_to=message.message_id, thread=thread)

    if not args:
        if current is None:
            await reply(f"This {here} has no daily summary. {USAGE}")
        else:
            await reply(_setting(context, current))
        return
    if len(args) > 2 or (args[0].lower() not in ("off", "stop") and not _TIME.match(args[0])):
        await reply(USAGE)
        return
    if not await may_change(update, context):
        await reply(ADMINS_ONLY)
        return
    if args[0].lower() in ("off", "stop"):
        stopped = await svc.run(unsubscribe, svc.state, chat.id, thread)
        await resync(context)
        await reply("Daily summaries stopped." if stopped else f"This {here} had no daily summary.")
        return
    hours, minutes = _TIME.match(args[0]).groups()
    if len(args) == 2:
        zone = zone_name(args[1])
        if zone is None:
            await reply(UNKNOWN_ZONE.format(zone=args[1]))
            return
    else:
        zone = current.timezone if current is not None else _default_zone(svc)
    user = update.effective_user
    # Briefings already in the index when the chat subscribes are not "late" for it.
    seen = await svc.run(_watermark, svc)
    sub = await svc.run(
        subscribe,
        svc.state,
        chat.id,
        dt.time(int(hours), int(minutes)),
        zone,
        seen,
        user.id if user else None,
        thread,
    )
    schedule(context.job_queue, sub)
    await reply(_setting(context, sub))


async def summary_command(update: Update, context: Context) -> None:
    """/summary [today|yesterday|YYYY-MM-DD]: the day's summary now, in this chat's day."""
    svc = services(context)
    chat, message = update.effective_chat, update.effective_message
    args = context.args or []
    thread = thread_of(update)
    sub = await svc.run(subscription, svc.state, chat.id, thread)
    zone = sub.timezone if sub is not None else _default_zone(svc)
    day = parse_day(args[0] if args else None, today(zone)) if len(args) <= 1 else None
    if day is None:
        text = [render.esc(SUMMARY_USAGE)]
        await send(context, chat.id, text, reply_to=message.message_id, thread=thread)
        return
    started = time.perf_counter()
    summary, _, _ = await svc.run(build, svc, _cache(context), day)
    log.debug("summary of %s in %.2f s", day, time.perf_counter() - started)
    texts = render_summary.summary_messages(summary, 0)
    if not texts:
        nearest = await svc.run(_nearest_dates, svc, day)
        texts = [render.esc(render_summary.no_briefings(day, nearest))]
    keyboard = render_summary.more_keyboard(summary, 0)
    await send(
        context, chat.id, texts, reply_to=message.message_id, keyboard=keyboard, thread=thread
    )


def _nearest_dates(svc: Services, day: dt.date) -> list[dt.date]:
    with svc.index.connected() as conn:
        return browse.nearest_dates(conn, day)


async def more_button(update: Update, context: Context) -> None:
    """ "More" under a digest: the next page of stories, as new messages."""
    svc = services(context)
    query = update.callback_query
    _, day_text, page_text = query.data.split(":")
    try:
        day = dt.datetime.strptime(day_text, "%Y%m%d").date()
    except ValueError:
        await query.answer()
        return
    page = int(page_text)
    chat = update.effective_chat
    summary, _, _ = await svc.run(build, svc, _cache(context), day)
    if chat is None or page > MAX_PAGE or page >= summary.pages:
        await query.answer("There are no more stories for that day.")
        return
    await query.answer()
    if query.message is not None and query.message.is_accessible:
        try:  # the button has done its job; a second tap would repeat the page
            await query.edit_message_reply_markup(None)
        except BadRequest as exc:
            log.debug("could not remove the More button: %s", exc)
    texts = render_summary.summary_messages(summary, page)
    keyboard = render_summary.more_keyboard(summary, page)
    await send(context, chat.id, texts, keyboard=keyboard, thread=thread_of(update))
