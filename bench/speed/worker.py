"""One engine, one phase, in a process of its own, so its peak memory is its own.

`python -m bench.speed.worker ENGINE PHASE CORPUS SIZE STARTED` prints one JSON object.
PHASE is `build` (index the corpus, report time, size and peak memory), `serve` (open the
index, answer the questions, report time to the first answer from STARTED, the moment the
parent started this process, latencies and peak memory) or `first` (briefbot engines only:
open the index, answer the first question, report the time to it and stop). rank-bm25 keeps
no index on disk, so its `serve` builds in memory first, as an application using it would.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import sqlite3
import sys
import time
from pathlib import Path

from bench.speed import corpora

ADD_BRIEFINGS = 220  # 4,400 passages: four folds into segments, and a merge of those
BRIEFING_PASSAGES = 20


def _maxrss_mb() -> float:
    """Peak resident memory of this program. VmHWM starts afresh at exec, where ru_maxrss
    keeps the peak of the parent the process was forked from."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _dir_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _rmtree(path: Path) -> None:
    import shutil  # builds only: a serving worker's clock starts before its imports

    shutil.rmtree(path, ignore_errors=True)


def index_path(engine: str, name: str, size: int) -> Path:
    base = corpora.OUT / "indexes" / f"{name}-{size}"
    return base / {"briefbot": "index.db", "bm25s": "bm25s", "tantivy": "tantivy"}[engine]


def _spans(text: str) -> tuple[str, list[tuple[int, int]]]:
    spans, at, parts = [], 0, text.split("\t")
    for i, s in enumerate(parts):
        spans.append((at, at + len(s)))
        at += len(s) + (1 if i < len(parts) - 1 else 0)
    return " ".join(parts), spans


# ---------------------------------------------------------------------------------- builds


def build_briefbot(name: str, size: int) -> dict:
    """The index file as a reindex leaves it: documents, passages, FTS5, postings."""
    from index.storage import postings, store

    terms_path, text_path, _ = corpora.ensure(name, size)
    path = index_path("briefbot", name, size)
    _rmtree(path.parent / "briefbot-tmp")
    if path.exists():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    conn = store.connect(path, create=True)
    conn.execute("BEGIN")
    day0 = dt.date(2020, 1, 1)
    with open(terms_path, encoding="utf-8") as tf, open(text_path, encoding="utf-8") as xf:
        doc = 0
        batch_docs, batch_passages, batch_fts = [], [], []
        for pid, (terms_line, text_line) in enumerate(zip(tf, xf, strict=True), start=1):
            if (pid - 1) % BRIEFING_PASSAGES == 0:
                doc += 1
                date = (day0 + dt.timedelta(days=doc // 3)).isoformat()
                batch_docs.append(
                    (doc, f"b{doc:07d}.md", "x", 0, 0, f"Briefing {doc}", date, "[]", 20, "")
                )
            text, spans = _spans(text_line.rstrip("\n"))
            terms = terms_line.split()
            batch_passages.append(
                (
                    pid,
                    doc,
                    pid % BRIEFING_PASSAGES,
                    text,
                    0,
                    len(text),
                    json.dumps(spans),
                    len(terms),
                )
            )
            batch_fts.append((pid, " ".join(terms)))
            if len(batch_fts) >= 20_000:
                _flush(conn, batch_docs, batch_passages, batch_fts)
        _flush(conn, batch_docs, batch_passages, batch_fts)
    fts_seconds = time.perf_counter() - started
    postings.rebuild(conn)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    sizes = {}
    try:
        for table, pages in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            sizes[table] = pages
    except sqlite3.DatabaseError:
        pass
    conn.close()
    fts_bytes = sum(v for k, v in sizes.items() if k.startswith("passages_fts"))
    post_bytes = sum(v for k, v in sizes.items() if k.startswith("postings"))
    return {
        "build_s": time.perf_counter() - started,
        "fts_build_s": fts_seconds,
        "index_bytes": _dir_size(path),
        "fts5_bytes": fts_bytes,
        "postings_bytes": post_bytes,
    }


def _flush(conn, docs, passages, fts) -> None:
    conn.executemany(
        "INSERT INTO documents (id, path, sha256, size, mtime_ns, title, date, warnings,"
        " passages, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        docs,
    )
    conn.executemany(
        "INSERT INTO passages (id, document_id, ordinal, text, start, end, sentences, length)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        passages,
    )
    conn.executemany("INSERT INTO passages_fts (rowid, terms) VALUES (?, ?)", fts)
    docs.clear()
    passages.clear()
    fts.clear()


def build_bm25s(name: str, size: int) -> dict:
    import bm25s

    terms_path, _, _ = corpora.ensure(name, size)
    corpus = corpora.read_terms(terms_path)
    path = index_path("bm25s", name, size)
    _rmtree(path)
    started = time.perf_counter()
    model = bm25s.BM25(k1=1.2, b=0.75)
    model.index(corpus, show_progress=False)
    built = time.perf_counter() - started
    model.save(path, show_progress=False)
    return {"build_s": built, "index_bytes": _dir_size(path)}


def build_tantivy(name: str, size: int) -> dict:
    import tantivy

    terms_path, _, _ = corpora.ensure(name, size)
    path = index_path("tantivy", name, size)
    _rmtree(path)
    path.mkdir(parents=True)
    started = time.perf_counter()
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("terms", tokenizer_name="whitespace")
    index = tantivy.Index(builder.build(), path=str(path))
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    with open(terms_path, encoding="utf-8") as f:
        for line in f:
            writer.add_document(tantivy.Document(terms=line.rstrip("\n")))
    writer.commit()
    writer.wait_merging_threads()
    return {"build_s": time.perf_counter() - started, "index_bytes": _dir_size(path)}


# ---------------------------------------------------------------------------------- serving


CPU_MS: list[float] = []  # per question, filled by _timed beside the wall-clock times
FIRST_CPU: list[float] = []  # CPU seconds from process start to the first answer


def _timed(questions: list[dict], ask) -> list[float]:
    """Wall-clock ms per question; CPU ms of this process (all its threads) into CPU_MS, which
    is what a question costs when other work competes for the cores."""
    for q in questions[:50]:  # warm caches as a running bot would have
        ask(q["terms"])
    out = []
    CPU_MS.clear()
    for q in questions:
        c, t = time.process_time(), time.perf_counter()
        ask(q["terms"])
        out.append((time.perf_counter() - t) * 1000)
        CPU_MS.append((time.process_time() - c) * 1000)
    return out


def serve_briefbot(
    name: str, size: int, started: float, quotes: bool, first_only: bool = False
) -> dict:
    from index.questions import quote
    from index.storage import store
    from index.storage.search import search

    path = index_path("briefbot", name, size)
    questions = corpora.read_questions(corpora.paths(name, size)[2])
    conn = store.connect(path)

    def ask(terms):
        hits = search(conn, terms, k=10)
        if quotes:
            for h in hits:
                quote.choose(h.text, h.sentences, terms)
        return hits

    ask(questions[0]["terms"])
    first = time.time() - started
    FIRST_CPU.append(time.process_time())
    if first_only:
        conn.close()
        return {"first_answer_s": first}
    latencies = _timed(questions, ask)
    result = {"first_answer_s": first, "latency_ms": latencies}
    if not quotes:  # a reindex's work, not the bot's: its memory is not the bot's either
        result["serving_peak_mb"] = _maxrss_mb()
        result["add_ms"] = _add_briefings(conn, name, size)
    conn.close()
    return result


def _add_briefings(conn, name: str, size: int) -> list[float]:
    """Write ADD_BRIEFINGS briefings through `store.write_document`, each timed, then roll
    them back so the index stays as built."""
    from index.files.documents import Document
    from index.files.passages import Passage
    from index.storage import store

    _, text_path, _ = corpora.paths(name, size)
    texts = []
    with open(text_path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= ADD_BRIEFINGS * BRIEFING_PASSAGES:
                break
            texts.append(line.rstrip("\n"))
    timings = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for b in range(ADD_BRIEFINGS):
            passages = []
            for o, line in enumerate(texts[b * BRIEFING_PASSAGES : (b + 1) * BRIEFING_PASSAGES]):
                text, spans = _spans(line)
                passages.append(Passage(o, None, text, 0, len(text), tuple(spans)))
            doc = Document(f"added/{b}.md", f"Added {b}", dt.date(2030, 1, 1), "", [])
            t = time.perf_counter()
            store.write_document(conn, doc, passages, sha256="x", size=0, mtime_ns=0)
            timings.append((time.perf_counter() - t) * 1000)
    finally:
        conn.execute("ROLLBACK")
    return timings


def serve_fts5(name: str, size: int, started: float) -> dict:
    """The plain plan (FTS5 `OR` ranked by bm25()), and how often the fast plan agrees."""
    from index.storage import postings, store
    from index.storage.search import Filters, fetch, rank_fts5

    path = index_path("briefbot", name, size)
    questions = corpora.read_questions(corpora.paths(name, size)[2])
    conn = store.connect(path)

    ranked: dict[tuple, list] = {}

    def ask(terms):
        ranked[tuple(terms)] = plain = rank_fts5(conn, terms, 10, Filters())
        return fetch(conn, plain)

    ask(questions[0]["terms"])
    first = time.time() - started
    FIRST_CPU.append(time.process_time())
    latencies = _timed(questions, ask)
    same = same_scores = 0
    for q in questions:
        plain = ranked[tuple(q["terms"])]
        fast = postings.rank(conn, q["terms"], 10)
        same += [p for p, _ in plain] == [p for p, _ in fast]
        same_scores += all(
            abs(a - b) <= 1e-9 * abs(a) for (_, a), (_, b) in zip(plain, fast, strict=True)
        ) and len(plain) == len(fast)
    conn.close()
    return {
        "first_answer_s": first,
        "latency_ms": latencies,
        "agree": same / len(questions),
        "agree_scores": same_scores / len(questions),
    }


def serve_rank_bm25(name: str, size: int, started: float) -> dict:
    import numpy as np
    from rank_bm25 import BM25Okapi

    terms_path, _, q_path = corpora.paths(name, size)
    questions = corpora.read_questions(q_path)[:60]
    t = time.perf_counter()
    model = BM25Okapi(corpora.read_terms(terms_path), k1=1.2, b=0.75)
    build = time.perf_counter() - t

    def ask(terms):
        scores = model.get_scores(terms)
        return np.argpartition(-scores, 10)[:10]

    ask(questions[0]["terms"])
    first = time.time() - started
    FIRST_CPU.append(time.process_time())
    questions = questions[:10] + questions  # _timed warms on the first 50
    return {"first_answer_s": first, "latency_ms": _timed(questions, ask)[10:], "build_s": build}


def serve_bm25s(name: str, size: int, started: float, backend: str) -> dict:
    import bm25s

    questions = corpora.read_questions(corpora.paths(name, size)[2])
    model = bm25s.BM25.load(index_path("bm25s", name, size), backend=backend)
    vocab = model.vocab_dict

    def ask(terms):
        known = [t for t in terms if t in vocab]
        if not known:
            return None
        return model.retrieve(
            [known], k=10, show_progress=False, n_threads=0, backend_selection=backend
        )

    ask(questions[0]["terms"])
    first = time.time() - started
    FIRST_CPU.append(time.process_time())
    return {"first_answer_s": first, "latency_ms": _timed(questions, ask)}


def serve_tantivy(name: str, size: int, started: float) -> dict:
    import tantivy

    questions = corpora.read_questions(corpora.paths(name, size)[2])
    index = tantivy.Index.open(str(index_path("tantivy", name, size)))
    searcher = index.searcher()

    def ask(terms):
        query = index.parse_query(" ".join(terms), ["terms"])
        return searcher.search(query, 10).hits

    ask(questions[0]["terms"])
    first = time.time() - started
    FIRST_CPU.append(time.process_time())
    result = {"first_answer_s": first, "latency_ms": _timed(questions, ask)}
    # Adding a briefing: 20 documents and a commit, five times; then they are deleted again.
    terms_path = corpora.paths(name, size)[0]
    with open(terms_path, encoding="utf-8") as f:
        lines = [next(f).rstrip("\n") for _ in range(5 * BRIEFING_PASSAGES)]
    writer = index.writer(heap_size=50_000_000, num_threads=1)
    adds = []
    for b in range(5):
        t = time.perf_counter()
        for line in lines[b * BRIEFING_PASSAGES : (b + 1) * BRIEFING_PASSAGES]:
            writer.add_document(tantivy.Document(terms="zzbenchadded " + line))
        writer.commit()
        adds.append((time.perf_counter() - t) * 1000)
    writer.delete_documents_by_term("terms", "zzbenchadded")
    writer.commit()
    writer.wait_merging_threads()
    result["add_ms"] = adds
    return result


def main(argv: list[str]) -> None:
    engine, phase, name, size, started = argv[0], argv[1], argv[2], int(argv[3]), float(argv[4])
    if phase == "build":
        result = {
            "briefbot": build_briefbot,
            "bm25s": build_bm25s,
            "tantivy": build_tantivy,
        }[engine](name, size)
    elif phase == "first":  # only the time to the first answer, for repeated runs
        quotes = {"briefbot": False, "briefbot+quotes": True}[engine]
        result = serve_briefbot(name, size, started, quotes, first_only=True)
    else:
        result = {
            "briefbot": lambda: serve_briefbot(name, size, started, quotes=False),
            "briefbot+quotes": lambda: serve_briefbot(name, size, started, quotes=True),
            "fts5": lambda: serve_fts5(name, size, started),
            "rank-bm25": lambda: serve_rank_bm25(name, size, started),
            "bm25s-numpy": lambda: serve_bm25s(name, size, started, "numpy"),
            "bm25s-numba": lambda: serve_bm25s(name, size, started, "numba"),
            "tantivy": lambda: serve_tantivy(name, size, started),
        }[engine]()
    if FIRST_CPU:
        result["first_answer_cpu_s"] = FIRST_CPU[0]
    if CPU_MS:
        result["cpu_ms"] = list(CPU_MS)
        if engine == "rank-bm25":
            result["cpu_ms"] = result["cpu_ms"][10:]
    result["peak_mb"] = _maxrss_mb()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
