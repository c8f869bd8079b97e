"""What the end-to-end tests share: briefings written into a corpus, the real bot run against
the Bot API stand-in, and waiting for what it sends.

`running_bot` does what `Application.run_polling` does (initialise, post_init, start, poll;
then the reverse), with a one-second long poll so that a test stops quickly. `Bot` keeps a
test's corpus, index and state files together with the settings that point at them.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
import shutil
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from botapi import DEFAULT_TOKEN, BotAPIStandIn
from telegram.ext import Application, BaseRateLimiter

from bot.app import build_application
from bot.settings import Settings
from bot.state import State
from index.questions.answer import Index
from index.storage.reindex import reindex

ROOT = Path(__file__).resolve().parents[1]
PRIVATE = 42
GROUP = -1001234567890
#: The user `reply_to` speaks as unless told otherwise.
ADMIN = 1001

RAILWAY_QUESTION = "what did Raeisi say about the railway?"

# A briefing whose text is full of what HTML would take for markup.
HOSTILE = """---
title: Tariffs <b>& "trade"</b>
date: 2024-02-01
---

# Duties & <levies>

The tariff on <steel> & 'aluminium' rose by 5% </b> overnight, said the <i>ministry</i>.
"""

# Three passages, each one sentence of about 1,600 characters mentioning "zeppelin": an
# answer with all three is longer than one Telegram message.
LONG = "date 2024-01-15\n\n" + "\n\n".join(
    "Zeppelin report "
    + str(n)
    + ": "
    + ", ".join(f"airship clause {i} of {n}" for i in range(80))
    + "."
    for n in range(3)
)


def paging_briefing(n: int) -> str:
    """One of several short briefings all about the Lisbon tramway, for paging through."""
    return (
        f"---\ntitle: Tramway note {n}\ndate: 2024-04-{n + 1:02d}\n---\n\n"
        f"The Lisbon tramway extension, stage {n}, was discussed by the city council.\n"
    )


def make_corpus(folder: Path) -> Path:
    """The bundled briefing plus hostile markup, long passages and ten paging briefings."""
    shutil.copytree(ROOT / "corpus", folder)
    (folder / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    (folder / "2024-01-15-long.txt").write_text(LONG, encoding="utf-8")
    for n in range(10):
        (folder / f"tram-{n:02d}.md").write_text(paging_briefing(n), encoding="utf-8")
    return folder


def write(folder: Path, name: str, day: dt.date | str, title: str, *paragraphs: str) -> None:
    """A Markdown briefing with its title and date in front matter, its paragraphs apart."""
    folder.mkdir(parents=True, exist_ok=True)
    body = "\n\n".join(paragraphs)
    date = day.isoformat() if isinstance(day, dt.date) else day
    (folder / name).write_text(
        f"---\ntitle: {title}\ndate: {date}\n---\n\n{body}\n", encoding="utf-8"
    )


def build_index(tmp_path: Path) -> tuple[Path, Path]:
    corpus = make_corpus(tmp_path / "corpus")
    db = tmp_path / "index.db"
    report = reindex(corpus, db)
    assert not report.failed, report.failed
    return corpus, db


def bot_settings(standin: BotAPIStandIn, corpus: Path, db: Path, **overrides: Any) -> Settings:
    values = {
        "telegram_bot_token": DEFAULT_TOKEN,
        "telegram_base_url": standin.base_url,
        "corpus": corpus,
        "db": db,
        "state_db": db.parent / "state.db",
        "allowed_chat_ids": frozenset(),
        "admin_user_ids": frozenset(),
        "results": 3,
        **overrides,
    }
    return Settings(_env_file=None, **values)


@contextlib.asynccontextmanager
async def running_bot(
    settings: Settings, state: State | None = None, rate_limiter: BaseRateLimiter | None = None
) -> AsyncIterator[Application]:
    index = Index(settings.db)
    own_state = state is None
    state = state or State(settings.state_db)
    app = build_application(settings, index, state, rate_limiter=rate_limiter)
    async with app:
        await app.post_init(app)
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
    await app.post_shutdown(app)
    index.close()
    if own_state:
        state.close()


async def until(probe: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Wait (without blocking the bot's loop, which works in its own tasks) until `probe()`
    is truthy; return its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.02)


class Bot:
    """The application and the files behind it, for one test: a corpus folder (empty until
    the test writes briefings), the index and state files beside it, and the settings that
    point at them and at the stand-in. Reindexing is done as `briefbot reindex` does it."""

    def __init__(self, tmp: Path, standin: BotAPIStandIn, **settings: Any):
        self.tmp = tmp
        self.corpus = tmp / "corpus"
        self.corpus.mkdir(exist_ok=True)
        self.db = tmp / "index.db"
        self.standin = standin
        self.settings = bot_settings(standin, self.corpus, self.db, **settings)

    def reindex_now(self, **options: Any) -> None:
        assert not reindex(self.corpus, self.db, **options).failed

    async def reindex(self, **options: Any) -> None:
        """Reindex in a thread beside the running bot, as a maintainer's reindex runs."""
        await asyncio.to_thread(self.reindex_now, **options)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Application]:
        """Started as `briefbot run` starts it (`running_bot`), indexed first if it never was."""
        if not self.db.exists():
            self.reindex_now()
        async with running_bot(self.settings) as app:
            yield app

    def state(self) -> State:
        return State(self.settings.state_db)


def sends(standin: BotAPIStandIn, chat_id: int) -> list:
    return [m for m in standin.messages_to(chat_id) if m.method == "sendMessage"]


async def reply_to(
    standin: BotAPIStandIn, chat_id: int, text: str, user_id: int = ADMIN, thread: int | None = None
) -> str:
    """Send `text` to the bot as `user_id`; the text of the first message it sends back."""
    before = len(sends(standin, chat_id))
    standin.push_text(chat_id, text, user_id=user_id, thread_id=thread)
    messages = await until(lambda: sends(standin, chat_id)[before:])
    return messages[0].plain_text


async def press(standin: BotAPIStandIn, chat: int, message, data: str, **kwargs) -> dict:
    """Press a button and wait for the press to be answered (and a message it posts or an
    edit it makes to land); returns that answer."""
    before = len(callback_answers(standin))
    standin.push_callback(chat, message.message_id, data, **kwargs)
    await until(lambda: len(callback_answers(standin)) > before)
    await asyncio.sleep(0.2)  # time for a message the press (wrongly or rightly) posts
    return callback_answers(standin)[before]


def rows(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """What `sql` reads from a state or index file, through a connection of its own."""
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, params).fetchall()


def callback_answers(standin: BotAPIStandIn) -> list[dict]:
    return [c.params for c in standin.calls_to("answerCallbackQuery") if c.status == 200]


def passage_ids(message) -> list[str]:
    """The passages a message shows, each as its briefing's title and its section (e.g.
    "Tramway note 6"): a reply names a briefing once, above the first of its passages, each
    passage under its number ("4." or "4. Section")."""
    shown, title = [], None
    for block in message.plain_text.split("\n\n"):
        lines = block.split("\n")
        at = next((i for i, line in enumerate(lines) if re.match(r"^\d+\.(?: |$)", line)), None)
        if at is None:
            continue
        if at >= 2:
            title = lines[at - 2]
        section = lines[at].split(".", 1)[1].strip()
        shown.append(" · ".join(t for t in (title, section) if t))
    return shown


def rank_of(message, words: str) -> int:
    """The rank of the passage whose quote says `words`, in an answer."""
    for block in message.plain_text.split("\n\n"):
        number = re.search(r"^(\d+)\.", block, re.M)
        if words in block and number:
            return int(number.group(1))
    raise LookupError(words)


def ranks(message) -> list[int]:
    """The ranks of the passages a message shows, from its "Context n" buttons."""
    return [
        int(b["callback_data"].split(":")[2])
        for b in message.buttons
        if b["callback_data"].startswith("ctx:")
    ]


def button(message, prefix: str) -> str | None:
    for b in message.buttons:
        if b["text"].startswith(prefix):
            return b["callback_data"]
    return None
