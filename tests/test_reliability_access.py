"""Who gets what: forged button data never shows one chat another's results, chats outside the
allow-list get one refusal and nothing else, admin commands refuse everyone else, and the bot
token appears in no log line or error message of a real `briefbot run`."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

from botapi import BOT_USERNAME, DEFAULT_TOKEN, BotAPIStandIn, standin_fixture  # noqa: F401
from bothelpers import (
    GROUP,
    PRIVATE,
    bot_settings,
    callback_answers,
    running_bot,
    until,
)

from bot import daily, render
from bot.admin import ADMINS_ONLY
from bot.chats import REFUSAL_SHORT
from bot.state import State
from index.questions.answer import Index

STRANGER = 77
STRANGE_GROUP = -100777
ADMIN = 555
SECRET = DEFAULT_TOKEN.split(":")[1]
ROOT = Path(__file__).resolve().parents[1]


def _forged(page_a: int, page_b: int) -> list[str]:
    """Button data a client could send: another chat's page, pages out of range, numbers out
    of any range, malformed and random text."""
    rng = random.Random(7)
    alphabet = "more:ctxpsgsrcdly0123456789-_ \u202e\u0301\x00'\";%*()ÿ😀"
    fixed = [
        f"more:{page_a}:3",
        f"more:{page_a}:0",
        f"ctx:{page_a}:1",
        f"psg:{page_a}:1",
        f"more:{page_b}:999999",
        f"more:{page_b}:61",
        f"more:{page_b}:4",
        f"more:{page_b + 1000}:3",
        "more:0:3",
        "psg:0:0",
        "ctx:0:0",
        f"ctx:{page_b}:999999",
        f"ctx:{page_b}:0",
        f"psg:{page_b}:999999999999999999",
        "more:999999999999999999:999999",
        "src:999999",
        "src:-1",
        "dly:20241399:1",
        "dly:00000000:0",
        "dly:99991231:9999",
        "",
        "more",
        "more:1",
        "more:a:b",
        "psg::",
        "ctx::",
        "pos:1",
        "more:1:1:1",
        "more:-1:3",
        "x" * 64,
        "'; DROP TABLE pages; --",
        "more:1 OR 1=1:3",
    ]
    made_up = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 64))) for _ in range(30)]
    return fixed + made_up


def test_forged_buttons_never_show_another_chats_results(
    standin: BotAPIStandIn, indexed, caplog
) -> None:
    settings = bot_settings(standin, *indexed)
    state = State(settings.state_db)

    async def main():
        async with running_bot(settings, state):
            standin.push_text(PRIVATE, "Lisbon tramway stage")
            [theirs] = await standin.wait_for_messages_async(1, chat_id=PRIVATE)
            standin.push_text(STRANGER, "Gaza")
            [mine] = await standin.wait_for_messages_async(1, chat_id=STRANGER)
            page_a = int(theirs.buttons[0]["callback_data"].split(":")[1])
            page_b = int(mine.buttons[0]["callback_data"].split(":")[1])
            forged = _forged(page_a, page_b)
            for data in forged:
                standin.push_callback(STRANGER, mine.message_id, data)
            # Pressed on a message of the other chat, which this chat cannot see.
            standin.push_callback(STRANGER, theirs.message_id, f"more:{page_a}:3")
            await until(lambda: len(callback_answers(standin)) >= len(forged) + 1, timeout=30)
            await asyncio.sleep(0.3)  # time for a second answer or a stray message
            return page_a, page_b, forged

    with caplog.at_level(logging.WARNING, logger="briefbot"):
        page_a, page_b, forged = asyncio.run(main())
    answers = standin.calls_to("answerCallbackQuery")
    assert len(answers) == len(forged) + 1  # every press answered, exactly once
    assert all(c.status == 200 for c in answers)
    seen = [m for m in standin.messages_to(STRANGER)]
    assert seen, "the stranger's own answer is there"
    for m in seen:
        assert "<b>tramway</b>" not in m.text.lower()  # never read with the other's question
        assert "Results 4" not in m.plain_text  # the other chat's second page never shown
    alerts = [a.get("text") for a in callback_answers(standin)]
    assert alerts.count(render.EXPIRED) >= 3
    assert state.page(page_a, STRANGER) is None
    assert state.page(page_a, PRIVATE).question == "Lisbon tramway stage"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    state.close()


def test_outside_the_allow_list_one_refusal_and_nothing_else(
    standin: BotAPIStandIn, indexed
) -> None:
    settings = bot_settings(standin, *indexed, allowed_chat_ids=frozenset({PRIVATE}))
    state = State(settings.state_db)

    async def main():
        async with running_bot(settings, state):
            standin.push_my_chat_member(STRANGE_GROUP, "member", old_status="left")
            for text in ("Gaza", "/ask railway", "/start", "/stats", "/reindex", "/sources"):
                standin.push_text(STRANGER, text)
                standin.push_text(STRANGE_GROUP, f"/ask {text}", chat_type="supergroup")
            standin.push_text(STRANGE_GROUP, "/daily 08:00")
            standin.push_text(STRANGE_GROUP, "/summary")
            standin.push_callback(STRANGER, 1, "more:1:3")
            standin.push_callback(STRANGER, 1, "ctx:1:1")
            standin.push_inline_query(STRANGER, "railway")
            await until(
                lambda: standin.messages_to(STRANGE_GROUP) and standin.messages_to(STRANGER)
            )
            await standin.wait_for_calls_async("answerInlineQuery", 1)
            await until(lambda: len(callback_answers(standin)) >= 2)
            await asyncio.sleep(0.5)  # time for anything more to (wrongly) go out

    asyncio.run(main())
    for chat in (STRANGER, STRANGE_GROUP):
        [refusal] = standin.messages_to(chat)
        assert refusal.plain_text.startswith("Sorry, this bot only answers in the chats")
        assert not refusal.buttons
    assert [a["text"] for a in callback_answers(standin)] == [REFUSAL_SHORT] * 2
    [inline] = standin.calls_to("answerInlineQuery")
    assert inline.params["results"] == []
    # Nothing was looked up, shown, edited or scheduled for them.
    assert not standin.calls_to("sendChatAction") and not standin.calls_to("editMessageText")
    assert state.counts()["pages"] == 0 and state.counts()["subscriptions"] == 0
    state.close()


def test_admin_commands_refuse_everyone_else_in_private_and_in_groups(
    standin: BotAPIStandIn, indexed
) -> None:
    corpus, db = indexed
    settings = bot_settings(standin, corpus, db, admin_user_ids=frozenset({ADMIN}))
    (corpus / "2024-05-01-sahel.txt").write_text("A summit met in Ouagadougou.\n")
    standin.set_admins(GROUP, 901)  # the group's own admin is not one of the bot's

    async def main():
        async with running_bot(settings):
            attempts = [
                (PRIVATE, None, "/stats"),
                (PRIVATE, None, "/reindex"),
                (PRIVATE, None, f"/reindex@{BOT_USERNAME}"),
                (PRIVATE, None, "/stats all the numbers please"),
                (GROUP, 1001, "/stats"),
                (GROUP, 1001, f"/reindex@{BOT_USERNAME}"),
                (GROUP, 901, "/reindex"),
            ]
            for chat, user, text in attempts:
                standin.push_text(chat, text, user_id=user, chat_type=None)
            await until(
                lambda: (
                    len(standin.messages_to(PRIVATE)) + len(standin.messages_to(GROUP))
                    >= len(attempts)
                )
            )
            standin.push_text(GROUP, "/daily 08:00", user_id=1001)
            await standin.wait_for_messages_async(4, chat_id=GROUP)
            await asyncio.sleep(0.3)
            refused = standin.messages_to(PRIVATE) + standin.messages_to(GROUP)
            standin.push_text(ADMIN, "/reindex")
            await standin.wait_for_messages_async(1, chat_id=ADMIN)
            return refused

    refused = asyncio.run(main())
    texts = [m.plain_text for m in refused]
    assert texts.count(ADMINS_ONLY.format(command="stats")) == 3
    assert texts.count(ADMINS_ONLY.format(command="reindex")) == 4
    assert daily.ADMINS_ONLY in texts
    assert not any("documents:" in t or "Reindexed" in t for t in texts)
    [done] = standin.messages_to(ADMIN)
    assert "1 added" in done.plain_text  # nobody before the admin had reindexed
    index = Index(db)
    assert index.stats().documents == 14
    index.close()


def _briefbot(tmp_path: Path, standin: BotAPIStandIn, corpus: Path, db: Path) -> subprocess.Popen:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BRIEFBOT_", "TELEGRAM_", "ALLOWED_", "ADMIN_"))
    }
    env.update(
        TELEGRAM_BOT_TOKEN=DEFAULT_TOKEN,
        TELEGRAM_BASE_URL=standin.base_url,
        BRIEFBOT_STATE_DB=str(tmp_path / "state.db"),
        BRIEFBOT_LOG_LEVEL="DEBUG",
        ADMIN_USER_IDS=str(ADMIN),
    )
    command = [sys.executable, "-m", "bot.cli", "run", "--corpus", str(corpus), "--db", str(db)]
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _finish(proc: subprocess.Popen) -> str:
    """What the process printed, once it has ended (killed if it will not)."""
    try:
        return proc.communicate(timeout=60)[0]
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()[0]


def test_the_token_is_in_no_log_line_or_error_message_of_a_real_run(
    standin: BotAPIStandIn, indexed, tmp_path
) -> None:
    """`briefbot run` at DEBUG through the error paths: server errors, dropped connections, a
    bad request, a blocked chat, a vanished index, a server restart, an unknown button and
    a rejected token. Everything it prints is read."""
    corpus, db = indexed
    proc = _briefbot(tmp_path, standin, corpus, db)
    try:
        standin.wait_for_calls("getUpdates", 1, timeout=30)

        def ask(chat: int, text: str) -> None:
            before = len(standin.messages_to(chat))
            standin.push_text(chat, text)
            standin.wait_for_messages(before + 1, chat_id=chat, timeout=30)

        standin.fail_next("sendMessage", status=500)
        standin.drop_next("sendMessage")
        ask(PRIVATE, "Gaza")
        standin.fail_next("sendMessage", status=400, description="Bad Request: can't parse")
        ask(PRIVATE, "railway")  # the bad request, then the apology
        standin.forbidden_chats.add(13)
        standin.push_text(13, "Gaza")
        standin.push_callback(PRIVATE, 1, "no:such:button")
        standin.wait_for_calls("answerCallbackQuery", 1, timeout=30)
        moved = db.with_name("moved.db")
        db.rename(moved)
        ask(PRIVATE, "tariff on steel")  # the index is gone
        moved.rename(db)
        standin.fail_next("getUpdates", status=500)
        standin.restart(down_for=1.5)
        ask(PRIVATE, "Putin Nowruz")
        ask(ADMIN, "/stats")
    finally:
        proc.send_signal(signal.SIGINT)
        output = _finish(proc)
    rejected = BotAPIStandIn(token="999:some-other-token").start()
    try:
        second = _briefbot(tmp_path, rejected, corpus, db)
        refusal = _finish(second)
    finally:
        rejected.stop()

    assert "ERROR" in output and "Traceback" in output  # the error paths were taken and logged
    assert "cannot be read" in output or "no index at" in output
    assert SECRET not in output, [line for line in output.splitlines() if SECRET in line]
    assert second.returncode != 0
    assert "Telegram rejected the bot token" in refusal
    assert SECRET not in refusal, refusal[-2000:]
    sent = [m.text for m in standin.sent] + [str(c.params) for c in standin.calls]
    assert not any(SECRET in text for text in sent if text)
    assert any(render.SOMETHING_WENT_WRONG in (m.plain_text or "") for m in standin.sent)
