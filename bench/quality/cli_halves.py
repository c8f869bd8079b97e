"""The development sets and SQuAD through the CLI, as a user gets them, split into halves.

    nice -n 10 .venv/bin/python -m bench.quality.cli_halves
    nice -n 10 .venv/bin/python -m bench.quality.cli_halves --before /tmp/before/.venv/bin/briefbot
    nice -n 10 .venv/bin/python -m bench.quality.cli_halves --no-squad

`bench.quality.questions` asks in process; this asks as `briefbot ask` answers, through each
development set's own scorer (`score.py ... --save`: briefings-dev after `briefbot reindex` of
its corpus, with relative dates under faketime; reuters-dev, which indexes its items itself),
and then splits what each scorer saved by id: odd ids tune, even ids are held out, as every
figure of the sets is split. SQuAD's 2,067 paragraphs are written as briefings (as
`bench/quality` writes them), indexed with `briefbot reindex`, and every question piped to
`briefbot ask --json -k 1 -`, halves split by article. With `--before`, the same runs for
another `briefbot` (another checkout's, installed in a venv of its own), beside.

Columns: right passage first (briefings-dev: the scorer's top-1, a gold briefing with its gold
text quoted; reuters-dev: a relevant item first; SQuAD: the gold paragraph first), in the first
three, answerable questions refused (wrongly), unanswerable questions refused (rightly).
briefings-dev is given twice: as `ask` answers each line alone, and as the bot answers a chat,
each follow-up after the question it follows ("and about hydrogen?").
Nothing is written into the repository: the indexes and the saved answers go to a temporary
folder (`--keep DIR` keeps them).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.quality.data import briefing, squad_docs, squad_questions  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
BRIEFINGS = DATA / "briefings-dev"
REUTERS = DATA / "reuters-dev"
BRIEFBOT = ROOT / ".venv" / "bin" / "briefbot"


@dataclass(frozen=True, slots=True)
class Row:
    """One question as a scorer saved it: whether it is answerable, and how it was answered."""

    id: str
    kind: str
    first: bool
    top3: bool
    refused: bool

    @property
    def tune(self) -> bool:
        return int(self.id.rsplit("-", 1)[1]) % 2 == 1


def briefings_rows(saved: Path, in_context: bool = False) -> list[Row]:
    """briefings-dev's answers; with `in_context`, each follow-up as the bot answers it,
    after the question it follows (the scorer's figure of follow-ups in context), and every
    other question as `ask` does."""
    rows = [json.loads(line) for line in saved.read_text(encoding="utf-8").splitlines()]
    judged = [(r, r.get("in_context", r) if in_context else r) for r in rows]
    return [Row(r["id"], r["kind"], j["top1"], j["top3"], j["refused"]) for r, j in judged]


def reuters_rows(saved: Path) -> list[Row]:
    rows = [json.loads(line) for line in saved.read_text(encoding="utf-8").splitlines()]
    return [
        Row(r["id"], r["kind"], r.get("rank") == 1, (r.get("rank") or 99) <= 3, not r["hits"])
        for r in rows
    ]


def run_scorers(briefbot: Path, work: Path) -> dict[str, list[Row]]:
    """Both development sets through their own scorers, each question's answer saved."""
    db = work / "briefings-dev.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    subprocess.run(
        [str(briefbot), "reindex", "--corpus", str(BRIEFINGS / "corpus"), "--db", str(db)],
        check=True,
        capture_output=True,
    )
    out = {}
    for name, command, parse in (
        ("briefings-dev", [str(BRIEFINGS / "score.py"), str(briefbot), str(db)], briefings_rows),
        ("reuters-dev", [str(REUTERS / "score.py"), str(briefbot)], reuters_rows),
    ):
        saved = work / f"{name}.jsonl"
        subprocess.run(
            [sys.executable, *command, "--save", str(saved)], check=True, capture_output=True
        )
        out[name] = parse(saved)
        if name == "briefings-dev":
            out["briefings-dev as the bot answers"] = briefings_rows(saved, in_context=True)
    return out


def squad_cli(briefbot: Path, work: Path) -> dict[str, tuple[float, float, int]]:
    """SQuAD through `briefbot ask`, per half: right paragraph first, refused, questions."""
    corpus = work / "squad-corpus"
    corpus.mkdir(exist_ok=True)
    ids = {}
    for n, doc in enumerate(squad_docs()):
        name = f"{n:05d}.md"
        ids[name] = doc.id
        path = corpus / name
        if not path.exists():
            path.write_text(briefing(doc, False), encoding="utf-8")
    db = work / "squad.db"
    subprocess.run(
        [str(briefbot), "reindex", "--corpus", str(corpus), "--db", str(db)],
        check=True,
        capture_output=True,
    )
    out = {}
    for half, split in (("tune", "tune"), ("held out", "heldout")):
        questions = squad_questions(split)
        asked = "\n".join(q.text.replace("\n", " ") for q in questions) + "\n"
        lines = subprocess.run(
            [str(briefbot), "ask", "--json", "-k", "1", "--db", str(db), "-"],
            input=asked,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        right = refused = 0
        for q, line in zip(questions, lines, strict=True):
            hits = json.loads(line)["hits"]
            refused += not hits
            right += bool(hits) and ids[Path(hits[0]["document"]).name] in q.relevant
        out[half] = (right / len(questions), refused / len(questions), len(questions))
    return out


def _share(rows: list[Row], test) -> str:
    return f"{sum(map(test, rows)) / len(rows):.1%}" if rows else ""


def _count(rows: list[Row], test) -> str:
    return f"{sum(map(test, rows))}/{len(rows)}"


def table(now: dict, before: dict | None, squad_now: dict | None, squad_before: dict | None) -> str:
    head = "| set, half | first | top 3 | wrongly refused | unanswerable refused |"
    if before is not None:
        head = (
            "| set, half | first before | first | top 3 before | top 3 | wrongly refused before"
            " | wrongly refused | unanswerable refused before | unanswerable refused |"
        )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for name in now:
        for half, tune in (("tune", True), ("held out", False)):
            cells = []
            for rows in (r for r in (before and before[name], now[name]) if r is not None):
                rows = [r for r in rows if r.tune == tune]
                answerable = [r for r in rows if r.kind != "unanswerable"]
                unanswerable = [r for r in rows if r.kind == "unanswerable"]
                cells.append(
                    (
                        _share(answerable, lambda r: r.first),
                        _share(answerable, lambda r: r.top3),
                        _count(answerable, lambda r: r.refused),
                        _count(unanswerable, lambda r: r.refused),
                    )
                )
            columns = [c for group in zip(*cells, strict=True) for c in group]
            lines.append(f"| {name}, {half} | " + " | ".join(columns) + " |")
    if squad_now is not None:
        for half, (right, refused, n) in squad_now.items():
            if squad_before is not None:
                old_right, old_refused, _ = squad_before[half]
                cells = [f"{old_right:.3f}", f"{right:.3f}", "", "", f"{old_refused:.1%}"]
                cells += [f"{refused:.1%}", "", ""]
            else:
                cells = [f"{right:.3f}", "", f"{refused:.1%}", ""]
            lines.append(f"| SQuAD, {half} ({n:,}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--briefbot", type=Path, default=BRIEFBOT)
    parser.add_argument("--before", type=Path, help="another briefbot to run beside")
    parser.add_argument("--no-squad", action="store_true", help="the development sets only")
    parser.add_argument("--keep", type=Path, help="keep the indexes and answers here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cli-halves-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        runs = {}
        for label, briefbot in (("before", args.before), ("now", args.briefbot)):
            if briefbot is None:
                continue
            folder = work / label
            folder.mkdir(exist_ok=True)
            print(f"{label}: {briefbot}", file=sys.stderr, flush=True)
            squad = None if args.no_squad else squad_cli(briefbot, folder)
            runs[label] = (run_scorers(briefbot, folder), squad)
        before = runs.get("before", (None, None))
        print(table(runs["now"][0], before[0], runs["now"][1], before[1]))


if __name__ == "__main__":
    main()
