"""The following scenario several test modules share: a bot whose follow watch looks at the
index often, over nickel talks and a wheat tender, and how to wait for it and read its news."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

from bothelpers import Bot, sends, until, write

from index.storage import store, vocabulary

SUBJECT = "nickel partnership"

TALKS = (
    "Australia and Indonesia agreed on Thursday to open talks on a nickel partnership,"
    " linking Australian mines with Indonesian battery plants. The first round of the nickel"
    " partnership talks will be held in Jakarta."
)
SIGNED = (
    "Australia and Indonesia signed the nickel partnership in Canberra on Wednesday,"
    " committing to two joint processing plants by 2026. The nickel partnership sets a common"
    " standard for reporting emissions."
)
WHEAT = (
    "Egypt bought 240,000 tonnes of wheat in a tender on Tuesday. Traders said prices were"
    " slightly lower than in the previous purchase."
)


class FollowBot(Bot):
    """A bot whose follow watch looks at the index often, over the nickel talks and a wheat
    tender; running once the watch has seen the index."""

    def __init__(self, tmp: Path, standin):
        super().__init__(tmp, standin, follow_check_seconds=0.1)
        write(self.corpus, "talks.md", dt.date(2023, 9, 7), "Nickel talks open", TALKS)
        write(self.corpus, "wheat-1.md", dt.date(2023, 9, 7), "Wheat tender", WHEAT)
        self.reindex_now()

    @contextlib.asynccontextmanager
    async def running(self):
        async with super().running() as app:
            await looked(app, self.db)
            yield app


async def looked(app, db: Path) -> None:
    """Wait until the bot's job has handled the index's latest reindex."""
    conn = store.connect(db)
    try:
        changed = vocabulary.fingerprint(conn)
    finally:
        conn.close()
    await until(lambda: (w := app.bot_data.get("follow_watch")) and w.changed == changed)


def news(standin, chat_id: int) -> list:
    return [m for m in sends(standin, chat_id) if (m.plain_text or "").startswith("New on ")]
