"""Faults in storage under a serving bot.

1. Reindexing while answering: a writer reindexes again and again (adding, changing and
   removing briefings, with a full rebuild swapped in every fourth run) while questions
   arrive at 50 a second from 50 chats, for `--seconds`. Counted: questions answered exactly
   once, apologies, and any reply or log line saying `database is locked`.
2. The index deleted, cut short or replaced by garbage while the bot runs, `--cycles` times
   each: what users are told, what the log says, and whether the next reindex recovers.

The bot runs in a process of its own (`bench/soak.py`'s), built as `briefbot run` builds it.

    nice -n 10 .venv/bin/python bench/storage_faults.py
    nice -n 10 .venv/bin/python bench/storage_faults.py --seconds 10 --cycles 2   # quick

It prints rows for docs/reliability.md.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

COMMAND = "nice -n 10 .venv/bin/python bench/storage_faults.py"
FIRST_CHAT = 30_000_000
EXTRA_BRIEFINGS = 300


def churn(corpus: Path, db: Path, stop: threading.Event, runs: Counter) -> None:
    from index.storage.reindex import reindex

    for n in itertools.count():
        if stop.is_set():
            return
        (corpus / f"2024-06-{n % 28 + 1:02d}-churn-{n}.txt").write_text(
            f"Churn note {n}: the Lisbon tramway and the Gaza talks, round {n}.\n" * 20
        )
        old = corpus / f"2024-06-{(n - 3) % 28 + 1:02d}-churn-{n - 3}.txt"
        old.unlink(missing_ok=True)
        changed = corpus / f"extra-{n % EXTRA_BRIEFINGS:04d}.txt"
        changed.write_text(changed.read_text() + f"\nAddendum {n} on freight tariffs.\n")
        report = reindex(corpus, db, rebuild=n % 4 == 3, wait=120)
        runs["rebuilds" if report.rebuilt else "updates"] += 1
        runs["failed files"] += len(report.failed)


def ask_until_answered(standin, asked: Counter, grace: float) -> None:
    from faults import tally

    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        done = tally(standin, asked)
        if done.once + done.twice + done.apologies >= done.asked:
            return
        time.sleep(0.2)


def concurrent(standin, corpus: Path, db: Path, seconds: float, rate: float, chats: int) -> dict:
    from faults import QUESTIONS, tally

    stop, runs = threading.Event(), Counter()
    writer = threading.Thread(target=churn, args=(corpus, db, stop, runs), daemon=True)
    asked: Counter[int] = Counter()
    texts = itertools.cycle(QUESTIONS)
    writer.start()
    started = time.monotonic()
    i = 0
    try:
        while time.monotonic() - started < seconds:
            delay = started + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            chat = FIRST_CHAT + i % chats
            standin.push_text(chat, next(texts))
            asked[chat] += 1
            i += 1
        ask_until_answered(standin, asked, 60)
    finally:
        stop.set()
        writer.join(timeout=300)
    result = tally(standin, asked)
    locked = sum("locked" in (m.plain_text or "") for m in standin.sent)
    return {"result": result, "runs": runs, "locked_replies": locked, "seconds": seconds}


def harms(standin, corpus: Path, db: Path, cycles: int) -> dict:
    from index_damage import cut_short, delete, replace_with_garbage

    from bot.errors import INDEX_UNAVAILABLE
    from index.storage.reindex import reindex

    harms = {
        "deleted": delete,
        "cut short": cut_short,
        "garbage": lambda db: replace_with_garbage(db, 256 * 1024),
    }
    chat = FIRST_CHAT - 1
    out = {}

    def ask(text: str) -> str:
        before = len(standin.messages_to(chat))
        standin.push_text(chat, text)
        return standin.wait_for_messages(before + 1, chat_id=chat, timeout=60)[before].plain_text

    for name, harm in harms.items():
        told = asked = recovered = 0
        for _ in range(cycles):
            harm(db)
            for question in ("Gaza", "Lisbon tramway stage", "freight tariffs"):
                asked += 1
                told += ask(question) == INDEX_UNAVAILABLE
            reindex(corpus, db, wait=120)
            recovered += "Tramway note" in ask("Lisbon tramway stage")
        out[name] = {"asked": asked, "told": told, "cycles": cycles, "recovered": recovered}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=50.0, help="questions a second")
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--cycles", type=int, default=10, help="of each kind of harm")
    args = parser.parse_args()

    from botapi import BotAPIStandIn
    from bothelpers import make_corpus
    from briefing_files import briefing_text
    from soak import bot_serving

    from index.storage.reindex import reindex

    with tempfile.TemporaryDirectory() as tmp, BotAPIStandIn() as standin:
        corpus = make_corpus(Path(tmp) / "corpus")
        for n in range(EXTRA_BRIEFINGS):
            (corpus / f"extra-{n:04d}.txt").write_text(briefing_text(n, paragraphs=4))
        db = Path(tmp) / "index.db"
        reindex(corpus, db)
        with bot_serving(standin.base_url, corpus, db, Path(tmp)) as log:
            standin.wait_for_calls("getUpdates", 1, timeout=120)
            load = concurrent(standin, corpus, db, args.seconds, args.rate, args.chats)
            standin.clear()
            harmed = harms(standin, corpus, db, args.cycles)
        lines = log.read_text().splitlines()
    errors = [line for line in lines if " ERROR " in line]
    locked_logs = [line for line in lines if "locked" in line]
    unclear = [line for line in errors if "briefbot reindex" not in line]

    r, runs = load["result"], load["runs"]
    print(f"questions {r.asked} at {args.rate:g}/s for {args.seconds:g} s from {args.chats} chats")
    print(f"answered exactly once {r.once}, twice {r.twice}, unanswered {r.unanswered}")
    print(f"apologies {r.apologies}, replies saying locked {load['locked_replies']}")
    print(f"reindex runs meanwhile {dict(runs)}; log lines saying locked {len(locked_logs)}")
    for name, h in harmed.items():
        print(f"{name}: {h}")
    print(f"bot ERROR lines {len(errors)}, of which not naming the command to run {len(unclear)}")
    for line in unclear[:5]:
        print(f"  {line}")
    print(f"load average {os.getloadavg()[0]:.1f}")
    command = COMMAND
    if (args.seconds, args.rate, args.cycles) != (60.0, 50.0, 10):
        command += f" --seconds {args.seconds:g} --rate {args.rate:g} --cycles {args.cycles}"
    print()
    reindexes = runs["updates"] + runs["rebuilds"]
    print(
        f"| Reindex (updates and rebuilds) while answering {args.rate:g} questions/s for"
        f" {args.seconds:g} s | {r.asked:,} questions, {reindexes} reindex runs"
        f" ({runs['rebuilds']} rebuilds swapped in)"
        f" | {r.unanswered} unanswered, {r.twice} twice, {r.apologies} apologies,"
        f" {load['locked_replies']} replies and {len(locked_logs)} log lines saying locked"
        f" | `{command}` |"
    )
    for name, h in harmed.items():
        not_told, not_recovered = h["asked"] - h["told"], h["cycles"] - h["recovered"]
        print(
            f"| Index {name} while the bot runs | {h['cycles']} times, {h['asked']} questions"
            f" meanwhile | {not_told} not told plainly, {not_recovered} not recovered by the"
            f" next reindex | `{command}` |"
        )


if __name__ == "__main__":
    main()
