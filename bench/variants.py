"""Understanding questions, measured on SQuAD v1.1 dev: misspelt names and rare words, the
unchanged questions beside them, the threshold for "nothing answers it", and the added time.

    nice -n 10 .venv/bin/python bench/variants.py quality [--write]
    nice -n 10 .venv/bin/python bench/variants.py latency [--write] [--keep DIR]

`quality` indexes SQuAD's 2,067 paragraphs (one briefing each, through `reindex`) and asks:

- **The variant set.** Each question gets one name or rare word misspelt, by this procedure,
  seeded per question (`random.Random(f"{SEED}:{question id}")`), so the set is the same on
  every run:
  1. Candidate words: letters only, 5 or more of them, not a stopword, whose term is in the
     question's gold paragraph (so that the word matters to finding it), and that are either
     a name (capitalised, not the question's first word) or rare (in at most `RARE_DF`
     paragraphs). A question with no candidate is left out of the set (the count is printed).
  2. One candidate is drawn, then one of the edits that apply to it, then a place for it:
     a vowel for another (a/e/i/o/u/y); a vowel pair respelt (ei/ai, ie/ei, ou/u, oo/u, ee/i,
     ae/e, ia/iya); a consonant doubled or a double one made single; a transliteration swap
     (ph/f, kh/h, c/k, ck/k, w/v, v/w, x/ks, z/s, s/z, j/dj); a letter dropped (not the
     first); two neighbouring letters swapped (not the first); a letter replaced by a QWERTY
     neighbour. An edit that the analyser would undo (same term) or that gives a stopword is
     drawn again, up to 20 times.
  Recall@1 is whether the top passage is in the gold paragraph, for the plain pipeline (the
  question's terms into `search`, as before this work) and for the question read by
  `understand` and ranked by `query`, on the misspelt questions and on the same questions
  unchanged, and on every SQuAD question unchanged.
- **Questions it cannot answer.** `bench/unanswerable_squad.jsonl` holds 50 questions about
  SQuAD's own topics, each with word groups an answering paragraph would have to hold
  together; the run checks that no paragraph does. For thresholds on `query.coverage` (the
  share of the question's idf weight in the passage `Index.answer` would quote first: the
  best of `rerank.DEPTH`, re-ranked), it prints the false-answer rate on
  those 50 against the answered rate (and answered-and-right rate) on SQuAD's questions, and
  picks the threshold on the tuning half of SQuAD's articles (the split `bench/quality` uses):
  the highest threshold that keeps at least `KEEP` of the questions the plain pipeline gets
  right. The figures beside it come from the held-out half.

`latency` builds an index of 100,000 passages of real text (SQuAD, SciFact, BBC News and
Reuters-21578 paragraphs, cycled with new dates until there are enough; written to a temporary
folder, never into the repository), then times each SQuAD question (unchanged and misspelt)
through the old answer path (terms, `search`, `quote.choose`) and through `Index.answer`,
interleaved, and reports p50/p95 of each and of the difference.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index import analysis  # noqa: E402
from index.questions import query, rerank, understand  # noqa: E402
from index.questions.answer import Index  # noqa: E402
from index.questions.quote import choose  # noqa: E402
from index.storage import vocabulary  # noqa: E402
from index.storage.reindex import reindex  # noqa: E402
from index.storage.search import question_terms, search  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
SQUAD = DATA / "squad-v1.1-dev"
UNANSWERABLE = Path(__file__).with_name("unanswerable_squad.jsonl")
DOC = ROOT / "docs" / "benchmarks.md"
SEED = 20261101  # the same article split as bench/quality
RARE_DF = 10
KEEP = 0.98
THRESHOLDS = [round(0.025 * i, 3) for i in range(0, 40)]
LATENCY_PASSAGES = 100_000

_VOWELS = "aeiouy"
_PAIRS = [("ei", "ai"), ("ie", "ei"), ("ou", "u"), ("oo", "u"), ("ee", "i"), ("ae", "e"),
          ("ia", "iya"), ("ai", "ei")]  # fmt: skip
_SWAPS = [("ph", "f"), ("kh", "h"), ("c", "k"), ("ck", "k"), ("w", "v"), ("v", "w"),
          ("x", "ks"), ("z", "s"), ("s", "z"), ("j", "dj")]  # fmt: skip
_QWERTY = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
_WORD = re.compile(r"[A-Za-z]+")


# --- the data -----------------------------------------------------------------------------------


def _jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def squad() -> tuple[list[dict], list[dict]]:
    docs = _jsonl(SQUAD / "docs.jsonl")
    questions = _jsonl(SQUAD / "questions.jsonl")
    for q in questions:
        q["question"] = q["question"].strip()
        q["article"] = q["doc_id"].split("#")[0]
    return docs, questions


def split(questions: list[dict]) -> tuple[list[dict], list[dict]]:
    """SQuAD's questions halved by article, as bench/quality halves them."""
    articles = sorted({q["article"] for q in questions})
    random.Random(SEED).shuffle(articles)
    tune = set(articles[: len(articles) // 2])
    return [q for q in questions if q["article"] in tune], [
        q for q in questions if q["article"] not in tune
    ]


def build_squad(folder: Path, docs: list[dict]) -> tuple[Path, dict[str, str]]:
    """SQuAD's paragraphs as undated briefings, indexed through `reindex`."""
    corpus = folder / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    by_path = {}
    for n, d in enumerate(docs):
        name = f"{n:04d}.md"
        title = d["title"].replace('"', "'")
        text = f'---\ntitle: "{title}"\n---\n\n{d["text"]}\n'
        (corpus / name).write_text(text, encoding="utf-8")
        by_path[name] = d["id"]
    db = folder / "index.db"
    reindex(corpus, db)
    return db, by_path


# --- the misspellings ---------------------------------------------------------------------------


def _edits(word: str) -> list[tuple[str, list[int]]]:
    """The edits that apply to `word`, each with the places it may go."""
    w = word.lower()
    n = len(w)
    out = []
    vowels = [i for i, c in enumerate(w) if c in _VOWELS]
    if vowels:
        out.append(("vowel", vowels))
    pairs = [i for i in range(n - 1) for a, _ in _PAIRS if w.startswith(a, i)]
    if pairs:
        out.append(("pair", pairs))
    singles = [i for i in range(1, n) if w[i] not in _VOWELS and w[i] != w[i - 1]]
    doubles = [i for i in range(1, n) if w[i] == w[i - 1]]
    if singles or doubles:
        out.append(("double", singles + doubles))
    swaps = [i for i in range(n) for a, _ in _SWAPS if w.startswith(a, i)]
    if swaps:
        out.append(("translit", swaps))
    out.append(("drop", list(range(1, n))))
    out.append(("transpose", [i for i in range(1, n - 1) if w[i] != w[i + 1]]))
    out.append(("keyboard", list(range(1, n))))
    return [(name, places) for name, places in out if places]


def _apply(word: str, edit: str, i: int, rng: random.Random) -> str:
    w = word
    if edit == "vowel":
        options = [v for v in "aeiou" if v != w[i].lower()]
        return w[:i] + _case(w[i], rng.choice(options)) + w[i + 1 :]
    if edit == "pair":
        options = [(a, b) for a, b in _PAIRS if w.lower().startswith(a, i)]
        a, b = rng.choice(options)
        return w[:i] + _case(w[i], b) + w[i + len(a) :]
    if edit == "double":
        if i > 0 and w[i].lower() == w[i - 1].lower():
            return w[:i] + w[i + 1 :]
        return w[: i + 1] + w[i] + w[i + 1 :]
    if edit == "translit":
        options = [(a, b) for a, b in _SWAPS if w.lower().startswith(a, i)]
        a, b = rng.choice(options)
        return w[:i] + _case(w[i], b) + w[i + len(a) :]
    if edit == "drop":
        return w[:i] + w[i + 1 :]
    if edit == "transpose":
        return w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    c = w[i].lower()
    row = next((r for r in _QWERTY if c in r), None)
    if row is None:
        return w
    j = row.index(c)
    near = [row[k] for k in (j - 1, j + 1) if 0 <= k < len(row)]
    return w[:i] + _case(w[i], rng.choice(near)) + w[i + 1 :]


def _case(original: str, new: str) -> str:
    return new[:1].upper() + new[1:] if original.isupper() else new


def misspell(q: dict, gold_terms: set[str], df: dict[str, int]) -> tuple[str, str, str] | None:
    """(question with one word misspelt, the word, its misspelling), or None."""
    rng = random.Random(f"{SEED}:{q['id']}")
    text = q["question"]
    matches = list(_WORD.finditer(text))
    candidates = []
    for n, m in enumerate(matches):
        w = m.group()
        t = analysis.term(w)
        if len(w) < 5 or t is None or t not in gold_terms:
            continue
        if (n > 0 and w[0].isupper()) or df.get(t, 0) <= RARE_DF:
            candidates.append(m)
    if not candidates:
        return None
    m = rng.choice(candidates)
    word = m.group()
    for _ in range(20):
        edit, places = rng.choice(_edits(word))
        wrong = _apply(word, edit, rng.choice(places), rng)
        t = analysis.term(wrong)
        if wrong != word and t is not None and t != analysis.term(word):
            return text[: m.start()] + wrong + text[m.end() :], word, wrong
    return None


# --- measuring ----------------------------------------------------------------------------------


def top_plain(conn, question: str) -> tuple[int, float] | None:
    hits = search(conn, question_terms(question), 1)
    return (hits[0].document, hits[0].score) if hits else None


def top_read(conn, question: str, vocab, reranked: bool = False) -> tuple[str | None, float]:
    """The top passage's briefing and its coverage, as `query.search` ranks it: what
    understanding the question gains, before the re-ranker. `reranked`: the passage
    `Index.answer` would quote first instead (the best `rerank.DEPTH`, re-ranked), whose
    coverage the threshold judges."""
    reading = understand.reading_of(question, vocab, conn=None)
    q = reading.query()
    hits = query.search(conn, q, rerank.DEPTH if reranked else 1, 0, vocab)
    if not hits:
        return None, 0.0
    first = rerank.rerank(reading.question, q.term_list(), hits, vocab)[0] if reranked else hits[0]
    tokens = query.terms_of(conn, [first.passage_id]).get(first.passage_id, [])
    return first.document, query.coverage(tokens, q, vocab)


def check_unanswerable(docs: list[dict]) -> list[dict]:
    items = _jsonl(UNANSWERABLE)
    for item in items:
        pats = [re.compile(r"\b(?:" + g + r")\b", re.I) for g in item["absent_together"]]
        holders = [
            d["id"] for d in docs if all(p.search(d["title"] + " " + d["text"]) for p in pats)
        ]
        if holders:
            raise SystemExit(f"not unanswerable: {item['question']} ({holders[:3]})")
    return items


def quality(write: bool) -> None:
    docs, questions = squad()
    unanswerable = check_unanswerable(docs)
    with tempfile.TemporaryDirectory() as tmp:
        db, by_path = build_squad(Path(tmp), docs)
        ix = Index(db)
        conn = ix.connection()
        vocab = vocabulary.get(conn)
        gold_terms = _gold_terms(docs)
        tune, heldout = split(questions)
        rows = {}
        for name, qs in (("tune", tune), ("heldout", heldout)):
            rows[name] = _evaluate(conn, vocab, qs, gold_terms, by_path)
        un = [top_read(conn, item["question"], vocab, reranked=True) for item in unanswerable]
        un_plain = [top_plain(conn, item["question"]) for item in unanswerable]
        ix.close()
    report = _report(rows, un, un_plain, len(unanswerable))
    print(report)
    if write:
        _write("quality", report, "nice -n 10 .venv/bin/python bench/variants.py quality --write")


def _gold_terms(docs: list[dict]) -> dict[str, set[str]]:
    return {d["id"]: set(analysis.analyse(d["title"] + " " + d["text"])) for d in docs}


def _evaluate(conn, vocab, qs: list[dict], gold_terms, by_path) -> dict:
    variants = unchanged_plain = unchanged_read = variant_plain = variant_read = 0
    all_plain = all_read = 0
    left_out = 0
    coverages = []  # (coverage, right) for every unchanged question
    for q in qs:
        gold = q["doc_id"]
        p = top_plain(conn, q["question"])
        r_doc, _ = top_read(conn, q["question"], vocab)
        a_doc, a_cov = top_read(conn, q["question"], vocab, reranked=True)
        p_right = p is not None and by_path.get(p[0]) == gold
        r_right = by_path.get(r_doc) == gold
        all_plain += p_right
        all_read += r_right
        coverages.append((a_cov, by_path.get(a_doc) == gold, p_right))
        v = misspell(q, gold_terms[gold], vocab.df)
        if v is None:
            left_out += 1
            continue
        variants += 1
        unchanged_plain += p_right
        unchanged_read += r_right
        vp = top_plain(conn, v[0])
        vr_doc, _ = top_read(conn, v[0], vocab)
        variant_plain += vp is not None and by_path.get(vp[0]) == gold
        variant_read += by_path.get(vr_doc) == gold
    return {
        "questions": len(qs),
        "variants": variants,
        "left_out": left_out,
        "all_plain": all_plain / len(qs),
        "all_read": all_read / len(qs),
        "unchanged_plain": unchanged_plain / variants,
        "unchanged_read": unchanged_read / variants,
        "variant_plain": variant_plain / variants,
        "variant_read": variant_read / variants,
        "coverages": coverages,
    }


def _curve(coverages, un) -> list[tuple[float, float, float, float, float]]:
    """(threshold, answered, answered and right, share of the plain pipeline's right answers
    kept, false answers on the unanswerable questions) for each threshold."""
    out = []
    n = len(coverages)
    right_plain = sum(1 for _, _, p in coverages if p) or 1
    for t in THRESHOLDS:
        answered = sum(1 for c, _, _ in coverages if c >= t) / n
        right = sum(1 for c, r, _ in coverages if c >= t and r) / n
        kept = sum(1 for c, _, p in coverages if c >= t and p) / right_plain
        false = sum(1 for _, c in un if c >= t) / len(un)
        out.append((t, answered, right, kept, false))
    return out


def _report(rows, un, un_plain, n_un) -> str:
    tune_curve = _curve(rows["tune"]["coverages"], un)
    chosen = max(t for t, _, _, kept, _ in tune_curve if kept >= KEEP)
    held_curve = _curve(rows["heldout"]["coverages"], un)
    lines = ["| split | questions | misspelt set | R@1 plain, misspelt | R@1 read, misspelt |"
             " R@1 plain, same unchanged | R@1 read, same unchanged | R@1 plain, all |"
             " R@1 read, all |", "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for name in ("tune", "heldout"):
        r = rows[name]
        lines.append(
            f"| {name} | {r['questions']} | {r['variants']} ({r['left_out']} without a "
            f"candidate word) | {r['variant_plain']:.3f} | **{r['variant_read']:.3f}** | "
            f"{r['unchanged_plain']:.3f} | {r['unchanged_read']:.3f} | {r['all_plain']:.3f} | "
            f"{r['all_read']:.3f} |"
        )
    h = rows["heldout"]
    lines += [
        "",
        f"Held out: misspelt questions {h['variant_plain']:.3f} → {h['variant_read']:.3f} "
        f"({(h['variant_read'] - h['variant_plain']) * 100:+.1f} points, recovering "
        f"{_share(h):.0%} of what the misspelling lost); the same questions unchanged "
        f"{(h['unchanged_read'] - h['unchanged_plain']) * 100:+.1f} points; all questions "
        f"unchanged {(h['all_read'] - h['all_plain']) * 100:+.1f} points.",
        "",
        f"Unanswerable questions with any passage found: plain {sum(1 for u in un_plain if u)}"
        f"/{n_un}, read {sum(1 for d, _ in un if d)}/{n_un}.",
        "",
        "| coverage ≥ | false answers (50 unanswerable) | answered, tune | right of the plain "
        "pipeline's rights kept, tune | answered, held out | answered and right, held out |",
        "|---|---|---|---|---|---|",
    ]
    for (t, a, _, k, f), (_, ha, hr, _, _) in zip(tune_curve, held_curve, strict=True):
        if round(t * 1000) % 50 and t != chosen:
            continue  # the table shows every 0.05, and the chosen threshold
        mark = " ←" if t == chosen else ""
        lines.append(f"| {t:.3f}{mark} | {f:.0%} | {a:.1%} | {k:.1%} | {ha:.1%} | {hr:.1%} |")
    base = next(row for row in held_curve if row[0] == 0.0)
    pick = next(row for row in held_curve if row[0] == chosen)
    lines += [
        "",
        f"Chosen on the tuning half: **{chosen:.3f}**, the highest threshold keeping ≥ "
        f"{KEEP:.0%} of the questions the plain pipeline answers rightly. Held out, it answers "
        f"{pick[1]:.1%} of SQuAD's questions ({pick[2]:.1%} rightly, against {base[2]:.1%} "
        f"with no threshold) and {pick[4]:.0%} of the unanswerable ones "
        f"(against {base[4]:.0%}). Coverage alone no longer decides: "
        "`index/questions/judge.py` weighs it with other signals "
        '(docs/benchmarks.md, "Questions nobody tuned for").',
    ]
    return "\n".join(lines)


def _share(r) -> float:
    lost = r["unchanged_plain"] - r["variant_plain"]
    return (r["variant_read"] - r["variant_plain"]) / lost if lost > 0 else 0.0


# --- latency ------------------------------------------------------------------------------------


def _real_paragraphs() -> list[tuple[str, str]]:
    """(title, paragraph) from the four data sets, in a fixed order."""
    out = []
    for d in _jsonl(DATA / "squad-v1.1-dev" / "docs.jsonl"):
        out.append((d["title"], d["text"]))
    for d in _jsonl(DATA / "beir-scifact" / "docs.jsonl"):
        out.append((d["title"], d["text"]))
    for name in ("bbc-news-summary", "reuters-21578"):
        for d in _jsonl(DATA / name / "docs.jsonl"):
            for para in d["text"].split("\n\n"):
                if len(para.split()) >= 12:
                    out.append((d["title"].title()[:80], para))
    return out


def build_large(folder: Path, passages: int) -> Path:
    corpus = folder / "corpus"
    db = folder / "index.db"
    if db.exists():
        return db
    corpus.mkdir(parents=True, exist_ok=True)
    paragraphs = _real_paragraphs()
    day = dt.date(2020, 1, 1)
    written = 0
    n = 0
    while written < passages:
        chunk = paragraphs[n % len(paragraphs) : n % len(paragraphs) + 10]
        if not chunk:
            n += 10 - n % 10
            continue
        title = chunk[0][0].replace('"', "'")
        date = day + dt.timedelta(days=(n // 200))
        body = "\n\n".join(p.replace("\n", " ") for _, p in chunk)
        text = f'---\ntitle: "{title}"\ndate: {date.isoformat()}\n---\n\n{body}\n'
        (corpus / f"{n // 1000:04d}").mkdir(exist_ok=True)
        (corpus / f"{n // 1000:04d}" / f"{n:07d}.md").write_text(text, encoding="utf-8")
        written += len(chunk)
        n += 10
    print(f"indexing {written} paragraphs …", file=sys.stderr)
    reindex(corpus, db)
    return db


def latency(write: bool, keep: Path | None, count: int) -> None:
    docs, questions = squad()
    folder = keep or Path(tempfile.mkdtemp(prefix="briefbot-variants-"))
    try:
        db = build_large(folder, LATENCY_PASSAGES)
        ix = Index(db)
        conn = ix.connection()
        started = time.perf_counter()
        vocabulary.get(conn)
        load = time.perf_counter() - started
        passages = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
        vocab = vocabulary.get(conn)
        gold_terms = _gold_terms(docs)
        rng = random.Random(SEED)
        sample = rng.sample(questions, count)
        asked = []
        for q in sample:
            asked.append(q["question"])
            v = misspell(q, gold_terms[q["doc_id"]], vocab.df)
            if v:
                asked.append(v[0])
        for q in asked[:50]:  # warm the page cache for both paths alike
            _old_answer(conn, q)
            ix.answer(q)
        old, new, diff = [], [], []
        for q in asked:
            a = _timed(lambda q=q: _old_answer(conn, q))
            b = _timed(lambda q=q: ix.answer(q))
            old.append(a)
            new.append(b)
            diff.append(b - a)
        ix.close()
    finally:
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    report = "\n".join(
        [
            f"{passages:,} passages, vocabulary of {len(vocab.df):,} terms read in "
            f"{load * 1000:.0f} ms (once per index change); {len(asked)} questions "
            f"({count} SQuAD questions and their misspelt forms), each timed on both paths "
            "in turn.",
            "",
            "| path | p50 ms | p95 ms |",
            "|---|---|---|",
            f"| before: terms → `search` → `quote.choose` | {_p(old, 50):.2f} | "
            f"{_p(old, 95):.2f} |",
            f"| `Index.answer` with understanding | {_p(new, 50):.2f} | {_p(new, 95):.2f} |",
            f"| added, per question (paired) | **{_p(diff, 50):.2f}** | {_p(diff, 95):.2f} |",
            "",
            f"Ratio of p50s: {_p(new, 50) / _p(old, 50):.2f}×.",
        ]
    )
    print(report)
    if write:
        _write("latency", report, "nice -n 10 .venv/bin/python bench/variants.py latency --write")


def _old_answer(conn, question: str):
    terms = question_terms(question)
    hits = search(conn, terms, 3)
    return [choose(h.text, h.sentences, terms) for h in hits]


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _p(values: list[float], pct: int) -> float:
    return statistics.quantiles(values, n=100)[pct - 1] if len(values) > 1 else values[0]


# --- the report ---------------------------------------------------------------------------------

HEADING = "## Understanding questions"


def _write(part: str, report: str, command: str) -> None:
    """Replace this part's block inside the "Understanding questions" section."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    start, end = f"<!-- variants:{part} -->", f"<!-- /variants:{part} -->"
    block = f"{start}\n`{command}`\n\n{report}\n{end}"
    if HEADING not in text:
        text = text.rstrip() + f"\n\n{HEADING}\n\n"
    if start in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        head, tail = text.split(HEADING, 1)
        nxt = tail.find("\n## ")
        section, after = (tail, "") if nxt < 0 else (tail[:nxt], tail[nxt:])
        text = head + HEADING + section.rstrip() + "\n\n" + block + "\n" + after
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["quality", "latency"])
    parser.add_argument("--write", action="store_true", help="Update docs/benchmarks.md.")
    parser.add_argument("--keep", type=Path, help="latency: build (or reuse) the index here.")
    parser.add_argument("--questions", type=int, default=1000, help="latency: SQuAD questions.")
    args = parser.parse_args()
    if args.what == "quality":
        quality(args.write)
    else:
        latency(args.write, args.keep, args.questions)


if __name__ == "__main__":
    main()
