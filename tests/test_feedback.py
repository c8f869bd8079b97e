"""Votes under answers, end to end: the real bot and client against the Bot API stand-in, the
state file a real SQLite file read back as the maintainers read it."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import json
import re
import sqlite3

from botapi import BotAPIStandIn, standin_fixture  # noqa: F401
from bothelpers import (
    GROUP,
    PRIVATE,
    RAILWAY_QUESTION,
    ROOT,
    bot_settings,
    button,
    callback_answers,
    press,
    rows,
    running_bot,
    until,
)

from bot import feedback, render, render_feedback, votes
from bot.settings import Settings
from bot.state import State
from index.questions.understand import Reading
from index.storage.reindex import reindex

NOTHING = "zorblax"
TRAMWAY = "Lisbon tramway stage"


async def ask(standin: BotAPIStandIn, chat: int, question: str, **kwargs):
    """The reply to a question: the message its buttons are under."""
    before = len(standin.messages_to(chat))
    standin.push_text(chat, question, **kwargs)
    await standin.wait_for_messages_async(before + 1, chat_id=chat)
    await asyncio.sleep(0.1)  # a long answer's last message
    return standin.messages_to(chat)[-1]


def labels(message) -> list[str]:
    """The feedback buttons' labels under a message."""
    return [b["text"] for b in message.buttons if b["callback_data"].startswith(("vote", "miss"))]


async def voted(standin: BotAPIStandIn, settings, label: str):
    """The bot's answer to the railway question, voted on with `label`, the bot then stopped."""
    async with running_bot(settings):
        reply = await ask(standin, PRIVATE, RAILWAY_QUESTION)
        await press(standin, PRIVATE, reply, button(reply, label))
        return reply


def test_a_vote_edits_only_the_buttons_and_can_be_changed(standin: BotAPIStandIn, indexed):
    """👍, then 👎 instead, then 👎 again to take it back: each a quiet toast and an edit of
    the buttons (the chosen one checked), the answer's text and other buttons untouched."""
    settings = bot_settings(standin, *indexed)

    async def main():
        async with running_bot(settings):
            reply = await ask(standin, PRIVATE, RAILWAY_QUESTION)
            up, down = button(reply, "👍"), button(reply, "👎")
            pressed, shown = [], []
            for data in (up, down, down):
                pressed.append(await press(standin, PRIVATE, reply, data))
                shown.append(standin.messages_to(PRIVATE)[-1])
            return reply, pressed, shown

    reply, pressed, shown = asyncio.run(main())
    assert labels(reply) == ["👍", "👎"]
    assert [p.get("text") for p in pressed] == [
        render_feedback.THANKS_UP,
        render_feedback.CHANGED,
        render_feedback.WITHDRAWN,
    ]
    assert not any(p.get("show_alert") for p in pressed)
    assert [m.method for m in shown] == ["editMessageReplyMarkup"] * 3
    assert [labels(m) for m in shown] == [["👍 ✓", "👎"], ["👍", "👎 ✓"], ["👍", "👎"]]
    for m in shown:
        assert m.text == reply.text
        assert [b for b in m.buttons if b["text"].startswith("Context")] == [
            b for b in reply.buttons if b["text"].startswith("Context")
        ]
    assert len(standin.calls_to("sendMessage")) == 1
    state = settings.state_db
    [(question, found, chat_type, asker, chat_hash)] = rows(
        state, "SELECT question, found, chat_type, asker, chat_hash FROM asked"
    )
    assert (question, found, chat_type) == (RAILWAY_QUESTION, 1, "private")
    assert str(PRIVATE) not in (asker, chat_hash) and len(asker) == 24
    assert rows(state, "SELECT * FROM votes") == []  # taken back


def test_two_people_vote_in_a_group_and_the_buttons_count_them(standin: BotAPIStandIn, indexed):
    """Anyone in a group may vote (paging stays the asker's): two press 👍 at the same moment,
    a third 👎; the buttons count both kinds, nothing is posted into the group, and the next
    page of the answer keeps the counts."""
    settings = bot_settings(standin, *indexed)
    asker, second, third = 1001, 2002, 3003

    async def main():
        async with running_bot(settings):
            reply = await ask(standin, GROUP, f"/ask {TRAMWAY}", user_id=asker)
            up, down = button(reply, "👍"), button(reply, "👎")
            before = len(callback_answers(standin))
            standin.push_callback(GROUP, reply.message_id, up, user_id=asker)
            standin.push_callback(GROUP, reply.message_id, up, user_id=second)
            await until(lambda: len(callback_answers(standin)) == before + 2)
            theirs = await press(standin, GROUP, reply, down, user_id=third)
            voted = standin.messages_to(GROUP)[-1]
            paging = await press(standin, GROUP, reply, button(reply, "More"), user_id=third)
            await press(standin, GROUP, voted, button(voted, "More"), user_id=asker)
            return reply, theirs, voted, paging, standin.messages_to(GROUP)[-1]

    reply, theirs, voted, paging, page2 = asyncio.run(main())
    assert theirs["text"] == render_feedback.THANKS_DOWN and not theirs.get("show_alert")
    assert labels(voted) == ["👍 2", "👎 1"]
    assert paging["text"] == render.NOT_YOURS
    assert page2.method == "editMessageText" and page2.plain_text.startswith("Results 4–6")
    assert labels(page2) == ["👍 2", "👎 1"]
    assert [m.method for m in standin.calls_to("sendMessage")] == ["sendMessage"]
    assert rows(settings.state_db, "SELECT count(DISTINCT voter) FROM votes") == [(3,)]
    # No one's id, and not the group's, is among what was kept: only their salted hashes.
    kept = rows(settings.state_db, "SELECT * FROM asked") + rows(
        settings.state_db, "SELECT * FROM votes"
    )
    values = {v for row in kept for v in row}
    assert not values & {asker, second, third, GROUP, str(asker), str(second), str(third)}
    assert not any(str(GROUP) in v for v in values if isinstance(v, str))


def test_i_expected_an_answer(standin: BotAPIStandIn, indexed):
    """ "Nothing answers" carries one button; a press checks it (counts it, in a group) and is
    kept as a vote against the refusal."""
    settings = bot_settings(standin, *indexed)

    async def main():
        async with running_bot(settings):
            reply = await ask(standin, PRIVATE, NOTHING)
            said = await press(standin, PRIVATE, reply, button(reply, "I expected"))
            checked = standin.messages_to(PRIVATE)[-1]
            group = await ask(standin, GROUP, f"/ask {NOTHING}", user_id=1001)
            for user in (1001, 2002):
                await press(standin, GROUP, group, button(group, "I expected"), user_id=user)
            return reply, said, checked, standin.messages_to(GROUP)[-1]

    reply, said, checked, counted = asyncio.run(main())
    assert reply.plain_text.startswith("No briefing mentions zorblax")
    assert labels(reply) == ["I expected an answer"]
    assert said["text"] == render_feedback.THANKS_MISS
    assert labels(checked) == ["✓ I expected an answer"]
    assert labels(counted) == ["I expected an answer · 2"]
    state = settings.state_db
    kept = rows(state, "SELECT a.found, v.vote FROM asked a JOIN votes v ON v.asked_id = a.id")
    assert kept == [(0, -1)] * 3


def test_old_records_expire_at_start_and_daily(standin: BotAPIStandIn, indexed):
    """Records older than the retention go at start-up (and a job does it daily), with their
    votes; a button of one then says it is too old, and changes nothing."""
    settings = bot_settings(standin, *indexed, feedback_days=30)

    async def second(old):
        async with running_bot(settings) as app:
            [job] = app.job_queue.get_jobs_by_name(votes.PRUNE_JOB)
            interval = job.job.trigger.interval
            late = await press(standin, PRIVATE, old, button(old, "👎"))
            edits = len(standin.calls_to("editMessageReplyMarkup"))
            new = await ask(standin, PRIVATE, TRAMWAY)
            return interval, late, edits, new

    old = asyncio.run(voted(standin, settings, "👍"))
    with sqlite3.connect(settings.state_db) as conn:  # 31 days pass
        conn.execute("UPDATE asked SET asked_at = asked_at - 31 * 86400")
    interval, late, edits, new = asyncio.run(second(old))
    assert interval == dt.timedelta(days=1)
    assert late["text"] == render_feedback.TOO_OLD and not late.get("show_alert")
    assert edits == 1  # only the first vote's
    assert rows(settings.state_db, "SELECT question FROM asked") == [(TRAMWAY,)]
    assert rows(settings.state_db, "SELECT count(*) FROM votes") == [(0,)]
    assert labels(new) == ["👍", "👎"]


def test_collection_off_keeps_nothing_and_shows_no_buttons(standin: BotAPIStandIn, indexed):
    """With BRIEFBOT_FEEDBACK_DAYS=0 nothing is kept, what was kept before goes, no answer
    carries a vote button, and /privacy says so."""
    on = bot_settings(standin, *indexed)
    off = bot_settings(standin, *indexed, feedback_days=0)

    async def main():
        async with running_bot(on):
            before = await ask(standin, PRIVATE, RAILWAY_QUESTION)
        async with running_bot(off):
            answer = await ask(standin, PRIVATE, RAILWAY_QUESTION)
            nothing = await ask(standin, PRIVATE, NOTHING)
            stale = await press(standin, PRIVATE, before, button(before, "👍"))
            privacy = await ask(standin, PRIVATE, "/privacy")
        return before, answer, nothing, stale, privacy

    before, answer, nothing, stale, privacy = asyncio.run(main())
    assert labels(before) == ["👍", "👎"]
    assert labels(answer) == [] and labels(nothing) == []
    assert button(answer, "Context 1") is not None  # the answer's own buttons stay
    assert stale["text"] == render_feedback.TOO_OLD
    assert rows(on.state_db, "SELECT count(*) FROM asked") == [(0,)]
    assert rows(on.state_db, "SELECT count(*) FROM votes") == [(0,)]
    assert "I keep no record of the questions people ask me" in privacy.plain_text


def test_a_chat_outside_the_allow_list_leaves_nothing_behind(standin: BotAPIStandIn, indexed):
    """Its questions are refused and not kept; its presses (even of another chat's buttons)
    count for nothing."""
    settings = bot_settings(standin, *indexed, allowed_chat_ids=frozenset({PRIVATE}))
    outsider = 777

    async def main():
        async with running_bot(settings):
            allowed = await ask(standin, PRIVATE, RAILWAY_QUESTION)
            refused = await ask(standin, outsider, RAILWAY_QUESTION)
            standin.push_text(outsider, NOTHING)
            forged = await press(standin, outsider, allowed, button(allowed, "👍"))
            return refused, forged

    refused, forged = asyncio.run(main())
    assert "only answers in the chats it was set up for" in refused.plain_text
    assert forged["show_alert"] is True  # the gatekeeper's refusal
    assert rows(settings.state_db, "SELECT question, chat_type FROM asked") == [
        (RAILWAY_QUESTION, "private")
    ]
    assert rows(settings.state_db, "SELECT count(*) FROM votes") == [(0,)]


def test_votes_survive_a_restart_and_a_rebuild(standin: BotAPIStandIn, indexed):
    """After a restart and a rebuild of the index, the same person's press of the other button
    changes their vote (it is still known as theirs), and the buttons show it."""
    corpus, db = indexed
    settings = bot_settings(standin, corpus, db)

    async def second(reply):
        async with running_bot(settings):
            changed = await press(standin, PRIVATE, reply, button(reply, "👎"))
            return changed, standin.messages_to(PRIVATE)[-1]

    reply = asyncio.run(voted(standin, settings, "👍"))
    assert not reindex(corpus, db, rebuild=True).failed
    changed, edited = asyncio.run(second(reply))
    assert changed["text"] == render_feedback.CHANGED
    assert labels(edited) == ["👍", "👎 ✓"]
    assert rows(settings.state_db, "SELECT vote FROM votes") == [(-1,)]


def test_a_vote_on_a_follow_up_keeps_its_reading(standin: BotAPIStandIn, indexed, tmp_path):
    """A follow-up's record keeps the question as typed and as read in its context, linked to
    the question it followed; exported, it follows that one's record."""
    settings = bot_settings(standin, *indexed)

    async def main():
        async with running_bot(settings):
            first = await ask(standin, PRIVATE, RAILWAY_QUESTION)
            follow = await ask(standin, PRIVATE, "and about Gaza?", reply_to_message=first)
            await press(standin, PRIVATE, follow, button(follow, "👎"))
            return follow

    follow = asyncio.run(main())
    assert follow.plain_text.startswith("Read as: what Raeisi said about Gaza.")
    state = State(settings.state_db)
    try:
        rep = feedback.report_for(state, None, None, 1)
        first, second = rep.records
        assert second.question == "and about Gaza?" and second.follows == first.id
        assert second.reading.follow_up and second.read_as == "what Raeisi said about Gaza"
        assert Reading.from_json(second.reading.to_json()).asked() == second.read_as
        assert (second.up, second.down) == (0, 1)
        written = feedback.export(state, rep, tmp_path / "q.jsonl")
    finally:
        state.close()
    assert [(q["id"], q["q"], q.get("follows")) for q in written] == [
        (f"asked-{first.id}", RAILWAY_QUESTION, None),
        (f"asked-{second.id}", "and about Gaza?", f"asked-{first.id}"),
    ]
    assert written[1]["kind"] == "follow-up" and written[1]["gold"] == []


def test_summaries_carry_no_vote_buttons(standin: BotAPIStandIn, indexed):
    """A day's summary is not an answer to anyone's question: no vote buttons under it,
    while an answer in the same chat has them."""
    settings = bot_settings(standin, *indexed)

    async def main():
        async with running_bot(settings):
            answer = await ask(standin, PRIVATE, RAILWAY_QUESTION)
            summary = await ask(standin, PRIVATE, "/summary 2024-03-19")
            return answer, summary

    answer, summary = asyncio.run(main())
    assert labels(answer) == ["👍", "👎"]
    assert "Putin" in summary.plain_text and labels(summary) == []


def test_privacy_says_what_is_kept_and_for_how_long(standin: BotAPIStandIn, indexed):
    settings = bot_settings(standin, *indexed, feedback_days=45)

    async def main():
        async with running_bot(settings):
            command = len(standin.messages_to(GROUP))
            group = await ask(standin, GROUP, "/privacy", user_id=1001)
            return group, command

    group, _ = asyncio.run(main())
    text = group.plain_text
    assert "for 45 days" in text and "for 7 days" in text
    assert "not kept" in text and "vote once per answer" in text
    assert group.reply_to_message_id is not None  # under the command, in a group
    commands = {c["command"] for c in standin.commands_for()}
    assert "privacy" in commands


def test_export_is_json_lines_in_the_dev_set_layout(standin: BotAPIStandIn, indexed, tmp_path):
    """Each record: id, q, kind, today, gold (empty), note, as the dev set's; voted-down
    answers name the passages they showed."""
    settings = bot_settings(standin, *indexed)

    async def main():
        async with running_bot(settings):
            reply = await ask(standin, PRIVATE, RAILWAY_QUESTION)
            await press(standin, PRIVATE, reply, button(reply, "👎"))
            await ask(standin, PRIVATE, NOTHING)

    asyncio.run(main())
    path = tmp_path / "out" / "questions.jsonl"
    state = State(settings.state_db)
    try:
        feedback.export(state, feedback.report_for(state, None, None, 1), path)
    finally:
        state.close()
    down, missed = [json.loads(line) for line in path.read_text().splitlines()]
    for q in (down, missed):
        assert {"id", "q", "kind", "today", "gold", "note"} <= set(q) and q["gold"] == []
        assert dt.date.fromisoformat(q["today"])
    assert down["kind"] == "speaker-topic"
    assert down["note"].startswith("Asked once; voted down once. Gold to mark by hand")
    assert (down["asked"], down["votes"], missed["expected"]) == (1, {"up": 0, "down": 1}, 0)
    assert down["shown"][0]["doc"] == "2024-03-19-putin-raeisi-nowruz.txt"
    assert missed["q"] == NOTHING
    assert missed["note"].startswith("Nothing answered; asked once. Gold")


def test_the_readme_quotes_privacy_as_the_bot_says_it():
    """The README's privacy paragraph is the bot's own, at the default settings."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quoted = re.search(r"says it in one paragraph:\n\n((?:> .*\n)+)", readme).group(1)
    settings = Settings(_env_file=None)
    said = render_feedback.privacy_message(settings.feedback_days, settings.page_ttl_days)
    plain = html.unescape(re.sub(r"<[^>]+>", "", said)).split("\n", 1)[1]
    assert " ".join(quoted.replace("> ", " ").split()) == " ".join(plain.split())
