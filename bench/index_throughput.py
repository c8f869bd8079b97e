"""How fast briefbot indexes, through its CLI, next to bm25s, tantivy and FTS5, in the same run.

For each corpus (synthetic ones of 10,000 / 100,000 / 1,000,000 passages, and all of
Reuters-21578 as dated .txt briefings) it measures, each in its own process:

- through the CLI, as a maintainer runs it (`briefbot reindex`, start to exit): a first build,
  `--rebuild` of the same files, a reindex that finds nothing changed, then 1, 10 and 1,000
  files added (each one run); the peak memory of the whole process tree (the writer and its
  workers, their proportional set sizes summed, sampled every 20 ms from /proc) and the
  largest resident set of one of them;
- `briefbot ask` from start to answer (five runs, median), with briefbot's modules compiled
  to bytecode first, as an installed copy has them (`bench/bytecode.py`);
- with `--baseline PATH` (another version's `briefbot`, e.g. main's), its first build and
  `ask` too, in the same run;
- the peers, on the same passages (heading and text, taken back out of our index), each
  doing its own text work: bm25s with its tokenizer and PyStemmer, then `save`; tantivy with
  its `en_stem` tokenizer (its writer's default threads); FTS5 with the `porter` tokenizer,
  loaded by `executemany` and merged once;
- in-process: our text work alone (a whole build's reading, parsing, splitting and
  analysing, on one core), and adding one briefing through `reindex(paths=[file])` 200
  times, as `briefbot watch` does.

Run from the project folder, niced, since the machine is shared:

    nice -n 10 .venv/bin/python bench/index_throughput.py --sizes 10000,100000 --no-reuters
    nice -n 10 .venv/bin/python bench/index_throughput.py --sizes 1000000 --no-reuters \
        --baseline ../main/.venv/bin/briefbot
    nice -n 10 .venv/bin/python bench/index_throughput.py --sizes 100000 --turns 3 \
        --baseline ../main/.venv/bin/briefbot    # first builds only, taking turns with bm25s

The corpora are written to a temporary folder (removed afterwards unless --keep), never into
the repository: Reuters text may not be copied here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bytecode import compile_package

ROOT = Path(__file__).resolve().parents[1]
REUTERS = ROOT.parent / "shared" / "data" / "reuters-21578" / "docs.jsonl"
DOC = ROOT / "docs" / "benchmarks.md"
PASSAGES_PER_FILE = 10
#: Briefings added one at a time: 2,000 passages, so the postings fold that follows every
#: 2,000 added passages happens once among them.
ADDS = 200
PAST = 1_600_000_000  # settled files: modified long before they are indexed
COMMAND = "nice -n 10 .venv/bin/python bench/index_throughput.py"
BRIEFBOT = ROOT / ".venv" / "bin" / "briefbot"
ASK_RUNS = 5
QUESTION = "what did the council say about the harvest and the grain exports?"


# --- corpora ------------------------------------------------------------------------------------


def _pseudo_words(count: int) -> list[str]:
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    n = len(syllables)
    return [
        syllables[i % n] + syllables[(i // n) % n] + (syllables[i // (n * n)] if i >= n * n else "")
        for i in range(count)
    ]


_FUNCTION_WORDS = "the of and to in a said for on that was with by is at from it as".split()


def synthetic_corpus(folder: Path, passages: int, seed: int = 7) -> int:
    """Files of ten paragraphs of Zipf-distributed invented words, with a date lead each."""
    import numpy as np

    rng = np.random.default_rng(seed)
    vocab = np.array(_pseudo_words(60_000), dtype=object)
    weights = 1.0 / np.arange(1, len(vocab) + 1) ** 1.05
    cdf = np.cumsum(weights / weights.sum())
    folder.mkdir(parents=True, exist_ok=True)
    files = passages // PASSAGES_PER_FILE
    start = dt.date(2023, 1, 1)
    for f in range(files):
        lengths = rng.integers(45, 80, PASSAGES_PER_FILE)
        words = vocab[np.searchsorted(cdf, rng.random(int(lengths.sum())))]
        glue = rng.random(len(words)) < 0.35
        paragraphs, pos = [], 0
        for length in lengths:
            chunk = [
                (_FUNCTION_WORDS[i % len(_FUNCTION_WORDS)] + " " + w) if g else w
                for i, (w, g) in enumerate(
                    zip(words[pos : pos + length], glue[pos : pos + length], strict=True)
                )
            ]
            pos += length
            sentences = [chunk[i : i + 14] for i in range(0, len(chunk), 14)]
            paragraphs.append(" ".join(" ".join(s).capitalize() + "." for s in sentences))
        day = start + dt.timedelta(days=f % 700)
        path = folder / f"{f // 1000:03d}" / f"brief-{f:07d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(
            f"date {day} Section {f}\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8"
        )
        os.utime(path, (PAST, PAST))
    return files


def reuters_corpus(folder: Path) -> int:
    """Every Reuters item as `date YYYY-MM-DD`, its headline, then its text."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(REUTERS, encoding="utf-8") as f:
        for line in f:
            item = json.loads(line)
            number = int(item["id"].split("-")[1])
            body = f"date {item['date'][:10]}\n\n{item['title']}\n\n{item['text']}\n"
            path = folder / f"reuters-{number:05d}.txt"
            path.write_text(body, encoding="utf-8")
            os.utime(path, (PAST, PAST))
            count += 1
    return count


def new_briefing(seed: int) -> str:
    words = _pseudo_words(3000)[1000:]
    paragraphs = [
        " ".join(words[(seed * 131 + p * 17 + i * 7) % len(words)] for i in range(60)).capitalize()
        + "."
        for p in range(PASSAGES_PER_FILE)
    ]
    return f"date 2026-11-29 Added {seed}\n\n" + "\n\n".join(paragraphs) + "\n"


# --- through the CLI ------------------------------------------------------------------------------


def _tree_rss(pid: int) -> tuple[int, int]:
    """Memory in kB of a process and all its descendants, summed, and of the largest one. The
    sum counts each process's proportional share (Pss), so the pages forked workers share with
    the writer are counted once, not once per process as resident sizes would."""
    total = largest = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        largest = max(largest, int(line.split()[1]))
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total, largest


def cli(*args: str, briefbot: Path = BRIEFBOT) -> dict:
    """Run `briefbot ARGS`, timed from start to exit, with the peak memory of its tree."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(briefbot), *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            total, largest = _tree_rss(proc.pid)
            peak[0], peak[1] = max(peak[0], total), max(peak[1], largest)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    done.set()
    watcher.join()
    if proc.returncode not in (0, 1):  # 1: some files failed, which the report says
        raise RuntimeError(f"briefbot {' '.join(args)} failed: {err.decode()[-2000:]}")
    return {
        "seconds": seconds,
        # CPU of the command and of the workers it waited for, user and system
        "cpu": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        "tree_mb": peak[0] / 1024,
        "largest_mb": peak[1] / 1024,
        "summary": out.decode().strip().splitlines()[-1] if out.strip() else "",
    }


def _remove_index(db: Path) -> None:
    """An index file and its siblings (WAL, lock, a fresh build left beside it)."""
    for path in db.parent.glob(db.name + "*"):
        path.unlink()


def cli_runs(corpus: Path, db: Path, baseline: Path | None) -> dict:
    reindex = ["reindex", "--corpus", str(corpus), "--db", str(db), "--quiet"]
    out: dict = {}
    if baseline is not None:
        old_db = db.with_name("baseline.db")
        print("  baseline: first build", flush=True)
        out["baseline_build"] = cli(
            "reindex", "--corpus", str(corpus), "--db", str(old_db), "--quiet", briefbot=baseline
        )
        out["baseline_ask"] = [
            cli("ask", QUESTION, "--db", str(old_db), briefbot=baseline)["seconds"]
            for _ in range(ASK_RUNS)
        ]
        _remove_index(old_db)
    print("  first build", flush=True)
    _remove_index(db)  # one kept from an earlier run (--keep) would make this an update
    out["build"] = cli(*reindex)
    out["index_mb"] = db.stat().st_size / 1e6
    out["ask"] = [cli("ask", QUESTION, "--db", str(db))["seconds"] for _ in range(ASK_RUNS)]
    print("  --rebuild", flush=True)
    out["rebuild"] = cli(*reindex, "--rebuild")
    print("  no-change reindex", flush=True)
    out["no_change"] = [cli(*reindex)["seconds"] for _ in range(3)]
    added = corpus / "zz-added"
    added.mkdir()
    out["add"] = {}
    written = 0
    for n in (1, 10, 1000):
        print(f"  adding {n} files", flush=True)
        for _ in range(n):
            (added / f"added-{written:05d}.txt").write_text(new_briefing(written), encoding="utf-8")
            written += 1
        out["add"][str(n)] = cli(*reindex)
    shutil.rmtree(added)
    cli(*reindex)
    return out


# --- the peers and in-process figures, each in its own process -----------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _texts(path: str) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def child_text(corpus: str) -> dict:
    """The text work of a whole build without SQLite, on one core: every file read, hashed,
    parsed, split and analysed as a build's worker processes do it (`prepare.prepared`)."""
    from index.storage import prepare
    from index.storage.reindex import corpus_paths

    root = Path(corpus)
    started = time.perf_counter()
    count = 0
    for item in prepare.prepared(root, list(corpus_paths(root)), workers=0):
        count += len(item.passages)
    return {"seconds": time.perf_counter() - started, "passages": count}


def child_fts5(texts: str, db: str) -> dict:
    """FTS5 with its porter tokenizer, the same passages, executemany, one merge."""
    lines = _texts(texts)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -65536")
    conn.execute("CREATE VIRTUAL TABLE f USING fts5(text, tokenize = 'porter unicode61')")
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO f (text) VALUES (?)", ((t,) for t in lines))
    conn.execute("COMMIT")
    conn.execute("INSERT INTO f (f) VALUES ('optimize')")
    seconds = time.perf_counter() - started
    conn.close()
    return {"seconds": seconds, "peak_mb": _peak_mb(), "index_mb": os.path.getsize(db) / 1e6}


def child_bm25s(texts: str, folder: str) -> dict:
    """bm25s with its own tokenizer and English stopwords, stemmed by PyStemmer, then saved."""
    import bm25s
    import Stemmer

    lines = _texts(texts)
    started = time.perf_counter()
    tokens = bm25s.tokenize(
        lines, stopwords="en", stemmer=Stemmer.Stemmer("english"), show_progress=False
    )
    retriever = bm25s.BM25(k1=1.2, b=0.75)
    retriever.index(tokens, show_progress=False)
    retriever.save(folder)
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    return {"seconds": seconds, "peak_mb": _peak_mb(), "index_mb": size / 1e6}


def child_tantivy(texts: str, folder: str) -> dict:
    """tantivy with its `en_stem` tokenizer, committed and merged."""
    import tantivy

    lines = _texts(texts)
    Path(folder).mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("text", tokenizer_name="en_stem")
    index = tantivy.Index(builder.build(), path=folder)
    writer = index.writer(heap_size=128_000_000)
    for line in lines:
        writer.add_document(tantivy.Document(text=line))
    writer.commit()
    writer.wait_merging_threads()
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    return {"seconds": seconds, "peak_mb": _peak_mb(), "index_mb": size / 1e6}


def child_update(corpus: str, db: str) -> dict:
    """In-process: one briefing added through `reindex(paths=[file])`, ADDS times."""
    from index.storage.reindex import reindex

    added_dir = Path(corpus) / "zz-watch"
    added_dir.mkdir(exist_ok=True)
    add_one = []
    for seed in range(ADDS):
        path = added_dir / f"added-{seed}.txt"
        path.write_text(new_briefing(10_000 + seed), encoding="utf-8")
        started = time.perf_counter()
        report = reindex(corpus, db, paths=[path])
        add_one.append(time.perf_counter() - started)
        assert report.counts["added"] == 1, report.summary()
    shutil.rmtree(added_dir)
    reindex(corpus, db, paths=[added_dir])
    return {"add_one_ms": [s * 1000 for s in add_one]}


def run_child(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def dump_texts(db: Path, texts: Path) -> None:
    """Each passage as the peers index it: its heading and its text, on one line."""
    with sqlite3.connect(db) as conn, open(texts, "w", encoding="utf-8") as out:
        for heading, text in conn.execute("SELECT heading, text FROM passages ORDER BY id"):
            line = f"{heading} {text}" if heading else text
            out.write(" ".join(line.split()) + "\n")


def measure(
    name: str, corpus: Path, work: Path, baseline: Path | None, text_alone: bool = True
) -> dict:
    db, texts = work / "index.db", work / "texts.txt"
    print(f"[{name}] through the CLI", flush=True)
    runs = cli_runs(corpus, db, baseline)
    with sqlite3.connect(db) as conn:
        passages = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
        files = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        failed = conn.execute("SELECT count(*) FROM failures").fetchone()[0]
    print(f"[{name}] in-process: text work alone, adding one briefing {ADDS} times", flush=True)
    text = run_child("text", str(corpus)) if text_alone else None
    update = run_child("update", str(corpus), str(db))
    dump_texts(db, texts)
    peers = {}
    for peer in ("fts5", "bm25s", "tantivy"):
        print(f"[{name}] {peer}", flush=True)
        target = work / f"peer-{peer}"
        peers[peer] = run_child(peer, str(texts), str(target))
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
    texts.unlink()
    result = {
        "name": name,
        "passages": passages,
        "files": files,
        "failed": failed,
        "load": os.getloadavg()[0],  # one-minute load average when the corpus was done
        "cli": runs,
        "text": text,
        "update": update,
        "peers": peers,
    }
    print(json.dumps(result), flush=True)
    return result


def turns(corpus: Path, work: Path, baseline: Path | None, rounds: int) -> list[dict]:
    """First builds only, taking turns: `baseline` (if given), briefbot, then bm25s + save on
    the same passages, `rounds` times. This machine's speed wanders by a tenth from one minute
    to the next, so a ratio means most between builds run minutes apart, round by round."""
    db, texts = work / "turns.db", work / "texts.txt"
    out = []
    for n in range(1, rounds + 1):
        row: dict = {"round": n}
        for name, briefbot in (("baseline", baseline), ("briefbot", BRIEFBOT)):
            if briefbot is None:
                continue
            _remove_index(db)
            row[name] = cli(
                "reindex", "--corpus", str(corpus), "--db", str(db), "--quiet", briefbot=briefbot
            )
        if not texts.exists():
            dump_texts(db, texts)
        row["bm25s"] = run_child("bm25s", str(texts), str(work / "peer-bm25s"))
        shutil.rmtree(work / "peer-bm25s", ignore_errors=True)
        row["load"] = os.getloadavg()[0]
        builds = [
            f"{name} {r['seconds']:.1f} s (CPU {r['cpu']:.1f} s, {r['tree_mb']:.0f} MB)"
            for name in ("baseline", "briefbot")
            if (r := row.get(name))
        ]
        ratio = row["bm25s"]["seconds"] / row["briefbot"]["seconds"]
        print(
            f"round {n}: " + ", ".join(builds) + f"; bm25s + save {row['bm25s']['seconds']:.1f} s;"
            f" briefbot at {ratio:.2f}× bm25s's speed; load {row['load']:.2f}",
            flush=True,
        )
        out.append(row)
    texts.unlink(missing_ok=True)
    return out


# --- report -------------------------------------------------------------------------------------

PEERS = {
    "bm25s": "bm25s + save",
    "tantivy": "tantivy",
    "fts5": "FTS5 porter",
}


def _med(values: list[float]) -> float:
    return statistics.median(values)


def table(results: list[dict]) -> str:
    lines = [
        "| corpus | passages | briefbot `reindex`, first build (CLI) | "
        + " | ".join(PEERS.values())
        + " | ours ÷ bm25s | peak memory: ours (tree / largest process) · "
        + " / ".join(PEERS)
        + " | index size: ours · "
        + " / ".join(PEERS)
        + " |",
        "|---|---:|---:|" + "---:|" * len(PEERS) + "---:|---|---|",
    ]
    for r in results:
        b = r["cli"]["build"]
        rate = r["passages"] / b["seconds"]
        peers = [
            f"{p['seconds']:.1f} s ({r['passages'] / p['seconds']:,.0f}/s)"
            for p in (r["peers"][k] for k in PEERS)
        ]
        ratio = r["peers"]["bm25s"]["seconds"] / b["seconds"]
        memory = " / ".join(f"{r['peers'][k]['peak_mb']:,.0f}" for k in PEERS)
        sizes = " / ".join(f"{r['peers'][k]['index_mb']:,.0f}" for k in PEERS)
        lines.append(
            f"| {r['name']} | {r['passages']:,} | {b['seconds']:.1f} s ({rate:,.0f}/s) | "
            + " | ".join(peers)
            + f" | {ratio:.2f}× | {b['tree_mb']:,.0f} / {b['largest_mb']:,.0f} · {memory} MB"
            f" | {r['cli']['index_mb']:,.0f} · {sizes} MB |"
        )
    lines += [
        "",
        "| corpus | files | no-change reindex (CLI, median of 3) | add 1 file (CLI) | add 10 "
        "| add 1,000 | `--rebuild` (CLI) | `briefbot ask`, start to answer (median of "
        f"{ASK_RUNS}) | add one briefing, in-process (`paths`; median / 95th pct / max of "
        f"{ADDS}) | a build's text work alone, in-process (one core) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        c = r["cli"]
        adds = sorted(r["update"]["add_one_ms"])
        p95 = adds[int(0.95 * (len(adds) - 1))]
        lines.append(
            f"| {r['name']} | {r['files']:,} | {_med(c['no_change']):.2f} s "
            f"| {c['add']['1']['seconds']:.2f} s | {c['add']['10']['seconds']:.2f} s "
            f"| {c['add']['1000']['seconds']:.1f} s | {c['rebuild']['seconds']:.1f} s "
            f"| {_med(c['ask']):.2f} s | {_med(adds):.0f} / {p95:.0f} / {adds[-1]:.0f} ms "
            + (f"| {r['text']['seconds']:.1f} s |" if r["text"] else "| not run |")
        )
    if any("baseline_build" in r["cli"] for r in results):
        lines += [
            "",
            "| corpus | first build (CLI): before → now | peak memory (tree): before → now "
            "| `briefbot ask`: before → now |",
            "|---|---:|---:|---:|",
        ]
        for r in results:
            c = r["cli"]
            if "baseline_build" not in c:
                continue
            old, new = c["baseline_build"], c["build"]
            lines.append(
                f"| {r['name']} | {old['seconds']:.1f} s → {new['seconds']:.1f} s "
                f"({old['seconds'] / new['seconds']:.2f}× faster) "
                f"| {old['tree_mb']:,.0f} → {new['tree_mb']:,.0f} MB "
                f"| {_med(c['baseline_ask']):.2f} s → {_med(c['ask']):.2f} s |"
            )
    return "\n".join(lines)


def targets(results: list[dict]) -> str:
    """The issue's targets, checked against the runs that match them."""
    lines = []
    for r in results:
        b = r["cli"]["build"]
        bm25s = r["peers"]["bm25s"]["seconds"]
        if r["passages"] >= 100_000:
            met = "met" if b["seconds"] <= bm25s else "missed"
            lines.append(
                f"- First build at {r['passages']:,} passages through the CLI: {b['seconds']:.1f} s"
                f" against bm25s + save's {bm25s:.1f} s (target at least as fast: {met})."
            )
        if r["passages"] >= 1_000_000:
            met = "met" if b["tree_mb"] < 500 else "missed"
            lines.append(
                f"- Peak memory of the build at {r['passages']:,} passages: {b['tree_mb']:,.0f} MB"
                f" for the writer and its workers together, {b['largest_mb']:,.0f} MB the largest"
                f" one (target under 500 MB: {met})."
            )
            ask = _med(r["cli"]["ask"])
            lines.append(
                f"- `briefbot ask` at {r['passages']:,} passages, start to answer: {ask:.2f} s"
                f" (target under 0.5 s: {'met' if ask < 0.5 else 'missed'})."
            )
        if r["failed"]:
            lines.append(f"- {r['name']}: {r['failed']:,} files failed and were reported.")
    return "\n".join(lines)


def section(results: list[dict], command: str, note: str = "") -> str:
    notes = targets(results)
    loads = [r["load"] for r in results if "load" in r]
    if loads:
        notes += (
            f"\n- Load average on the 2 cores when each corpus was done: "
            f"{min(loads):.1f} to {max(loads):.1f}: other work shares the machine, so compare "
            "figures within a row (one run, one corpus), as ratios."
        )
    if note:
        notes += f"\n- {note}"
    return f"""`{command}`

Every briefbot figure in the tables is through the CLI (`briefbot reindex`, `briefbot ask`:
a new process, from start to exit, as a maintainer runs it) unless it says in-process. The
peers index the same passages (each passage's heading and text, taken back out of our index)
and do their own text work, each in its own process, timed in-process from text in memory to
a finished index on disk: bm25s (its tokenizer, English stopwords, PyStemmer) then `save`,
tantivy (`en_stem`, its writer's default threads), FTS5 (`porter` tokenizer, `executemany`,
one `optimize`). Peak memory of a briefbot command is the whole process tree (the writer and
its worker processes, their proportional set sizes summed, sampled every 20 ms) and the
largest resident set among them; a peer's is its process's. Synthetic files hold ten
paragraphs of invented, Zipf-distributed words (one passage each) behind a `date` lead. "Add
N files" writes N new ten-passage briefings, then runs `briefbot reindex`, which walks the
whole corpus. Times are wall-clock on 2 shared cores, niced.

{table(results)}

{notes}
"""


def write_section(text: str) -> None:
    """Put `text` at the head of docs/benchmarks.md's Indexing section, in place of the head
    there (up to the section's first `###`): the notes of earlier rounds below it stay."""
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    section = f"## Indexing\n\n{text.strip()}\n"
    pattern = re.compile(r"^## Indexing\n.*?(?=^#{2,3} |\Z)", re.DOTALL | re.MULTILINE)
    if pattern.search(doc):
        doc = pattern.sub(lambda _: section + "\n", doc, count=1).rstrip() + "\n"
    else:
        doc = doc.rstrip() + "\n\n" + section
    DOC.write_text(doc, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--no-reuters", action="store_true")
    parser.add_argument("--work", type=Path, help="Folder for corpora and indexes.")
    parser.add_argument("--keep", action="store_true", help="Keep the corpora and indexes.")
    parser.add_argument("--no-write", action="store_true", help="Do not touch docs/.")
    parser.add_argument("--baseline", type=Path, help="Another version's `briefbot` to compare.")
    parser.add_argument("--no-text", action="store_true", help="Skip the text work alone.")
    parser.add_argument(
        "--render", type=Path, help="Write docs/ from the result lines of an earlier run's output."
    )
    parser.add_argument("--note", default="", help="A sentence to add under the figures.")
    parser.add_argument(
        "--turns",
        type=int,
        help="Only first builds, N rounds taking turns with --baseline and bm25s; docs untouched.",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render:
        lines = args.render.read_text(encoding="utf-8").splitlines()
        results = [json.loads(line) for line in lines if line.startswith('{"name"')]
        print(table(results))
        if not args.no_write:
            write_section(section(results, COMMAND, args.note))
        return
    if args.child:
        mode, *rest = args.child
        sys.path.insert(0, str(ROOT))
        children = {"text": child_text, "fts5": child_fts5, "bm25s": child_bm25s}
        fn = {**children, "tantivy": child_tantivy, "update": child_update}[mode]
        print(json.dumps(fn(*rest)))
        return
    work = Path(args.work or tempfile.mkdtemp(prefix="briefbot-index-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    baseline = args.baseline.resolve() if args.baseline else None
    for briefbot in (BRIEFBOT, baseline):  # as installed copies have them (bench/bytecode.py)
        if briefbot is not None:
            compile_package(briefbot)
    results = []
    try:
        for size in (int(s) for s in args.sizes.split(",") if s):
            folder = work / f"synthetic-{size}"
            if not (folder / "corpus").is_dir():  # kept from an earlier run (--work, --keep)
                print(f"[{size:,}] writing the corpus", flush=True)
                synthetic_corpus(folder / "corpus", size)
            name = f"synthetic {size:,}"
            if args.turns:
                print(f"[{name}] first builds, taking turns", flush=True)
                turns(folder / "corpus", folder, baseline, args.turns)
            else:
                results.append(measure(name, folder / "corpus", folder, baseline, not args.no_text))
            if not args.keep:
                shutil.rmtree(folder)
        if not args.no_reuters and not args.turns:
            folder = work / "reuters"
            reuters_corpus(folder / "corpus")
            results.append(
                measure("Reuters-21578", folder / "corpus", folder, baseline, not args.no_text)
            )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if args.turns:
        return
    print()
    print(table(results))
    command = COMMAND + ("" if sys.argv[1:] == [] else " " + " ".join(sys.argv[1:]))
    if not args.no_write:
        write_section(section(results, command, args.note))
        print(f"\nwritten to {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
