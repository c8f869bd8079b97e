"""Timelines and trying a subject out: the library on real index files, the `briefbot`
command, and the bot through the Bot API stand-in."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

import pytest
from botapi import standin_fixture  # noqa: F401
from bothelpers import reply_to, sends, until, write
from click.testing import CliRunner
from followhelpers import SIGNED, SUBJECT, TALKS, WHEAT, FollowBot, looked, news

from bot.cli import main
from bot.state import State, follow_subject, follows
from index import follow, timeline
from index.storage import store
from index.storage.reindex import reindex

PRIVATE = 42

# A running story: every day's briefing opens with the same background, then the day's news.
BACKGROUND = (
    "The Lisbon tramway extension, a 12-kilometre line planned since 2019, would link the"
    " airport with the old town."
)
NEWS = {
    dt.date(2024, 4, 1): "The city council approved the tramway extension's route on Monday.",
    dt.date(2024, 4, 8): "Builders won the tramway tender with a bid of 310 million euros.",
    dt.date(2024, 4, 15): "Work on the tramway extension was halted by a court on Friday.",
}


def tramway(corpus: Path) -> None:
    for day, news_sentence in NEWS.items():
        write(corpus, f"tram-{day}.md", day, f"Tramway {day}", f"{BACKGROUND} {news_sentence}")
    write(corpus, "wheat.md", dt.date(2024, 4, 8), "Wheat tender", WHEAT)


@pytest.fixture
def tram_db(tmp_path: Path) -> Path:
    tramway(tmp_path / "corpus")
    db = tmp_path / "index.db"
    assert not reindex(tmp_path / "corpus", db).failed
    return db


# -- asking for one -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, subject",
    [
        ("how did the railway deal develop?", "the railway deal"),
        ("How has the Gaza situation evolved since March?", "the Gaza situation since March"),
        ("timeline of the Gaza talks", "the Gaza talks"),
        ("hi, give me a chronology of the haze", "the haze"),
        ("Gaza talks timeline", "Gaza talks"),
        ("what did Raeisi say about the railway?", None),
        ("how did it go?", None),
        ("how much did exports fall?", None),
        ("how has the Gaza situation changed since March?", "the Gaza situation since March"),
        ("how did M-1 change in the week to March 9?", None),  # a figure for one week
        ("how did the vote go on Monday?", None),
    ],
)
def test_timeline_questions_are_told_from_other_questions(text: str, subject: str | None) -> None:
    assert timeline.asked(text) == subject


# -- building one -------------------------------------------------------------------------------


def test_each_day_shows_its_news_not_the_background_it_repeats(tram_db: Path) -> None:
    conn = store.connect(tram_db)
    found = timeline.build(conn, "Lisbon tramway extension")
    assert [e.date for e in found.entries] == list(NEWS)  # oldest first, the wheat left out
    first, *later = found.entries
    assert first.text.startswith("The Lisbon tramway extension, a 12-kilometre line")
    for entry in later:
        assert entry.text == NEWS[entry.date], entry.text
    # The subject's words are in bold where the sentence holds them.
    bold = [entry.hit.text[s:e] for entry in found.entries for s, e in entry.highlights]
    assert "tramway" in bold and "Lisbon" in bold


def test_dates_keep_the_timeline_to_them_and_missing_words_are_named(tram_db: Path) -> None:
    conn = store.connect(tram_db)
    found = timeline.build(conn, "tramway extension since 5 April 2024")
    assert [e.date for e in found.entries] == [dt.date(2024, 4, 8), dt.date(2024, 4, 15)]
    found = timeline.build(conn, "tramway in May 2023")
    assert found.entries == [] and "2024" in found.note
    found = timeline.build(conn, "tramway zeppelins")
    assert found.missing == ["zeppelins"]
    assert len(found.entries) == 3


def test_a_long_story_keeps_its_latest_days(tram_db: Path) -> None:
    found = timeline.build(store.connect(tram_db), "tramway", max_days=2)
    assert [e.date for e in found.entries] == [dt.date(2024, 4, 8), dt.date(2024, 4, 15)]
    assert found.earlier == 1


# -- following, tried out -----------------------------------------------------------------------


def test_would_send_groups_each_days_passages_and_leaves_the_rest(tram_db: Path) -> None:
    conn = store.connect(tram_db)
    matches = follow.would_send(conn, "tramway court")
    assert [qh.hit.document for m in matches for qh in m.hits] == ["tram-2024-04-15.md"]
    assert follow.would_send(conn, "zeppelin tariffs") == []


def test_keys_name_passages_by_briefing_and_words() -> None:
    assert follow.key("a.md", "Some  words.\n") == follow.key("a.md", "Some words.")
    assert follow.key("a.md", "Some words.") != follow.key("b.md", "Some words.")
    assert 0 <= follow.key("a.md", "x") < 2**63


def test_new_passages_are_those_of_new_briefings_and_the_changed_parts_of_others() -> None:
    old = follow.Version("a.md", "sha1", "t1", ((1, 11), (2, 12)))
    changed = follow.Version("a.md", "sha2", "t2", ((5, 11), (6, 13)))
    fresh = follow.Version("b.md", "sha3", "t2", ((7, 14),))
    known = follow.known_from({"a.md": ("sha1", old.keys)})
    assert follow.new_passages([changed, fresh], known) == [6, 7]
    assert follow.new_passages([old], known) == []


# -- the command --------------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_timeline_and_follow(tram_db: Path, tmp_path: Path) -> None:
    result = run("timeline", "the Lisbon tramway extension", "--db", str(tram_db))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "the Lisbon tramway extension: how it developed, 3 days, oldest first."
    assert any(line.startswith("2024-04-08  Builders won the tramway tender") for line in lines)
    result = run("timeline", "--json", "tramway", "--db", str(tram_db))
    data = json.loads(result.output)
    assert [d["date"] for d in data["timeline"]] == ["2024-04-01", "2024-04-08", "2024-04-15"]
    result = run("ask", "how did the tramway extension develop?", "--db", str(tram_db))
    assert "how it developed, 3 days" in result.output
    result = run("follow", "tramway court", "--db", str(tram_db))
    assert "halted by a court" in result.output
    assert "Builders" not in result.output
    assert "would have sent" in result.output.splitlines()[-1]
    state_db = tmp_path / "state.db"
    result = run("follow", "--state", str(state_db))
    assert result.output.startswith("No chat follows anything yet")
    state = State(state_db)
    follow_subject(state, -100123, "tramway", 20)
    state.close()
    result = run("follow", "--state", str(state_db))
    assert result.output.split() == ["chat", "-100123", "tramway", "(0", "passages", "sent)"]


def test_console_chat_gives_timelines_and_tries_subjects(tram_db: Path) -> None:
    lines = "how did the tramway extension develop?\n/timeline tramway\n/follow tramway court\n\n"
    result = CliRunner().invoke(main, ["chat", "--db", str(tram_db)], input=lines)
    assert result.output.count("how it developed, 3 days") == 2
    assert "would have sent" in result.output


# -- in Telegram --------------------------------------------------------------------------------


def test_bot_timeline_lines_and_buttons_that_open_each_day(tmp_path: Path, standin) -> None:
    bot = FollowBot(tmp_path, standin)
    tramway(bot.corpus)
    bot.reindex_now()

    async def main_():
        async with bot.running():
            standin.push_text(PRIVATE, "how did the Lisbon tramway extension develop?")
            [message] = await until(lambda: sends(standin, PRIVATE))
            text = message.plain_text
            assert text.startswith("the Lisbon tramway extension: how it developed, 3 days")
            assert "8 April 2024  Builders won the tramway tender" in text
            assert [b["text"] for b in message.buttons] == ["1 Apr", "8 Apr", "15 Apr"]
            standin.push_callback(PRIVATE, message.message_id, message.buttons[1]["callback_data"])
            opened = await until(lambda: sends(standin, PRIVATE)[1:])
            assert "Builders won the tramway tender" in opened[0].plain_text
            assert "<b>tramway</b>" in opened[0].text
            usage = await reply_to(standin, PRIVATE, "/timeline", user_id=PRIVATE)
            assert usage.startswith("Use /timeline followed by a subject")
            none = await reply_to(standin, PRIVATE, "/timeline zeppelins", user_id=PRIVATE)
            assert none == "No briefing mentions zeppelins, so there is no timeline of it yet."

    asyncio.run(main_())


def test_news_of_a_subject_has_a_timeline_button(tmp_path: Path, standin) -> None:
    bot = FollowBot(tmp_path, standin)

    async def main_():
        async with bot.running() as app:
            await reply_to(standin, PRIVATE, f"/follow {SUBJECT}", user_id=PRIVATE)
            write(bot.corpus, "signed.md", dt.date(2023, 10, 5), "Nickel pact signed", SIGNED)
            await bot.reindex()
            [message] = await until(lambda: news(standin, PRIVATE))
            await looked(app, bot.db)
            before = len(sends(standin, PRIVATE))
            timeline_button = message.buttons[0]["callback_data"]
            standin.push_callback(PRIVATE, message.message_id, timeline_button)
            [shown] = await until(lambda: sends(standin, PRIVATE)[before:])
            assert shown.plain_text.startswith(f"{SUBJECT}: how it developed, 2 days")
            assert TALKS[:40] in shown.plain_text or "7 September 2023" in shown.plain_text
            stop = message.buttons[1]["callback_data"]
            standin.push_callback(PRIVATE, message.message_id, stop)
            await until(lambda: standin.calls_to("editMessageReplyMarkup"))
            assert follows(bot.state(), PRIVATE) == []

    asyncio.run(main_())
