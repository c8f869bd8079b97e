"""A scripted session of 200 questions through the real bot, with votes, and then what
`briefbot feedback` makes of the state file it leaves: the report, and an export that the
quality bench reads back as benchmark questions.

    nice -n 10 .venv/bin/python bench/feedback_session.py            # the report and figures
    nice -n 10 .venv/bin/python bench/feedback_session.py --write    # also into docs/benchmarks.md

The bot is built as `briefbot run` builds it and long-polls the Bot API stand-in
(`tests/botapi.py`) over 127.0.0.1, with Telegram's per-group pace off so the session takes
seconds, not minutes. The corpus is `../shared/data/briefings-dev/` and the questions are its
150, asked from five private chats and a group (a follow-up as a reply to the answer it
follows), then 50 asked again in other words by other people: the 20 unanswerable ones, and
30 of the others. Votes follow the gold, as a careful reader would vote: 👍 when the reply
quotes a gold text, 👎 when it does not, "I expected an answer" when nothing answered a
question that has an answer; every fifth asker does not vote; in the group a second member
votes too, and every third of those first votes the other way and changes their mind.

`session()` is the script and `play()` drives it; the tests run a smaller corpus of their own
through the same two (`tests/test_feedback_report.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from botapi import DEFAULT_TOKEN, BotAPIStandIn, SentMessage  # noqa: E402
from bothelpers import running_bot  # noqa: E402

from bot.sending import RateLimiter  # noqa: E402
from bot.settings import Settings  # noqa: E402
from index.storage.reindex import reindex  # noqa: E402

DEV = ROOT.parent / "shared" / "data" / "briefings-dev"
OUT = ROOT / "bench" / "out" / "feedback"
PRIVATE_CHATS = (101, 102, 103, 104, 105)
GROUP = -100555000111
GROUP_MEMBERS = (201, 202, 203, 204)


@dataclass
class Step:
    """One question: who asks it where, which earlier step's answer it replies to, and what
    each reader presses once the reply is in: `votes(reply, text)`, given the message with
    the buttons and the whole reply's text, is `[(user, "+" | "-" | "miss"), ...]`."""

    chat: int
    user: int
    text: str
    votes: Callable[[SentMessage, str], list[tuple[int, str]]]
    follows: int | None = None


@dataclass
class Played:
    replies: list[SentMessage] = field(default_factory=list)  # each with the buttons
    texts: list[str] = field(default_factory=list)  # each reply's text, all its messages
    presses: int = 0
    seconds: float = 0.0


# -- the script --------------------------------------------------------------------------------


def _right(text: str, gold: list[dict]) -> bool:
    text = " ".join(text.split())
    return any(" ".join(g["text"].split()) in text for g in gold)


def judge(gold: list[dict], voters: list[int], n: int) -> Callable[[SentMessage, str], list]:
    """How the readers of one reply vote, as a careful reader would (see the module's doc)."""

    def votes(reply: SentMessage, text: str) -> list[tuple[int, str]]:
        data = [b["callback_data"] for b in reply.buttons]
        if not voters:
            return []
        if any(d.startswith("miss:") for d in data):
            return [(voters[0], "miss")] if gold else []
        if not any(d.startswith("vote:") for d in data):
            return []
        sign = "+" if gold and _right(text, gold) else "-"
        out = [(v, sign) for v in voters]
        if len(voters) > 1 and n % 3 == 0:  # the second reader first votes the other way
            other = "-" if sign == "+" else "+"
            out = [out[0], (voters[1], other), (voters[1], sign)]
        return out

    return votes


def _reworded(text: str, n: int) -> str:
    """The same question as someone else types it."""
    plain = text.rstrip("?!. ").lower()
    return [f"hi, {plain}", f"{plain}?", f"please tell me {plain}", plain.replace("what", "wat")][
        n % 4
    ]


def session(records: list[dict], again: int = 50) -> list[Step]:
    """The dev set's questions, in its order, then `again` of them asked again in other
    words (the unanswerable ones first): 200 steps for the dev set's 150 questions."""
    steps: list[Step] = []
    index_of: dict[str, int] = {}
    chats = [*PRIVATE_CHATS, GROUP]
    for n, r in enumerate(records):
        follows = index_of.get(r.get("follows", ""))
        if follows is not None:
            chat, user = steps[follows].chat, steps[follows].user
        else:
            chat = chats[n % len(chats)]
            user = GROUP_MEMBERS[n % len(GROUP_MEMBERS)] if chat == GROUP else chat
        text = r["q"] if chat > 0 or follows is not None else f"/ask {r['q']}"
        voters = [user] if chat > 0 else [user, GROUP_MEMBERS[(n + 1) % len(GROUP_MEMBERS)]]
        if n % 5 == 4:  # this asker does not vote
            voters = voters[1:]
        steps.append(Step(chat, user, text, judge(r["gold"], voters, n), follows))
        index_of[r["id"]] = len(steps) - 1
    standalone = [r for r in records if not r.get("follows")]
    unanswerable = [r for r in standalone if not r["gold"]]
    answerable = [r for r in standalone if r["gold"]]
    for m, r in enumerate((unanswerable + answerable)[:again]):
        chat = PRIVATE_CHATS[(m + 2) % len(PRIVATE_CHATS)]
        steps.append(Step(chat, chat, _reworded(r["q"], m), judge(r["gold"], [chat], m + 1)))
    return steps


# -- playing it through the bot ----------------------------------------------------------------


async def _reply(standin: BotAPIStandIn, chat: int, before: int) -> tuple[SentMessage, str]:
    """The reply to a question: its message with the feedback buttons (the last of a long
    answer), or its only message when it has none, and the text of all its messages. Edits
    are left out: the buttons of an earlier answer, edited after a press, may land meanwhile."""
    await standin.wait_for_messages_async(before + 1, chat_id=chat, timeout=30)
    deadline = time.monotonic() + 1.0
    while True:
        new = [m for m in standin.messages_to(chat)[before:] if m.method == "sendMessage"]
        keyed = [m for m in new if any(b["callback_data"][:5] in FEEDBACK for b in m.buttons)]
        if keyed or time.monotonic() > deadline:
            upto = new.index(keyed[-1]) + 1 if keyed else len(new)
            return (keyed or new)[-1], "\n\n".join(m.plain_text or "" for m in new[:upto])
        await asyncio.sleep(0.01)


FEEDBACK = ("vote:", "miss:")


async def _press(standin: BotAPIStandIn, chat: int, reply: SentMessage, data: str, user: int):
    answered = len(standin.calls_to("answerCallbackQuery"))
    standin.push_callback(chat, reply.message_id, data, user_id=user)
    while len(standin.calls_to("answerCallbackQuery")) <= answered:
        await asyncio.sleep(0.005)


async def play(standin: BotAPIStandIn, settings: Settings, steps: list[Step]) -> Played:
    """Ask each step's question in turn, wait for its reply, and press what its readers press."""
    played = Played()
    started = time.perf_counter()
    # Without Telegram's pace limits: a group may otherwise get 20 messages a minute.
    limiter = RateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)
    async with running_bot(settings, rate_limiter=limiter):
        for step in steps:
            chat_type = "private" if step.chat > 0 else "supergroup"
            earlier = played.replies[step.follows] if step.follows is not None else None
            before = len(standin.messages_to(step.chat))
            kind = {"user_id": step.user, "chat_type": chat_type}
            standin.push_text(step.chat, step.text, reply_to_message=earlier, **kind)
            reply, text = await _reply(standin, step.chat, before)
            played.replies.append(reply)
            played.texts.append(text)
            for user, press in step.votes(reply, text):
                data = next(
                    b["callback_data"]
                    for b in reply.buttons
                    if b["callback_data"].startswith("miss:" if press == "miss" else "vote:")
                    and (press == "miss" or b["callback_data"].endswith(press))
                )
                await _press(standin, step.chat, reply, data, user)
                played.presses += 1
        await asyncio.sleep(0.3)  # the last edits land
    played.seconds = time.perf_counter() - started
    return played


def settings_for(standin: BotAPIStandIn, db: Path, state_db: Path) -> Settings:
    return Settings(
        _env_file=None,
        telegram_bot_token=DEFAULT_TOKEN,
        telegram_base_url=standin.base_url,
        db=db,
        state_db=state_db,
        allowed_chat_ids=frozenset(),
        admin_user_ids=frozenset(),
        search_processes=0,
        # A script asks faster than people do: no chat is told to slow down.
        chat_burst_seconds=0,
        log_level="WARNING",
    )


# -- the bench -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write into docs/benchmarks.md")
    args = parser.parse_args()
    from click.testing import CliRunner

    from bench.quality.questions import question_records
    from bot.cli import main as briefbot

    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "briefings-dev.db"
    assert not reindex(DEV / "corpus", db).failed
    with open(DEV / "questions.jsonl", encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    steps = session(records)
    with tempfile.TemporaryDirectory() as tmp, BotAPIStandIn() as standin:
        state_db = Path(tmp) / "state.db"
        played = asyncio.run(play(standin, settings_for(standin, db, state_db), steps))
        exported = OUT / "questions.jsonl"
        common = ["--state", str(state_db), "--db", str(db)]
        shown = CliRunner().invoke(briefbot, ["feedback", *common, "--limit", "8"])
        done = CliRunner().invoke(briefbot, ["feedback", *common, "--export", str(exported)])
    assert shown.exit_code == 0 and done.exit_code == 0, shown.output + done.output
    loaded = question_records(exported, "real")
    lines = [
        f"{len(steps)} questions and {played.presses} presses in {played.seconds:.1f} s"
        f" through the stand-in; `briefbot feedback --export` wrote {len(loaded)} questions,"
        f" read back by `bench.quality.questions.question_records` as {len(loaded)} `Question`s"
        f" ({sum(q.kind == 'follow-up' for q in loaded)} follow-ups).",
    ]
    print(lines[0])
    print()
    print(shown.output)
    if args.write:
        _write(lines[0], shown.output)


def _write(line: str, report: str) -> None:
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text(encoding="utf-8")
    block = (
        "<!-- feedback -->\n`nice -n 10 .venv/bin/python bench/feedback_session.py --write`\n\n"
        f"{line}\n\n```text\n$ briefbot feedback --limit 8\n{report.rstrip()}\n```\n"
        "<!-- /feedback -->"
    )
    if "<!-- feedback -->" in text:
        text = re.sub(r"<!-- feedback -->.*?<!-- /feedback -->", lambda _: block, text, flags=re.S)
    else:
        heading = "## Feedback: a scripted session of 200 questions"
        text = f"{text.rstrip()}\n\n{heading}\n\n{block}\n"
    doc.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
