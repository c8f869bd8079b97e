"""Following subjects end to end: the real application against the Bot API stand-in, real
index and state files, and reindexing done as a maintainer does it, beside the running bot
(the bot only watches the index for it)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from botapi import standin_fixture  # noqa: F401
from bothelpers import ADMIN, reply_to, sends, until, write
from followhelpers import SIGNED, SUBJECT, WHEAT, FollowBot, looked, news

from bot import follow
from bot.state import follows, seen_up_to

MEMBER = 2002
GROUP = -4001
PRIVATE = 42
LEVY = (
    "Indonesia will put a levy on nickel exports from January, straining the nickel"
    " partnership with Australia signed two weeks ago. Canberra said partners consult before"
    " they surprise each other."
)
FINANCE = (
    "Export Finance Australia will lend 1.2 billion dollars for projects under the nickel"
    " partnership with Indonesia, the trade minister said."
)


# -- the whole story ----------------------------------------------------------------------------


def test_follow_sends_one_message_for_a_match_never_again_and_stops(
    tmp_path: Path, standin
) -> None:
    bot = FollowBot(tmp_path, standin)

    async def main():
        async with bot.running() as app:
            text = await reply_to(standin, PRIVATE, f"/follow {SUBJECT}")
            assert text.startswith(f"Following “{SUBJECT}”")
            # A briefing that answers and one that does not, in one reindex.
            write(bot.corpus, "signed.md", dt.date(2023, 10, 5), "Nickel pact signed", SIGNED)
            write(bot.corpus, "wheat-2.md", dt.date(2023, 10, 5), "Wheat again", WHEAT + " More.")
            await bot.reindex()
            [message] = await until(lambda: news(standin, PRIVATE))
            await looked(app, bot.db)
            await asyncio.sleep(0.3)  # a few more looks: nothing else comes
            assert len(news(standin, PRIVATE)) == 1
            assert "Nickel pact signed" in message.plain_text
            assert "committing to two joint processing plants" in message.plain_text
            assert (
                "Wheat" not in message.plain_text and "Nickel talks open" not in message.plain_text
            )
            assert [b["text"] for b in message.buttons] == ["Timeline", "Stop following"]
        # A restart, then a rebuild that renumbers every passage: nothing is sent again.
        async with bot.running() as app:
            await asyncio.sleep(0.3)
            await bot.reindex(rebuild=True)
            await looked(app, bot.db)
            await asyncio.sleep(0.3)
            assert len(news(standin, PRIVATE)) == 1
            # The briefing changes: only its new paragraph is news.
            write(bot.corpus, "signed.md", dt.date(2023, 10, 5), "Nickel pact signed", SIGNED, LEVY)
            await bot.reindex()
            await until(lambda: len(news(standin, PRIVATE)) == 2)
            second = news(standin, PRIVATE)[1].plain_text
            assert "levy on nickel exports" in second
            assert "committing to two joint processing plants" not in second
            text = await reply_to(standin, PRIVATE, "/following")
            assert f"1. {SUBJECT} · 2 passages sent" in text
            text = await reply_to(standin, PRIVATE, f"/unfollow {SUBJECT}")
            assert text == f"Stopped following “{SUBJECT}”."
            write(bot.corpus, "finance.md", dt.date(2023, 10, 12), "Nickel finance", FINANCE)
            await bot.reindex()
            await looked(app, bot.db)
            await asyncio.sleep(0.3)
            assert len(news(standin, PRIVATE)) == 2
        assert follows(bot.state(), PRIVATE) == []

    asyncio.run(main())


def test_subscriptions_survive_a_restart_and_the_first_look_sends_nothing_old(
    tmp_path: Path, standin
) -> None:
    bot = FollowBot(tmp_path, standin)

    async def main():
        async with bot.running():
            await reply_to(standin, PRIVATE, f"/follow {SUBJECT}")
        # The bot is down while a matching briefing is indexed: it is sent once it is back.
        write(bot.corpus, "signed.md", dt.date(2023, 10, 5), "Nickel pact signed", SIGNED)
        bot.reindex_now()
        async with bot.running():
            [message] = await until(lambda: news(standin, PRIVATE))
            assert "Nickel pact signed" in message.plain_text
            assert "Nickel talks open" not in message.plain_text  # indexed before following
            text = await reply_to(standin, PRIVATE, "/following")
            assert SUBJECT in text

    asyncio.run(main())


# -- groups and admins --------------------------------------------------------------------------


def test_in_a_group_only_admins_follow_and_unfollow(tmp_path: Path, standin) -> None:
    bot = FollowBot(tmp_path, standin)
    standin.set_admins(GROUP, ADMIN)

    async def main():
        async with bot.running() as app:
            text = await reply_to(standin, GROUP, f"/follow {SUBJECT}", user_id=MEMBER)
            assert text == follow.ADMINS_ONLY
            assert follows(bot.state(), GROUP) == []
            text = await reply_to(standin, GROUP, f"/follow {SUBJECT}", user_id=ADMIN)
            assert text.startswith("Following")
            await reply_to(standin, GROUP, "/follow gas storage", user_id=ADMIN)
            # Anyone sees the list; only an admin's press stops a subject.
            standin.push_text(GROUP, "/following", user_id=MEMBER)
            listed = await until(lambda: [m for m in sends(standin, GROUP) if m.buttons])
            buttons = listed[-1].buttons
            assert [b["text"] for b in buttons] == [
                f"Stop “{SUBJECT}”",
                "Stop “gas storage”",
                "Stop all",
            ]
            standin.push_callback(
                GROUP, listed[-1].message_id, buttons[0]["callback_data"], user_id=MEMBER
            )
            await until(lambda: standin.calls_to("answerCallbackQuery"))
            answer = standin.calls_to("answerCallbackQuery")[-1].params
            assert answer["text"] == follow.ADMINS_ONLY
            assert len(follows(bot.state(), GROUP)) == 2
            text = await reply_to(standin, GROUP, "/unfollow all", user_id=MEMBER)
            assert text == follow.ADMINS_ONLY
            standin.push_callback(
                GROUP, listed[-1].message_id, buttons[0]["callback_data"], user_id=ADMIN
            )
            await until(lambda: standin.calls_to("editMessageText"))
            assert [f.subject for f in follows(bot.state(), GROUP)] == ["gas storage"]
            edited = standin.calls_to("editMessageText")[-1].params
            assert "gas storage" in edited["text"] and SUBJECT not in edited["text"]
            text = await reply_to(standin, GROUP, "/unfollow all", user_id=ADMIN)
            assert text == "Stopped following “gas storage”."
            assert follows(bot.state(), GROUP) == []
            del app

    asyncio.run(main())


def test_a_chat_follows_at_most_twenty_subjects(tmp_path: Path, standin) -> None:
    bot = FollowBot(tmp_path, standin)

    async def main():
        async with bot.running():
            for i in range(follow.MAX_SUBJECTS):
                await reply_to(standin, PRIVATE, f"/follow nickel topic {i}")
            text = await reply_to(standin, PRIVATE, "/follow wheat")
            assert text == follow.FULL.format(here="chat", n=follow.MAX_SUBJECTS)
            text = await reply_to(standin, PRIVATE, "/follow Nickel Topic 3")
            assert text == "This chat already follows “nickel topic 3”."
            assert len(follows(bot.state(), PRIVATE)) == follow.MAX_SUBJECTS

    asyncio.run(main())


def test_words_no_briefing_holds_are_named_and_waited_for(tmp_path: Path, standin) -> None:
    bot = FollowBot(tmp_path, standin)

    async def main():
        async with bot.running() as app:
            text = await reply_to(standin, PRIVATE, "/follow zeppelin tariffs")
            assert "No briefing mentions zeppelin or tariffs yet" in text
            text = await reply_to(standin, PRIVATE, "/follow what is the")
            assert "has no words I can look for" in text
            # A briefing that holds one word of two is no news of the subject.
            write(bot.corpus, "signed.md", dt.date(2023, 10, 5), "Nickel pact", SIGNED)
            write(bot.corpus, "z.md", dt.date(2023, 10, 6), "Airships", "Zeppelin flights resume.")
            await bot.reindex()
            await looked(app, bot.db)
            await asyncio.sleep(0.3)
            assert news(standin, PRIVATE) == []

    asyncio.run(main())


# -- Telegram trouble --------------------------------------------------------------------------


def test_a_blocked_chat_loses_its_subjects_and_others_still_get_theirs(
    tmp_path: Path, standin
) -> None:
    bot = FollowBot(tmp_path, standin)

    async def main():
        async with bot.running():
            await reply_to(standin, 51, f"/follow {SUBJECT}")
            await reply_to(standin, 52, f"/follow {SUBJECT}")
            standin.forbidden_chats.add(51)
            write(bot.corpus, "signed.md", dt.date(2023, 10, 5), "Nickel pact signed", SIGNED)
            await bot.reindex()
            [message] = await until(lambda: news(standin, 52))
            assert "Nickel pact signed" in message.plain_text
            await until(lambda: follows(bot.state(), 51) == [])
            assert [f.subject for f in follows(bot.state(), 52)] == [SUBJECT]

    asyncio.run(main())


def test_a_failed_send_is_tried_again_at_the_next_look(tmp_path: Path, standin) -> None:
    bot = FollowBot(tmp_path, standin)

    async def main():
        async with bot.running():
            await reply_to(standin, PRIVATE, f"/follow {SUBJECT}")
            # Past the rate limiter's own retries: the look fails and the next one sends it.
            standin.fail_next("sendMessage", status=400, count=1)
            write(bot.corpus, "signed.md", dt.date(2023, 10, 5), "Nickel pact signed", SIGNED)
            await bot.reindex()
            [message] = await until(lambda: news(standin, PRIVATE))
            assert "Nickel pact signed" in message.plain_text
            attempts = [
                c for c in standin.calls_to("sendMessage") if c.params["chat_id"] == PRIVATE
            ]
            assert [c.status for c in attempts][-2:] == [400, 200]
            await asyncio.sleep(0.3)
            assert len(news(standin, PRIVATE)) == 1
        assert seen_up_to(bot.state()) is not None

    asyncio.run(main())


def test_a_burst_of_briefings_is_one_message_per_subject(tmp_path: Path, standin) -> None:
    bot = FollowBot(tmp_path, standin)

    async def main():
        async with bot.running() as app:
            await reply_to(standin, PRIVATE, f"/follow {SUBJECT}")
            await reply_to(standin, PRIVATE, "/follow wheat tender")
            day = dt.date(2023, 10, 5)
            write(bot.corpus, "signed.md", day, "Nickel pact signed", SIGNED)
            write(bot.corpus, "levy.md", day + dt.timedelta(days=14), "Nickel levy", LEVY)
            write(bot.corpus, "finance.md", day + dt.timedelta(days=7), "Nickel money", FINANCE)
            write(bot.corpus, "wheat-3.md", day, "Wheat bought", "Egypt held a wheat tender.")
            await bot.reindex()
            await until(lambda: len(news(standin, PRIVATE)) == 2)
            await looked(app, bot.db)
            await asyncio.sleep(0.3)
            nickel, wheat = sorted(news(standin, PRIVATE), key=lambda m: "wheat" in m.plain_text)
            assert len(news(standin, PRIVATE)) == 2
            for title in ("Nickel pact signed", "Nickel levy", "Nickel money"):
                assert nickel.plain_text.count(title) == 1  # one briefing, one heading
            assert "Egypt held a wheat tender" in wheat.plain_text
            assert "Nickel" not in wheat.plain_text

    asyncio.run(main())


def test_a_group_that_becomes_a_supergroup_keeps_its_subjects(tmp_path: Path, standin) -> None:
    bot = FollowBot(tmp_path, standin)
    standin.set_admins(GROUP, ADMIN)
    supergroup = -1009990002

    async def main():
        async with bot.running():
            await reply_to(standin, GROUP, f"/follow {SUBJECT}", user_id=ADMIN)
            standin.push_migration(GROUP, supergroup)
            await until(lambda: follows(bot.state(), supergroup))
            write(bot.corpus, "signed.md", dt.date(2023, 10, 5), "Nickel pact signed", SIGNED)
            await bot.reindex()
            [message] = await until(lambda: news(standin, supergroup))
            assert "Nickel pact signed" in message.plain_text
        assert follows(bot.state(), GROUP) == []

    asyncio.run(main())
