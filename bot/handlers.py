"""What the bot does with each update: questions, paging buttons, commands, inline queries,
membership changes, and errors.

`register` adds every handler in one place. A question waits its chat's turn (`turns`) and is
answered in an answering process (`answering`; the search is blocking SQLite work) while the
event loop keeps serving other chats; "typing…" is shown meanwhile. What a message is (a
question, a greeting, thanks, "more") is decided by `index.questions.message`, as in the console.
In groups, where privacy mode lets the bot see only commands, mentions and replies to
itself, a question is `/ask …`, a mention of the bot, or a reply to one of its answers; in a
private chat every text message is a question.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import (
    Chat,
    InlineKeyboardMarkup,
    InlineQueryResultsButton,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
    User,
)
from telegram.constants import ChatAction, ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from index.questions.answer import Answer
from index.questions.message import Kind
from index.questions.message import read as read_message
from index.storage import browse
from index.storage.reindex import ReindexBusy, reindex
from index.storage.search import Hit
from index.storage.store import IndexMissing
from index.timeline import asked as timeline_subject

from . import answering, render, votes
from .console import NO_MORE, WELCOME
from .services import Services, services
from .state import Page, forget_topic
from .topics import thread_of, topic_gone
from .turns import Refused

log = logging.getLogger("briefbot.bot")

Context = ContextTypes.DEFAULT_TYPE

#: Results offered in inline mode.
INLINE_RESULTS = 5
#: Paging stops here: past this many results a question needs better words, not more pages.
MAX_OFFSET = 60
#: How long the reply waits for a "typing…" request in flight before going out anyway.
TYPING_WAIT = 1.0
#: "typing…" shows for about 5 s; it is sent again this often while the work goes on.
TYPING_EVERY = 4.0
#: A follow-up of a follow-up … is read with at most this many questions before it.
MAX_FOLLOW_UPS = 3
#: An unknown command is named back up to this many characters.
MAX_COMMAND = 40
#: Chats are written to the state file at most this often (seconds), not on every message.
BOOKKEEPING_EVERY = 3600.0
#: A second press of the same "Context" button within this many seconds posts nothing more:
#: a double tap, or a press while the first is being answered. Later, it posts again, since the
#: first may have scrolled out of sight.
CONTEXT_ONCE_FOR = 120.0
#: The labels the button to an answer's next page has had: answers sent before the label
#: changed still have the old one.
NEXT_PAGE_LABELS = (render.MORE_RESULTS, "More results ▶")
#: Where the recent "Context" presses are kept, in `application.bot_data`.
CONTEXT_PRESSES = "briefbot.context_presses"

REFUSAL = (
    "Sorry, this bot only answers in the chats it was set up for, and this is not one of them."
    " If you run it, add {chat_id} to ALLOWED_CHAT_IDS."
)
REFUSAL_SHORT = "Sorry, this bot only answers in the chats it was set up for."
ADMINS_ONLY = "Only the bot's administrators can use /{command}."
ASK_HINT_GROUP = "Ask with /ask followed by your question, e.g. /ask what was agreed on trade?"
ASK_HINT_PRIVATE = "Send me a question, e.g. what was agreed on trade?"
UNKNOWN_COMMAND = "I don't know {command}. Send /help to see what I can do."
TOO_FAST = (
    "One moment, I'm still answering your earlier questions. Questions sent meanwhile are"
    " skipped, so please ask those again once my answers are in."
)
INDEX_UNAVAILABLE = (
    "The briefings can't be read right now (the index is missing or being rebuilt)."
    " Please try again in a few minutes."
)


def register(app: Application) -> None:
    """Every handler of the question-answering bot. PTB tries them in this order; the
    gatekeeper runs first (group -1) for every update, so the allow-list covers everything,
    including handlers other modules register later."""
    message = filters.UpdateType.MESSAGE
    app.add_handler(TypeHandler(Update, gatekeeper), group=-1)
    app.add_handler(CommandHandler(("start", "help"), help_command, filters=message))
    app.add_handler(CommandHandler("ask", ask_command, filters=message))
    app.add_handler(CommandHandler("sources", sources_command, filters=message))
    app.add_handler(CommandHandler("stats", stats_command, filters=message))
    app.add_handler(CommandHandler("reindex", reindex_command, filters=message))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, migrated))
    app.add_handler(MessageHandler(message & filters.TEXT & ~filters.COMMAND, text_message))
    # PTB hands a button with empty data to every patterned handler, so this one goes first.
    app.add_handler(CallbackQueryHandler(empty_button, pattern=r"^$"))
    app.add_handler(CallbackQueryHandler(more_button, pattern=r"^more:\d{1,18}:\d{1,6}$"))
    app.add_handler(CallbackQueryHandler(context_button, pattern=r"^ctx:\d{1,18}:\d{1,6}$"))
    app.add_handler(CallbackQueryHandler(position_button, pattern=r"^pos$"))
    app.add_handler(CallbackQueryHandler(sources_button, pattern=r"^src:\d{1,6}$"))
    app.add_handler(InlineQueryHandler(inline_query))
    app.add_handler(ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(CallbackQueryHandler(unknown_button), group=1)
    app.add_handler(MessageHandler(message & filters.COMMAND, unknown_command), group=1)
    app.add_error_handler(on_error)


# -- access and bookkeeping ------------------------------------------------------------------


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


def _is_admin(svc: Services, update: Update) -> bool:
    user = update.effective_user
    return user is not None and user.id in svc.settings.admin_user_ids


# -- sending ---------------------------------------------------------------------------------


async def send(
    context: Context,
    chat_id: int,
    texts: list[str],
    *,
    reply_to: int | None = None,
    keyboard: InlineKeyboardMarkup | None = None,
    thread: int | None = None,
) -> list[Message]:
    """Send HTML messages in order, the keyboard on the last, the first replying to
    `reply_to`, all in the forum topic `thread` (`topics.thread_of`; without it a message
    goes to the General topic, wherever it was asked). A group that became a supergroup is
    followed to its new id; a chat that removed or blocked the bot is forgotten and sent
    nothing more, and so is a topic that was closed or deleted (only that topic)."""
    svc = services(context)
    sent: list[Message] = []
    for i, text in enumerate(texts):
        kwargs = {
            "parse_mode": ParseMode.HTML,
            "link_preview_options": render.NO_PREVIEW,
            "reply_markup": keyboard if i == len(texts) - 1 else None,
            "message_thread_id": thread,
        }
        if reply_to is not None and i == 0:
            kwargs["reply_parameters"] = ReplyParameters(reply_to, allow_sending_without_reply=True)
        try:
            sent.append(await context.bot.send_message(chat_id, text, **kwargs))
        except ChatMigrated as exc:
            log.info("chat %s became supergroup %s", chat_id, exc.new_chat_id)
            await svc.run(svc.state.migrate_chat, chat_id, exc.new_chat_id)
            chat_id = exc.new_chat_id
            kwargs.pop("reply_parameters", None)
            sent.append(await context.bot.send_message(chat_id, text, **kwargs))
        except Forbidden as exc:
            log.info("chat %s removed or blocked the bot (%s); forgetting it", chat_id, exc)
            await svc.run(svc.state.forget_chat, chat_id)
            break
        except BadRequest as exc:
            if not topic_gone(exc):
                raise
            await _forget_topic(svc, chat_id, thread, exc)
            break
    return sent


async def _forget_topic(svc: Services, chat_id: int, thread: int | None, error: Exception) -> None:
    """A topic that was closed or deleted: what was set in it stops, as for a chat that
    removed the bot, and the group's other topics go on."""
    where = f"topic {thread}" if thread is not None else "the General topic"
    log.info("%s of chat %s was closed or deleted (%s); forgetting it", where, chat_id, error)
    await svc.run(forget_topic, svc.state, chat_id, thread)


async def _typing(context: Context, chat_id: int, thread: int | None = None) -> None:
    try:
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=thread)
    except TelegramError as exc:  # only a courtesy; the reply itself reports real trouble
        log.debug("typing action failed in chat %s: %s", chat_id, exc)


@contextlib.asynccontextmanager
async def typing(context: Context, chat_id: int, thread: int | None = None) -> AsyncIterator[None]:
    """Show "typing…" (in the forum topic `thread`) while the body works, once it has taken
    a noticeable time (Telegram asks bots to send it only then), renewed until the body ends.
    A quick answer sends no extra request, which under load is a third of the bot's HTTP
    calls."""
    svc = services(context)
    done = asyncio.Event()
    task: asyncio.Task | None = None

    async def keep_typing() -> None:
        while not done.is_set():
            await _typing(context, chat_id, thread)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), TYPING_EVERY)

    def start() -> None:
        nonlocal task
        task = asyncio.ensure_future(keep_typing())

    timer = asyncio.get_running_loop().call_later(svc.typing_after, start)
    try:
        yield
    finally:
        timer.cancel()
        done.set()
        if task is not None:  # let a request in flight land before the reply, not after
            finished, _ = await asyncio.wait({task}, timeout=TYPING_WAIT)
            if not finished:
                task.cancel()


# -- questions -------------------------------------------------------------------------------


@dataclass
class Reply:
    texts: list[str]
    keyboard: InlineKeyboardMarkup | None
    page: Page | None
    answer: Answer | None = None
    today: dt.date | None = None


def _today(svc: Services) -> dt.date:
    """The date where the bot's users are, for questions about "yesterday"."""
    try:
        zone = ZoneInfo(svc.settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    return dt.datetime.now(zone).date()


def _chain(svc: Services, page: Page | None) -> list[tuple[str, dt.date | None]]:
    """A page's question and those it followed up, nearest first, from the state file, so
    that a reply to an answer (or a later page of it) is read in the same context after a
    restart."""
    chain: list[tuple[str, dt.date | None]] = []
    while page is not None and len(chain) <= MAX_FOLLOW_UPS:
        chain.append((page.question, page.today))
        page = svc.state.page(page.follows, page.chat_id) if page.follows else None
    return chain


def _asker(update: Update) -> int | None:
    """Who asked, for the buttons of the answer: None when the message was sent as a chat (an
    anonymous group admin or a channel), whose person the bot cannot tell; anyone may then use
    them."""
    message, user = update.effective_message, update.effective_user
    if message is not None and message.sender_chat is not None:
        return None
    return user.id if user is not None else None


async def _answer(
    svc: Services,
    chat_id: int,
    question: str,
    earlier: Page | None,
    asker: int | None = None,
) -> Reply:
    """Search, quote and render one question."""
    k = svc.settings.results
    today = _today(svc)
    chain = await svc.run(_chain, svc, earlier) if earlier else []
    answer, missing = await svc.answers.run(answering.reply, question, k, chain, today)
    if not answer.found:
        return Reply([render.nothing_found(answer, missing)], None, None, answer, today)
    follows = earlier.id if earlier else None
    page = await svc.run(
        svc.state.new_page, chat_id, question, follows, today, asker, _keys(answer)
    )
    keyboard = render.answer_keyboard(page.id, answer, 0, k)
    return Reply(render.answer_messages(answer), keyboard, page, answer, today)


async def answer_question(
    update: Update, context: Context, question: str, earlier: Page | None = None
) -> None:
    svc = services(context)
    chat, message, thread = update.effective_chat, update.effective_message, thread_of(update)
    if not question.strip():
        hint = ASK_HINT_PRIVATE if chat.type == ChatType.PRIVATE else ASK_HINT_GROUP
        await send(context, chat.id, [render.esc(hint)], reply_to=message.message_id, thread=thread)
        return
    said = read_message(question)
    if said.kind is Kind.HELP:
        await help_command(update, context)
        return
    if said.kind is Kind.THANKS:  # only in a private chat (`_left_alone`)
        await send(
            context, chat.id, [render.esc(WELCOME)], reply_to=message.message_id, thread=thread
        )
        return
    if said.kind is Kind.MORE and earlier is not None:
        await _more_in_reply(update, context, earlier)
        return
    if said.kind is Kind.MORE and chat.type != ChatType.PRIVATE:
        return  # "more" in reply to the help or the sources: there is no answer to go on with
    subject = timeline_subject(said.text)
    if subject is not None:  # "how did the railway deal develop?": its days, not passages
        from .timeline import reply as timeline  # it sends through this module

        await timeline(update, context, subject)
        return
    async with typing(context, chat.id, thread):
        reply = await _answer(svc, chat.id, question.strip(), earlier, _asker(update))
        reply.keyboard = await votes.keep(svc, chat, _asker(update), reply, earlier)
    sent = await send(
        context,
        chat.id,
        reply.texts,
        reply_to=message.message_id,
        keyboard=reply.keyboard,
        thread=thread,
    )
    if reply.page is not None and sent:
        ids = [m.message_id for m in sent]
        await svc.run(svc.state.link_messages, sent[0].chat_id, ids, reply.page.id)


async def in_turn(update: Update, context: Context, question: str) -> None:
    """Queue a question behind its chat's earlier ones, to be answered in its turn among the
    chats (bot/turns.py); a chat sending faster than anyone reads is told once to wait, and
    the rest of what it sends is dropped. The handler returns at once, so the questions
    waiting hold up none of the updates behind them (buttons, admin commands)."""
    svc = services(context)
    chat, message = update.effective_chat, update.effective_message
    if _left_alone(chat, question):
        return
    turn = svc.turns.admit(chat.id, message.date.timestamp() if message.date else None)
    if isinstance(turn, Refused):
        if turn.tell:
            log.info("chat %s is sending questions too fast; dropping them for now", chat.id)
            text = [render.esc(TOO_FAST)]
            await send(
                context, chat.id, text, reply_to=message.message_id, thread=thread_of(update)
            )
        return

    async def answer() -> None:
        async with turn:
            await answer_question(update, context, question, await _earlier(update, context))

    context.application.create_task(answer(), update=update)


def _left_alone(chat: Chat, text: str) -> bool:
    """Whether a message is chatter the bot does not answer: "ok", "👍", "lol", "got it" in
    any chat, and thanks too in a group, where a reply to each would be noise for everyone
    in it (in a private chat thanks gets a word back). It takes no turn in the chat's queue,
    so a row of thumbs-up never makes the bot ask the chat to slow down."""
    kind = read_message(text).kind
    return kind is Kind.CHATTER or (kind is Kind.THANKS and chat.type != ChatType.PRIVATE)


async def ask_command(update: Update, context: Context) -> None:
    await in_turn(update, context, " ".join(context.args or []))


def _mention_free(message: Message, username: str) -> str | None:
    """The text without mentions of the bot, or None when the bot is not mentioned."""
    mentions = message.parse_entities([MessageEntity.MENTION]).values()
    if not any(m.lower() == f"@{username}".lower() for m in mentions):
        return None
    text = re.sub(rf"@{re.escape(username)}\b", " ", message.text or "", flags=re.IGNORECASE)
    return " ".join(text.split())


def _replies_to_bot(message: Message, bot_id: int) -> bool:
    reply = message.reply_to_message
    return reply is not None and reply.from_user is not None and reply.from_user.id == bot_id


async def _earlier(update: Update, context: Context) -> Page | None:
    """The answer a message replies to, when it replies to one of the bot's answers."""
    message = update.effective_message
    if not _replies_to_bot(message, context.bot.id):
        return None
    svc = services(context)
    chat_id = update.effective_chat.id
    return await svc.run(svc.state.page_for_message, chat_id, message.reply_to_message.message_id)


async def text_message(update: Update, context: Context) -> None:
    """Private chats: every text is a question. Groups: a reply to the bot or a mention."""
    chat, message = update.effective_chat, update.effective_message
    question: str | None = message.text
    if chat.type != ChatType.PRIVATE and not _replies_to_bot(message, context.bot.id):
        question = _mention_free(message, context.bot.username)
        if question is None:
            return  # chatter the bot sees as a group admin or with privacy mode off
    await in_turn(update, context, question or "")


# -- buttons ---------------------------------------------------------------------------------


def _keys(answer: Answer) -> dict[int, browse.PassageKey]:
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
    keys = [browse.key(qh.hit) for qh in answer.hits]
    found = dict(zip(keys, answer.hits, strict=True))
    taken = set(shown.values())
    fresh = iter([qh for key, qh in zip(keys, answer.hits, strict=True) if key not in taken])
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
    unshown = sum(1 for key in keys if key not in taken)
    total = len(shown) + unshown + max(beyond - missing, 0)
    return replace(
        answer,
        hits=page,
        more=total > offset + len(page),
        total=total,
        exact=answer.exact and not missing,
    )


async def _page(svc: Services, page: Page, offset: int) -> Answer | None:
    """The page at `offset` of a page's question, going on from what it showed (`continued`);
    None when that cannot be done truthfully. The question is asked again a page deeper
    than needed, so that passages shown before that moved down a little are still found."""
    followed = page.follows and await svc.run(svc.state.page, page.follows, page.chat_id)
    chain = await svc.run(_chain, svc, followed) if followed else []
    k = svc.settings.results
    shown = await svc.run(svc.state.shown, page)
    for depth in sorted({offset + 2 * k, MAX_OFFSET + 2 * k}):
        again = await svc.answers.run(answering.ask, page.question, depth, 0, chain, page.today)
        answer = continued(again, shown, offset, k)
        if answer is not None or not again.more:
            break
    if answer is not None:
        await svc.run(svc.state.remember_shown, page, _keys(answer))
    return answer


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
    answer = await _page(svc, page, offset)
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


def _next_offset(answer: Message | None) -> int | None:
    """Where the "More" button under one of the bot's answers leads, if it has one."""
    markup = answer.reply_markup if answer is not None else None
    for row in markup.inline_keyboard if markup is not None else ():
        for b in row:
            data = b.callback_data if isinstance(b.callback_data, str) else ""
            if data.startswith("more:") and b.text in NEXT_PAGE_LABELS:
                return int(data.rsplit(":", 1)[1])
    return None


async def _more_in_reply(update: Update, context: Context, page: Page) -> None:
    """ "More" in reply to an answer: the page its "More" button would show, as a new message
    with its own buttons (the answer replied to stays as it was)."""
    svc = services(context)
    chat, message, thread = update.effective_chat, update.effective_message, thread_of(update)
    offset = _next_offset(message.reply_to_message)
    answer = None
    if offset is not None and offset <= MAX_OFFSET:
        async with typing(context, chat.id, thread):
            answer = await _page(svc, page, offset)
        if answer is None:
            text = render.esc(render.RESULTS_CHANGED)
            await send(context, chat.id, [text], reply_to=message.message_id, thread=thread)
            return
    if answer is None or not answer.hits:
        text = render.esc(NO_MORE)
        await send(context, chat.id, [text], reply_to=message.message_id, thread=thread)
        return
    keyboard = render.answer_keyboard(page.id, answer, offset, svc.settings.results)
    keyboard = await votes.page_keyboard(svc, chat, page, keyboard)
    sent = await send(
        context,
        chat.id,
        [render.page_message(answer, offset)],
        reply_to=message.message_id,
        keyboard=keyboard,
        thread=thread,
    )
    if sent:
        ids = [m.message_id for m in sent]
        await svc.run(svc.state.link_messages, sent[0].chat_id, ids, page.id)


def _around(svc: Services, passage: browse.PassageKey) -> list[Hit] | bool:
    """The passage with those around it, or whether its briefing is still there."""
    with svc.index.reading() as conn:
        hits = browse.around(conn, passage)
        return hits if hits is not None else browse.has_briefing(conn, passage.document)


async def _terms(svc: Services, page: Page) -> list[str]:
    """The words of a page's question to mark in a passage. The question is read again by
    the answering process, which holds what that takes (vocabulary, postings), so the bot's
    own process need not."""
    chain = await svc.run(_chain, svc, page)
    reading = await svc.answers.run(answering.follow, chain) if chain else None
    return reading.highlight_terms if reading else []


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
    hits = await svc.run(_around, svc, passage)
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


# -- commands --------------------------------------------------------------------------------


async def help_command(update: Update, context: Context) -> None:
    svc = services(context)
    chat = update.effective_chat

    def overview():
        with svc.index.reading() as conn:
            return browse.overview(conn)

    group = chat.type != ChatType.PRIVATE
    text = render.help_message(await svc.run(overview), context.bot.username, group)
    await send(
        context, chat.id, [text], reply_to=_in_group_reply_to(update), thread=thread_of(update)
    )


def _in_group_reply_to(update: Update) -> int | None:
    """The message a reply to a command goes under: in a group, the command itself, so that
    the person who asked finds the reply among everyone else's messages; in a private chat,
    none (the reply follows the command anyway)."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or chat.type == ChatType.PRIVATE or message is None:
        return None
    return message.message_id


def _sources(svc: Services, offset: int) -> tuple[list[browse.Briefing], int]:
    with svc.index.reading() as conn:
        total = browse.overview(conn).documents
        return browse.briefings(conn, render.SOURCES_PER_PAGE, offset), total


async def sources_command(update: Update, context: Context) -> None:
    svc = services(context)
    briefings, total = await svc.run(_sources, svc, 0)
    await send(
        context,
        update.effective_chat.id,
        [render.sources_page(briefings, 0, total)],
        reply_to=_in_group_reply_to(update),
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


async def stats_command(update: Update, context: Context) -> None:
    svc = services(context)
    chat, thread = update.effective_chat, thread_of(update)
    if not _is_admin(svc, update):
        text = render.esc(ADMINS_ONLY.format(command="stats"))
        await send(context, chat.id, [text], thread=thread)
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
    if not _is_admin(svc, update):
        text = render.esc(ADMINS_ONLY.format(command="reindex"))
        await send(context, chat.id, [text], thread=thread)
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


# -- inline mode -----------------------------------------------------------------------------


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
    answer = await svc.answers.run(answering.ask, question, INLINE_RESULTS, 0, (), _today(svc))
    results = render.inline_results(answer)
    if not results:
        button = InlineQueryResultsButton(text="Nothing found. How to ask", start_parameter="help")
        await query.answer([], cache_time=cache, is_personal=personal, button=button)
        return
    await query.answer(results, cache_time=cache, is_personal=personal)


# -- chats coming and going ------------------------------------------------------------------


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

        def overview():
            with svc.index.reading() as conn:
                return browse.overview(conn)

        text = render.help_message(await svc.run(overview), context.bot.username, True)
        await send(context, chat.id, [text])


# -- errors ----------------------------------------------------------------------------------


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
    """One place for every error: log it with the update it came from, and tell the person
    something went wrong (never what, and never a stack trace)."""
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
