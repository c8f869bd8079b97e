"""Hostile questions: how long each takes, and a coverage-guided fuzzer on the question path.

1. Timing: questions drawn from the same strategies as `tests/test_reliability_input.py`
   (arbitrary Unicode, control characters, RTL and combining marks, FTS5 operators and SQL
   fragments, 0 to 20,000 characters) through the whole path the bot runs for a question
   (`bot.asking.answer`: understanding, search, quoting, suggestions, the state file,
   rendering), against the baseline of ordinary questions in the same run.
2. Fuzzing: atheris (libFuzzer) feeds its own inputs to the same path for `--seconds`; a
   finding is an exception, a malformed or oversized message, an input slower than
   `--timeout` seconds, or memory over `--rss-mb`.

    nice -n 10 .venv/bin/python bench/fuzz_questions.py
    make fuzz          # both fuzzers, bounded

The fuzzer runs in a child process (libFuzzer ends its process when done); findings and
their inputs are kept in bench/out/fuzz/.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from fuzzing import run_fuzzer  # noqa: E402

COMMAND = "nice -n 10 .venv/bin/python bench/fuzz_questions.py"
OUT = ROOT / "bench" / "out" / "fuzz"


def services(folder: Path):
    from bothelpers import build_index

    from bot.services import Services
    from bot.settings import Settings
    from bot.state import State
    from index.questions.answer import Index

    corpus, db = build_index(folder)
    state = State(folder / "state.db", dt.timedelta(days=1))
    settings = Settings(_env_file=None, corpus=corpus, db=db, state_db=folder / "state.db")
    return Services(settings, Index(db), state)


def check(texts: list[str]) -> None:
    from test_reliability_input import check_message

    for text in texts:
        check_message(text)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timing(n: int) -> dict:
    """Seconds per question: hostile ones drawn with hypothesis, then ordinary ones."""
    import warnings

    from faults import QUESTIONS
    from hypothesis.errors import NonInteractiveExampleWarning
    from test_reliability_input import questions

    from bot import asking

    warnings.simplefilter("ignore", NonInteractiveExampleWarning)
    with tempfile.TemporaryDirectory() as tmp:
        svc = services(Path(tmp))
        for q in QUESTIONS:  # warm the caches
            asyncio.run(asking.answer(svc, 1, q, None))
        drawn = [questions.example().strip() or "?" for _ in range(n)]
        hostile, slowest = [], (0.0, "")
        for q in drawn:
            t = time.perf_counter()
            check(asyncio.run(asking.answer(svc, 1, q, None)).texts)
            hostile.append(time.perf_counter() - t)
            slowest = max(slowest, (hostile[-1], q))
        ordinary = []
        for q in QUESTIONS * max(1, n // len(QUESTIONS) // 4):
            t = time.perf_counter()
            asyncio.run(asking.answer(svc, 1, q, None))
            ordinary.append(time.perf_counter() - t)
        svc.executor.shutdown()
        svc.index.close()
        svc.state.close()
    lengths = [len(q) for q in drawn]
    return {
        "n": n,
        "chars": (min(lengths), statistics.median(lengths), max(lengths)),
        "hostile": {p: pct(hostile, p) * 1000 for p in (50, 99, 100)},
        "ordinary": {p: pct(ordinary, p) * 1000 for p in (50, 99, 100)},
        "slowest": (slowest[0] * 1000, len(slowest[1]), slowest[1][:60]),
    }


# -- the fuzzer's child process ------------------------------------------------------------------


def fuzz_child(argv: list[str]) -> None:
    import atheris

    with atheris.instrument_imports():
        from bot import asking, render  # noqa: F401
        from index import analysis  # noqa: F401
        from index.storage import vocabulary  # noqa: F401

    folder = Path(tempfile.mkdtemp(prefix="fuzz-questions-"))
    svc = services(folder)
    log = Path(os.environ["FUZZ_FINDINGS"])

    def one(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        question = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 20_000))
        if not question.strip():
            return
        try:
            reply = asyncio.run(asking.answer(svc, 1, question.strip(), None))
            check(reply.texts)
        except Exception as exc:
            with open(log, "a", encoding="utf-8") as f:
                f.write(f"{type(exc).__name__}: {str(exc)[:200]!r} on {question[:80]!r}\n")
            raise

    atheris.Setup(argv, one)
    atheris.Fuzz()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        fuzz_child([sys.argv[0], *sys.argv[2:]])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=2000, help="hostile ones to time")
    parser.add_argument("--seconds", type=int, default=300, help="of fuzzing")
    parser.add_argument("--timeout", type=int, default=10, help="seconds one input may take")
    parser.add_argument("--rss-mb", type=int, default=2048)
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args()

    if not args.no_timing:
        t = timing(args.questions)
        h, o, s = t["hostile"], t["ordinary"], t["slowest"]
        print(
            f"{t['n']} hostile questions ({t['chars'][0]}–{t['chars'][2]} characters, median"
            f" {t['chars'][1]:.0f}): p50 {h[50]:.1f} ms, p99 {h[99]:.1f} ms, max {h[100]:.1f} ms;"
            f" ordinary questions p50 {o[50]:.1f} ms, p99 {o[99]:.1f} ms, max {o[100]:.1f} ms;"
            f" hostile/ordinary p99 {h[99] / o[99]:.2f}x, max {h[100] / o[100]:.2f}x"
        )
        print(f"slowest: {s[0]:.0f} ms for {s[1]} characters: {s[2]!r}")
    result = run_fuzzer(
        Path(__file__), "questions", OUT, args.seconds, args.timeout, args.rss_mb, seeds=[]
    )
    print(result.line)
    command = COMMAND
    if args.seconds != 300:
        command += f" --seconds {args.seconds}"
    print()
    print(
        f"| Fuzzing the question path (atheris, coverage-guided, {args.seconds} s) |"
        f" {result.runs:,} inputs | {result.findings} findings | `{command}` |"
    )


if __name__ == "__main__":
    main()
