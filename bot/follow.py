"""Following subjects: `/follow SUBJECT`, `/following`, `/unfollow`, and the job that sends
each chat the new passages that answer its subjects.

The bot does not reindex; maintainers do (`briefbot reindex`, `briefbot watch`, or /reindex),
in this process or another. A repeating job looks at the index every
`BRIEFBOT_FOLLOW_CHECK_SECONDS`; when its passages have changed (`vocabulary.fingerprint`, two
rows to read), the briefings indexed since the last look are compared with what the state
file recorded of them (`index.follow.new_passages`), and their new passages are matched
against every followed subject at once (`index.follow.Subjects`). Each subscription then
gets one message for all of its new passages, grouped by briefing and quoted as answers are,
and each passage is recorded as sent to it, so none is sent twice, whatever restarts or
rebuilds come between.

A chat follows at most `MAX_SUBJECTS` subjects. In a forum group each topic has its own, as it
has its own /daily: a subject followed in a topic is listed, stopped and sent there, and goes
when the topic is closed or deleted (`sending.send` forgets the topic). In a group only its
administrators may follow, unfollow or clear (as for /daily); anyone may see the list. A chat
that removed or blocked the bot loses its subjects (`sending.send` forgets it); a group that
became a supergroup keeps them. A send that fails for other reasons (Telegram unreachable
after the rate limiter's retries) leaves the batch to be tried again at the next look, up to
`ATTEMPTS` times.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass, field

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    filters,
)

from index import IndexMissing, QuotedHit, follow, vocabulary

from . import render, timeline
from .daily import may_change
from .render import Block, Run
from .sending import send
from .services import Services, services
from .state import (
    Follow,
    follow_subject,
    follows,
    record_sent,
    saw_briefings,
    seen_briefings,
    seen_up_to,
    unfollow,
    unsent,
)
from .topics import thread_of

log = logging.getLogger("briefbot.follow")

Context = ContextTypes.DEFAULT_TYPE

JOB = "follow-check"
#: Subjects one chat, or one topic of a forum group, may follow.
MAX_SUBJECTS = 20
#: Longest subject, in characters.
MAX_SUBJECT_CHARS = 200
#: Looks at one batch of new passages before giving up on chats that could not be sent it.
ATTEMPTS = 3
UNFOLLOW = "unf"
TIMELINE = "flt"

# "{here}" is "chat", or "topic" in a forum topic (`_here`).
USAGE = (
    "Use /follow followed by a subject, e.g. /follow the railway deal: as new briefings come"
    " in, I post here the passages that answer it. /following lists this {here}'s subjects and"
    " /unfollow stops one."
)
ADMINS_ONLY = "Only the group's administrators can change what it follows."
FULL = "This {here} already follows {n} subjects, the most it can. Stop one with /unfollow first."
NONE = "This {here} follows no subjects. " + USAGE


def register(app: Application) -> None:
    """The commands, the buttons under the lists and the messages, and the repeating job
    (started once the bot is connected)."""
    message = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("follow", follow_command, filters=message))
    app.add_handler(CommandHandler("following", following_command, filters=message))
    app.add_handler(CommandHandler("unfollow", unfollow_command, filters=message))
    stop = rf"^{UNFOLLOW}:(?:\d{{1,18}}|all)$"
    app.add_handler(CallbackQueryHandler(unfollow_button, pattern=stop))
    app.add_handler(CallbackQueryHandler(timeline_button, pattern=rf"^{TIMELINE}:\d{{1,18}}$"))
    services(app).startup.append(start)


async def start(app: Application) -> None:
    """Look for new passages now and then every `follow_check_seconds`."""
    every = services(app).settings.follow_check_seconds
    app.job_queue.run_repeating(check_job, interval=every, first=0.0, name=JOB)


# -- commands ----------------------------------------------------------------------------------


def _subject(text: str) -> str:
    return " ".join(text.split())[:MAX_SUBJECT_CHARS]


def _here(thread: int | None) -> str:
    """What the replies call the place whose subjects they are about: a forum topic has its
    own, apart from the rest of the group."""
    return "topic" if thread is not None else "chat"


async def _reply(
    update: Update, context: Context, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> None:
    """Answer a command in the topic it was sent in, naming the topic rather than counting on
    the reply to carry it there (the command may be deleted meanwhile)."""
    chat, message = update.effective_chat, update.effective_message
    await send(
        context,
        chat.id,
        [text],
        reply_to=message.message_id,
        keyboard=keyboard,
        thread=thread_of(update),
    )


async def follow_command(update: Update, context: Context) -> None:
    """/follow SUBJECT: follow it (in a forum topic, for that topic); /follow alone: what it
    does and what this chat or topic follows."""
    svc = services(context)
    chat, thread = update.effective_chat, thread_of(update)
    subject = _subject(" ".join(context.args or []))
    if not subject:
        await following_command(update, context)
        return
    if not await may_change(update, context):
        await _reply(update, context, render.esc(ADMINS_ONLY))
        return
    missing = await svc.run(_missing, svc, subject)
    if missing is None:
        text = (
            f"“{subject}” has no words I can look for, only ones like “what” and “the”."
            " Follow a name, a place or a topic."
        )
        await _reply(update, context, render.esc(text))
        return
    user = update.effective_user
    item, new = await svc.run(
        follow_subject,
        svc.state,
        chat.id,
        subject,
        MAX_SUBJECTS,
        user.id if user else None,
        thread,
    )
    if item is None:
        full = FULL.format(here=_here(thread), n=MAX_SUBJECTS)
        await _reply(update, context, render.esc(full))
        return
    if not new:
        text = f"This {_here(thread)} already follows “{item.subject}”."
    else:
        text = (
            f"Following “{item.subject}”: as new briefings come in, I post here the passages"
            " that answer it."
        )
        if missing:
            text += f" No briefing mentions {_join(missing)} yet; I'll post once one does."
    await _reply(update, context, render.esc(text))


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _missing(svc: Services, subject: str) -> list[str] | None:
    """The subject's words that no briefing holds yet (none: all are known); None when it
    has no words to look for at all."""
    try:
        with svc.index.connected() as conn:
            vocab = vocabulary.get(conn)
            subjects = follow.Subjects(svc.index.aliases.current())
            subjects.update([subject], vocab, conn)
            _, q = subjects.read(subject)
            if not (q.terms or q.required):
                return None
            return follow.unknown_words(subject, q, vocab)
    except IndexMissing:
        return []


async def following_command(update: Update, context: Context) -> None:
    """/following: this chat's subjects (in a forum topic, that topic's), and how many
    passages each has sent."""
    svc = services(context)
    thread = thread_of(update)
    items = await svc.run(follows, svc.state, update.effective_chat.id, thread)
    keyboard = unfollow_keyboard(items) if items else None
    await _reply(update, context, listing(items, thread), keyboard)


def listing(items: list[Follow], thread: int | None = None) -> str:
    """The subjects of a chat, or of its topic `thread`, numbered for /unfollow."""
    here = _here(thread)
    if not items:
        return render.esc(NONE.format(here=here))
    runs: Block = [Run(f"This {here} follows {len(items)} of at most {MAX_SUBJECTS} subjects:")]
    for i, item in enumerate(items, 1):
        sent = f"{item.sent} passage{'s' if item.sent != 1 else ''} sent"
        runs += [Run(f"\n{i}. "), Run(item.subject, ("b",)), Run(f" · {sent}", ("i",))]
    runs.append(Run("\nStop one with /unfollow SUBJECT or the buttons below."))
    return render.pack([runs])[0]


def unfollow_keyboard(items: list[Follow]) -> InlineKeyboardMarkup:
    """A button per subject to stop it, and one to stop them all."""
    rows = [
        [InlineKeyboardButton(f"Stop “{_clip(i.subject)}”", callback_data=f"{UNFOLLOW}:{i.id}")]
        for i in items
    ]
    if len(items) > 1:
        rows.append([InlineKeyboardButton("Stop all", callback_data=f"{UNFOLLOW}:all")])
    return InlineKeyboardMarkup(rows)


def _clip(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


async def unfollow_command(update: Update, context: Context) -> None:
    """/unfollow SUBJECT (or its number in /following, or "all"); alone, the buttons. In a
    forum topic, of that topic's subjects only."""
    svc = services(context)
    chat, thread = update.effective_chat, thread_of(update)
    here = _here(thread)
    items = await svc.run(follows, svc.state, chat.id, thread)
    wanted = _subject(" ".join(context.args or []))
    if not items:
        await _reply(update, context, render.esc(NONE.format(here=here)))
        return
    if not wanted:
        text = f"Which subject should this {here} stop following?"
        await _reply(update, context, render.esc(text), unfollow_keyboard(items))
        return
    if not await may_change(update, context):
        await _reply(update, context, render.esc(ADMINS_ONLY))
        return
    if wanted.lower() == "all":
        gone = await svc.run(unfollow, svc.state, chat.id, None, thread)
    else:
        match = [
            it
            for n, it in enumerate(items, 1)
            if it.subject.lower() == wanted.lower() or wanted == str(n)
        ]
        if not match:
            text = f"This {here} does not follow “{wanted}”."
            await _reply(update, context, render.esc(text), unfollow_keyboard(items))
            return
        gone = await svc.run(unfollow, svc.state, chat.id, match[0].id, thread)
    await _reply(update, context, render.esc(_stopped(gone)))


def _stopped(gone: list[Follow]) -> str:
    if not gone:
        return "That subject was no longer followed here."
    if len(gone) == 1:
        return f"Stopped following “{gone[0].subject}”."
    return f"Stopped following all {len(gone)} subjects."


async def unfollow_button(update: Update, context: Context) -> None:
    """A "Stop" button under /following or under a message it sent; of the subjects of the
    topic the message is in."""
    svc = services(context)
    query = update.callback_query
    chat, thread = update.effective_chat, thread_of(update)
    if chat is None:
        await query.answer(render.EXPIRED, show_alert=True)
        return
    if not await may_change(update, context):
        await query.answer(ADMINS_ONLY, show_alert=True)
        return
    which = query.data.split(":")[1]
    stop = None if which == "all" else int(which)
    gone = await svc.run(unfollow, svc.state, chat.id, stop, thread)
    await query.answer(_stopped(gone))
    if not gone:
        return
    message = query.message
    if message is None or not message.is_accessible or message.reply_markup is None:
        return
    buttons = [b.callback_data for row in message.reply_markup.inline_keyboard for b in row]
    try:
        if any(str(data).startswith(f"{TIMELINE}:") for data in buttons):
            # Under news of the subject: its buttons have done their job.
            await query.edit_message_reply_markup(None)
        else:  # under the list: the list as it is now
            items = await svc.run(follows, svc.state, chat.id, thread)
            markup = unfollow_keyboard(items) if items else None
            await query.edit_message_text(listing(items, thread), reply_markup=markup)
    except BadRequest as exc:
        log.debug("could not update the message after a stop: %s", exc)


async def timeline_button(update: Update, context: Context) -> None:
    """ "Timeline" under a message of news: how the subject developed so far, in the topic
    the news is in."""
    svc = services(context)
    query = update.callback_query
    chat, thread = update.effective_chat, thread_of(update)
    follow_id = int(query.data.split(":")[1])
    items = await svc.run(follows, svc.state, chat.id, thread) if chat else []
    item = next((it for it in items if it.id == follow_id), None)
    if item is None:
        gone = f"This {_here(thread)} no longer follows that subject."
        await query.answer(gone, show_alert=True)
        return
    await query.answer()
    await timeline.show(context, chat.id, item.subject, thread=thread)


# -- the job -----------------------------------------------------------------------------------


@dataclass
class _Watch:
    """What the job keeps between looks, in memory: the subjects as read, the state of the
    passages it handled last (`vocabulary.fingerprint`, which every reindex that changes a
    passage moves), and how often the current batch failed to go out."""

    subjects: follow.Subjects = field(default_factory=follow.Subjects)
    changed: tuple | None = None
    attempts: int = 0


@dataclass
class Batch:
    """New passages found at one look: the briefings they came in (to record as seen once
    sent), the watermark they reach, and for each followed subject its passages."""

    changed: tuple
    briefings: list[tuple[str, str, list[int]]]
    up_to: str | None
    found: dict[str, list[QuotedHit]] = field(default_factory=dict)


def collect(svc: Services, watch: _Watch) -> Batch | None:
    """The new passages since the last look and the subjects they answer; None when the
    passages have not changed since (or the vocabulary is still being read again after a
    reindex: the next look will do). The first look ever records the whole index as seen,
    so that following starts from then. Everything is read in one transaction, so that the
    briefings, their passages and the vocabulary are of the same reindex."""
    with svc.index.connected() as conn:
        conn.execute("BEGIN")
        try:
            return _collect(svc, watch, conn)
        finally:
            conn.execute("COMMIT")


def _collect(svc: Services, watch: _Watch, conn: sqlite3.Connection) -> Batch | None:
    changed = vocabulary.fingerprint(conn)
    if changed == watch.changed and watch.attempts == 0:
        return None
    mark = seen_up_to(svc.state)
    versions = follow.versions_since(conn, mark)
    # "" reads every briefing next time: the first look found an empty index.
    up_to = max((v.indexed_at for v in versions), default=mark or "")
    seen = [(v.path, v.sha256, sorted(v.keys)) for v in versions]
    batch = Batch(changed, seen, up_to)
    if mark is None:
        return batch
    known = seen_briefings(svc.state, [v.path for v in versions])
    ids = follow.new_passages(versions, known.get)
    subjects = sorted({item.subject for item in follows(svc.state)})
    if not ids or not subjects:
        return batch
    vocab = vocabulary.get(conn)
    if vocab.fingerprint != changed:  # a large vocabulary being read again meanwhile
        return None
    watch.subjects.aliases = svc.index.aliases.current()
    watch.subjects.update(subjects, vocab, conn)
    started = time.perf_counter()
    for m in follow.match_new(conn, watch.subjects, ids, vocab):
        batch.found[m.subject] = m.hits
    log.info(
        "%d new passages matched against %d subjects in %.2f s: %d subjects answered",
        len(ids),
        len(subjects),
        time.perf_counter() - started,
        len(batch.found),
    )
    return batch


def _watch(context: CallbackContext) -> _Watch:
    return context.bot_data.setdefault("follow_watch", _Watch())


async def check_job(context: CallbackContext) -> None:
    """One look: find what is new, send each subscription its passages, record it all."""
    svc = services(context)
    watch = _watch(context)
    try:
        batch = await svc.run(collect, svc, watch)
    except IndexMissing as exc:
        log.debug("no index to look at: %s", exc)
        return
    if batch is None:
        return
    failed = await deliver(context, batch) if batch.found else 0
    if failed and watch.attempts + 1 < ATTEMPTS:
        watch.attempts += 1
        log.warning("new passages could not be sent to %d chats; trying again later", failed)
        return
    await svc.run(saw_briefings, svc.state, batch.briefings, batch.up_to)
    watch.changed, watch.attempts = batch.changed, 0


async def deliver(context: CallbackContext, batch: Batch) -> int:
    """Send each subscription the passages of the batch it has not been sent, in the topic
    it was followed in; how many chats could not be sent theirs."""
    svc = services(context)
    failed = 0
    for item in await svc.run(follows, svc.state):
        hits = batch.found.get(item.subject)
        if not hits:
            continue
        keys = {follow.key(qh.hit.document, qh.hit.text): qh for qh in hits}
        fresh = await svc.run(unsent, svc.state, item.id, list(keys))
        if not fresh:
            continue
        try:
            text = news_message(item.subject, [keys[k] for k in fresh])
            keyboard, thread = news_keyboard(item), item.thread_id
            sent = await send(context, item.chat_id, [text], keyboard=keyboard, thread=thread)
        except TelegramError as exc:
            log.warning("news of “%s” not sent to chat %s: %s", item.subject, item.chat_id, exc)
            failed += 1
            continue
        if sent:  # else the chat removed or blocked the bot, or the topic went, and was forgotten
            await svc.run(record_sent, svc.state, item, fresh)
    return failed


def news_message(subject: str, hits: list[QuotedHit], limit: int = render.LIMIT) -> str:
    """One message for a subject's new passages: a line naming it, then the passages
    grouped by briefing, each briefing's heading once, as an answer shows them; quotes are
    shortened, and the last passages left out (and counted), until it fits one message."""
    shown = list(hits)
    budget: int | None = None
    while True:
        head: Block = [Run("New on "), Run(subject, ("b",)), Run(":")]
        if len(shown) < len(hits):
            n = len(hits) - len(shown)
            head.append(Run(f" (and {n} more passage{'s' if n > 1 else ''}, not shown)", ("i",)))
        blocks = [head, *render.passage_blocks(shown, budget, number=False)]
        texts = render.pack(blocks, limit)
        if len(texts) == 1:
            return texts[0]
        if budget is None or budget > 80:
            longest = max(len(qh.quote_text) for qh in shown)
            budget = int((budget or longest) * 0.7)
        elif len(shown) > 1:
            shown.pop()
        else:
            return texts[0]


def news_keyboard(item: Follow) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Timeline", callback_data=f"{TIMELINE}:{item.id}"),
                InlineKeyboardButton("Stop following", callback_data=f"{UNFOLLOW}:{item.id}"),
            ]
        ]
    )
