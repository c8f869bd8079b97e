"""The Telegram application: built from the settings, the index and the state file, then run
with long polling or, when a webhook URL is set, as a webhook server.

`build_application` is the one place that assembles the bot, so tests and benchmarks run
exactly what `briefbot run` runs. Features register their handlers through `FEATURES`: a
module with a `register(application)` function is added there with one line.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any
from urllib.parse import urlparse

from telegram import BotCommand, BotCommandScopeChat
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, BaseRateLimiter, Defaults

from index import Index, IndexMissing

from . import (
    admin,
    asking,
    buttons,
    chats,
    daily,
    errors,
    follow,
    help,
    inline,
    logs,
    render,
    timeline,
    votes,
)
from .http import AiohttpRequest
from .sending import RateLimiter
from .services import KEY, Services, services
from .settings import Settings
from .state import State

log = logging.getLogger("briefbot.bot")

#: Each feature's `register(application)`, called in order when the application is built.
#: PTB tries a group's handlers in the order they were added: `chats` puts the allow-list
#: ahead of everything, and `buttons` must come before any other feature with buttons (its
#: handler for a button with empty data goes first; PTB hands such a button to every one).
FEATURES: tuple[Callable[[Application], None], ...] = (
    chats.register,
    buttons.register,
    asking.register,
    help.register,
    admin.register,
    inline.register,
    errors.register,
    daily.register,
    votes.register,
    follow.register,
    timeline.register,
)

#: Keep-alive connections to the Bot API for replies: a few carry hundreds of requests a
#: second. Long polling has one of its own, so a slow getUpdates never holds up a reply.
HTTP_CONNECTIONS = 8

#: The update types the bot asks Telegram for.
ALLOWED_UPDATES = ["message", "callback_query", "inline_query", "my_chat_member"]

COMMANDS = [
    BotCommand("ask", "Ask a question about the briefings"),
    BotCommand("sources", "List the briefings and their dates"),
    BotCommand("help", "What I know and how to ask"),
    BotCommand("summary", "Summary of today's (or another day's) briefings"),
    BotCommand("daily", "Get a daily summary at a set time"),
    BotCommand("privacy", "What I keep about your questions, and for how long"),
    BotCommand("follow", "Get new passages about a subject as they come"),
    BotCommand("following", "The subjects this chat follows"),
    BotCommand("unfollow", "Stop following a subject"),
    BotCommand("timeline", "How a story developed, day by day"),
]
ADMIN_COMMANDS = [
    BotCommand("stats", "Index and bot statistics"),
    BotCommand("reindex", "Read new and changed briefings now"),
]


def _file_url(base_url: str) -> str:
    """The file URL of the same Bot API server (…/bot → …/file/bot)."""
    if base_url.endswith("/bot"):
        return base_url[: -len("bot")] + "file/bot"
    return "https://api.telegram.org/file/bot"


def build_application(
    settings: Settings,
    index: Index,
    state: State,
    *,
    rate_limiter: BaseRateLimiter | None = None,
    answering_pool: ProcessPoolExecutor | None = None,
) -> Application:
    """The bot, ready to initialise and run; nothing is sent to Telegram until it starts.
    `answering_pool`: answering processes already started (`answering.fork_early`)."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    token = settings.telegram_bot_token.get_secret_value()
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    logs.protect(token, secret)
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .base_file_url(_file_url(settings.telegram_base_url))
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=render.NO_PREVIEW))
        .rate_limiter(rate_limiter or RateLimiter(max_retries=3))
        .concurrent_updates(True)
        .request(AiohttpRequest(HTTP_CONNECTIONS))
        .get_updates_request(AiohttpRequest(1))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data[KEY] = Services(settings, index, state, answering_pool=answering_pool)
    for register in FEATURES:
        register(app)
    return app


async def _post_init(app: Application) -> None:
    svc = services(app)
    try:
        await svc.run(svc.answers.start)
    except (IndexMissing, sqlite3.Error) as exc:  # each question says so; a reindex mends it
        log.warning("index not ready at start-up: %s", exc)
    removed = await svc.run(svc.state.prune)
    if removed:
        log.info("dropped %d expired pages of results", removed)
    await app.bot.set_my_commands(COMMANDS)
    for user_id in svc.settings.admin_user_ids:
        try:
            await app.bot.set_my_commands(
                COMMANDS + ADMIN_COMMANDS, scope=BotCommandScopeChat(user_id)
            )
        except TelegramError as exc:  # an admin who never opened a chat with the bot
            log.info("admin commands not shown to user %s yet: %s", user_id, exc)
    for hook in svc.startup:
        await hook(app)
    # What start-up made lives as long as the bot: kept out of the garbage collector's full
    # passes, which otherwise walk all of it again now and then, in the middle of an answer.
    gc.freeze()
    log.info("serving as @%s", app.bot.username)


async def _post_shutdown(app: Application) -> None:
    svc = services(app)
    if svc.feedback_writes is not None:  # records still being written beside their replies
        await svc.feedback_writes.settled()
    svc.answers.close()
    svc.executor.shutdown(wait=True, cancel_futures=True)


class TokenRejected(Exception):
    """Telegram refused the bot token."""


def run_bot(
    settings: Settings, index: Index, answering_pool: ProcessPoolExecutor | None = None
) -> None:
    """Serve until interrupted: long polling, or a webhook server when a URL is set.

    An error that ends the bot leaves with the token masked: PTB puts a rejected token into
    its own error message, which would otherwise be printed whole with the traceback."""
    logs.configure(settings.log_level)
    state = State(settings.state_db, dt.timedelta(days=settings.page_ttl_days))
    app = build_application(settings, index, state, answering_pool=answering_pool)
    try:
        _serve(app, settings)
    except InvalidToken:
        raise TokenRejected(
            "Telegram rejected the bot token. Copy it again from @BotFather into"
            " TELEGRAM_BOT_TOKEN (in .env or the environment)."
        ) from None
    except Exception as exc:
        text = f"{type(exc).__name__}: {exc}"
        if logs.redact(text) != text:
            raise RuntimeError(logs.redact(text)) from None
        raise
    finally:
        state.close()
    log.info("stopped; the state is in %s", settings.state_db)


def webhook_options(settings: Settings) -> dict[str, Any]:
    """How to serve a webhook for these settings (for `run_webhook` or
    `updater.start_webhook`): the local address, the path of the public URL, the secret."""
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": urlparse(settings.webhook_url or "").path.lstrip("/"),
        "webhook_url": settings.webhook_url,
        "secret_token": secret,
        "allowed_updates": ALLOWED_UPDATES,
    }


def _serve(app: Application, settings: Settings) -> None:
    if settings.webhook_url:
        app.run_webhook(**webhook_options(settings))
    else:
        app.run_polling(allowed_updates=ALLOWED_UPDATES)
