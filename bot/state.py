"""The bot's own SQLite file: what it must remember about chats and the answers it sent.

It is apart from the index on purpose: the index is derived and may be deleted and rebuilt at
any time, while this holds what no rebuild can bring back (which chats use the bot, and the
questions behind the paging buttons of messages already sent, so the buttons keep working
after a restart). Its tables are named migrations, applied in order on opening, like the
index's; a feature adds a table by adding a migration to `STEPS` at the end of this file.

Every table with a `chat_id` column belongs to a chat: it follows the chat when a group
becomes a supergroup (`migrate_chat`) and is emptied for a chat that removed or blocked the
bot (`forget_chat`), with no code beyond the column's name. Rows that also have a
`message_id` are about messages of the old group, whose ids mean nothing in the supergroup
(it numbers its messages afresh), so those are dropped rather than moved. A row that also has
a `thread_id` was set in one forum topic of its chat, and goes alone when that topic is closed
or deleted (`forget_topic`).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from index import PassageKey, migrate

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

SET = "briefbot-state"

BUSY_TIMEOUT_MS = 5_000


def create_chats_pages_and_messages(db: Database) -> None:
    db["chats"].create(
        {
            "id": int,
            "type": str,  # private, group, supergroup, channel
            "title": str,
            "first_seen": float,  # unix time
            "last_seen": float,
            "refused_at": float,  # when it was told it is not on the allow-list
            "removed_at": float,  # when it removed or blocked the bot
            "migrated_from": int,  # the group's id before it became a supergroup
        },
        pk="id",
    )
    # AUTOINCREMENT so an id is never reused: a button of an expired page must not open a
    # later page that happens to get the same id.
    db.execute(
        "CREATE TABLE pages (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_id INTEGER NOT NULL,"
        " question TEXT NOT NULL, created_at REAL NOT NULL)"
    )
    db["pages"].create_index(["created_at"])
    db["pages"].create_index(["chat_id"])
    db["messages"].create(
        {"chat_id": int, "message_id": int, "page_id": int},
        pk=("chat_id", "message_id"),
    )
    db["messages"].create_index(["page_id"])


@dataclass(frozen=True, slots=True)
class Page:
    """A question answered in a chat, which its paging buttons re-ask at other offsets."""

    id: int
    chat_id: int
    question: str
    created_at: float
    follows: int | None = None  # the page this question followed up, if any
    today: dt.date | None = None  # the chat's date when asked, for "yesterday" on later pages
    user_id: int | None = None  # who asked; None when anyone in the chat may use its buttons


class State:
    """The state file, opened for the bot. Safe to share between threads."""

    def __init__(self, path: str | Path, page_ttl: dt.timedelta = dt.timedelta(days=7)):
        self.path = Path(path)
        self.page_ttl = page_ttl
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        if migrate.pending(conn, SET, STEPS):  # sqlite-utils imported only to apply them
            from sqlite_utils import Database

            migrations().apply(Database(conn))
        self._conn = conn
        self._lock = threading.Lock()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- chats -------------------------------------------------------------------------------

    def remember_chat(self, chat_id: int, kind: str, title: str | None = None) -> None:
        """Note that a chat uses the bot (and that it has the bot again, if it had left)."""
        now = time.time()
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO chats (id, type, title, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET type = excluded.type,"
                " title = coalesce(excluded.title, title), last_seen = excluded.last_seen,"
                " removed_at = NULL",
                (chat_id, kind, title, now, now),
            )

    def refuse_once(self, chat_id: int, kind: str, title: str | None = None) -> bool:
        """Record a refusal; True only the first time, so a chat is told once, not on every
        message."""
        now = time.time()
        with self._tx() as conn:
            row = conn.execute("SELECT refused_at FROM chats WHERE id = ?", (chat_id,)).fetchone()
            if row is not None and row[0] is not None:
                return False
            conn.execute(
                "INSERT INTO chats (id, type, title, first_seen, last_seen, refused_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " refused_at = excluded.refused_at, last_seen = excluded.last_seen",
                (chat_id, kind, title, now, now, now),
            )
            return True

    def chat(self, chat_id: int) -> dict | None:
        rows = self._read(
            "SELECT id, type, title, first_seen, last_seen, refused_at, removed_at, migrated_from"
            " FROM chats WHERE id = ?",
            (chat_id,),
        )
        if not rows:
            return None
        keys = (
            "id",
            "type",
            "title",
            "first_seen",
            "last_seen",
            "refused_at",
            "removed_at",
            "migrated_from",
        )
        return dict(zip(keys, rows[0], strict=True))

    def _chat_tables(self, conn: sqlite3.Connection, *, with_messages: bool = True) -> list[str]:
        """Tables with a `chat_id` column (only those without `message_id`, unless
        `with_messages`)."""
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND name NOT LIKE '\\_%' ESCAPE '\\'"
            )
        ]
        out = []
        for t in tables:
            columns = {col[1] for col in conn.execute(f'PRAGMA table_info("{t}")')}
            if "chat_id" in columns and (with_messages or "message_id" not in columns):
                out.append(t)
        return out

    def migrate_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup with a new id: everything of the old chat moves."""
        if old_id == new_id:
            return
        with self._tx() as conn:
            for table in self._chat_tables(conn, with_messages=False):
                conn.execute(
                    f'UPDATE OR IGNORE "{table}" SET chat_id = ? WHERE chat_id = ?',
                    (new_id, old_id),
                )
            for table in self._chat_tables(conn):
                conn.execute(f'DELETE FROM "{table}" WHERE chat_id = ?', (old_id,))
            if conn.execute("SELECT 1 FROM chats WHERE id = ?", (new_id,)).fetchone():
                conn.execute("DELETE FROM chats WHERE id = ?", (old_id,))
                conn.execute("UPDATE chats SET migrated_from = ? WHERE id = ?", (old_id, new_id))
            else:
                now = time.time()
                conn.execute(
                    "INSERT INTO chats (id, type, first_seen, last_seen) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (id) DO NOTHING",
                    (old_id, "group", now, now),
                )
                conn.execute(
                    "UPDATE chats SET id = ?, type = 'supergroup', migrated_from = ? WHERE id = ?",
                    (new_id, old_id, old_id),
                )

    def migrated_from(self, chat_id: int) -> int | None:
        """The id a supergroup had as a group, if the bot saw it change."""
        rows = self._read("SELECT migrated_from FROM chats WHERE id = ?", (chat_id,))
        return rows[0][0] if rows else None

    def forget_chat(self, chat_id: int) -> None:
        """The chat removed or blocked the bot: drop what belongs to it, keep a note."""
        now = time.time()
        with self._tx() as conn:
            for table in self._chat_tables(conn):
                conn.execute(f'DELETE FROM "{table}" WHERE chat_id = ?', (chat_id,))
            conn.execute("UPDATE chats SET removed_at = ? WHERE id = ?", (now, chat_id))

    # -- pages -------------------------------------------------------------------------------

    def new_page(
        self,
        chat_id: int,
        question: str,
        follows: int | None = None,
        today: dt.date | None = None,
        user_id: int | None = None,
        shown: dict[int, PassageKey] | None = None,
    ) -> Page:
        """A question answered in a chat, by `user_id`, with the passages its answer `shown`
        (see `remember_shown`), in one transaction."""
        now = time.time()
        with self._tx() as conn:
            cur = conn.execute(
                "INSERT INTO pages (chat_id, question, created_at, follows, today, user_id)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (chat_id, question, now, follows, today.isoformat() if today else None, user_id),
            )
            page = Page(cur.lastrowid, chat_id, question, now, follows, today, user_id)
            _insert_shown(conn, page, shown or {})
            return page

    def page(self, page_id: int, chat_id: int) -> Page | None:
        """The page behind a button, or None when it expired, was pruned, or belongs to
        another chat (callback data is only a hint from the client, never trusted)."""
        rows = self._read(
            "SELECT id, chat_id, question, created_at, follows, today, user_id FROM pages"
            " WHERE id = ? AND chat_id = ?",
            (page_id, chat_id),
        )
        if not rows:
            return None
        *head, today, user_id = rows[0]
        page = Page(*head, dt.date.fromisoformat(today) if today else None, user_id)
        if page.created_at < time.time() - self.page_ttl.total_seconds():
            return None
        return page

    def link_messages(self, chat_id: int, message_ids: list[int], page_id: int) -> None:
        """Remember which page a sent message shows, so a reply to it can be read as a
        follow-up of that question."""
        if not message_ids:
            return
        with self._tx() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO messages (chat_id, message_id, page_id) VALUES (?, ?, ?)",
                [(chat_id, m, page_id) for m in message_ids],
            )

    def page_for_message(self, chat_id: int, message_id: int) -> Page | None:
        rows = self._read(
            "SELECT page_id FROM messages WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        )
        return self.page(rows[0][0], chat_id) if rows else None

    def prune(self) -> int:
        """Delete pages past their time to live; returns how many."""
        cutoff = time.time() - self.page_ttl.total_seconds()
        with self._tx() as conn:
            for table in ("messages", "shown"):
                conn.execute(
                    f"DELETE FROM {table} WHERE page_id IN"
                    " (SELECT id FROM pages WHERE created_at < ?)",
                    (cutoff,),
                )
            return conn.execute("DELETE FROM pages WHERE created_at < ?", (cutoff,)).rowcount

    def remember_shown(self, page: Page, shown: dict[int, PassageKey]) -> None:
        """Note which passage a page showed at each rank, so that its buttons keep meaning
        those passages: "Context 2" opens the passage that was second, and "More" goes on from
        what was read, whatever a reindex did to the index since."""
        if shown:
            with self._tx() as conn:
                _insert_shown(conn, page, shown)

    def shown(self, page: Page) -> dict[int, PassageKey]:
        """The passages a page has shown, by rank (see `remember_shown`)."""
        rows = self._read(
            "SELECT rank, document, ordinal, digest FROM shown WHERE page_id = ? AND chat_id = ?",
            (page.id, page.chat_id),
        )
        return {rank: PassageKey(document, ordinal, d) for rank, document, ordinal, d in rows}

    def counts(self) -> dict[str, int]:
        """Rows per table, for the admins' /stats."""
        with self._lock:
            tables = [
                name
                for (name,) in self._conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_%' ESCAPE '\\'"
                    " ORDER BY name"
                )
            ]
            count = 'SELECT count(*) FROM "{}"'
            out = {t: self._conn.execute(count.format(t)).fetchone()[0] for t in tables}
            out["active chats"] = self._conn.execute(
                "SELECT count(*) FROM chats WHERE removed_at IS NULL AND refused_at IS NULL"
            ).fetchone()[0]
        return out


def _insert_shown(conn: sqlite3.Connection, page: Page, shown: dict[int, PassageKey]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO shown (page_id, rank, chat_id, document, ordinal, digest)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (page.id, rank, page.chat_id, key.document, key.ordinal, key.digest)
            for rank, key in shown.items()
        ],
    )


# -- daily summaries ---------------------------------------------------------------------------
# A chat's subscription is a row with its `chat_id`, so it follows a migrated group and goes
# with a chat that removed the bot, like everything else here.


def create_subscriptions(db: Database) -> None:
    db["subscriptions"].create(
        {
            "chat_id": int,
            "at": str,  # local time of day, "HH:MM"
            "timezone": str,  # IANA name, e.g. "Europe/Moscow"
            "created_at": float,  # unix time
            "last_sent": float,  # unix time of the last summary delivered
            # The index's newest `indexed_at` when the chat last had a summary (or subscribed):
            # briefings indexed after it and dated earlier are late additions.
            "seen_up_to": str,
            "by_user": int,  # who set it, for the record
        },
        pk="chat_id",
        not_null={"at", "timezone", "created_at"},
    )


@dataclass(frozen=True, slots=True)
class Subscription:
    chat_id: int
    at: dt.time  # naive: a time of day in `timezone`
    timezone: str
    created_at: float
    last_sent: float | None
    seen_up_to: str | None
    thread_id: int | None = None  # the forum topic it was set in and posts to; None: no topic


_SUBSCRIPTION = (
    "SELECT chat_id, at, timezone, created_at, last_sent, seen_up_to, thread_id FROM subscriptions"
)


def _subscription(row: tuple) -> Subscription:
    chat_id, at, timezone, created_at, last_sent, seen_up_to, thread_id = row
    return Subscription(
        chat_id,
        dt.time.fromisoformat(at),
        timezone,
        created_at,
        last_sent,
        seen_up_to,
        thread_id or None,
    )


def subscribe(
    state: State,
    chat_id: int,
    at: dt.time,
    timezone: str,
    seen_up_to: str | None = None,
    by_user: int | None = None,
    thread_id: int | None = None,
) -> Subscription:
    """Start or change the daily summary of a chat, or of one topic of a forum group (each
    topic has its own); a change keeps what was already seen."""
    now = time.time()
    topic = topic_key(thread_id)
    with state._tx() as conn:
        conn.execute(
            "INSERT INTO subscriptions"
            " (chat_id, thread_id, at, timezone, created_at, seen_up_to, by_user)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id, thread_id) DO UPDATE SET"
            " at = excluded.at, timezone = excluded.timezone, by_user = excluded.by_user",
            (chat_id, topic, at.strftime("%H:%M"), timezone, now, seen_up_to, by_user),
        )
        row = conn.execute(
            f"{_SUBSCRIPTION} WHERE chat_id = ? AND thread_id = ?", (chat_id, topic)
        ).fetchone()
    return _subscription(row)


def subscription(state: State, chat_id: int, thread_id: int | None = None) -> Subscription | None:
    """The daily summary set in a chat, or in one of its topics."""
    rows = state._read(
        f"{_SUBSCRIPTION} WHERE chat_id = ? AND thread_id = ?", (chat_id, topic_key(thread_id))
    )
    return _subscription(rows[0]) if rows else None


def subscriptions(state: State) -> list[Subscription]:
    return [_subscription(r) for r in state._read(f"{_SUBSCRIPTION} ORDER BY chat_id, thread_id")]


def unsubscribe(state: State, chat_id: int, thread_id: int | None = None) -> bool:
    """Stop the daily summary of a chat (or of one of its topics); False when it had none."""
    with state._tx() as conn:
        return (
            conn.execute(
                "DELETE FROM subscriptions WHERE chat_id = ? AND thread_id = ?",
                (chat_id, topic_key(thread_id)),
            ).rowcount
            > 0
        )


def summary_sent(
    state: State,
    chat_id: int,
    at: float,
    seen_up_to: str | None,
    thread_id: int | None = None,
) -> None:
    """Record a delivered summary and how far into the index it read."""
    with state._tx() as conn:
        conn.execute(
            "UPDATE subscriptions SET last_sent = ?, seen_up_to = coalesce(?, seen_up_to)"
            " WHERE chat_id = ? AND thread_id = ?",
            (at, seen_up_to, chat_id, topic_key(thread_id)),
        )


# -- pages, continued ----------------------------------------------------------------------------


def add_page_context(db: Database) -> None:
    """What a question was asked after (a follow-up is read with the question it follows) and
    on which day, so that a later page of it is the same question read the same way."""
    db["pages"].add_column("follows", int)
    db["pages"].add_column("today", str)


def add_askers_and_shown_passages(db: Database) -> None:
    """Who asked each question, so that in a group only they page its answer, and which
    passage each answer showed at each rank: a rebuild of the index numbers its rows afresh,
    so a row id kept in a button would open another briefing's passage. A passage is kept as
    its briefing's path, its place in it and a digest of its text
    (`index.storage.browse.PassageKey`)."""
    db["pages"].add_column("user_id", int)
    db["shown"].create(
        {
            "page_id": int,
            "rank": int,  # 1 for the answer's first passage
            "chat_id": int,
            "document": str,
            "ordinal": int,
            "digest": str,
        },
        pk=("page_id", "rank"),
        not_null={"document", "ordinal", "digest"},
    )


# -- forum topics --------------------------------------------------------------------------------
# In a forum group each topic has its own subscriptions: a row with a `thread_id` column belongs
# to one topic of its chat (0: the chat as a whole, which in a forum is its General topic). It
# follows the chat and leaves with it like any row with a `chat_id`, and `forget_topic` drops
# the rows of one topic that was closed or deleted, leaving the group's other topics alone.


def add_topics_to_subscriptions(db: Database) -> None:
    """A daily summary per topic: the topic it was set in is part of its key. 0 rather than
    NULL for "no topic", since NULLs never clash in a key and `ON CONFLICT` would not see two
    subscriptions of the same chat as one."""
    db["subscriptions"].add_column("thread_id", int, not_null_default=0)
    db["subscriptions"].transform(pk=("chat_id", "thread_id"))


def topic_key(thread_id: int | None) -> int:
    """How a topic is kept in a `thread_id` column: 0 for none."""
    return thread_id or 0


def forget_topic(state: State, chat_id: int, thread_id: int | None) -> int:
    """A topic was closed or deleted: drop what was set in it (its daily summary, its
    followed subjects and what they were sent), and only that. Returns how many rows went."""
    gone = 0
    with state._tx() as conn:
        for table in state._chat_tables(conn):
            columns = {col[1] for col in conn.execute(f'PRAGMA table_info("{table}")')}
            if "thread_id" in columns:
                gone += conn.execute(
                    f'DELETE FROM "{table}" WHERE chat_id = ? AND thread_id = ?',
                    (chat_id, topic_key(thread_id)),
                ).rowcount
    return gone


# -- feedback ------------------------------------------------------------------------------------
# What people make of the answers (bot/feedback.py): each question asked, how it was read, what
# it showed, and the votes on it. No table here has a `chat_id`: a record names its chat and
# its people only by salted hashes, so it is no one's to move or forget, and it goes when it
# is older than BRIEFBOT_FEEDBACK_DAYS.


def create_feedback(db: Database) -> None:
    """Questions asked and the votes on their answers, apart from `pages` (which lives a week,
    for paging, and keeps who asked). The salt makes a person's hash stable across restarts
    and meaningless outside this file."""
    import secrets

    db["feedback_salt"].create({"salt": str}, not_null={"salt"})
    db["feedback_salt"].insert({"salt": secrets.token_hex(16)})
    # AUTOINCREMENT: a vote button of a record pruned long ago must not rate a later one.
    db.execute(
        "CREATE TABLE asked (id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " question TEXT NOT NULL,"  # as typed
        " reading TEXT,"  # `Reading.to_json()`: how it was read (a follow-up, in its context)
        " terms TEXT NOT NULL,"  # JSON list of the analysed terms searched for
        " found INTEGER NOT NULL,"  # 1 when passages were shown, 0 for "nothing answers"
        " shown TEXT NOT NULL,"  # JSON [[rank, document, ordinal, digest], ...]
        " chat_type TEXT NOT NULL,"  # private, group, supergroup
        " chat_hash TEXT NOT NULL,"  # the chat, salted and hashed: a vote must come from it
        " asker TEXT,"  # the person, salted and hashed; NULL when sent as a chat
        " page_id INTEGER,"  # the page of results, while it lives (`pages`)
        " follows INTEGER,"  # the record of the question this one followed up
        " today TEXT,"  # the date it was asked on, where the bot's users are
        " asked_at REAL NOT NULL)"
    )
    db["asked"].create_index(["asked_at"])
    db["asked"].create_index(["page_id"])
    db["votes"].create(
        {
            "asked_id": int,
            "voter": str,  # the person, salted and hashed: one vote each
            "vote": int,  # +1 helpful, -1 not (on "nothing answers": an answer was expected)
            "at": float,
        },
        pk=("asked_id", "voter"),
        not_null={"vote", "at"},
    )


# -- followed subjects -----------------------------------------------------------------------
# A chat's subjects and what each was sent are rows with its `chat_id`, so they follow a
# migrated group and go with a chat that removed the bot. Which passages of which briefings
# the bot has seen is kept by briefing (path, content hash, passage keys): a rebuilt index
# renumbers its rows, never these.


def create_follows(db: Database) -> None:
    db.execute(
        "CREATE TABLE follows (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_id INTEGER NOT NULL,"
        " subject TEXT NOT NULL COLLATE NOCASE, created_at REAL NOT NULL, by_user INTEGER,"
        " sent INTEGER NOT NULL DEFAULT 0, UNIQUE (chat_id, subject))"
    )
    # The passages (by `index.follow.key`) each subscription was sent: never twice.
    db.execute(
        "CREATE TABLE follow_sent (chat_id INTEGER NOT NULL, follow_id INTEGER NOT NULL,"
        " key INTEGER NOT NULL, PRIMARY KEY (follow_id, key)) WITHOUT ROWID"
    )
    # Each briefing as the bot last saw it: what tells a new passage from one seen before.
    db.execute(
        "CREATE TABLE follow_briefings (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL,"
        " keys BLOB NOT NULL)"
    )
    db["follow_progress"].create({"key": str, "value": str}, pk="key")


@dataclass(frozen=True, slots=True)
class Follow:
    id: int
    chat_id: int
    subject: str
    created_at: float
    sent: int  # passages sent for it so far
    thread_id: int | None = None  # the forum topic it was followed in and posts to; None: no topic


_FOLLOW = "SELECT id, chat_id, subject, created_at, sent, thread_id FROM follows"


def _follow(row: tuple) -> Follow:
    *head, thread_id = row
    return Follow(*head, thread_id or None)


def follow_subject(
    state: State,
    chat_id: int,
    subject: str,
    limit: int,
    by_user: int | None = None,
    thread_id: int | None = None,
) -> tuple[Follow | None, bool]:
    """Follow `subject` in a chat, or in one topic of a forum group (each topic has its own
    subjects, up to `limit` each): the subscription and whether it is new. None when the
    chat or topic already follows `limit` other subjects."""
    topic = topic_key(thread_id)
    with state._tx() as conn:
        row = conn.execute(
            f"{_FOLLOW} WHERE chat_id = ? AND thread_id = ? AND subject = ?",
            (chat_id, topic, subject),
        )
        found = row.fetchone()
        if found is not None:
            return _follow(found), False
        count = conn.execute(
            "SELECT count(*) FROM follows WHERE chat_id = ? AND thread_id = ?", (chat_id, topic)
        )
        if count.fetchone()[0] >= limit:
            return None, False
        now = time.time()
        cur = conn.execute(
            "INSERT INTO follows (chat_id, thread_id, subject, created_at, by_user)"
            " VALUES (?, ?, ?, ?, ?)",
            (chat_id, topic, subject, now, by_user),
        )
        return Follow(cur.lastrowid, chat_id, subject, now, 0, thread_id or None), True


def follows(state: State, chat_id: int | None = None, thread_id: int | None = None) -> list[Follow]:
    """The subjects of a chat (of its topic `thread_id`, or followed outside topics when
    None) in the order followed; every chat's and topic's when `chat_id` is None."""
    if chat_id is None:
        return [_follow(r) for r in state._read(f"{_FOLLOW} ORDER BY chat_id, thread_id, id")]
    rows = state._read(
        f"{_FOLLOW} WHERE chat_id = ? AND thread_id = ? ORDER BY id",
        (chat_id, topic_key(thread_id)),
    )
    return [_follow(r) for r in rows]


def unfollow(
    state: State, chat_id: int, follow_id: int | None = None, thread_id: int | None = None
) -> list[Follow]:
    """Stop following one subject of a chat's topic (all of the topic's when `follow_id` is
    None); what was stopped. A subject of another topic is left alone, whatever id a button
    names."""
    where = "WHERE chat_id = ? AND thread_id = ?"
    params: tuple = (chat_id, topic_key(thread_id))
    if follow_id is not None:
        where, params = f"{where} AND id = ?", (*params, follow_id)
    with state._tx() as conn:
        gone = [_follow(r) for r in conn.execute(f"{_FOLLOW} {where}", params).fetchall()]
        conn.executemany("DELETE FROM follows WHERE id = ?", [(f.id,) for f in gone])
        conn.executemany("DELETE FROM follow_sent WHERE follow_id = ?", [(f.id,) for f in gone])
    return gone


def unsent(state: State, follow_id: int, keys: list[int]) -> list[int]:
    """Those of `keys` not yet sent for a subscription, in the order given."""
    if not keys:
        return []
    marks = ",".join("?" * len(keys))
    sent = {
        k
        for (k,) in state._read(
            f"SELECT key FROM follow_sent WHERE follow_id = ? AND key IN ({marks})",
            (follow_id, *keys),
        )
    }
    return [k for k in keys if k not in sent]


def record_sent(state: State, item: Follow, keys: list[int]) -> None:
    """Note passages sent for a subscription, so that none is sent for it again."""
    with state._tx() as conn:
        cur = conn.executemany(
            "INSERT OR IGNORE INTO follow_sent (chat_id, thread_id, follow_id, key)"
            " VALUES (?, ?, ?, ?)",
            [(item.chat_id, topic_key(item.thread_id), item.id, k) for k in keys],
        )
        conn.execute("UPDATE follows SET sent = sent + ? WHERE id = ?", (cur.rowcount, item.id))


def seen_briefings(state: State, paths: list[str]) -> dict[str, tuple[str, frozenset[int]]]:
    """What the bot last saw of these briefings: content hash and passage keys."""
    out: dict[str, tuple[str, frozenset[int]]] = {}
    for start in range(0, len(paths), 500):
        chunk = paths[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for path, sha, keys in state._read(
            f"SELECT path, sha256, keys FROM follow_briefings WHERE path IN ({marks})", tuple(chunk)
        ):
            out[path] = (sha, frozenset(struct.unpack(f">{len(keys) // 8}q", keys)))
    return out


def saw_briefings(
    state: State, briefings: list[tuple[str, str, list[int]]], up_to: str | None
) -> None:
    """Remember briefings (path, content hash, passage keys) as seen, and the index's
    `indexed_at` read up to."""
    with state._tx() as conn:
        conn.executemany(
            "INSERT OR REPLACE INTO follow_briefings (path, sha256, keys) VALUES (?, ?, ?)",
            [(p, sha, struct.pack(f">{len(ks)}q", *ks)) for p, sha, ks in briefings],
        )
        if up_to is not None:
            conn.execute(
                "INSERT OR REPLACE INTO follow_progress (key, value) VALUES ('seen_up_to', ?)",
                (up_to,),
            )


def seen_up_to(state: State) -> str | None:
    """The index's `indexed_at` that the bot has read new passages up to; None at first."""
    rows = state._read("SELECT value FROM follow_progress WHERE key = 'seen_up_to'")
    return rows[0][0] if rows else None


# -- followed subjects in forum topics -----------------------------------------------------------
# A subject followed in a topic is that topic's, as a daily summary is: its news goes there, and
# it goes alone when the topic is closed or deleted (`forget_topic`), with what it was sent.


def add_topics_to_follows(db: Database) -> None:
    """Subjects per topic: the topic a subject was followed in is part of what makes it
    unique, so two topics may follow the same subject. SQLite cannot change a table's UNIQUE
    constraint in place, so `follows` is rebuilt, keeping each row's id (buttons already sent
    name it) and the AUTOINCREMENT counter, so that an id stopped long ago is never reused.
    Rows kept from before belong to no topic (0), as they were sent to the whole chat."""
    conn = db.conn
    [seq] = conn.execute(
        "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'follows'"
    ).fetchone()
    conn.execute(
        "CREATE TABLE follows_by_topic (id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " chat_id INTEGER NOT NULL, thread_id INTEGER NOT NULL DEFAULT 0,"
        " subject TEXT NOT NULL COLLATE NOCASE, created_at REAL NOT NULL, by_user INTEGER,"
        " sent INTEGER NOT NULL DEFAULT 0, UNIQUE (chat_id, thread_id, subject))"
    )
    conn.execute(
        "INSERT INTO follows_by_topic (id, chat_id, subject, created_at, by_user, sent)"
        " SELECT id, chat_id, subject, created_at, by_user, sent FROM follows"
    )
    conn.execute("DROP TABLE follows")
    conn.execute("ALTER TABLE follows_by_topic RENAME TO follows")
    [top] = conn.execute("SELECT coalesce(max(id), 0) FROM follows").fetchone()
    conn.execute("DELETE FROM sqlite_sequence WHERE name = 'follows'")
    conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('follows', ?)", (max(seq, top),))
    # What a subject was sent goes with it when its topic goes.
    db["follow_sent"].add_column("thread_id", int, not_null_default=0)


#: The state file's migrations, in the order they are applied; a new one goes last.
STEPS = (
    create_chats_pages_and_messages,
    create_subscriptions,
    add_page_context,
    add_askers_and_shown_passages,
    add_topics_to_subscriptions,
    create_feedback,
    create_follows,
    add_topics_to_follows,
)


def migrations() -> Migrations:
    """`STEPS` as sqlite-utils Migrations (`index.migrate`), made on first use."""
    return migrate.migrations(SET, STEPS)
