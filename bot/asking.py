"""Questions and their answers: `/ask`, a text in a private chat, and in a group a mention of
the bot or a reply to one of its answers (privacy mode lets the bot see only commands,
mentions and replies to itself there).

A question waits its chat's turn (`turns`) and is answered in an answering process
(`answering`: the search is blocking SQLite work) while the event loop keeps serving other
chats; "typing…" shows meanwhile. What a message is (a question, a greeting, thanks, "more")
is decided by `index.questions.message`, as in the console. A reply to an answer is read as a
follow-up of the question it answered, from the state file, so it still is after a restart.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from telegram import Chat, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from index import Answer, Kind, classify_message
from index import timeline as timelines

from . import answering, buttons, render, timeline, votes
from .console import NO_MORE, WELCOME
from .help import help_command
from .sending import send, too_fast, typing
from .services import Services, services
from .state import Page
from .topics import thread_of
from .turns import Refused

Context = ContextTypes.DEFAULT_TYPE

ASK_HINT_GROUP = "Ask with /ask followed by your question, e.g. /ask what was agreed on trade?"
ASK_HINT_PRIVATE = "Send me a question, e.g. what was agreed on trade?"


def register(app: Application) -> None:
    """/ask, and text messages (every one in a private chat; in a group those meant for the
    bot)."""
    message = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("ask", ask_command, filters=message))
    app.add_handler(MessageHandler(message & filters.TEXT & ~filters.COMMAND, text_message))


@dataclass
class Reply:
    """An answer about to be sent: its messages, the buttons under the last, and its page of
    results in the state file (None when nothing answered)."""

    texts: list[str]
    keyboard: InlineKeyboardMarkup | None
    page: Page | None
    answer: Answer | None = None
    today: dt.date | None = None


def _asker(update: Update) -> int | None:
    """Who asked, for the buttons of the answer: None when the message was sent as a chat (an
    anonymous group admin or a channel), whose person the bot cannot tell; anyone may then use
    them."""
    message, user = update.effective_message, update.effective_user
    if message is not None and message.sender_chat is not None:
        return None
    return user.id if user is not None else None


async def answer(
    svc: Services,
    chat_id: int,
    question: str,
    earlier: Page | None,
    asker: int | None = None,
) -> Reply:
    """Search, quote and render one question; `earlier` is the answer it replies to, whose
    question it follows up. The page of results is kept for the answer's buttons."""
    k = svc.settings.results
    today = svc.today()
    chain = await svc.run(buttons.chain, svc, earlier) if earlier else []
    found, missing = await svc.answers.run(answering.reply, question, k, chain, today)
    if not found.found:
        return Reply([render.nothing_found(found, missing)], None, None, found, today)
    follows = earlier.id if earlier else None
    page = await svc.run(
        svc.state.new_page, chat_id, question, follows, today, asker, buttons.keys(found)
    )
    keyboard = render.answer_keyboard(page.id, found, 0, k)
    return Reply(render.answer_messages(found), keyboard, page, found, today)


async def answer_question(
    update: Update, context: Context, question: str, earlier: Page | None = None
) -> None:
    svc = services(context)
    chat, message, thread = update.effective_chat, update.effective_message, thread_of(update)
    if not question.strip():
        hint = ASK_HINT_PRIVATE if chat.type == ChatType.PRIVATE else ASK_HINT_GROUP
        await send(context, chat.id, [render.esc(hint)], reply_to=message.message_id, thread=thread)
        return
    said = classify_message(question)
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
    subject = timelines.asked(said.text)
    if subject is not None:  # "how did the railway deal develop?": its days, not passages
        await timeline.reply(update, context, subject)
        return
    async with typing(context, chat.id, thread):
        reply = await answer(svc, chat.id, question.strip(), earlier, _asker(update))
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
            await too_fast(update, context)
        return

    async def answer_in_turn() -> None:
        async with turn:
            await answer_question(update, context, question, await _earlier(update, context))

    context.application.create_task(answer_in_turn(), update=update)


def _left_alone(chat: Chat, text: str) -> bool:
    """Whether a message is chatter the bot does not answer: "ok", "👍", "lol", "got it" in
    any chat, and thanks too in a group, where a reply to each would be noise for everyone
    in it (in a private chat thanks gets a word back). It takes no turn in the chat's queue,
    so a row of thumbs-up never makes the bot ask the chat to slow down."""
    kind = classify_message(text).kind
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


async def _more_in_reply(update: Update, context: Context, page: Page) -> None:
    """ "More" in reply to an answer: the page its "More" button would show, as a new message
    with its own buttons (the answer replied to stays as it was)."""
    svc = services(context)
    chat, message, thread = update.effective_chat, update.effective_message, thread_of(update)
    offset = buttons.next_offset(message.reply_to_message)
    found = None
    if offset is not None and offset <= buttons.MAX_OFFSET:
        async with typing(context, chat.id, thread):
            found = await buttons.page_at(svc, page, offset)
        if found is None:
            text = render.esc(render.RESULTS_CHANGED)
            await send(context, chat.id, [text], reply_to=message.message_id, thread=thread)
            return
    if found is None or not found.hits:
        text = render.esc(NO_MORE)
        await send(context, chat.id, [text], reply_to=message.message_id, thread=thread)
        return
    keyboard = render.answer_keyboard(page.id, found, offset, svc.settings.results)
    keyboard = await votes.page_keyboard(svc, chat, page, keyboard)
    sent = await send(
        context,
        chat.id,
        [render.page_message(found, offset)],
        reply_to=message.message_id,
        keyboard=keyboard,
        thread=thread,
    )
    if sent:
        ids = [m.message_id for m in sent]
        await svc.run(svc.state.link_messages, sent[0].chat_id, ids, page.id)
