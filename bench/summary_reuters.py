"""How long a newswire day takes to summarise, on Reuters-21578 (dated items, 400–650 a day).

The items are written as dated briefings into a temporary corpus and indexed with the real
pipeline, so each day is read back from the index exactly as the bot reads it
(`day_briefings`), then summarised (`summarise`). Per day: items, sentences, the time to read
and to summarise, and the digest's shape.

Baseline, in the same run: the same sentence centralities computed the obvious way, one
`rank_bm25.BM25Okapi.get_scores` call per sentence of the day (timed on a sample of sentences
and scaled to the day); the sample's centralities are also checked against ours.

Run: `nice .venv/bin/python bench/summary_reuters.py [--days N] [--sample DAY]`.
Reuters-21578 is research-only text: print excerpts, do not store them in the repository.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from rank_bm25 import BM25Okapi  # noqa: E402

from index.storage import store  # noqa: E402
from index.storage.reindex import reindex  # noqa: E402
from index.summary import _Corpus, day_briefings, summarise  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "reuters-21578"
FULL_DAY = 400  # items: days below this are weekends or the partial first and last days


def write_corpus(data: Path, folder: Path) -> dict[str, int]:
    """One Markdown briefing per item with text, in a folder per day; items per day."""
    per_day: dict[str, int] = defaultdict(int)
    with open(data / "docs.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if not d["text"].strip():
                continue  # headline-only items
            day = d["date"][:10]
            per_day[day] += 1
            title = " ".join(d["title"].split()).replace('"', "'") or d["id"]
            target = folder / day / f"{d['id']}.md"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(
                f'---\ntitle: "{title}"\ndate: {day}\nsource: Reuters\n---\n\n{d["text"]}\n',
                encoding="utf-8",
            )
    return dict(per_day)


def naive_centrality(corpus: _Corpus, sample: list[int]) -> tuple[float, np.ndarray]:
    """Seconds per sentence, and the sample's out-of-briefing centralities (i as query only),
    with rank-bm25 scoring each sentence as a query against the whole day."""
    model = BM25Okapi(corpus.terms)
    owner = np.asarray(corpus.owner)
    out = np.zeros(len(sample))
    started = time.perf_counter()
    for k, i in enumerate(sample):
        scores = model.get_scores(corpus.terms[i])
        out[k] = scores[owner != owner[i]].sum()
    return (time.perf_counter() - started) / len(sample), out


def ours_out_centrality(corpus: _Corpus, sample: list[int]) -> np.ndarray:
    """The same quantity from our per-term sums: sentence i as the query only."""
    owner = np.asarray(corpus.owner)
    out = np.zeros(len(sample))
    for k, i in enumerate(sample):
        mine = corpus.weights(i)
        for j in np.flatnonzero(owner != owner[i]):
            theirs = corpus.weights(int(j))
            out[k] += sum(q * theirs[c][1] for c, (q, _) in mine.items() if c in theirs)
    return out


def excerpt(summary, groups: int = 3, quote_chars: int = 160) -> str:
    """A short excerpt of a day's digest: a few groups, each quote cut short."""
    lines = [f"{summary.briefings} briefings, {len(summary.groups)} stories; the first {groups}:"]
    for g in summary.groups[:groups]:
        lines.append(f"- {g.lead.briefing.title} ({g.size} briefings)")
        for q in g.lead.quotes[:2]:
            q = " ".join(q.split())
            lines.append(f"    > {q[:quote_chars]}{'…' if len(q) > quote_chars else ''}")
        if g.subject:
            lines.append(f"    shared subject: {', '.join(g.subject)}")
        for r in g.related[:3]:
            lines.append(f"    related: {r.briefing.title}")
        if len(g.related) > 3:
            lines.append(f"    … and {len(g.related) - 3} more")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, help="only the first N full days")
    parser.add_argument("--sample", default="1987-03-02", help="day to print an excerpt of")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        corpus_dir = Path(tmp) / "corpus"
        per_day = write_corpus(DATA, corpus_dir)
        started = time.perf_counter()
        report = reindex(corpus_dir, Path(tmp) / "index.db")
        print(f"indexed {report.summary()} in {time.perf_counter() - started:.0f} s")
        conn = store.connect(Path(tmp) / "index.db")
        days = sorted(d for d, n in per_day.items() if n >= FULL_DAY)[: args.days]
        print("\n| day | briefings | sentences | read s | summarise s | stories | largest |")
        print("|---|---|---|---|---|---|---|")
        timings = []
        sample_summary = None
        for day in days:
            t0 = time.perf_counter()
            briefings = day_briefings(conn, dt.date.fromisoformat(day))
            t1 = time.perf_counter()
            summary = summarise(briefings, day=dt.date.fromisoformat(day))
            t2 = time.perf_counter()
            sentences = sum(len(b.sentences) for b in briefings)
            largest = max(g.size for g in summary.groups)
            timings.append((day, briefings, sentences, t1 - t0, t2 - t1))
            print(
                f"| {day} | {len(briefings)} | {sentences} | {t1 - t0:.2f} | {t2 - t1:.2f} "
                f"| {len(summary.groups)} | {largest} |"
            )
            if day == args.sample:
                sample_summary = summary
        summarise_s = [t[4] for t in timings]
        print(
            f"\nsummarise: median {np.median(summarise_s):.2f} s, "
            f"max {max(summarise_s):.2f} s over {len(timings)} days"
        )
        # The baseline on the busiest day.
        day, briefings, sentences, _, ours_s = max(timings, key=lambda t: t[2])
        corpus = _Corpus(briefings)
        rng = np.random.default_rng(0)
        sample = sorted(rng.choice(corpus.n, size=min(50, corpus.n), replace=False).tolist())
        per_sentence, naive = naive_centrality(corpus, sample)
        check = ours_out_centrality(corpus, sample)
        agree = np.allclose(naive, check, rtol=1e-6, atol=1e-6)
        t0 = time.perf_counter()
        corpus.centrality()
        centrality_s = time.perf_counter() - t0
        print(
            f"\nbusiest day {day}: {sentences} sentences. Day centrality from per-term sums "
            f"{centrality_s:.3f} s; one rank-bm25 get_scores per sentence "
            f"{per_sentence * 1000:.1f} ms x {corpus.n} = {per_sentence * corpus.n:.0f} s "
            f"({per_sentence * corpus.n / centrality_s:.0f}x slower; whole summary {ours_s:.2f} s)."
            f" Sample of {len(sample)} centralities agree with rank-bm25: {agree}"
        )
        if sample_summary is not None:
            print(f"\nsample, {args.sample}:\n{excerpt(sample_summary)}")
        conn.close()


if __name__ == "__main__":
    main()
