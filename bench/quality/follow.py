"""What following a subject sends, and what a timeline picks, against hand-marked gold.

    nice -n 10 .venv/bin/python -m bench.quality.follow            # the tables
    nice -n 10 .venv/bin/python -m bench.quality.follow --details  # each subject's misses
    nice -n 10 .venv/bin/python -m bench.quality.follow --start 2023-09-11  # over a week's archive

The twenty subjects of `bench/quality/follow_subjects.jsonl` are followed over
`../shared/data/briefings-dev/`'s 40 briefings as a bot follows them: the briefings arrive
day by day, each day's through one `reindex` into an index that grows, and after each one
the passages new to the index are found the way the bot finds them (`follow.versions_since`,
`follow.new_passages` against what was recorded after the day before) and matched against
all twenty subjects at once (`follow.Subjects`). What each subject was sent is compared with
its gold passages (every passage a reader following it would want pushed, marked by reading
the briefings): precision, recall, and how many subjects were sent nothing wrong.

Beside it, in the same run, two keyword alerts over the same arrivals: a passage (with its
briefing's title) holding every word of the subject, and one holding any of them, each word
matched through the analyser (stems, folded accents), as a filter on words does.

Timelines (`index.timeline`) are built over the whole index for each subject: the dates it
lists against the gold's dates (the days with a gold passage), and, for each day both hold,
whether the sentence it shows is one of the day's gold sentences (what was new that day),
beside two other ways of choosing it: the sentences a question's answer quotes from the
day's best passage (up to two, which favours it), and the first sentence of that passage's
briefing. The timeline's two weights (`timeline.SAID_BEFORE`, `timeline.LATER`) were chosen
on the odd-numbered subjects; the even-numbered ones are reported apart.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from index import analysis, follow, timeline  # noqa: E402
from index.questions import respond  # noqa: E402
from index.storage import store, vocabulary  # noqa: E402
from index.storage.reindex import reindex  # noqa: E402
from index.storage.search import fetch  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "briefings-dev"
SUBJECTS = Path(__file__).with_name("follow_subjects.jsonl")

Passage = tuple[str, int]  # briefing file, ordinal
HEADER = (
    "| sent by | passages sent | right | precision | recall | F1 | subjects sent nothing wrong |\n"
    "|---|---:|---:|---:|---:|---:|---:|"
)


@dataclass
class Subject:
    id: str
    text: str
    gold: set[Passage] = field(default_factory=set)
    days: dict[str, list[str]] = field(default_factory=dict)  # date → what was new


def load(conn) -> list[Subject]:
    """The subjects, each gold text found in its passage of the index."""
    out = []
    for line in SUBJECTS.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        s = Subject(record["id"], record["subject"])
        for g in record["gold"]:
            s.gold.add(_passage_of(conn, g["doc"], g["text"]))
        s.days = {d["date"]: d["new"] for d in record["timeline"]}
        out.append(s)
    return out


def _passage_of(conn, doc: str, text: str) -> Passage:
    rows = conn.execute(
        "SELECT p.ordinal FROM passages p JOIN documents d ON d.id = p.document_id"
        " WHERE d.path = ? AND instr(p.text, ?) > 0",
        (doc, text),
    ).fetchall()
    if len(rows) != 1:
        raise SystemExit(f"gold text {text!r} is in {len(rows)} passages of {doc}")
    return doc, rows[0][0]


def _days(corpus: Path) -> dict[str, list[Path]]:
    days: dict[str, list[Path]] = defaultdict(list)
    for f in sorted(corpus.glob("*.txt")):
        days[f.name[:10]].append(f)
    return dict(sorted(days.items()))


def follow_day_by_day(
    work: Path, subjects: list[Subject], start: str = ""
) -> tuple[dict, dict, dict]:
    """Each subject's passages sent by `follow`, and by the two keyword alerts, as briefings
    arrive one day at a time; those dated before `start` come in one first reindex, before
    anything is followed (a bot that starts following over an archive)."""
    corpus, db = work / "corpus", work / "index.db"
    corpus.mkdir()
    matcher = follow.Subjects()
    known: dict[str, tuple[str, frozenset[int]]] = {}
    mark = None
    sent: dict[str, set[Passage]] = defaultdict(set)
    every: dict[str, set[Passage]] = defaultdict(set)
    anyword: dict[str, set[Passage]] = defaultdict(set)
    words = {s.text: set(analysis.analyse(s.text)) for s in subjects}
    days = _days(DATA / "corpus")
    history = [f for day, files in days.items() if day < start for f in files]
    arrivals = [files for day, files in days.items() if day >= start]
    for files in ([history] if history else []) + arrivals:
        for f in files:
            shutil.copy(f, corpus / f.name)
        reindex(corpus, db)
        conn = store.connect(db)
        vocab = vocabulary.load(conn)
        versions = follow.versions_since(conn, mark)
        ids = follow.new_passages(versions, follow.known_from(known))
        matcher.update([s.text for s in subjects], vocab, conn)
        if files is history:
            ids = []
        for m in follow.match_new(conn, matcher, ids, vocab):
            sent[m.subject] |= {(qh.hit.document, qh.hit.ordinal) for qh in m.hits}
        for hit in fetch(conn, [(pid, 0.0) for pid in ids]):
            held = set(analysis.analyse(f"{hit.title} {hit.heading or ''} {hit.text}"))
            for text, wanted in words.items():
                if wanted and wanted <= held:
                    every[text].add((hit.document, hit.ordinal))
                if wanted & held:
                    anyword[text].add((hit.document, hit.ordinal))
        for v in versions:
            known[v.path] = (v.sha256, v.keys)
            mark = max(mark or v.indexed_at, v.indexed_at)
        conn.close()
    return sent, every, anyword


def _prf(sent: set, gold: set) -> tuple[int, int, int]:
    return len(sent & gold), len(sent), len(gold)


def _table(name: str, results: dict, subjects: list[Subject]) -> str:
    right = shown = wanted = clean = 0
    for s in subjects:
        r, n, g = _prf(results.get(s.text, set()), s.gold)
        right, shown, wanted = right + r, shown + n, wanted + g
        clean += r == n
    p = right / shown if shown else 0.0
    rc = right / wanted if wanted else 0.0
    f1 = 2 * p * rc / (p + rc) if p + rc else 0.0
    return (
        f"| {name} | {shown} | {right} | {p:.1%} | {rc:.1%} | {f1:.2f} | {clean} of"
        f" {len(subjects)} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--details", action="store_true", help="each subject's misses")
    parser.add_argument(
        "--start",
        default="",
        help="follow from this date (YYYY-MM-DD); the briefings before it are indexed first",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        reindex(DATA / "corpus", work / "full.db")  # the whole period, as a timeline sees it
        conn = store.connect(work / "full.db")
        subjects = load(conn)
        sent, every, anyword = follow_day_by_day(work, subjects, args.start)
        for s in subjects:
            s.gold = {g for g in s.gold if g[0][:10] >= args.start}
        print(f"{len(subjects)} subjects, {sum(len(s.gold) for s in subjects)} gold passages\n")
        print(HEADER)
        print(_table("`/follow` (judged as questions are)", sent, subjects))
        print(_table("keyword alert: every word", every, subjects))
        print(_table("keyword alert: any word", anyword, subjects))
        timelines(conn, subjects, args.details)
        if args.details:
            for s in subjects:
                got = sent.get(s.text, set())
                r, n, g = _prf(got, s.gold)
                print(f"\n{s.id} {s.text}: {r} of {n} sent right, {r} of {g} gold")
                for doc, o in sorted(got - s.gold):
                    print(f"  extra   {doc} #{o}: {_text(conn, doc, o)[:90]}")
                for doc, o in sorted(s.gold - got):
                    print(f"  missed  {doc} #{o}: {_text(conn, doc, o)[:90]}")


def timelines(conn, subjects: list[Subject], details: bool) -> None:
    """Each subject's timeline over the whole index against the gold days, and the sentence
    shown for each day beside two other ways of choosing it."""
    dates_right = dates_shown = dates_wanted = 0
    names = ("timeline (new and on the subject)", "answer's quote", "briefing's lead")
    right = {name: [0, 0] for name in names}  # [odd ids (tuning), even ids (held out)]
    both = [0, 0]
    for s in subjects:
        t = timeline.build(conn, s.text)
        shown = {e.date.isoformat(): e for e in t.entries}
        dates_right += len(shown.keys() & s.days.keys())
        dates_shown += len(shown)
        dates_wanted += len(s.days)
        if details:
            print(f"\n{s.id} {s.text}")
        for day, entry in sorted(shown.items()):
            gold = s.days.get(day)
            if details:
                mark = "  " if gold is None else "ok" if _has(entry.text, gold) else "--"
                print(f"  {mark} {day} {entry.text[:110]}")
            if gold is None:
                continue
            half = 1 - int(s.id[1:]) % 2
            both[half] += 1
            top = entry.hits[0]
            quoted = respond.quote(t.reading, t.reading.query(), top).text(top.text)
            shown_texts = (entry.text, quoted, _lead(conn, top.document))
            for name, text in zip(names, shown_texts, strict=True):
                right[name][half] += _has(text, gold)
        for day in sorted(s.days.keys() - shown.keys()):
            if details:
                print(f"  missed {day}")
    p = dates_right / dates_shown if dates_shown else 0.0
    r = dates_right / dates_wanted if dates_wanted else 0.0
    print(
        f"\nTimeline days: {dates_shown} listed, {dates_right} of them gold days"
        f" (precision {p:.1%}), of {dates_wanted} gold days (recall {r:.1%}).\n"
    )
    print("| sentence shown for a gold day | odd subjects (tuning) | even subjects | all |")
    print("|---|---:|---:|---:|")
    for name, (odd, even) in right.items():
        cells = [f"{n} of {m} ({n / m:.0%})" for n, m in ((odd, both[0]), (even, both[1]))]
        total = odd + even
        cells.append(f"{total} of {sum(both)} ({total / sum(both):.0%})")
        print(f"| {name} | {' | '.join(cells)} |")


def _has(text: str, gold: list[str]) -> bool:
    return any(g in text for g in gold)


def _lead(conn, document: str) -> str:
    """The first sentence of a briefing."""
    text, spans = conn.execute(
        "SELECT p.text, p.sentences FROM passages p JOIN documents d ON d.id = p.document_id"
        " WHERE d.path = ? ORDER BY p.ordinal LIMIT 1",
        (document,),
    ).fetchone()
    start, end = json.loads(spans)[0] if spans != "[]" else (0, len(text))
    return text[start:end]


def _text(conn, doc: str, ordinal: int) -> str:
    return conn.execute(
        "SELECT p.text FROM passages p JOIN documents d ON d.id = p.document_id"
        " WHERE d.path = ? AND p.ordinal = ?",
        (doc, ordinal),
    ).fetchone()[0]


if __name__ == "__main__":
    main()
