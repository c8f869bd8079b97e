"""How a story developed, in Telegram: `/timeline SUBJECT`, and questions that ask for one
("how did the railway deal develop?", "timeline of the Gaza talks").

A timeline is one line a date, oldest first: the date in bold, then the sentence that says
what was new that day (`index.timeline`), the subject's words in bold. Under each message a
button per date opens that day's passage whole, with the text around it, as "Context" does
under an answer. The buttons name a page in the state file whose question is the subject,
so they keep working after a restart and highlight the subject's words.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from index import browse, timeline

from . import render
from .buttons import around
from .days import day_text, short_day
from .render import Block, Run
from .sending import send, typing
from .services import services
from .topics import thread_of

Context = ContextTypes.DEFAULT_TYPE

CALLBACK = "tl"
#: Date buttons in a row under a timeline message.
BUTTONS_PER_ROW = 4
USAGE = (
    "Use /timeline followed by a subject, e.g. /timeline the railway deal, or ask “how did the"
    " railway deal develop?”. Add dates to narrow it: /timeline Gaza since March."
)


def register(app: Application) -> None:
    """/timeline and the buttons under a timeline."""
    app.add_handler(
        CommandHandler("timeline", timeline_command, filters=filters.UpdateType.MESSAGE)
    )
    app.add_handler(
        CallbackQueryHandler(day_button, pattern=rf"^{CALLBACK}:\d{{1,18}}:\d{{1,18}}$")
    )


async def timeline_command(update: Update, context: Context) -> None:
    subject = " ".join(context.args or []).strip()
    message = update.effective_message
    if not subject:
        await send(
            context, update.effective_chat.id, [render.esc(USAGE)], reply_to=message.message_id
        )
        return
    await reply(update, context, subject)


async def reply(update: Update, context: Context, subject: str) -> None:
    """Send the timeline of `subject` in reply to the message that asked for it, in its
    topic."""
    chat, message = update.effective_chat, update.effective_message
    await show(
        context,
        chat.id,
        subject,
        reply_to=message.message_id if message else None,
        thread=thread_of(update),
    )


async def show(
    context: Context,
    chat_id: int,
    subject: str,
    reply_to: int | None = None,
    thread: int | None = None,
) -> None:
    """Send the timeline of `subject` to a chat, each message with the buttons of its days.
    The page remembers each day's passage by its stable key, so a button opens that passage
    after a rebuild, or says that its briefing changed."""
    svc = services(context)
    async with typing(context, chat_id, thread):
        found = await svc.answers.run(timeline.of, subject, svc.today())
    if not found.entries:
        await send(context, chat_id, [nothing(found)], reply_to=reply_to, thread=thread)
        return
    page = await svc.run(svc.state.new_page, chat_id, subject)
    days = {n: browse.key(e.hit) for n, e in enumerate(found.entries, 1)}
    await svc.run(svc.state.remember_shown, page, days)
    for i, (text, keyboard) in enumerate(messages(found, page.id)):
        await send(
            context,
            chat_id,
            [text],
            reply_to=reply_to if i == 0 else None,
            keyboard=keyboard,
            thread=thread,
        )


def nothing(found: timeline.Timeline) -> str:
    """Why there is no timeline: the dates, the words no briefing holds, or nothing
    answering."""
    if found.note:
        return render.esc(found.note)
    if found.missing:
        words = ", ".join(found.missing)
        return render.esc(f"No briefing mentions {words}, so there is no timeline of it yet.")
    return render.esc(
        f"Nothing in the briefings answers “{found.subject}”, so there is no timeline of it."
    )


def _line(entry: timeline.Entry) -> Block:
    """One day: its date in bold, then the sentence with the subject's words in bold, and
    how many other briefings of that day answer."""
    hit = entry.hit
    runs: Block = [Run(day_text(entry.date), ("b",)), Run("  ")]
    runs += render._highlighted(hit.text, *entry.sentence, entry.highlights, ())
    others = len(entry.briefings) - 1
    if others > 0:
        runs.append(Run(f" (+{others} more briefing{'s' if others > 1 else ''})", ("i",)))
    return runs


def messages(found: timeline.Timeline, page_id: int) -> list[tuple[str, InlineKeyboardMarkup]]:
    """The timeline as messages within Telegram's limit, each with a button for each of the
    days it shows."""
    n = len(found.entries)
    head: Block = [Run(found.subject, ("b",)), Run(f": how it developed, {n} day")]
    head.append(Run(("s" if n != 1 else "") + ", oldest first."))
    if found.earlier:
        head.append(Run(f" {found.earlier} earlier days are left out; add dates to see them."))
    if found.missing:
        head.append(Run(f" No briefing mentions {', '.join(found.missing)}."))
    groups: list[tuple[list[Block], list[timeline.Entry]]] = [([head], [])]
    used = render.size(render.to_html(head))
    for entry in found.entries:
        block = _line(entry)
        size = render.size(render.to_html(block)) + 2
        if used + size > render.LIMIT and groups[-1][1]:
            groups.append(([], []))
            used = 0
        groups[-1][0].append(block)
        groups[-1][1].append(entry)
        used += size
    out = []
    first = 1
    for blocks, entries in groups:
        texts = render.pack(blocks, separator="\n")
        out += [(t, None) for t in texts[:-1]]
        out.append((texts[-1], keyboard(entries, page_id, first)))
        first += len(entries)
    return out


def keyboard(
    entries: list[timeline.Entry], page_id: int, first: int = 1
) -> InlineKeyboardMarkup | None:
    """A button per day ("6 Sep"), opening its passage: `tl:PAGE:N`, the Nth day of the
    timeline, whose passage the page remembers by its stable key (never an index row, which a
    rebuild numbers afresh)."""
    buttons = [
        InlineKeyboardButton(short_day(e.date), callback_data=f"{CALLBACK}:{page_id}:{n}")
        for n, e in enumerate(entries, first)
    ]
    rows = [buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]
    return InlineKeyboardMarkup(rows) if rows else None


async def day_button(update: Update, context: Context) -> None:
    """A day's passage whole, with the passages before and after it, the subject in bold; or,
    when its briefing changed or went since, why not."""
    svc = services(context)
    query = update.callback_query
    _, page_text, day_text = query.data.split(":")
    chat = update.effective_chat
    page = await svc.run(svc.state.page, int(page_text), chat.id) if chat else None
    passage = (await svc.run(svc.state.shown, page)).get(int(day_text)) if page else None
    if passage is None:
        await query.answer(render.EXPIRED, show_alert=True)
        return
    hits = await svc.run(around, svc, passage)
    if not isinstance(hits, list):
        gone = render.PASSAGE_CHANGED if hits else render.BRIEFING_REMOVED
        await query.answer(gone, show_alert=True)
        return
    await query.answer()
    terms = await svc.answers.run(timeline.terms, page.question)
    reply_to = query.message.message_id if query.message is not None else None
    texts = render.context_messages(hits, passage.ordinal, terms)
    await send(context, chat.id, texts, reply_to=reply_to, thread=thread_of(update))
