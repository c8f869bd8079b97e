"""Build and query every engine on the same analysed terms, each in its own process.

    nice -n 10 .venv/bin/python -m bench.speed --sizes 10000,100000,1000000 \
        --corpus synthetic,newswire

Engines: briefbot `search` (top 10, with quote selection and without), the plain FTS5 `OR`
plan ranked by `bm25()` (and how often the two top 10s agree), rank_bm25.BM25Okapi scoring
every passage (up to 100,000 passages: at 1,000,000 it takes over a second a question and
1.6 GB), bm25s with its numpy and numba backends, and tantivy. Results accumulate in
bench/out/speed/results.json (a size and corpus measured again replaces its old figures);
`--report` only reads them and writes the tables (bench/out/speed/report.md) and the plots
(docs/speed-latency-vs-size.png, docs/speed-latency-1m.png).

`--first-answer N` measures only the time from a process's start to its first answer (`search`
with quotes and without) on the built index, N fresh processes each, and prints the median
and the range; the tables then give that median.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time

import numpy as np

from bench.speed import corpora

RESULTS = corpora.OUT / "results.json"
DOCS = corpora.ROOT / "docs"
BUILDS = ("briefbot", "bm25s", "tantivy")
ENGINES = (
    "briefbot+quotes",
    "briefbot",
    "fts5",
    "rank-bm25",
    "bm25s-numpy",
    "bm25s-numba",
    "tantivy",
)
LABELS = {
    "briefbot+quotes": "briefbot search + quotes",
    "briefbot": "briefbot search",
    "fts5": "plain FTS5 OR bm25()",
    "rank-bm25": "rank_bm25 BM25Okapi",
    "bm25s-numpy": "bm25s numpy",
    "bm25s-numba": "bm25s numba",
    "tantivy": "tantivy",
}
RANK_BM25_MAX = 100_000


def _run(engine: str, phase: str, name: str, size: int) -> dict:
    started = time.time()
    proc = subprocess.run(
        [sys.executable, "-m", "bench.speed.worker", engine, phase, name, str(size), repr(started)],
        capture_output=True,
        text=True,
        cwd=corpora.ROOT,
    )
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _load() -> dict:
    return json.loads(RESULTS.read_text()) if RESULTS.exists() else {}


def measure(name: str, size: int, engines: list[str], serve_only: bool = False) -> None:
    corpora.ensure(name, size)
    key = f"{name}/{size}"
    entry: dict = {}
    for engine in BUILDS:
        if any(e.startswith(engine) for e in engines) and not serve_only:
            print(f"{key}: building {engine}", flush=True)
            entry[f"build:{engine}"] = _run(engine, "build", name, size)
            print("  ", _short(entry[f"build:{engine}"]), flush=True)
    for engine in engines:
        if engine == "rank-bm25" and size > RANK_BM25_MAX:
            entry[engine] = {"skipped": "over a second a question and 1.6 GB at this size"}
            continue
        print(f"{key}: serving {engine}", flush=True)
        entry[engine] = _run(engine, "serve", name, size)
        print("  ", _short(entry[engine]), flush=True)
    results = _load()  # again: another run may have written meanwhile
    for engine in engines:  # first answers timed before this run are no longer current
        results.get(key, {}).pop(f"first:{engine}", None)
    results.setdefault(key, {}).update(entry)
    RESULTS.write_text(json.dumps(results))


def first_answers(name: str, size: int, engines: list[str], runs: int) -> None:
    """Start `runs` processes per briefbot engine, each answering one question and stopping."""
    key = f"{name}/{size}"
    entry: dict = {}
    for engine in (e for e in engines if e.startswith("briefbot")):
        walls, cpus = [], []
        for _ in range(runs):
            r = _run(engine, "first", name, size)
            if "error" in r:
                break
            walls.append(r["first_answer_s"])
            cpus.append(r["first_answer_cpu_s"])
        if not walls:
            continue
        entry[f"first:{engine}"] = {"wall_s": walls, "cpu_s": cpus}
        print(
            f"{key} {engine}: first answer median {_p(walls, 50):.3f} s"
            f" (range {min(walls):.3f} to {max(walls):.3f}, {len(walls)} runs),"
            f" CPU median {_p(cpus, 50):.3f} s (range {min(cpus):.3f} to {max(cpus):.3f})",
            flush=True,
        )
    results = _load()
    results.setdefault(key, {}).update(entry)
    RESULTS.write_text(json.dumps(results))


def _first(entry: dict, engine: str, r: dict) -> str:
    """The first-answer cell: the median of `--first-answer` runs if any, else the serve run's."""
    runs = entry.get(f"first:{engine}")
    if runs:
        return f"{_p(runs['wall_s'], 50):.2f} ({_p(runs['cpu_s'], 50):.2f})"
    cell = f"{r['first_answer_s']:.2f}"
    return cell + (f" ({r['first_answer_cpu_s']:.2f})" if "first_answer_cpu_s" in r else "")


def _short(r: dict) -> str:
    out = {k: v for k, v in r.items() if not isinstance(v, list)}
    if "latency_ms" in r:
        out["p50"], out["p99"] = _p(r["latency_ms"], 50), _p(r["latency_ms"], 99)
    return json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()})


def _p(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def _fmt(ms: float) -> str:
    return f"{ms:.2f}" if ms < 10 else f"{ms:.0f}" if ms >= 100 else f"{ms:.1f}"


def report() -> str:
    results = _load()
    lines = []
    names = sorted({k.split("/")[0] for k in results}, key=lambda n: n != "synthetic")
    for name in names:
        sizes = sorted(int(k.split("/")[1]) for k in results if k.startswith(name + "/"))
        lines += [f"### {name}", ""]
        for field, title in (
            ("cpu_ms", "CPU time per question (the process's own), p50 / p99, ms"),
            ("latency_ms", "Wall-clock latency, p50 / p99, ms (inflated by other work)"),
        ):
            lines += [f"{title}; exponent = slope of log p50 against log size:", ""]
            lines.append("| engine | " + " | ".join(f"{s:,}" for s in sizes) + " | exponent |")
            lines.append("|---|" + "---|" * (len(sizes) + 1))
            for engine in ENGINES:
                cells, xs, ys = [], [], []
                for s in sizes:
                    r = results[f"{name}/{s}"].get(engine, {})
                    if field in r:
                        p50, p99 = _p(r[field], 50), _p(r[field], 99)
                        cells.append(f"{_fmt(p50)} / {_fmt(p99)}")
                        xs.append(math.log(s))
                        ys.append(math.log(max(p50, 1e-3)))
                    else:
                        cells.append("skipped" if "skipped" in r else "–")
                slope = f"{np.polyfit(xs, ys, 1)[0]:.2f}" if len(xs) >= 2 else "–"
                lines.append(f"| {LABELS[engine]} | " + " | ".join(cells) + f" | {slope} |")
            lines.append("")
        big = max(sizes)
        entry = results[f"{name}/{big}"]
        lines += ["", f"At {big:,} passages:", ""]
        lines.append(
            "| engine | build s | index MB | peak MB building | peak MB serving |"
            " first answer s (CPU s) | CPU p50 / p99 ms | wall p50 / p99 ms |"
            " CPU p50 ÷ briefbot search's |"
        )
        lines.append("|---|---|---|---|---|---|---|---|---|")
        ours = entry.get("briefbot", {}).get("cpu_ms")
        ours_p50 = _p(ours, 50) if ours else float("nan")
        for engine in ENGINES:
            r = entry.get(engine, {})
            if "latency_ms" not in r:
                continue
            b = entry.get(f"build:{engine.split('-')[0].split('+')[0]}", {})
            if engine == "fts5":
                b = entry.get("build:briefbot", {})
            build_s = r.get("build_s", b.get("build_s"))
            if engine == "fts5":
                build_s = b.get("fts_build_s")
            size_mb = b.get("index_bytes", 0) / 1e6
            if engine == "fts5" and b.get("fts5_bytes"):
                size_mb = b["fts5_bytes"] / 1e6
            cpu = r.get("cpu_ms", r["latency_ms"])
            p50 = _p(cpu, 50)
            lines.append(
                f"| {LABELS[engine]} | {build_s:.1f} | "
                + (f"{size_mb:.0f}" if size_mb else "in memory")
                + f" | {b.get('peak_mb', r.get('peak_mb', 0)):.0f}"
                f" | {r.get('serving_peak_mb', r['peak_mb']):.0f}"
                f" | {_first(entry, engine, r)}"
                f" | {_fmt(p50)} / {_fmt(_p(cpu, 99))}"
                f" | {_fmt(_p(r['latency_ms'], 50))} / {_fmt(_p(r['latency_ms'], 99))}"
                f" | {p50 / ours_p50:.2f}× |"
            )
        runs = [entry[k]["wall_s"] for k in entry if k.startswith("first:")]
        if runs:
            counts = sorted({len(w) for w in runs})
            lines += [
                "",
                "First answer of briefbot's rows: median over"
                f" {' or '.join(map(str, counts))} fresh processes (`--first-answer`),"
                f" wall-clock range {min(map(min, runs)):.2f} to {max(map(max, runs)):.2f} s.",
            ]
        fts = entry.get("fts5", {})
        if "agree" in fts:
            lines += [
                "",
                f"Top 10 identical to the plain FTS5 plan: {fts['agree']:.1%} of questions"
                f" (same scores: {fts['agree_scores']:.1%}).",
            ]
        add = entry.get("briefbot", {}).get("add_ms")
        if add:
            lines.append(
                f"Adding one 20-passage briefing (`store.write_document`, {len(add)} in a row):"
                f" p50 {_p(add, 50):.1f} ms, p99 {_p(add, 99):.0f} ms, max {max(add):.0f} ms"
                " (the max is a fold of the recent passages into a segment, with a merge)."
                " bm25s can only rebuild from scratch:"
                f" {entry.get('build:bm25s', {}).get('build_s', float('nan')):.0f} s; rank-bm25"
                " likewise, in memory."
            )
        tadd = entry.get("tantivy", {}).get("add_ms")
        if tadd:
            lines.append(
                f"tantivy, 20 documents and a commit: p50 {_p(tadd, 50):.0f} ms,"
                f" max {max(tadd):.0f} ms."
            )
        lines += ["", *_shapes(name, big, entry), ""]
    return "\n".join(lines)


def _shapes(name: str, size: int, entry: dict) -> list[str]:
    """Latency by question shape, and the slowest questions, for briefbot search."""
    r = entry.get("briefbot", {})
    plain = entry.get("fts5", {})
    if "latency_ms" not in r:
        return []
    field = "cpu_ms" if "cpu_ms" in r else "latency_ms"
    questions = corpora.read_questions(corpora.paths(name, size)[2])
    out = [
        "| question shape (CPU ms) | n | search p50 / p99 | plain FTS5 p50 / p99 |",
        "|---|---|---|---|",
    ]
    for kind, label in (
        ("mixed", "real words, rare and common"),
        ("common", "3-5 of the 50 most frequent terms"),
    ):
        idx = [i for i, q in enumerate(questions) if q["kind"] == kind]
        ours = [r[field][i] for i in idx]
        theirs = [plain[field][i] for i in idx] if field in plain else []
        out.append(
            f"| {label} | {len(idx)} | {_fmt(_p(ours, 50))} / {_fmt(_p(ours, 99))} | "
            + (f"{_fmt(_p(theirs, 50))} / {_fmt(_p(theirs, 99))}" if theirs else "–")
            + " |"
        )
    slow = sorted(range(len(questions)), key=lambda i: -r[field][i])[:5]
    out += [
        "",
        "Slowest questions for briefbot search (CPU ms): "
        + "; ".join(f"`{' '.join(questions[i]['terms'])}` {r[field][i]:.1f}" for i in slow)
        + ".",
    ]
    return out


def plots() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = _load()
    names = sorted({k.split("/")[0] for k in results}, key=lambda n: n != "synthetic")
    fig, axes = plt.subplots(1, len(names), figsize=(6 * len(names), 4.5), squeeze=False)
    for ax, name in zip(axes[0], names, strict=True):
        sizes = sorted(int(k.split("/")[1]) for k in results if k.startswith(name + "/"))
        for engine in ENGINES:
            xs, ys = [], []
            for s in sizes:
                r = results[f"{name}/{s}"].get(engine, {})
                if "latency_ms" in r:
                    xs.append(s)
                    ys.append(_p(r.get("cpu_ms", r["latency_ms"]), 50))
            if xs:
                ax.plot(xs, ys, marker="o", label=LABELS[engine])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("passages")
        ax.set_ylabel("p50 CPU time per question, ms")
        ax.set_title(name)
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(DOCS / "speed-latency-vs-size.png", dpi=110)
    plt.close(fig)

    fig, axes = plt.subplots(1, len(names), figsize=(6 * len(names), 4.5), squeeze=False)
    for ax, name in zip(axes[0], names, strict=True):
        big = max(int(k.split("/")[1]) for k in results if k.startswith(name + "/"))
        for engine in ENGINES:
            r = results[f"{name}/{big}"].get(engine, {})
            if "latency_ms" in r:
                v = np.sort(r.get("cpu_ms", r["latency_ms"]))
                ax.plot(v, np.arange(1, len(v) + 1) / len(v), label=LABELS[engine])
        ax.set_xscale("log")
        ax.set_xlabel("CPU time per question, ms")
        ax.set_ylabel("share of questions answered within")
        ax.set_title(f"{name}, {big:,} passages")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(DOCS / "speed-latency-1m.png", dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--corpus", default="synthetic,newswire")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--report", action="store_true", help="only write tables and plots")
    parser.add_argument("--serve-only", action="store_true", help="reuse the built indexes")
    parser.add_argument(
        "--first-answer",
        type=int,
        metavar="N",
        help="only time the first answer of briefbot's engines, N processes each",
    )
    args = parser.parse_args()
    if not args.report:
        for name in args.corpus.split(","):
            for size in (int(s) for s in args.sizes.split(",")):
                if args.first_answer:
                    corpora.ensure(name, size)
                    first_answers(name, size, args.engines.split(","), args.first_answer)
                else:
                    measure(name, size, args.engines.split(","), args.serve_only)
    text = report()
    (corpora.OUT / "report.md").write_text(text)
    print(text)
    plots()


if __name__ == "__main__":
    main()
