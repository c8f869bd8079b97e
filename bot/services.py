"""What every handler needs (settings, index, state, a thread pool for blocking work, the
answering processes), kept in `application.bot_data` under one key so any feature module can
reach it from a context."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from telegram.ext import Application, CallbackContext

from index import Index

from . import days
from .answering import Answerer
from .settings import Settings
from .state import State
from .turns import Turns

KEY = "briefbot"
TYPING_AFTER = 0.3
T = TypeVar("T")

#: Threads for the bot's blocking work off the event loop: the state file, the index's lists
#: (/sources, the help, summaries), and the questions themselves only when there are no
#: answering processes (`BRIEFBOT_SEARCH_PROCESSES=0`; `answering`). SQLite releases the GIL
#: while it works, and `Index` keeps one connection per thread, so a few threads keep a slow
#: call from holding up the rest.
SEARCH_THREADS = 4

#: Questions answered at once for each answering process (bot/turns.py). Enough that the
#: process keeps searching while others are rendered and sent, even on a busy machine where
#: an answer takes 50 to 100 ms from its turn to its reply (8 capped the bot at about 85
#: questions a second there); few enough that a button press or another chat's question
#: finds at most these ahead of it, a few milliseconds of searching each.
QUESTIONS_AT_ONCE = 32


@dataclass
class Services:
    settings: Settings
    index: Index
    state: State
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(SEARCH_THREADS, thread_name_prefix="search")
    )
    #: Coroutines run once the bot is connected (after the command menu is set); a feature
    #: appends to it from its `register` (e.g. to rebuild scheduled jobs from the state file).
    startup: list[Callable[[Application], Awaitable[None]]] = field(default_factory=list)
    #: Chats recorded in the state file recently, so that bookkeeping is not a write per message.
    seen: dict[int, float] = field(default_factory=dict)
    #: The feedback records being written beside their replies (`votes.Writes`).
    feedback_writes: Any = None
    #: Seconds of work after which "typing…" is shown (Telegram: only for noticeable delays).
    typing_after: float = TYPING_AFTER
    #: Answering processes started before the bot was built (`answering.fork_early`).
    answering_pool: ProcessPoolExecutor | None = None
    #: Questions are answered here: in worker processes, or in `executor` when there are none.
    answers: Answerer = field(init=False)
    #: Questions wait here for their turn, each chat in its own queue.
    turns: Turns = field(init=False)

    def __post_init__(self) -> None:
        settings = self.settings
        self.answers = Answerer(
            self.index, settings.search_processes, self.executor, self.answering_pool
        )
        at_once = QUESTIONS_AT_ONCE * max(1, settings.search_processes)
        self.turns = Turns(at_once, settings.chat_burst, settings.chat_burst_seconds)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking work (a search, a state write) off the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(fn, *args, **kwargs))

    def today(self) -> dt.date:
        """The date where the bot's users are (`BRIEFBOT_TIMEZONE`), for questions about
        "yesterday"."""
        return days.today(self.settings.timezone)


def services(context: CallbackContext | Application) -> Services:
    """The services from a handler's context (or from the application itself)."""
    return context.bot_data[KEY]
