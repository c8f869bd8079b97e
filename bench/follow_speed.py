"""What following costs: 10,000 subjects matched against the 1,000 passages of one reindex.

    nice -n 10 .venv/bin/python bench/follow_speed.py
    nice -n 10 .venv/bin/python bench/follow_speed.py --subjects 2000 --no-write

Reuters-21578 items (`../shared/data/reuters-21578`) are written as briefings: the first
`--base` of them are indexed first, as the archive a bot already serves, then items enough
for about `--new` more passages are added and indexed in one `reindex`, as `briefbot reindex`
adds a burst. The bot's work after that reindex is timed step by step, as `bot/follow.py`
does it: finding the new passages (`follow.versions_since`, `follow.new_passages`), reading
the subjects (`follow.Subjects.update`, once, then only when they or the vocabulary change)
and matching all of them at once (`follow.match_new`).

Subjects are what people follow: two or three neighbouring words of a random headline of the
whole set, one of them specific ("cocoa review", "trade deficit widens", "coffee quota
talks"), so most share words with some new passage and some are answered by one.

Two baselines in the same run, on a sample of the subjects, scaled up to all of them: asking
each subject as a question (`Index.answer` over the whole index, keeping the new passages it
quotes: quicker per subject, but it misses every new passage below its top three), and the
same judgement as the bot's, subject by subject (one search each for its best new passages
among the index's, then `follow.judge_new`), which is what matching them all at once saves
on. The reindex's own time is printed beside them.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index import follow  # noqa: E402
from index.analysis import STOPWORDS  # noqa: E402
from index.questions import english, rerank  # noqa: E402
from index.questions import query as _query  # noqa: E402
from index.questions.answer import Index  # noqa: E402
from index.questions.judge import missing_words  # noqa: E402
from index.storage import store, vocabulary  # noqa: E402
from index.storage.reindex import reindex  # noqa: E402
from index.storage.search import fetch  # noqa: E402

REUTERS = ROOT.parent / "shared" / "data" / "reuters-21578" / "docs.jsonl"
OUT = ROOT / "bench" / "out" / "follow_speed"
SEED = 11
#: How deep the subject-by-subject baseline searches for its new passages among the index's.
DEPTH = 100
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")


def items() -> list[dict]:
    with open(REUTERS, encoding="utf-8") as f:
        return [d for d in map(json.loads, f) if d.get("text", "").strip()]


def write(item: dict, folder: Path) -> None:
    day = item["date"][:10]
    body = "\n\n".join(p.strip() for p in item["text"].split("\n\n") if p.strip())
    name = f"{day}-{item['id']}.txt"
    (folder / name).write_text(f"date {day}\n\n{item['title'].title()}\n\n{body}\n", "utf-8")


#: Newswire shorthand that no one follows ("mln dlrs", "qtr net").
SHORTHAND = frozenset(
    "mln dlrs dlr cts ct pct shr shrs qtr vs avg revs net inc corp co ltd".split()
)


def subjects(docs: list[dict], n: int, rng: random.Random) -> list[str]:
    """`n` distinct subjects as people name what they follow: two or three neighbouring
    words of a random headline ("cocoa review", "trade deficit widens"), one of them at
    least a specific word (rarer in English than "market" or "price")."""
    out: dict[str, None] = {}
    while len(out) < n:
        words = [
            w.lower()
            for w in _WORD.findall(rng.choice(docs)["title"])
            if w.lower() not in STOPWORDS and w.lower() not in SHORTHAND
        ]
        size = rng.choice((2, 2, 3))
        if len(words) < size:
            continue
        start = rng.randrange(len(words) - size + 1)
        chosen = words[start : start + size]
        if min(english.zipf(w) for w in chosen) >= SPECIFIC_ZIPF:
            continue
        out.setdefault(" ".join(chosen), None)
    return list(out)


#: A word rarer than this in English (Zipf) is specific enough to follow.
SPECIFIC_ZIPF = 4.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subjects", type=int, default=10_000)
    parser.add_argument("--new", type=int, default=1_000, help="new passages, about")
    parser.add_argument("--base", type=int, default=4_000, help="items indexed before")
    parser.add_argument("--sample", type=int, default=300, help="subjects for the baselines")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    rng = random.Random(SEED)
    docs = items()
    rng.shuffle(docs)
    base, rest = docs[: args.base], docs[args.base :]

    if OUT.exists():
        shutil.rmtree(OUT)
    corpus = OUT / "corpus"
    corpus.mkdir(parents=True)
    db = OUT / "index.db"
    for d in base:
        write(d, corpus)
    reindex(corpus, db)
    conn = store.connect(db)
    before = follow.versions_since(conn, None)
    mark = max(v.indexed_at for v in before)
    known = {v.path: (v.sha256, v.keys) for v in before}
    archive = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    conn.close()

    per_item = archive / len(base)  # passages an item makes, on average
    burst = rest[: round(args.new / per_item)]
    for d in burst:
        write(d, corpus)
    started = time.perf_counter()
    report = reindex(corpus, db)
    reindex_seconds = time.perf_counter() - started

    conn = store.connect(db)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    versions = follow.versions_since(conn, mark)
    ids = follow.new_passages(versions, known.get)
    timings["find the new passages"] = time.perf_counter() - started
    vocab = vocabulary.get(conn)
    texts = subjects(docs, args.subjects, rng)
    matcher = follow.Subjects()
    started = time.perf_counter()
    matcher.update(texts, vocab, conn)
    timings[f"read {len(texts):,} subjects (once)"] = time.perf_counter() - started
    rerank.clear_cache()
    started = time.perf_counter()
    matches = follow.match_new(conn, matcher, ids, vocab)
    timings["match them all at once"] = time.perf_counter() - started
    hits = fetch(conn, [(pid, 0.0) for pid in ids])
    judged = len(matcher.candidates(conn, hits, vocab))

    # Baselines on a sample, scaled up to every subject.
    sample = rng.sample(texts, min(args.sample, len(texts)))
    index = Index(db)
    new_ids = set(ids)
    rerank.clear_cache()
    started = time.perf_counter()
    by_asking: set[tuple[str, int]] = set()
    for text in sample:
        answer = index.answer(text, k=3)
        by_asking |= {
            (text, qh.hit.passage_id) for qh in answer.hits if qh.hit.passage_id in new_ids
        }
    asked = (time.perf_counter() - started) * len(texts) / len(sample)
    rerank.clear_cache()
    started = time.perf_counter()
    one_by_one: set[tuple[str, int]] = set()
    for text in sample:
        reading, q = matcher.read(text)
        if missing_words(q, vocab):  # as the bot: a word no briefing holds yet, no news
            continue
        found = _query.search(conn, q, DEPTH, 0, vocab)
        pool = [h for h in found if h.passage_id in new_ids][: follow.CANDIDATES]
        one_by_one |= {
            (text, j.hit.passage_id) for j in follow.judge_new(conn, reading, q, pool, vocab)
        }
    alone = (time.perf_counter() - started) * len(texts) / len(sample)

    passages_sent = sum(len(m.hits) for m in matches)
    chosen = set(sample)
    at_once = {
        (m.subject, qh.hit.passage_id) for m in matches if m.subject in chosen for qh in m.hits
    }
    lines = [
        f"Archive {archive:,} passages ({len(base):,} Reuters items); the burst: {len(burst)}"
        f" items, {len(ids):,} new passages, indexed in {reindex_seconds:.2f} s"
        f" ({report.summary()}).",
        "",
        "| step | seconds |",
        "|---|---:|",
        *[f"| {name} | {seconds:.2f} |" for name, seconds in timings.items()],
        f"| baseline: ask each subject as a question (scaled from {len(sample)}) | {asked:.1f} |",
        f"| baseline: the same judgement, subject by subject (scaled from {len(sample)}) |"
        f" {alone:.1f} |",
        "",
        f"{judged:,} of {len(texts):,} subjects had a new passage holding enough of them to be"
        f" judged (`follow.MIN_COVERAGE`); {len(matches):,} were"
        f" answered, by {passages_sent:,} passages in all (median"
        f" {statistics.median([len(m.hits) for m in matches]) if matches else 0:g} each).",
        "",
        f"On the {len(sample)} subjects of the baselines, matching at once sent"
        f" {len(at_once):,} passages; subject by subject, the same judgement found"
        f" {len(one_by_one):,} ({len(at_once & one_by_one):,} the same); asking each as a"
        f" question quoted {len(by_asking & at_once):,} of them among its three.",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        (OUT / "result.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
