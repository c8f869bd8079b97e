"""Running the real bot against the Bot API stand-in, for the end-to-end tests.

`running_bot` does what `Application.run_polling` does (initialise, post_init, start, poll;
then the reverse), with a one-second long poll so that a test stops quickly.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
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


async def until(probe: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Wait (without blocking the bot's loop) until `probe()` is truthy; return its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.02)


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
