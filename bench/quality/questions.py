"""Questions nobody tuned for, per set and kind, as a user gets them.

    nice -n 10 .venv/bin/python -m bench.quality.questions                    # the table
    git worktree add /tmp/before 8fb8238                                        # the code before
    nice -n 10 .venv/bin/python -m bench.quality.questions --before /tmp/before --write
    nice -n 10 .venv/bin/python -m bench.quality.questions --fit              # `judge.WEIGHTS`
    nice -n 10 .venv/bin/python -m bench.quality.questions --lags             # `timing.LAGS`
    nice -n 10 .venv/bin/python -m bench.quality.questions --real marked.jsonl # people's own

Four sets, each indexed through `reindex` into `bench/out/questions/` (reused, brought up to
date on every run), every question asked through `Index.answer` with the cut-off applied, as
`briefbot ask` answers it (a relative date on the set's own `today`, as its scorer asks under
faketime; follow-ups alone, as `ask` gets them):

- `../shared/data/briefings-dev/`: 40 multi-day briefings, 150 questions; right = the gold
  briefing with the gold text in its quote (its scorer's top-1);
- `../shared/data/reuters-dev/`: 150 questions over the 9,191 Reuters-21578 items with text,
  written as its `score.py` writes them; right = a relevant item (its R@1);
- SQuAD v1.1 dev with every other paragraph of each article left out of the index: a question
  about a paragraph left out is the "nothing answers" condition (1,000 drawn from each half);
- BEIR SciFact: long claims, all with answers (train claims tune, test claims held out).

`--real FILE` adds the questions people asked the bot, exported by `briefbot feedback --export`
and their gold marked by hand (README, "Feedback"), over `--real-corpus` (the bot's `corpus/`).

The development sets are split by id (odd ids tune), SQuAD by article as `bench/quality`
splits it. Columns: right passage first, in the first three, answerable questions refused
(wrongly), unanswerable ones refused (rightly); plain BM25 (FTS5's `bm25()` on the question's
terms, nothing refused) over the same passages; and with `--before DIR` the same questions
answered by the code in DIR (a checkout, run in a process of its own on the same index files).
`--fit` fits the judgement (`index/questions/judge.py`) on the tuning questions and picks its
threshold; `--lags` prints, for the dated questions of the tuning halves, how long after its
period each answering briefing is dated. The official scorers (`score.py` in each set) ask the same
questions through the CLI (`bench.quality.cli_halves` runs them and splits them into halves);
docs/benchmarks.md gives both.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from index.questions import judge, respond, understand  # noqa: E402
from index.questions.answer import Index  # noqa: E402
from index.storage import vocabulary  # noqa: E402
from index.storage.reindex import reindex  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "bench" / "out" / "questions"
K = 5
SEED = 3
#: SQuAD questions drawn from each half (tuning, held out) for the "nothing answers" condition.
SQUAD_PER_HALF = 1000


@dataclass
class Question:
    set: str
    id: str
    text: str
    kind: str
    today: dt.date | None
    gold_docs: list[str]  # in order (for "latest", the newest that answers first)
    gold_texts: list[tuple[str, str]] = field(default_factory=list)  # (doc, text) to quote
    period: tuple[dt.date, dt.date] | None = None
    split: bool | None = None  # tuning or not, where the set splits otherwise than by id

    @property
    def tuning(self) -> bool:
        if self.split is not None:
            return self.split
        return int(self.id.rsplit("-", 1)[1]) % 2 == 1

    @property
    def answerable(self) -> bool:
        return bool(self.gold_docs)

    def right(self, document: str, quote: str) -> bool:
        """Whether a passage of `document`, quoting `quote`, answers (as each scorer counts)."""
        doc = Path(document).name
        if self.set in ("reuters", "squad", "scifact"):
            return Path(doc).stem in self.gold_docs
        gold = self.gold_texts
        if self.kind == "latest" and gold:
            gold = [g for g in gold if g[0] == gold[0][0]]
        return any(doc == d and t in quote for d, t in gold)

    def relevant(self, document: str, text: str) -> bool:
        """Whether a passage answers, for fitting: its text holds a gold text."""
        doc = Path(document).name
        if self.set in ("reuters", "squad", "scifact"):
            return Path(doc).stem in self.gold_docs
        return any(doc == d and t in text for d, t in self.gold_texts)


def _jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def question_records(path: Path, set_name: str = "briefings") -> list[Question]:
    """Questions in the briefings dev set's layout (`id`, `q`, `kind`, `today`, `gold`): its
    own, and those `briefbot feedback --export` writes from what people asked, once their
    gold is marked."""
    out = []
    for r in _jsonl(path):
        gold = r["gold"]
        out.append(
            Question(
                set_name,
                r["id"],
                r["q"],
                r["kind"],
                dt.date.fromisoformat(r["today"]) if r.get("today") else None,
                list(dict.fromkeys(g["doc"] for g in gold)),
                [(g["doc"], g["text"]) for g in gold],
            )
        )
    return out


def briefings_dev() -> tuple[Path, list[Question]]:
    folder = DATA / "briefings-dev"
    return folder / "corpus", question_records(folder / "questions.jsonl")


def reuters_dev() -> tuple[Path, list[Question]]:
    folder = OUT / "reuters-corpus"
    if not (folder / ".complete").exists():
        folder.mkdir(parents=True, exist_ok=True)
        for d in _jsonl(DATA / "reuters-21578" / "docs.jsonl"):
            if not d["text"].strip():
                continue
            title = " ".join(d["title"].split()).replace('"', "'") or d["id"]
            (folder / f"{d['id']}.md").write_text(
                f'---\ntitle: "{title}"\ndate: {d["date"][:10]}\n---\n\n{d["text"]}\n',
                encoding="utf-8",
            )
        (folder / ".complete").write_text("ok\n")
    out = []
    for r in _jsonl(DATA / "reuters-dev" / "questions.jsonl"):
        period = None
        if r.get("date_from") and r.get("date_to"):
            period = (dt.date.fromisoformat(r["date_from"]), dt.date.fromisoformat(r["date_to"]))
        out.append(
            Question(
                "reuters",
                r["id"],
                r["question"],
                r["kind"],
                None,
                list(r["relevant_doc_ids"]),
                period=period,
            )
        )
    return folder, out


def squad(per_half: int = SQUAD_PER_HALF) -> tuple[Path, list[Question]]:
    """SQuAD with every other paragraph of each article left out of the index: a question
    about a paragraph left out is the "nothing answers" condition (its article's other
    paragraphs are there, as near misses), one about a paragraph kept is answerable. Split
    by article as `bench/quality` splits it; `per_half` questions drawn from each half."""
    from bench.quality.data import squad_docs, squad_questions

    folder = OUT / "squad-corpus"
    kept = {d.id for d in squad_docs() if int(d.id.rsplit("#", 1)[1]) % 2 == 0}
    if not (folder / ".complete").exists():
        folder.mkdir(parents=True, exist_ok=True)
        for d in squad_docs():
            if d.id in kept:
                name = d.id.replace("#", "-") + ".txt"
                (folder / name).write_text(f"{d.title}\n\n{d.text}\n", encoding="utf-8")
        (folder / ".complete").write_text("ok\n")
    out = []
    for split in ("tune", "heldout"):
        drawn = random.Random(SEED).sample(squad_questions(split), per_half)
        for q in drawn:
            (doc,) = q.relevant
            gold = [doc.replace("#", "-")] if doc in kept else []
            kind = "squad" if gold else "unanswerable"
            out.append(Question("squad", q.id, q.text, kind, None, gold, split=split == "tune"))
    return folder, out


def scifact() -> tuple[Path, list[Question]]:
    """BEIR SciFact: long claims over 5,183 abstracts, each a briefing (title in its front
    matter, as `bench/quality` writes them); the train claims tune, the test claims are held
    out. A claim is answered by any of its relevant abstracts."""
    from bench.quality.data import briefing, scifact_docs, scifact_questions

    folder = OUT / "scifact-corpus"
    if not (folder / ".complete").exists():
        folder.mkdir(parents=True, exist_ok=True)
        for d in scifact_docs():
            (folder / f"{d.id}.md").write_text(briefing(d, False), encoding="utf-8")
        (folder / ".complete").write_text("ok\n")
    out = []
    for split in ("train", "test"):
        for q in scifact_questions(split):
            gold = sorted(q.relevant)
            out.append(
                Question("scifact", q.id, q.text, "claim", None, gold, split=split == "train")
            )
    return folder, out


def indexed(name: str, corpus: Path) -> Index:
    db = OUT / f"{name}.db"
    OUT.mkdir(parents=True, exist_ok=True)
    report = reindex(corpus, db)
    assert not report.failed, report.failed
    return Index(db)


# -- answering -----------------------------------------------------------------------------------


@dataclass
class Result:
    question: Question
    hits: list[tuple[str, str]]  # (document, quote) as answered
    plain: list[str]  # documents, plain BM25
    plain_quotes: list[str]
    before: list[tuple[str, str]] | None = None  # (document, quote) as the earlier code answered


#: Answers the questions on standard input (one JSON object a line: question, today, db) with
#: the `index` package of the checkout named first: the code before a change, in its own
#: process, against the same index file.
_EARLIER = """
import datetime as dt, json, sys
sys.path.insert(0, sys.argv[1])
from index.answer import Index
opened = {}
for line in sys.stdin:
    r = json.loads(line)
    ix = opened.setdefault(r["db"], Index(r["db"]))
    today = dt.date.fromisoformat(r["today"]) if r["today"] else None
    a = ix.answer(r["question"], k=int(sys.argv[2]), today=today)
    print(json.dumps([[h.hit.document, h.quote_text] for h in a.hits]), flush=True)
"""


def answered_before(checkout: Path, index_of: dict[str, Index], questions: list[Question]):
    """Each question's hits as the code in `checkout` answers it (same index files)."""
    lines = "".join(
        json.dumps(
            {
                "question": q.text,
                "today": q.today.isoformat() if q.today else None,
                "db": str(index_of[q.set].path),
            }
        )
        + "\n"
        for q in questions
    )
    done = subprocess.run(
        [sys.executable, "-c", _EARLIER, str(checkout), str(K)],
        input=lines,
        capture_output=True,
        text=True,
        check=True,
    )
    return [[tuple(h) for h in json.loads(line)] for line in done.stdout.splitlines()]


def answer(index: Index, q: Question) -> Result:
    a = index.answer(q.text, k=K, today=q.today)
    hits = [(h.hit.document, h.quote_text) for h in a.hits]
    plain_hits = index.search(q.text, k=K)
    return Result(q, hits, [h.document for h in plain_hits], [h.text for h in plain_hits])


def candidates(index: Index, q: Question) -> list[tuple[dict[str, float], bool]]:
    """The judgement features of the passage ranked first, and whether the question has an
    answer in the index: what the judgement decides, to answer or to say nothing does."""
    with index.connected() as conn:
        vocab = vocabulary.get(conn)
        reading = understand.reading_of(q.text, vocab, conn=conn, today=q.today)
        query = reading.query()
        if not (query.terms or query.required):
            return []
        pool = respond.gather(conn, reading, query, vocab)
        judged = respond.rank_and_judge(conn, reading, query, pool, vocab)
    return [(j.features, q.answerable) for j in judged[:1]]


# -- figures -------------------------------------------------------------------------------------


def figures(results: list[Result]) -> dict[str, float]:
    answerable = [r for r in results if r.question.answerable]
    unanswerable = [r for r in results if not r.question.answerable]

    def first(r: Result, n: int) -> bool:
        return any(r.question.right(d, q) for d, q in r.hits[:n])

    def plain(r: Result, n: int) -> bool:
        return any(
            r.question.right(d, t) for d, t in zip(r.plain[:n], r.plain_quotes[:n], strict=True)
        )

    def before(r: Result, n: int) -> bool:
        return any(r.question.right(d, q) for d, q in (r.before or [])[:n])

    n = len(answerable) or 1
    known = [r for r in results if r.before is not None]
    return {
        "before": sum(before(r, 1) for r in answerable) / n if known else None,
        "before_refused": sum(not r.before for r in answerable) / n if known else None,
        "before_un": sum(not r.before for r in unanswerable) / (len(unanswerable) or 1)
        if known
        else None,
        "n": len(answerable),
        "first": sum(first(r, 1) for r in answerable) / n,
        "top3": sum(first(r, 3) for r in answerable) / n,
        "refused": sum(not r.hits for r in answerable) / n,
        "plain": sum(plain(r, 1) for r in answerable) / n,
        "plain3": sum(plain(r, 3) for r in answerable) / n,
        "un": len(unanswerable),
        "un_refused": sum(not r.hits for r in unanswerable) / (len(unanswerable) or 1),
    }


def table(results: list[Result]) -> str:
    lines = [
        "| set | half | kind | n | first | top 3 | wrongly refused | unanswerable refused"
        " | plain BM25 first | plain top 3 | before: first | before: wrongly refused"
        " | before: unanswerable refused |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in ("briefings", "reuters", "squad", "scifact", "real"):
        for half, tuning in (("tune", True), ("held out", False)):
            group = [r for r in results if r.question.set == name and r.question.tuning == tuning]
            kinds = defaultdict(list)
            for r in group:
                kinds[r.question.kind].append(r)
            for kind in sorted(kinds, key=lambda k: (k == "unanswerable", k)):
                lines.append(_row(name, half, kind, figures(kinds[kind])))
            lines.append(_row(name, half, "**all**", figures(group)))
    return "\n".join(lines)


def _row(name: str, half: str, kind: str, f: dict) -> str:
    def pct(value: float | None, digits: int = 1) -> str:
        return "" if value is None else f"{value:.{digits}%}"

    un = pct(f["un_refused"], 0) if f["un"] else ""
    before_un = pct(f["before_un"], 0) if f["un"] else ""
    if f["n"] == 0:
        return f"| {name} | {half} | {kind} | {f['un']} | | | | {un} | | | | | {before_un} |"
    return (
        f"| {name} | {half} | {kind} | {f['n']} | {pct(f['first'])} | {pct(f['top3'])}"
        f" | {pct(f['refused'])} | {un} | {pct(f['plain'])} | {pct(f['plain3'])}"
        f" | {pct(f['before'])} | {pct(f['before_refused'])} | {before_un} |"
    )


# -- fitting -------------------------------------------------------------------------------------


def fit(
    rows: list[tuple[str, dict[str, float], bool]],
    l2: float = 1e-2,
    steps: int = 4000,
    only: list[str] | None = None,
):
    """Logistic regression by gradient descent; each set weighs the same in all, and within
    it questions with and without an answer weigh half each. With `only`, those features'
    weights and the bias are fitted, the others kept as they are."""
    names = only if only is not None else [n for n in judge.WEIGHTS if n != "bias"]
    kept = {n: w for n, w in judge.WEIGHTS.items() if n != "bias" and n not in names}
    offset = np.array([sum(w * f.get(n, 0.0) for n, w in kept.items()) for _, f, _ in rows])
    x = np.array([[f[n] for n in names] + [1.0] for _, f, _ in rows])
    y = np.array([float(label) for _, _, label in rows])
    sets = np.array([name for name, _, _ in rows])
    sample = np.zeros(len(rows))
    for name in set(sets):
        mine = sets == name
        pos = y[mine].mean()
        share = 1 / len(set(sets))
        if 0 < pos < 1:
            balance = np.where(y[mine] > 0, 0.5 / pos, 0.5 / (1 - pos))
        else:  # a set whose questions all have answers (SciFact): only that to learn
            balance = np.ones(mine.sum())
        sample[mine] = balance * share / mine.mean()
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(offset + x @ w)))
        grad = x.T @ (sample * (p - y)) / len(y) + l2 * np.r_[w[:-1], 0.0]
        w -= 0.5 * grad
    return {**kept, **dict(zip([*names, "bias"], map(float, w), strict=True))}


def run(index_of: dict[str, Index], questions: list[Question]) -> list[Result]:
    return [answer(index_of[q.set], q) for q in questions]


def choose_threshold(index_of, questions: list[Question]) -> float:
    """The highest threshold that wrongly refuses at most 3% of the tuning questions."""
    tuning = [q for q in questions if q.tuning and q.set in ("briefings", "reuters")]
    best = 0.05
    for t in np.arange(0.05, 0.96, 0.05):
        judge.THRESHOLD = float(t)
        f = figures(run(index_of, tuning))
        print(
            f"  threshold {t:.2f}: wrongly refused {f['refused']:.1%},"
            f" unanswerable refused {f['un_refused']:.0%}, first {f['first']:.1%}"
        )
        if f["refused"] <= 0.03:
            best = float(t)
    judge.THRESHOLD = best
    return best


def write(report: str, before: Path | None) -> None:
    """Put the table between the markers in docs/benchmarks.md."""
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text(encoding="utf-8")
    command = "nice -n 10 .venv/bin/python -m bench.quality.questions"
    if before is not None:
        command += " --before DIR"
    block = f"<!-- questions -->\n`{command} --write`\n\n{report}\n<!-- /questions -->"
    new, n = re.subn(r"<!-- questions -->.*?<!-- /questions -->", block, text, flags=re.S)
    if n != 1:
        raise SystemExit("docs/benchmarks.md has no <!-- questions --> block to replace")
    doc.write_text(new, encoding="utf-8")


def lags(questions: list[Question], index_of: dict[str, Index]) -> None:
    """For dated questions of the tuning halves: days from the end of the period to the date
    of each answering briefing, by the period's length."""
    by_length = defaultdict(list)
    for q in questions:
        if not q.tuning or not q.answerable:
            continue
        index = index_of[q.set]
        with index.connected() as conn:
            vocab = vocabulary.get(conn)
            reading = understand.reading_of(q.text, vocab, conn=conn, today=q.today)
            if reading.dates is None or reading.dates_filter or reading.dates.until is None:
                continue
            rng = reading.dates
            days = (rng.until - (rng.since or rng.until)).days + 1
            said = "said" if reading.speaker is not None else "happened"
            for doc in q.gold_docs:
                name = doc if q.set == "briefings" else f"{doc}.md"
                row = conn.execute("SELECT date FROM documents WHERE path = ?", [name]).fetchone()
                if row and row[0]:
                    lag = (dt.date.fromisoformat(row[0]) - rng.until).days
                    by_length[days, said].append(lag)
    for days, said in sorted(by_length):
        values = sorted(by_length[days, said])
        print(f"period of {days} days, {said}: lags {values}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fit", action="store_true", help="fit the judgement on odd ids")
    parser.add_argument(
        "--only",
        help="with --fit, the features to fit (comma-separated), the other weights kept",
    )
    parser.add_argument("--lags", action="store_true", help="print dated questions' lags")
    parser.add_argument(
        "--before",
        type=Path,
        help="a checkout of the code before a change (git worktree add DIR REV): its answers"
        " in columns beside",
    )
    parser.add_argument("--write", action="store_true", help="write the table into the docs")
    parser.add_argument(
        "--real",
        type=Path,
        help="questions people asked (briefbot feedback --export), their gold marked by hand",
    )
    parser.add_argument(
        "--real-corpus", type=Path, default=ROOT / "corpus", help="the briefings they asked about"
    )
    args = parser.parse_args()
    corpus_b, qs_b = briefings_dev()
    corpus_r, qs_r = reuters_dev()
    corpus_s, qs_s = squad()
    corpus_f, qs_f = scifact()
    index_of = {
        "briefings": indexed("briefings", corpus_b),
        "reuters": indexed("reuters", corpus_r),
        "squad": indexed("squad", corpus_s),
        "scifact": indexed("scifact", corpus_f),
    }
    questions = qs_b + qs_r + qs_s + qs_f
    if args.real:
        index_of["real"] = indexed("real", args.real_corpus)
        questions += question_records(args.real, "real")
    if args.lags:
        lags(questions, index_of)
        return
    if args.fit:
        rows = [
            (q.set, *row) for q in questions if q.tuning for row in candidates(index_of[q.set], q)
        ]
        weights = fit(rows, only=args.only.split(",") if args.only else None)
        judge.WEIGHTS.clear()
        judge.WEIGHTS.update(weights)
        print("WEIGHTS = {" + ", ".join(f'"{k}": {v:.2f}' for k, v in weights.items()) + "}")
        print(f"THRESHOLD = {choose_threshold(index_of, questions):.2f}")
    results = run(index_of, questions)
    if args.before:
        for r, hits in zip(results, answered_before(args.before, index_of, questions), strict=True):
            r.before = hits
    report = table(results)
    print(report)
    if args.write:
        write(report, args.before)


if __name__ == "__main__":
    main()
