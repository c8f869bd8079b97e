"""A soak under Telegram faults: 10,000 questions from 50 chats, with 5% of Bot API calls
failing (flood control 429 with retry_after, 500s, dropped connections, answers slower than
the client waits) and the Bot API server restarted mid-run, counting the questions answered
exactly once. Target: all of them, none twice.

The bot runs in a process of its own, built by `bot.app.build_application` as `briefbot run`
builds it (PTB's rate limiter with Telegram's limits on), and long-polls the stand-in
(`tests/faults.py`'s `FaultyStandIn`), which runs in this process with the load.

    nice -n 10 .venv/bin/python bench/soak.py
    nice -n 10 .venv/bin/python bench/soak.py --questions 1000 --chats 10   # a quick look

It prints one row for docs/reliability.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import multiprocessing as mp
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

COMMAND = "nice -n 10 .venv/bin/python bench/soak.py"
FIRST_CHAT = 20_000_000
GRACE = 120.0  # seconds after the last question that answers are still awaited


def bot_process(base_url: str, corpus: str, db: str, state_db: str, log: str, stop) -> None:
    """Serve the bot until `stop` is set, logging at WARNING to `log`."""
    import logging

    from botapi import DEFAULT_TOKEN

    from bot import logs
    from bot.app import build_application
    from bot.settings import Settings
    from bot.state import State
    from index.questions.answer import Index

    line = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    logging.basicConfig(filename=log, level=logging.WARNING, format=line)
    settings = Settings(
        _env_file=None,
        telegram_bot_token=DEFAULT_TOKEN,
        telegram_base_url=base_url,
        corpus=Path(corpus),
        db=Path(db),
        state_db=Path(state_db),
        allowed_chat_ids=frozenset(),
        admin_user_ids=frozenset(),
    )
    index, state = Index(settings.db), State(settings.state_db)
    app = build_application(settings, index, state)
    logs.protect(DEFAULT_TOKEN)

    async def serve() -> None:
        async with app:
            await app.post_init(app)
            await app.start()
            await app.updater.start_polling(poll_interval=0.0, timeout=10)
            while not stop.is_set():
                await asyncio.sleep(0.1)
            await app.updater.stop()
            await app.stop()
        await app.post_shutdown(app)

    asyncio.run(serve())
    state.close()


@contextlib.contextmanager
def bot_serving(base_url: str, corpus: Path, db: Path, folder: Path) -> Iterator[Path]:
    """The bot in a process of its own, long-polling `base_url`, until the block ends;
    yields the file its WARNING lines go to (in `folder`, beside its state file)."""
    ctx = mp.get_context("spawn")
    stop = ctx.Event()
    log, state_db = folder / "bot.log", folder / "state.db"
    proc = ctx.Process(
        target=bot_process,
        args=(base_url, str(corpus), str(db), str(state_db), str(log), stop),
        daemon=False,  # its answering process is a child of its own
    )
    proc.start()
    try:
        yield log
    finally:
        stop.set()
        proc.join(timeout=60)
        if proc.is_alive():
            proc.terminate()


def soak(
    questions: int, chats: int, rate: float, fault_rate: float, restarts: int, lost: float = 0.0
) -> dict:
    from bothelpers import make_corpus
    from faults import QUESTIONS, FaultyStandIn, tally

    from index.storage.reindex import reindex

    with tempfile.TemporaryDirectory() as tmp, FaultyStandIn(rate=0.0, seed=2026) as standin:
        corpus = make_corpus(Path(tmp) / "corpus")
        db = Path(tmp) / "index.db"
        reindex(corpus, db)
        with bot_serving(standin.base_url, corpus, db, Path(tmp)) as log:
            standin.wait_for_calls("getUpdates", 1, timeout=120)
            standin.rate, standin.lost = fault_rate, lost
            chat_ids = [FIRST_CHAT + n for n in range(chats)]
            asked: Counter[int] = Counter()
            texts = itertools.cycle(QUESTIONS)
            restart_at = {questions * (i + 1) // (restarts + 1) for i in range(restarts)}
            started = time.monotonic()
            paused = 0.0
            restart_times: list[float] = []
            for i in range(questions):
                delay = started + paused + i / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                chat = chat_ids[i % chats]
                standin.push_text(chat, next(texts))
                asked[chat] += 1
                if i in restart_at:
                    t = time.monotonic()
                    restart_times.append(time.time())
                    standin.restart(down_for=1.0)
                    paused += time.monotonic() - t
                if i % 1000 == 999:
                    done = tally(standin, asked)
                    print(
                        f"  {i + 1} asked, {done.once} answered once, {done.twice} twice,"
                        f" {sum(standin.injected.values())} faults so far",
                        flush=True,
                    )
            asking = time.monotonic() - started
            deadline = time.monotonic() + GRACE
            while time.monotonic() < deadline:
                done = tally(standin, asked)
                if done.once + done.twice >= done.asked:
                    break
                time.sleep(0.5)
            standin.rate = standin.lost = 0.0
            time.sleep(3.0)  # time for late duplicates to arrive
            result = tally(standin, asked)
            calls = len(standin.calls)
            twice = _duplicates(standin, result, restart_times)
            injected = Counter(standin.injected)
        errors = [line for line in log.read_text().splitlines() if " ERROR " in line]
    return {
        "result": result,
        "injected": injected,
        "calls": calls,
        "seconds": asking,
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "twice": twice,
    }


def _duplicates(standin, result, restarts: list[float]) -> list[str]:
    """For each question answered more than once: when its copies went out, and the calls of
    that chat's sendMessage around them, to tell what made the second."""
    out = []
    for chat, replies in result.by_chat.items():
        for message_id, n in replies.items():
            if n < 2:
                continue
            copies = [
                m.timestamp
                for m in standin.sent
                if m.chat_id == chat and m.reply_to_message_id == message_id
            ]
            calls = [
                (round(c.timestamp - copies[0], 2), c.status)
                for c in standin.calls_to("sendMessage")
                if c.params.get("chat_id") == chat and abs(c.timestamp - copies[0]) < 15
            ]
            near = [round(r - copies[0], 2) for r in restarts if abs(r - copies[0]) < 15]
            out.append(f"chat {chat} message {message_id}: calls {calls}; restarts at {near}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--rate", type=float, default=15.0, help="questions a second")
    parser.add_argument("--faults", type=float, default=0.05, help="share of calls failing")
    parser.add_argument("--restarts", type=int, default=3, help="server restarts in the run")
    parser.add_argument(
        "--lost",
        type=float,
        default=0.0,
        help="share of sendMessage calls acted on whose answer is then lost (not in --faults)",
    )
    args = parser.parse_args()

    out = soak(args.questions, args.chats, args.rate, args.faults, args.restarts, args.lost)
    r, injected = out["result"], out["injected"]
    kinds = Counter()
    for name, n in injected.items():
        kinds[name.split()[1]] += n
    command = COMMAND
    if (args.questions, args.chats, args.rate, args.faults) != (10_000, 50, 15.0, 0.05):
        command += (
            f" --questions {args.questions} --chats {args.chats} --rate {args.rate:g}"
            f" --faults {args.faults:g}"
        )
    if args.restarts != 3:
        command += f" --restarts {args.restarts}"
    if args.lost:
        command += f" --lost {args.lost:g}"
    print(f"asked {r.asked} from {args.chats} chats in {out['seconds']:.0f} s")
    print(f"answered exactly once {r.once}, twice or more {r.twice}, unanswered {r.unanswered}")
    print(f"apologies {r.apologies}; bot ERROR log lines {out['errors']} {out['first_error']}")
    print(f"Bot API calls {out['calls']}, faults injected {sum(injected.values())}: {dict(kinds)}")
    print(f"by method: {dict(sorted(injected.items()))}")
    for line in out["twice"]:
        print(f"answered twice: {line}")
    print(f"server restarts {args.restarts}; load average {os.getloadavg()[0]:.1f}")
    print()
    faults = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    print(
        f"| Telegram faults: {args.faults:.0%} of Bot API calls fail ({faults}),"
        f" {args.restarts} server restarts | {r.asked:,} questions from {args.chats} chats"
        f" | {r.unanswered} unanswered, {r.twice} answered twice ({r.once:,} exactly once)"
        f" | `{command}` |"
    )


if __name__ == "__main__":
    main()
