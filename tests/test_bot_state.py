"""The bot's own state file: pages behind buttons, chats, migrations, and its schema."""

from __future__ import annotations

import datetime as dt
import sqlite3

from bothelpers import rows
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from bot.state import State, forget_topic, migrations, subscribe, subscription, subscriptions
from index.storage.browse import PassageKey


def test_pages_survive_reopening_and_stay_in_their_chat(tmp_path) -> None:
    path = tmp_path / "state.db"
    state = State(path)
    page = state.new_page(42, "what about the railway?", today=dt.date(2024, 3, 19))
    follow = state.new_page(42, "and Gaza?", follows=page.id)
    state.link_messages(42, [7, 8], follow.id)
    state.close()

    state = State(path)
    again = state.page(page.id, 42)
    assert again.question == "what about the railway?" and again.today == dt.date(2024, 3, 19)
    assert state.page(follow.id, 42).follows == page.id
    assert state.page(page.id, 43) is None  # another chat's button data is not trusted
    assert state.page_for_message(42, 8).id == follow.id
    assert state.page_for_message(42, 9) is None
    assert state.new_page(42, "x").id > follow.id


def test_pages_expire_and_ids_are_never_reused(tmp_path) -> None:
    state = State(tmp_path / "state.db", page_ttl=dt.timedelta(0))
    first = state.new_page(1, "old")
    assert state.page(first.id, 1) is None  # expired
    assert state.prune() == 1
    assert state.new_page(1, "new").id == first.id + 1


def test_a_refusal_is_recorded_once(tmp_path) -> None:
    state = State(tmp_path / "state.db")
    assert state.refuse_once(-100, "group", "Strangers") is True
    assert state.refuse_once(-100, "group", "Strangers") is False
    assert state.chat(-100)["refused_at"] is not None


def test_migration_moves_chat_rows_and_drops_message_links(tmp_path) -> None:
    state = State(tmp_path / "state.db")
    state.remember_chat(-5, "group", "Team")
    page = state.new_page(-5, "railway")
    state.link_messages(-5, [3], page.id)
    state.new_page(-6, "another group")

    state.migrate_chat(-5, -1005)

    assert state.chat(-5) is None
    moved = state.chat(-1005)
    assert moved["type"] == "supergroup" and moved["title"] == "Team"
    assert moved["migrated_from"] == -5 and state.migrated_from(-1005) == -5
    assert state.page(page.id, -1005).question == "railway"
    # Message ids start again in a supergroup; an old id must not point at this page.
    assert state.page_for_message(-1005, 3) is None and state.page_for_message(-5, 3) is None
    assert state.counts()["pages"] == 2


def test_a_feature_table_with_chat_id_follows_and_leaves_with_the_chat(tmp_path) -> None:
    state = State(tmp_path / "state.db")
    with sqlite3.connect(state.path) as conn:  # e.g. a later `subscriptions`-like table
        conn.execute("CREATE TABLE reminders (chat_id INTEGER PRIMARY KEY, note TEXT)")
        conn.execute("INSERT INTO reminders VALUES (-7, 'weekly')")
    state.migrate_chat(-7, -1007)
    assert rows(state.path, "SELECT chat_id FROM reminders") == [(-1007,)]
    state.new_page(-1007, "q")
    state.forget_chat(-1007)
    assert rows(state.path, "SELECT count(*) FROM reminders") == [(0,)]
    assert state.counts()["pages"] == 0
    assert state.chat(-1007)["removed_at"] is not None


def test_the_schema_is_named_migrations_applied_once(tmp_path) -> None:
    path = tmp_path / "state.db"
    State(path).close()
    State(path).close()  # reopening applies nothing twice
    with sqlite3.connect(path) as conn:
        applied = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id",
                (migrations().name,),
            )
        ]
        columns = {row[1] for row in conn.execute("PRAGMA table_info(pages)")}
    assert applied[0] == "create_chats_pages_and_messages"
    assert "add_page_context" in applied and len(applied) == len(set(applied))
    assert {"id", "chat_id", "question", "created_at", "follows", "today"} <= columns
    assert State(path).path.stat().st_size > 0


def test_the_passages_a_page_showed_stay_with_it(tmp_path) -> None:
    """What each rank of an answer showed, and who asked: kept across reopening, moved with
    a group that became a supergroup, and gone with the page when it expires."""
    path = tmp_path / "state.db"
    state = State(path)
    page = state.new_page(-5, "railway", user_id=1001)
    railway = PassageKey("2024-03-19-putin-raeisi-nowruz.txt", 3, "0123456789abcdef")
    state.remember_shown(page, {1: railway, 2: PassageKey("other.md", 0, "fedcba9876543210")})
    state.close()

    state = State(path)
    again = state.page(page.id, -5)
    assert again.user_id == 1001 and state.new_page(-5, "q").user_id is None
    assert state.shown(again)[1] == railway and len(state.shown(again)) == 2
    state.migrate_chat(-5, -1005)
    assert state.shown(state.page(page.id, -1005))[1] == railway
    state.close()

    expiring = State(path, page_ttl=dt.timedelta(0))
    assert expiring.prune() == 2
    assert expiring.counts()["shown"] == 0
    expiring.close()


def test_subscriptions_from_before_topics_are_kept_for_the_whole_chat(tmp_path) -> None:
    """A state file written before forum topics: its subscriptions are the chats' own (no
    topic) once reopened, and a topic of the same chat can then have one of its own."""
    path = tmp_path / "state.db"
    earlier = Migrations(migrations().name)
    for m in migrations().pending(Database(memory=True)):  # all of them, in order
        if m.name != "add_topics_to_subscriptions":
            earlier(name=m.name)(m.fn)
    db = Database(path)
    earlier.apply(db)
    db.execute(
        "INSERT INTO subscriptions (chat_id, at, timezone, created_at)"
        " VALUES (-5, '08:00', 'UTC', 1)"
    )
    db.conn.commit()
    db.close()

    state = State(path)
    [kept] = subscriptions(state)
    assert (kept.chat_id, kept.thread_id, kept.at) == (-5, None, dt.time(8, 0))
    subscribe(state, -5, dt.time(9, 0), "Asia/Tokyo", thread_id=12)
    assert subscription(state, -5).at == dt.time(8, 0)
    assert subscription(state, -5, 12).timezone == "Asia/Tokyo"
    assert subscription(state, -5, 13) is None


def test_a_topic_that_went_takes_only_its_own_subscription(tmp_path) -> None:
    """`forget_topic` drops one topic's rows; a migration moves every topic's, and a chat
    that removed the bot loses them all."""
    state = State(tmp_path / "state.db")
    for thread in (None, 12, 13):
        subscribe(state, -5, dt.time(8, 0), "UTC", thread_id=thread)
    subscribe(state, -6, dt.time(8, 0), "UTC", thread_id=12)

    assert forget_topic(state, -5, 12) == 1
    assert [(s.chat_id, s.thread_id) for s in subscriptions(state)] == [
        (-6, 12),
        (-5, None),
        (-5, 13),
    ]
    assert forget_topic(state, -5, None) == 1  # the General topic, closed
    assert subscription(state, -5, 13) is not None

    state.migrate_chat(-6, -1006)
    assert subscription(state, -1006, 12) is not None and subscription(state, -6, 12) is None
    state.forget_chat(-5)
    assert [(s.chat_id, s.thread_id) for s in subscriptions(state)] == [(-1006, 12)]
