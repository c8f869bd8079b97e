"""Following subjects in a forum group: a subject belongs to the topic it was followed in, as
a daily summary does. Its news is posted there, /following and /unfollow in a topic see that
topic's subjects only, every reply names the asking topic, and a topic that was closed stops
its own subjects alone. End to end, with the real client against the Bot API stand-in and
reindexing done beside the bot as a maintainer does it."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from botapi import DEFAULT_USER_ID, BotAPIStandIn, standin_fixture  # noqa: F401
from bothelpers import button, rows, until, write
from followhelpers import SIGNED, SUBJECT, FollowBot, looked, news
from forumhelpers import FORUM, ask, forum_fixture, named, press  # noqa: F401
from sqlite_utils import Database

from bot import follow
from bot.state import State, follow_subject, follows, migrations, unsent


def signed(bot: FollowBot) -> None:
    """A briefing that answers SUBJECT."""
    write(bot.corpus, "signed.md", dt.date(2023, 10, 5), "Nickel pact signed", SIGNED)


def test_a_subject_followed_in_a_topic_is_that_topics(
    tmp_path: Path, standin: BotAPIStandIn, forum: dict[str, int]
) -> None:
    """Followed in one topic, the subject's news and every reply about it go to that topic;
    another topic and the General one follow nothing, and the buttons work in the topic."""
    rail, gas = forum["rail"], forum["gas"]
    standin.set_admins(FORUM, DEFAULT_USER_ID)
    bot = FollowBot(tmp_path, standin)

    async def main():
        async with bot.running() as app:
            shown = {"follow": await ask(standin, f"/follow {SUBJECT}", rail)}
            shown["following"] = await ask(standin, "/following", rail)
            elsewhere = [await ask(standin, "/following", gas), await ask(standin, "/following")]
            signed(bot)
            await bot.reindex()
            [message] = await until(lambda: news(standin, FORUM))
            await looked(app, bot.db)
            shown["news"] = message
            shown["timeline"] = await press(standin, message, button(message, "Timeline"))
            shown["unfollow"] = await ask(standin, "/unfollow", rail)
            listed = shown["following"]
            shown["stop"] = await press(standin, listed, button(listed, "Stop"))
            return shown, elsewhere

    shown, elsewhere = asyncio.run(main())
    assert shown["follow"].plain_text.startswith(f"Following “{SUBJECT}”")
    assert f"This topic follows 1 of at most {follow.MAX_SUBJECTS}" in shown["following"].plain_text
    assert "Nickel pact signed" in shown["news"].plain_text
    assert shown["unfollow"].plain_text == "Which subject should this topic stop following?"
    assert shown["stop"].method == "editMessageText"
    assert shown["stop"].plain_text.startswith("This topic follows no subjects.")
    for what, message in shown.items():
        assert message.message_thread_id == rail, what
        if message.method == "sendMessage":
            assert named(message) == rail, what
    for message in elsewhere:
        assert message.plain_text.startswith("This "), message.plain_text
        assert "follows no subjects" in message.plain_text and SUBJECT not in message.plain_text
    assert [elsewhere[0].message_thread_id, elsewhere[1].message_thread_id] == [gas, None]
    state = bot.state()
    assert follows(state, FORUM) == [] and follows(state, FORUM, gas) == []
    assert follows(state, FORUM, rail) == []  # stopped by the button, in the topic
    state.close()


def test_unfollow_in_a_topic_leaves_the_other_topics_alone(
    tmp_path: Path, standin: BotAPIStandIn, forum: dict[str, int]
) -> None:
    """The same subject followed in two topics and in General is three subscriptions: stopping
    it in one topic, or stopping "all" there, leaves the others."""
    rail, gas = forum["rail"], forum["gas"]
    standin.set_admins(FORUM, DEFAULT_USER_ID)
    bot = FollowBot(tmp_path, standin)

    async def main():
        async with bot.running():
            for thread in (rail, gas, None):
                reply = await ask(standin, f"/follow {SUBJECT}", thread)
                assert reply.plain_text.startswith("Following"), reply.plain_text
            await ask(standin, "/follow wheat tender", gas)
            stopped = await ask(standin, f"/unfollow {SUBJECT}", rail)
            missing = await ask(standin, f"/unfollow {SUBJECT}", rail)
            everything = await ask(standin, "/unfollow all", gas)
            return stopped, missing, everything

    stopped, missing, everything = asyncio.run(main())
    assert stopped.plain_text == f"Stopped following “{SUBJECT}”."
    assert missing.plain_text.startswith("This topic follows no subjects.")
    assert everything.plain_text == "Stopped following all 2 subjects."
    state = bot.state()
    assert follows(state, FORUM, rail) == [] and follows(state, FORUM, gas) == []
    assert [f.subject for f in follows(state, FORUM)] == [SUBJECT]
    state.close()


def test_a_closed_topic_stops_only_its_own_subjects(
    tmp_path: Path, standin: BotAPIStandIn, forum: dict[str, int]
) -> None:
    """News for a topic that was closed cannot be posted: that topic's subjects stop, with
    what they were sent, and the other topic and the General one get their news."""
    rail, gas = forum["rail"], forum["gas"]
    standin.set_admins(FORUM, DEFAULT_USER_ID)
    bot = FollowBot(tmp_path, standin)
    state = bot.state()

    async def main():
        async with bot.running() as app:
            for thread in (rail, gas, None):
                await ask(standin, f"/follow {SUBJECT}", thread)
            standin.close_topic(FORUM, rail)
            signed(bot)
            await bot.reindex()
            await until(lambda: len(news(standin, FORUM)) == 2)
            await until(lambda: follows(state, FORUM, rail) == [])
            await looked(app, bot.db)
            await asyncio.sleep(0.3)  # a few more looks: nothing is tried again

    asyncio.run(main())
    delivered = news(standin, FORUM)
    assert sorted((m.message_thread_id or 0) for m in delivered) == [0, gas]
    assert all("Nickel pact signed" in m.plain_text for m in delivered)
    refused = [c for c in standin.calls_to("sendMessage") if c.status != 200]
    assert [c.params["message_thread_id"] for c in refused] == [rail]
    assert [f.sent for f in follows(state, FORUM, gas)] == [1]
    assert [f.sent for f in follows(state, FORUM)] == [1]
    # What the closed topic's subject was sent went with it; the others' stays.
    assert rows(state.path, "SELECT count(*) FROM follow_sent") == [(2,)]
    assert state.chat(FORUM) is None or state.chat(FORUM)["removed_at"] is None
    state.close()


def test_subjects_followed_before_topics_stay_the_whole_chats(tmp_path: Path) -> None:
    """A state file from before subjects had topics: its subjects, what they were sent and
    the ids its buttons name are kept, as the whole chat's, and an id stopped before is not
    given to a new subject."""
    path = tmp_path / "state.db"
    db = Database(path)
    migrations().apply(db, stop_before="add_topics_to_follows")
    for chat, subject in ((FORUM, SUBJECT), (FORUM, "wheat tender"), (42, SUBJECT)):
        db.execute(
            "INSERT INTO follows (chat_id, subject, created_at) VALUES (?, ?, 0)", (chat, subject)
        )
    db.execute("INSERT INTO follow_sent (chat_id, follow_id, key) VALUES (?, 1, 7)", (FORUM,))
    db.execute("DELETE FROM follows WHERE id = 3")
    db.conn.commit()
    db.close()

    state = State(path)
    kept = follows(state, FORUM)
    assert [(f.id, f.subject, f.thread_id) for f in kept] == [
        (1, SUBJECT, None),
        (2, "wheat tender", None),
    ]
    assert unsent(state, 1, [7, 8]) == [8]
    item, new = follow_subject(state, FORUM, SUBJECT, follow.MAX_SUBJECTS, thread_id=5)
    assert new and item is not None and item.id == 4 and item.thread_id == 5
    assert follow_subject(state, FORUM, SUBJECT, follow.MAX_SUBJECTS)[1] is False
    state.close()
