"""How long the bot takes from its start to its first answer, through `briefbot run`.

A question is waiting on a Bot API stand-in (tests/botapi.py) before the bot starts; the time
is from starting `briefbot run` (a new process, as a service manager starts it) to the
stand-in receiving the answer. Each run is a fresh process; the median and range are printed.
The measured briefbot's modules are compiled to bytecode first, as an installed copy has them
(`bench/bytecode.py`); `--no-compile` times them as they are.

    nice -n 10 .venv/bin/python bench/bot_first_answer.py --db data/index.db --runs 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from bytecode import compile_package  # noqa: E402

QUESTION = "what did the council say about the harvest and the grain exports?"


def first_answer(db: Path, briefbot: Path, question: str) -> float:
    from botapi import DEFAULT_TOKEN, BotAPIStandIn

    with BotAPIStandIn() as standin, tempfile.TemporaryDirectory() as tmp:
        standin.push_text(4242, question, user_id=4242, chat_type="private")
        env = {k: v for k, v in os.environ.items() if not k.lower().startswith("briefbot_")}
        env |= {
            "TELEGRAM_BOT_TOKEN": DEFAULT_TOKEN,
            "TELEGRAM_BASE_URL": standin.base_url,
            "BRIEFBOT_STATE_DB": str(Path(tmp) / "state.db"),
        }
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(briefbot), "run", "--db", str(db), "--corpus", tmp],
            cwd=tmp,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            standin.wait_for_messages(1, timeout=60, chat_id=4242)
            return time.perf_counter() - started
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--briefbot", type=Path, default=ROOT / ".venv" / "bin" / "briefbot")
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--no-compile", action="store_true", help="Leave the bytecode as it is.")
    args = parser.parse_args()
    db = args.db.resolve()
    if not args.no_compile:
        compile_package(args.briefbot)
    times = [first_answer(db, args.briefbot, args.question) for _ in range(args.runs)]
    print(
        f"bot start to first answer ({args.db}): median {statistics.median(times):.2f} s,"
        f" range {min(times):.2f} to {max(times):.2f} s over {len(times)} runs"
    )


if __name__ == "__main__":
    main()
