"""`briefbot feedback` on the state file of a scripted session of 200 questions, played through
the real bot and the Bot API stand-in (`bench/feedback_session.py`, over the tests' corpus):
the report's figures are those of the session, and its export is read back by the quality
bench's loader as benchmark questions."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections import Counter

import pytest
from botapi import BotAPIStandIn
from bothelpers import build_index
from click.testing import CliRunner

from bench.feedback_session import play, session, settings_for
from bench.quality.questions import question_records
from bot import feedback
from bot.cli import main
from bot.state import State

RAILWAY_DOC = "2024-03-19-putin-raeisi-nowruz.txt"
#: Questions with no answer in the tests' corpus, each also typed another way.
UNANSWERABLE = [
    "zorblax",
    "What is the price of bitcoin?",
    "who won the football world cup",
    "when did the mars rover land",
    "Ukraine peace talks in Istanbul",
]


def _records() -> list[dict]:
    """150 questions over the tests' corpus in the dev set's layout: the ten tramway stages,
    the three zeppelin reports, the railway with a follow-up, tariffs, and questions that
    nothing answers (some of them typed again another way)."""
    out: list[dict] = []

    def add(q: str, gold: list[tuple[str, str]], follows: str | None = None) -> None:
        r = {"id": f"t-{len(out) + 1:03d}", "q": q, "kind": "fact", "today": None}
        r["gold"] = [{"doc": d, "text": t} for d, t in gold]
        if follows:
            r["follows"] = follows
        out.append(r)

    n = 0
    while len(out) < 150:
        stage = n % 10
        add(f"Lisbon tramway stage {stage}", [(f"tram-{stage:02d}.md", f"stage {stage},")])
        add(f"zeppelin report {n % 3}", [("2024-01-15-long.txt", f"Zeppelin report {n % 3}:")])
        add("what did Raeisi say about the railway?", [(RAILWAY_DOC, "suitable groundwork")])
        add(
            "and about Gaza?",
            [(RAILWAY_DOC, "critical situation in the Gaza Strip")],
            out[-1]["id"],
        )
        add("tariff on steel", [("hostile.md", "The tariff on <steel>")])
        add(UNANSWERABLE[n % len(UNANSWERABLE)], [])
        n += 1
    return out[:150]


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """The session's steps and replies, and the files it leaves."""
    tmp = tmp_path_factory.mktemp("session")
    corpus, db = build_index(tmp)
    steps = session(_records())
    with BotAPIStandIn() as standin:
        result = asyncio.run(play(standin, settings_for(standin, db, tmp / "state.db"), steps))
    return steps, result, db, tmp / "state.db", tmp


def _feedback(state, db, *args) -> str:
    result = CliRunner().invoke(main, ["feedback", "--state", str(state), "--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.output


def _kinds(reply) -> set[str]:
    return {b["callback_data"].split(":")[0] for b in reply.buttons}


def test_the_report_gives_the_sessions_figures(played):
    steps, result, db, state, _ = played
    replies = result.replies
    assert len(steps) == 200 and all(r is not None for r in replies)
    answered = sum("vote" in _kinds(r) for r in replies)
    nothing = sum("miss" in _kinds(r) for r in replies)
    assert answered + nothing == 200
    up = down = voted = 0
    for step, reply, text in zip(steps, replies, result.texts, strict=True):
        final = dict(step.votes(reply, text))  # each voter's last press
        signs = Counter(final.values())
        if "vote" in _kinds(reply) and final:
            voted += 1
            up += signs["+"] > signs["-"]
            down += signs["-"] > signs["+"]
    report = _feedback(state, db)
    assert f"200 questions: {answered} answered, {nothing} with nothing to answer them" in report
    assert f"answers voted on: {voted} of {answered}; voted up: {up} ({up / voted:.0%})" in report
    assert f"voted down: {down}," in report
    assert 0 < down < voted and nothing > 0


def test_questions_nothing_answered_come_most_asked_first_with_near_duplicates_together(played):
    steps, result, db, state, _ = played
    replies = result.replies
    report = _feedback(state, db, "--limit", "50")
    section = report.split("Questions nothing answered", 1)[1]
    counts = [int(n) for n in re.findall(r"^  (\d+)×", section, re.M)]
    assert counts == sorted(counts, reverse=True) and len(counts) >= 2
    # "zorblax", "hi, zorblax", "zorblax?" and "please tell me zorblax" are one question.
    zorblax = [
        s
        for s, r in zip(steps, replies, strict=True)
        if "zorblax" in s.text and "miss" in _kinds(r)
    ]
    assert len({s.text for s in zorblax}) > 1
    line = next(
        line for line in section.splitlines() if line.endswith("zorblax") or "zorblax;" in line
    )
    assert line.lstrip().startswith(f"{len(zorblax)}×")
    assert sum(counts) == sum("miss" in _kinds(r) for r in replies)


def test_the_export_is_read_back_by_the_quality_bench(played):
    _, _, db, state, tmp = played
    path = tmp / "exported.jsonl"
    out = _feedback(state, db, "--export", str(path))
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert f"Wrote {len(records)} questions to {path}" in out
    questions = question_records(path, "real")
    assert [q.id for q in questions] == [r["id"] for r in records]
    assert all(q.gold_docs == [] and q.today is not None for q in questions)
    assert all(q.set == "real" and isinstance(q.tuning, bool) for q in questions)
    ids = [r["id"] for r in records]
    assert len(set(ids)) == len(ids)
    for r in records:  # a follow-up follows a question written before it
        if "follows" in r:
            assert r["kind"] == "follow-up" and r["follows"] in ids[: ids.index(r["id"])]
    assert any("zorblax" in q.text for q in questions)
    shown = [s for r in records for s in r.get("shown", [])]
    assert shown and all(s["text"] for s in shown)  # the passages' words, from the index
    # Once marked by hand, a question is an answerable one to the bench.
    marked = dict(records[0], gold=[{"doc": RAILWAY_DOC, "text": "suitable groundwork"}])
    path.write_text(json.dumps(marked) + "\n", encoding="utf-8")
    [question] = question_records(path, "real")
    assert question.answerable and question.right(RAILWAY_DOC, 'a "suitable groundwork" for')


def test_the_report_covers_the_days_asked_for(tmp_path):
    """--since/--until and --days choose the questions by when they were asked; a missing
    state file is named, with what to do."""
    state_path = tmp_path / "state.db"
    state = State(state_path)
    day = 86_400
    start = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC).timestamp()
    try:
        for n, question in enumerate(["railway", "gaza", "tramway", "zorblax"]):
            feedback.record(
                state,
                question=question,
                reading=None,
                terms=[question],
                shown={},
                chat_id=42,
                chat_type="private",
                asker=42,
                now=start + n * 10 * day,  # 1, 11, 21 November, 1 December
            )
    finally:
        state.close()
    db = tmp_path / "absent.db"
    november = _feedback(state_path, db, "--since", "2026-11-05", "--until", "2026-11-21")
    assert "2 questions: 0 answered, 2 with nothing" in november
    assert "gaza" in november and "tramway" in november and "railway" not in november
    everything = _feedback(state_path, db, "--days", "100000")
    assert "4 questions" in everything
    missing = CliRunner().invoke(main, ["feedback", "--state", str(tmp_path / "none.db")])
    assert missing.exit_code == 1
    assert "there is no state file at" in missing.output and "--state" in missing.output
