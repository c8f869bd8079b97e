"""Daily summaries end to end: the real application against the Bot API stand-in, with real
index and state files. Jobs are fired through PTB's job queue (the scheduler is asked to run
the real `run_daily` job now), not by calling the callback."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from botapi import standin_fixture  # noqa: F401
from bothelpers import ADMIN, Bot, reply_to, sends, until, write

from bot import daily, days, render_summary
from bot.state import subscribe, subscription, subscriptions
from index.storage import store
from index.summary import BriefingText, summarise, watermark

MEMBER = 2002
GROUP = -4001

RAIL = (
    "Russia and Iran signed an agreement to finish the Rasht-Astara railway by 2028. "
    "The railway will link the Caspian port of Astara with the city of Rasht. "
    "Russia will lend 1.3 billion euros for the construction of the line."
)
WHEAT = (
    "Egypt bought 240,000 tonnes of wheat in a tender on Tuesday. "
    "Traders said prices were slightly lower than in the previous purchase. "
    "The grain is due to be shipped in April."
)
GAS = (
    "Gas exports through the pipeline rose by a fifth in the winter months. "
    "The operator said maintenance would halt the flow for three days in May."
)


def fire(app, chat_id: int, thread: int | None = None) -> None:
    """Ask the scheduler to run the real daily job of the chat (or of its topic) now."""
    [job] = app.job_queue.get_jobs_by_name(daily.job_name(chat_id, thread))
    job.job.modify(next_run_time=dt.datetime.now(dt.UTC))


async def finished(app, chat_id: int, thread: int | None = None) -> None:
    """Wait until the chat's job has no run in progress (the scheduler skips a run while one
    is), so it can be fired again."""
    [job] = app.job_queue.get_jobs_by_name(daily.job_name(chat_id, thread))
    executor = app.job_queue.scheduler._lookup_executor(job.job.executor)
    await until(lambda: executor._instances[job.job.id] == 0)


def daily_jobs(app) -> dict[int, tuple]:
    return {j.chat_id: j.data for j in app.job_queue.jobs() if (j.name or "").startswith(daily.JOB)}


# -- commands ---------------------------------------------------------------------------------


def test_subscribe_change_show_and_stop(tmp_path: Path, standin) -> None:
    bot = Bot(tmp_path, standin)
    standin.set_admins(GROUP, ADMIN)

    async def main():
        async with bot.running() as app:
            text = await reply_to(standin, GROUP, "/daily 08:30 europe/moscow")
            assert text.startswith("Daily summary at 08:30 (Europe/Moscow).")
            assert "The next one is on" in text
            assert daily_jobs(app) == {GROUP: ("08:30", "Europe/Moscow")}
            # A new time keeps the zone; a new zone is taken as given.
            text = await reply_to(standin, GROUP, "/daily 21:15")
            assert text.startswith("Daily summary at 21:15 (Europe/Moscow).")
            assert daily_jobs(app) == {GROUP: ("21:15", "Europe/Moscow")}
            text = await reply_to(standin, GROUP, "/daily 7:05 Asia/Tokyo")
            assert daily_jobs(app) == {GROUP: ("07:05", "Asia/Tokyo")}
            text = await reply_to(standin, GROUP, "/daily", user_id=MEMBER)
            assert text.startswith("Daily summary at 07:05 (Asia/Tokyo).")
            text = await reply_to(standin, GROUP, "/daily off")
            assert text == "Daily summaries stopped."
            assert daily_jobs(app) == {}
            text = await reply_to(standin, GROUP, "/daily")
            assert text.startswith("This chat has no daily summary.")
        assert subscription(bot.state(), GROUP) is None

    asyncio.run(main())


def test_non_admin_is_refused_in_a_group_but_not_in_private(tmp_path: Path, standin) -> None:
    bot = Bot(tmp_path, standin)
    standin.set_admins(GROUP, ADMIN)

    async def main():
        async with bot.running() as app:
            text = await reply_to(standin, GROUP, "/daily 08:00", user_id=MEMBER)
            assert text == daily.ADMINS_ONLY
            assert standin.calls_to("getChatMember")
            assert daily_jobs(app) == {}
            text = await reply_to(standin, GROUP, "/daily off", user_id=MEMBER)
            assert text == daily.ADMINS_ONLY
            text = await reply_to(standin, MEMBER, "/daily 08:00", user_id=MEMBER)
            assert text.startswith("Daily summary at 08:00 (UTC).")
            assert daily_jobs(app) == {MEMBER: ("08:00", "UTC")}
        assert subscription(bot.state(), GROUP) is None

    asyncio.run(main())


def test_bad_times_and_zones_are_explained(tmp_path: Path, standin) -> None:
    bot = Bot(tmp_path, standin)

    async def main():
        async with bot.running() as app:
            assert (await reply_to(standin, 7, "/daily 25:00")) == daily.USAGE
            assert (await reply_to(standin, 7, "/daily soon")) == daily.USAGE
            text = await reply_to(standin, 7, "/daily 08:00 Mars/Olympus")
            assert "Mars/Olympus" in text and "Europe/Moscow" in text
            assert (await reply_to(standin, 7, "/summary last week")) == daily.SUMMARY_USAGE
            assert daily_jobs(app) == {}

    asyncio.run(main())


# -- jobs -------------------------------------------------------------------------------------


def test_jobs_are_rebuilt_after_a_restart(tmp_path: Path, standin) -> None:
    bot = Bot(tmp_path, standin)
    today = dt.datetime.now(dt.UTC).date()
    write(bot.corpus, "rail.md", today, "Railway deal", RAIL)

    async def main():
        async with bot.running() as app:
            await reply_to(standin, 42, "/daily 06:45 Asia/Tehran", user_id=42)
            await reply_to(standin, 43, "/daily 23:59", user_id=43)
            assert set(daily_jobs(app)) == {42, 43}
        async with bot.running() as app:
            assert daily_jobs(app) == {42: ("06:45", "Asia/Tehran"), 43: ("23:59", "UTC")}
            [job] = app.job_queue.get_jobs_by_name(f"{daily.JOB}42")
            local = job.next_t.astimezone(ZoneInfo("Asia/Tehran"))
            assert (local.hour, local.minute) == (6, 45)
            standin.clear()
            fire(app, 43)
            [message] = await until(lambda: sends(standin, 43))
            assert "Railway deal" in message.plain_text

    asyncio.run(main())


def _zone_whose_day_is_not_utcs(now: dt.datetime) -> str:
    """UTC+14 is a day ahead from 10:00 UTC, UTC-11 a day behind until 11:00 UTC."""
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        if now.astimezone(ZoneInfo(zone)).date() != now.date():
            return zone
    raise AssertionError("unreachable")


def test_a_fired_job_posts_the_chats_local_day_and_late_additions(tmp_path: Path, standin) -> None:
    bot = Bot(tmp_path, standin)
    now = dt.datetime.now(dt.UTC)
    zone = _zone_whose_day_is_not_utcs(now)
    local = now.astimezone(ZoneInfo(zone)).date()
    state = bot.state()
    subscribe(state, GROUP, dt.time(9, 0), zone)  # stored before the bot starts
    state.close()
    write(bot.corpus, "local.md", local, "Railway deal", RAIL)
    write(bot.corpus, "utc.md", now.date(), "Egypt buys wheat", WHEAT)
    write(bot.corpus, "old.md", dt.date(2024, 1, 5), "Gas flows <up> & on", GAS)
    bot.reindex_now()  # after the subscription (which saw no index): the old one is late

    async def main():
        async with bot.running() as app:
            fire(app, GROUP)
            messages = await until(lambda: sends(standin, GROUP))
            text = "\n".join(m.plain_text for m in messages)
            assert days.day_name(local) in text
            assert "Railway deal" in text
            # Dated the UTC day, not the chat's: never among the day's briefings (when the
            # chat's day is ahead of UTC's, it is an earlier day's late addition instead).
            assert "Late additions" in text
            assert "Egypt buys wheat" not in text.split("Late additions")[0]
            assert ("Egypt buys wheat" in text) == (local > now.date())
            assert "Gas flows <up> & on · 2024-01-05" in text  # escaped, shown as written
            assert "Russia and Iran signed an agreement" in text
            await finished(app, GROUP)
            assert subscription(bot.state(), GROUP).last_sent is not None
            # The next summary no longer lists what the last one did.
            standin.clear()
            fire(app, GROUP)
            messages = await until(lambda: sends(standin, GROUP))
            text = "\n".join(m.plain_text for m in messages)
            assert "Railway deal" in text
            assert "Late additions" not in text

    asyncio.run(main())


def test_a_failed_send_is_retried_once(tmp_path: Path, standin, monkeypatch) -> None:
    monkeypatch.setattr(daily, "RETRY_AFTER", 0.2)
    bot = Bot(tmp_path, standin)
    write(bot.corpus, "rail.md", dt.datetime.now(dt.UTC).date(), "Railway deal", RAIL)

    async def main():
        async with bot.running() as app:
            await reply_to(standin, 42, "/daily 06:00", user_id=42)
            standin.clear()
            standin.fail_next("sendMessage", status=500)
            fire(app, 42)
            [message] = await until(lambda: sends(standin, 42))
            assert "Railway deal" in message.plain_text
            attempts = [c for c in standin.calls_to("sendMessage") if c.params["chat_id"] == 42]
            assert [c.status for c in attempts] == [500, 200]
            assert daily_jobs(app) == {42: ("06:00", "UTC")}  # the daily job itself stays

    asyncio.run(main())


def test_forbidden_chat_loses_its_subscription_and_others_still_get_theirs(
    tmp_path: Path, standin
) -> None:
    bot = Bot(tmp_path, standin)
    write(bot.corpus, "rail.md", dt.datetime.now(dt.UTC).date(), "Railway deal", RAIL)
    state = bot.state()
    for chat in (51, 52):
        subscribe(state, chat, dt.time(7, 0), "UTC")
    state.close()

    async def main():
        async with bot.running() as app:
            standin.forbidden_chats.add(51)  # it blocked the bot
            fire(app, 51)
            fire(app, 52)
            [message] = await until(lambda: sends(standin, 52))
            assert "Railway deal" in message.plain_text
            await until(lambda: 51 not in daily_jobs(app))
            assert set(daily_jobs(app)) == {52}
        assert subscription(bot.state(), 51) is None
        assert subscription(bot.state(), 52) is not None

    asyncio.run(main())


def test_a_group_that_becomes_a_supergroup_keeps_its_subscription(tmp_path: Path, standin) -> None:
    bot = Bot(tmp_path, standin)
    # The summary is of the day in the chat's time zone, which is not UTC's for an hour a day.
    today = dt.datetime.now(ZoneInfo("Europe/Berlin")).date()
    write(bot.corpus, "rail.md", today, "Railway deal", RAIL)
    standin.set_admins(GROUP, ADMIN)
    supergroup = -1009990001

    async def main():
        async with bot.running() as app:
            await reply_to(standin, GROUP, "/daily 18:00 Europe/Berlin")
            standin.push_migration(GROUP, supergroup)
            await until(lambda: supergroup in daily_jobs(app))
            assert daily_jobs(app) == {supergroup: ("18:00", "Europe/Berlin")}
            fire(app, supergroup)
            [message] = await until(lambda: sends(standin, supergroup))
            assert "Railway deal" in message.plain_text
        assert subscription(bot.state(), GROUP) is None
        assert subscription(bot.state(), supergroup).timezone == "Europe/Berlin"

    asyncio.run(main())


def test_removing_the_bot_drops_the_subscription(tmp_path: Path, standin) -> None:
    bot = Bot(tmp_path, standin)
    standin.set_admins(GROUP, ADMIN)

    async def main():
        async with bot.running() as app:
            await reply_to(standin, GROUP, "/daily 18:00")
            standin.push_my_chat_member(GROUP, "left")
            await until(lambda: GROUP not in daily_jobs(app))
        assert subscription(bot.state(), GROUP) is None

    asyncio.run(main())


# -- forum topics -----------------------------------------------------------------------------

FORUM = -1007002


def jobs_by_name(app) -> dict[str, tuple]:
    return {j.name: j.data for j in app.job_queue.jobs() if (j.name or "").startswith(daily.JOB)}


def in_topic(standin, thread: int | None) -> list:
    """Summaries and replies sent to one topic of the forum (None: its General topic)."""
    return [m for m in standin.messages_in_topic(FORUM, thread) if m.method == "sendMessage"]


def test_each_topic_of_a_forum_has_its_own_daily_summary(tmp_path: Path, standin) -> None:
    """/daily in a topic sets, shows and stops that topic's summary, which is posted there;
    the group's General topic and other topics keep theirs, across a restart too."""
    bot = Bot(tmp_path, standin)
    write(bot.corpus, "rail.md", dt.datetime.now(dt.UTC).date(), "Railway deal", RAIL)
    standin.make_forum(FORUM)
    standin.set_admins(FORUM, ADMIN)
    rail, gas, quiet = (standin.open_topic(FORUM, name) for name in ("Rail", "Gas", "Quiet"))

    async def main():
        async with bot.running() as app:
            text = await reply_to(standin, FORUM, "/daily 08:00", thread=rail)
            assert text.startswith("Daily summary at 08:00 (UTC).")
            await reply_to(standin, FORUM, "/daily 09:30 Asia/Tokyo", thread=gas)
            await reply_to(standin, FORUM, "/daily 10:00")
            assert jobs_by_name(app) == {
                daily.job_name(FORUM, rail): ("08:00", "UTC"),
                daily.job_name(FORUM, gas): ("09:30", "Asia/Tokyo"),
                daily.job_name(FORUM): ("10:00", "UTC"),
            }
            text = await reply_to(standin, FORUM, "/daily", user_id=MEMBER, thread=gas)
            assert text.startswith("Daily summary at 09:30 (Asia/Tokyo).")
            text = await reply_to(standin, FORUM, "/daily", user_id=MEMBER)
            assert text.startswith("Daily summary at 10:00 (UTC).")
            text = await reply_to(standin, FORUM, "/daily", user_id=MEMBER, thread=quiet)
            assert text.startswith("This topic has no daily summary.")
            assert await reply_to(standin, FORUM, "/daily off", thread=gas) == (
                "Daily summaries stopped."
            )
            text = await reply_to(standin, FORUM, "/daily off", thread=quiet)
            assert text == "This topic had no daily summary."
            assert set(jobs_by_name(app)) == {daily.job_name(FORUM, rail), daily.job_name(FORUM)}
            replies = in_topic(standin, gas) + in_topic(standin, quiet)
            assert len(replies) == 5 and {m.params["message_thread_id"] for m in replies} == {
                gas,
                quiet,
            }
        async with bot.running() as app:  # rebuilt from the state file, topic by topic
            assert jobs_by_name(app) == {
                daily.job_name(FORUM, rail): ("08:00", "UTC"),
                daily.job_name(FORUM): ("10:00", "UTC"),
            }
            standin.clear()
            fire(app, FORUM, rail)
            [summary] = await until(lambda: in_topic(standin, rail))
            assert "Railway deal" in summary.plain_text
            assert summary.params["message_thread_id"] == rail
            assert sends(standin, FORUM) == [summary]
            fire(app, FORUM)
            [general] = await until(lambda: in_topic(standin, None))
            assert "Railway deal" in general.plain_text
            assert general.params.get("message_thread_id") is None
            await finished(app, FORUM, rail)
        state = bot.state()
        assert subscription(state, FORUM, rail).last_sent is not None
        assert subscription(state, FORUM, gas) is None
        assert subscription(state, FORUM).timezone == "UTC"

    asyncio.run(main())


def test_a_closed_or_deleted_topic_loses_its_summary_and_the_others_keep_theirs(
    tmp_path: Path, standin, monkeypatch, caplog
) -> None:
    """Like a chat that removed the bot: the summary of a topic an administrator closed or
    deleted stops, the reason is logged, and nothing is tried again; the group's other
    topics go on. A closed General topic stops the summary set there, and only that one."""
    monkeypatch.setattr(daily, "RETRY_AFTER", 0.2)
    bot = Bot(tmp_path, standin)
    write(bot.corpus, "rail.md", dt.datetime.now(dt.UTC).date(), "Railway deal", RAIL)
    standin.make_forum(FORUM)
    closed, deleted, open_ = (standin.open_topic(FORUM, n) for n in ("Closed", "Gone", "Open"))
    state = bot.state()
    for thread in (closed, deleted, open_, None):
        subscribe(state, FORUM, dt.time(7, 0), "UTC", thread_id=thread)

    async def main():
        async with bot.running() as app:
            standin.close_topic(FORUM, closed)
            standin.delete_topic(FORUM, deleted)
            standin.close_general_topic(FORUM)
            for thread in (closed, deleted, open_, None):
                fire(app, FORUM, thread)
            await until(lambda: in_topic(standin, open_))
            await until(lambda: len(jobs_by_name(app)) == 1)
            await asyncio.sleep(0.5)  # past RETRY_AFTER: time for a retry to (wrongly) run
            assert set(jobs_by_name(app)) == {daily.job_name(FORUM, open_)}
            assert not [j for j in app.job_queue.jobs() if j.name.startswith(daily.RETRY_JOB)]

    with caplog.at_level("INFO", logger="briefbot"):
        asyncio.run(main())
    tried = [
        (c.params.get("message_thread_id"), c.status)
        for c in standin.calls_to("sendMessage")
        if c.status != 200
    ]
    assert sorted(tried, key=str) == sorted([(closed, 400), (deleted, 400), (None, 400)], key=str)
    assert [s.thread_id for s in subscriptions(state)] == [open_]
    assert state.chat(FORUM)["removed_at"] is None  # the group itself still has the bot
    logged = [r.getMessage() for r in caplog.records]
    for where, why in (
        (f"topic {closed}", "Topic_closed"),
        (f"topic {deleted}", "Message thread not found"),
        ("the General topic", "Topic_closed"),
    ):
        assert f"{where} of chat {FORUM} was closed or deleted ({why}); forgetting it" in logged
    state.close()


def test_a_summary_asked_for_in_a_topic_pages_there(tmp_path: Path, standin) -> None:
    """/summary and its "More" button under a digest, in the topic asked in."""
    bot = Bot(tmp_path, standin)
    busy_day(bot.corpus, dt.date(2024, 3, 19), n=40)
    standin.make_forum(FORUM)
    topic = standin.open_topic(FORUM, "Markets")

    async def main():
        async with bot.running():
            standin.push_text(FORUM, "/summary 2024-03-19", thread_id=topic)
            first = await until(
                lambda: (
                    [m for m in in_topic(standin, topic) if m.buttons] and in_topic(standin, topic)
                )
            )
            [button] = first[-1].buttons
            standin.push_callback(FORUM, first[-1].message_id, button["callback_data"])
            more = await until(lambda: in_topic(standin, topic)[len(first) :])
            assert "stories 11–" in more[0].plain_text

    asyncio.run(main())
    assert {m.params["message_thread_id"] for m in in_topic(standin, topic)} == {topic}
    assert in_topic(standin, None) == []


# -- empty days -------------------------------------------------------------------------------


def test_a_day_with_no_briefings_says_so(tmp_path: Path, standin) -> None:
    bot = Bot(tmp_path, standin)
    write(bot.corpus, "old.md", dt.date(2001, 1, 1), "Old", WHEAT)
    bot.reindex_now()
    state = bot.state()
    subscribe(state, 61, dt.time(7, 0), "UTC", watermark(store.connect(bot.db)))
    state.close()

    async def main():
        async with bot.running() as app:
            fire(app, 61)
            [message] = await until(lambda: sends(standin, 61))
            today = dt.datetime.now(dt.UTC).date()
            assert message.plain_text == render_summary.nothing_new(today)
            text = await reply_to(standin, 61, "/summary 2001-01-02", user_id=61)
            assert text == (
                "No briefings are dated Tuesday 2 January 2001. The nearest are dated"
                " Monday 1 January 2001: /summary 2001-01-01."
            )
            text = await reply_to(standin, 61, "/summary 2001-01-01", user_id=61)
            assert "Old" in text and "Egypt bought 240,000 tonnes" in text

    asyncio.run(main())


def test_a_day_with_no_briefings_offers_the_nearest_as_commands() -> None:
    day = dt.date(2024, 3, 20)
    before, after = dt.date(2024, 3, 19), dt.date(2024, 3, 22)
    assert render_summary.no_briefings(day, []) == "No briefings are dated Wednesday 20 March 2024."
    assert render_summary.no_briefings(day, [before, after]) == (
        "No briefings are dated Wednesday 20 March 2024. The nearest are dated Tuesday 19 March"
        " 2024 and Friday 22 March 2024: /summary 2024-03-19 or /summary 2024-03-22."
    )
    assert render_summary.no_briefings(day, [after], "briefbot summary").endswith(
        ": briefbot summary 2024-03-22."
    )


def test_a_day_with_no_briefings_can_stay_silent(tmp_path: Path, standin) -> None:
    bot = Bot(tmp_path, standin, daily_silent_when_empty=True)
    write(bot.corpus, "old.md", dt.date(2001, 1, 1), "Old", WHEAT)
    bot.reindex_now()
    state = bot.state()
    subscribe(state, 62, dt.time(7, 0), "UTC", watermark(store.connect(bot.db)))
    state.close()

    async def main():
        async with bot.running() as app:
            fire(app, 62)
            reader = bot.state()
            await until(lambda: subscription(reader, 62).last_sent is not None)
            reader.close()
            assert sends(standin, 62) == []
            assert set(daily_jobs(app)) == {62}

    asyncio.run(main())


# -- a busy day -------------------------------------------------------------------------------

SUBJECTS = [
    "Coffee growers in {p} expect a harvest {n} pct smaller after the drought.",
    "Copper smelters in {p} cut output by {n} pct as ore shipments were delayed.",
    "The central bank of {p} left its discount rate at {n} pct on Tuesday.",
    "Striking dock workers in {p} blocked grain loading for {n} hours.",
    "Oil refiners in {p} raised gasoline prices by {n} cents a gallon.",
    "Airline pilots in {p} voted {n} to one to accept the new wage contract.",
    "Steel mills in {p} said orders for plate rose {n} pct in the quarter.",
    "Sugar refiners in {p} bought {n},000 tonnes of raw cane for May.",
    "Cocoa arrivals at {p} ports reached {n},000 bags this week.",
    "Tin miners in {p} reopened {n} shafts closed since the flood.",
    "Rubber planters in {p} asked for a subsidy of {n} cents per kilo.",
    "Textile exporters in {p} lost {n} orders to cheaper rivals.",
    "Car dealers in {p} sold {n},000 vehicles, a record for February.",
    "Shipbuilders in {p} laid off {n} welders at the northern yard.",
    "Tea auctions in {p} fetched {n} rupees a kilo for leaf grades.",
    "Wool buyers in {p} paid {n} cents more for fine merino fleece.",
    "Fishermen in {p} landed {n} tonnes of cod despite storms.",
    "Railway freight in {p} carried {n} pct more coal in January.",
    "Pharmaceutical sales in {p} climbed {n} pct on vaccine demand.",
    "Tourist arrivals in {p} fell {n} pct after the volcano erupted.",
    "Gold bullion reserves in {p} rose by {n} ounces last month.",
    "Timber mills in {p} exported {n} cubic metres of pine logs.",
    "Telephone operators in {p} connected {n},000 new subscribers.",
    "Cotton ginners in {p} processed {n},000 bales before the rains.",
    "Brewers in {p} raised beer output {n} pct for the holiday season.",
]
PLACES = ["Brazil", "Chile", "Kenya", "Peru", "Ghana", "Norway", "Japan", "Spain", "India"]


def busy_day(corpus: Path, day: dt.date, n: int = 200) -> None:
    """Briefings on 25 subjects in 9 places: a digest of about 25 stories, three pages."""
    for i in range(n):
        place = PLACES[i % len(PLACES)]
        text = (
            f"{SUBJECTS[i % len(SUBJECTS)].format(p=place, n=i + 3)} Officials said item {i} "
            f"would be reviewed <again> & published within {i % 9 + 2} weeks."
        )
        write(corpus, f"item-{i:03d}.md", day, f"{place} <{i}> & co", text)


def test_two_hundred_briefings_stay_within_telegram_limits(tmp_path: Path, standin) -> None:
    bot = Bot(tmp_path, standin)
    day = dt.date(2024, 3, 19)
    busy_day(bot.corpus, day)

    async def main():
        async with bot.running():
            standin.push_text(GROUP, "/summary 2024-03-19")
            messages = await until(
                lambda: [m for m in sends(standin, GROUP) if m.buttons] and sends(standin, GROUP)
            )
            assert "Briefings of Tuesday 19 March 2024: 200" in messages[0].plain_text
            for m in messages:
                assert len(m.plain_text.encode("utf-16-le")) // 2 <= 4096
                assert len(m.text.encode("utf-16-le")) // 2 <= 4096
            [button] = messages[-1].buttons
            assert button["text"] == "More"
            assert len(button["callback_data"].encode()) < 64
            shown = "\n".join(m.plain_text for m in messages)
            assert "<again> & published" in shown  # escaped in the HTML, intact on screen
            standin.push_callback(GROUP, messages[-1].message_id, button["callback_data"])
            more = await until(lambda: sends(standin, GROUP)[len(messages) :])
            assert "stories 11–" in more[0].plain_text
            await until(lambda: standin.calls_to("editMessageReplyMarkup"))

    asyncio.run(main())


# -- pieces -----------------------------------------------------------------------------------


def test_local_day_and_day_arguments() -> None:
    late_evening = dt.datetime(2024, 3, 19, 22, 30, tzinfo=dt.UTC)
    assert days.today("UTC", late_evening) == dt.date(2024, 3, 19)
    assert days.today("Asia/Tokyo", late_evening) == dt.date(2024, 3, 20)
    assert days.today("America/New_York", late_evening) == dt.date(2024, 3, 19)
    today = dt.date(2024, 3, 1)
    assert daily.parse_day(None, today) == today
    assert daily.parse_day("Yesterday", today) == dt.date(2024, 2, 29)
    assert daily.parse_day("2024-02-30", today) is None
    assert daily.parse_day("2023-12-31", today) == dt.date(2023, 12, 31)
    assert daily.zone_name("asia/TEHRAN") == "Asia/Tehran"
    assert daily.zone_name("utc") == "UTC"
    assert daily.zone_name("Nowhere/Town") is None


def test_rendered_summary_is_escaped_and_split_between_briefings(tmp_path: Path) -> None:
    day = dt.date(2024, 3, 19)
    briefings = [
        BriefingText(
            f"b{i}.md",
            f"Title <{i}> & co",
            day,
            tuple(
                f"Sentence {k} of lot {i * 10 + k} says <b>nothing</b> & more on {k + i * 7}."
                for k in range(9)
            ),
        )
        for i in range(25)
    ]
    summary = summarise(briefings, day=day)
    assert not summary.digest
    messages = render_summary.summary_messages(summary)
    assert len(messages) > 1
    for m in messages:
        assert len(m.encode("utf-16-le")) // 2 <= 4096
        assert "<b>nothing</b>" not in m
    assert "&lt;b&gt;nothing&lt;/b&gt;" in messages[0]
    # Every briefing's block is whole in one message: its heading with its quote.
    for i in range(25):
        heading = f"<b>{html.escape(f'Title <{i}> & co', quote=False)}</b> · <i>2024-03-19</i>"
        [message] = [m for m in messages if heading in m]
        block = message[message.index(heading) :].split("\n\n")[0]
        assert f"Sentence 0 of lot {i * 10} says" in block


@pytest.mark.parametrize("page", [0, 1, 2])
def test_more_keyboard_only_when_a_digest_has_more(page: int) -> None:
    day = dt.date(2024, 3, 19)
    briefings = [
        BriefingText(f"b{i}.md", f"T{i}", day, (subject.format(p="Peru", n=i + 3),))
        for i, subject in enumerate(SUBJECTS)
    ]
    summary = summarise(briefings, day=day, digest_over=10, top=10)
    assert summary.digest and summary.pages == 3
    keyboard = render_summary.more_keyboard(summary, page)
    if page < 2:
        [[button]] = keyboard.inline_keyboard
        assert button.callback_data == f"dly:20240319:{page + 1}"
    else:
        assert keyboard is None


def test_digest_names_repeats_once_and_keeps_quotes_short() -> None:
    day = dt.date(2024, 3, 19)
    repeated = [BriefingText(f"r{i}.md", "SAME <WIRE> ITEM", day, (RAIL,)) for i in range(3)]
    others = [
        BriefingText(f"b{i}.md", f"T{i}", day, (subject.format(p="Peru", n=i + 3),))
        for i, subject in enumerate(SUBJECTS)
    ]
    summary = summarise(repeated + others, day=day, digest_over=10)
    assert summary.digest
    [group] = [g for g in summary.groups if g.lead.briefing.title == "SAME <WIRE> ITEM"]
    block = render_summary.digest_block(group)
    text = "".join(run.text for run in block)
    assert "The same story came 2 more times." in text
    assert text.count("SAME <WIRE> ITEM") == 1
    quoted = "".join(run.text for run in block if run.tags and "blockquote" in run.tags[0])
    assert len(quoted) <= render_summary.DIGEST_QUOTE_CHARS + 5
