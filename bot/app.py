"""The Telegram application: built from the settings, the index and the state file, then run
with long polling or, when a webhook URL is set, as a webhook server.

`build_application` is the one place that assembles the bot, so tests and benchmarks run
exactly what `briefbot run` runs. Features register their handlers through `FEATURES`: a
module with a `register(application)` function is added there with one line.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from telegram import BotCommand, BotCommandScopeChat
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, BaseRateLimiter, Defaults

from index.answer import Index

from . import daily, handlers, logs, render
from .services import KEY, Services, services
from .settings import Settings
from .state import State

log = logging.getLogger("briefbot.bot")

#: Each feature's `register(application)`, called in order when the application is built.
FEATURES: tuple[Callable[[Application], None], ...] = (handlers.register, daily.register)

#: Connections to the Bot API. PTB's default of 256 costs more than it gives: httpcore scans
#: every pooled connection for each queued request, which under load took more CPU than the
#: answers themselves (bench/bot_load.py), while a few keep-alive connections carry a few
#: hundred requests a second.
HTTP_CONNECTIONS = 8
#: Seconds a request may wait for one of them before it counts as a network error.
POOL_TIMEOUT = 10.0

#: The update types the bot asks Telegram for.
ALLOWED_UPDATES = ["message", "callback_query", "inline_query", "my_chat_member"]

COMMANDS = [
    BotCommand("ask", "Ask a question about the briefings"),
    BotCommand("sources", "List the briefings and their dates"),
    BotCommand("help", "What I know and how to ask"),
    BotCommand("summary", "Summary of today's (or another day's) briefings"),
    BotCommand("daily", "Get a daily summary at a set time"),
]
ADMIN_COMMANDS = [
    BotCommand("stats", "Index and bot statistics"),
    BotCommand("reindex", "Read new and changed briefings now"),
]


class RateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter, honouring flood control (429 retry_after) with retries, except
    that "typing…" does not use up the budget of a group's 20 messages a minute."""

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args) -> Any:
        if endpoint == "sendChatAction":
            return await callback(*args, **kwargs)
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )


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
) -> Application:
    """The bot, ready to initialise and run; nothing is sent to Telegram until it starts."""
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
        .connection_pool_size(HTTP_CONNECTIONS)
        .pool_timeout(POOL_TIMEOUT)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data[KEY] = Services(settings, index, state)
    for register in FEATURES:
        register(app)
    return app


async def _post_init(app: Application) -> None:
    svc = services(app)
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
    log.info("serving as @%s", app.bot.username)


async def _post_shutdown(app: Application) -> None:
    services(app).executor.shutdown(wait=True, cancel_futures=True)


def run_bot(settings: Settings, index: Index) -> None:
    """Serve until interrupted: long polling, or a webhook server when a URL is set."""
    logs.configure(settings.log_level)
    state = State(settings.state_db, dt.timedelta(days=settings.page_ttl_days))
    app = build_application(settings, index, state)
    try:
        _serve(app, settings)
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
