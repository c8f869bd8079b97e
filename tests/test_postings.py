"""The postings plan gives the plain FTS5 plan's top 10, with the same scores, through adds,
changes, removals, folds and merges, and under date filters.

Small thresholds make a few hundred passages exercise what a million would: heads on short
lists, folds of the recent passages into segments, merges, and removed passages left in
segments until a merge drops them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from index.storage import postings, store
from index.storage.postings import ranking, segments, writing
from index.storage.reindex import reindex
from index.storage.search import Filters, question_terms, rank_fts5, search

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def small_thresholds(monkeypatch):
    monkeypatch.setattr(writing, "RECENT_MAX", 40)
    monkeypatch.setattr(segments, "HEAD_MIN", 8)
    monkeypatch.setattr(ranking, "FIRST_DEPTH", 2)
    monkeypatch.setattr(ranking, "WHOLE_MAX", 16)
    monkeypatch.setattr(ranking, "DEEPEST", 32)
    monkeypatch.setattr(writing, "MERGE_FANIN", 3)
    monkeypatch.setattr(segments, "RUN_TOKENS", 64)


def _paragraphs() -> list[dict]:
    with open(FIXTURES / "squad_sample.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _questions() -> list[list[str]]:
    with open(FIXTURES / "squad_questions.jsonl", encoding="utf-8") as f:
        questions = [question_terms(json.loads(line)["question"]) for line in f]
    return [q for q in questions if q]


def _write(folder: Path, n: int, doc: dict, *, dated: bool = True) -> None:
    date = dt.date(2024, 1, 1) + dt.timedelta(days=n % 60)
    # A word in most passages: FTS5 floors its idf, the case where plans most easily part.
    text = doc["text"] + ("" if n % 4 == 0 else " Zebras noted zebra.")
    front = f"title: {doc['title']}\n" + (f"date: {date.isoformat()}\n" if dated else "")
    (folder / f"{n:04d}.md").write_text(f"---\n{front}---\n\n{text}\n", encoding="utf-8")


def _common_questions(conn: sqlite3.Connection) -> list[list[str]]:
    """Questions of the most frequent terms only: the shape that defeats early stopping."""
    counts: dict[str, int] = {}
    for (terms,) in conn.execute("SELECT terms FROM passages_fts"):
        for t in set(terms.split()):
            counts[t] = counts.get(t, 0) + 1
    common = sorted(counts, key=lambda t: (-counts[t], t))[:12]
    return [common[i : i + n] for n in (2, 3, 5) for i in range(0, 8, 2)]


def _assert_same(conn: sqlite3.Connection, questions, filters: Filters | None = None) -> int:
    """Every question's top 10 by both plans; returns how many had any hit."""
    filters = filters or Filters()
    answered = 0
    for terms in questions:
        fast = postings.rank(conn, terms, 10, filters.since, filters.until)
        plain = rank_fts5(conn, terms, 10, filters)
        assert fast is not None
        assert [pid for pid, _ in fast] == [pid for pid, _ in plain], (terms, filters)
        for (_, a), (_, b) in zip(fast, plain, strict=True):
            assert math.isclose(a, b, rel_tol=1e-12), terms
        answered += bool(plain)
    return answered


def _counts_match_fts5(conn: sqlite3.Connection) -> None:
    stats = postings.check(conn)
    rows = conn.execute("SELECT terms FROM passages_fts").fetchall()
    assert stats["passages"] == len(rows)
    assert stats["tokens"] == sum(len(r[0].split()) for r in rows)


@pytest.fixture
def built(tmp_path: Path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    docs = _paragraphs()
    path = tmp_path / "index.db"
    # A first build (postings derived in one pass), then briefings added to it (passage by
    # passage, folded into segments and merged): the two ways postings are written. The
    # small first segment leaves a later one with lists held only densely, which date filters
    # then read whole.
    for first, last in [(0, 10), (10, 240)]:
        for n in range(first, last):
            _write(folder, n, docs[n], dated=n % 17 != 0)
        report = reindex(folder, path)
        assert not report.failed
    conn = store.connect(path)
    yield folder, path, conn, docs
    conn.close()


def test_fast_plan_equals_fts5_through_adds_changes_and_removals(built):
    folder, path, conn, docs = built
    questions = _questions()
    assert postings.check(conn)["segments"] >= 2  # folds and merges have happened
    assert _assert_same(conn, questions) >= 100
    assert _assert_same(conn, _common_questions(conn)) >= 10
    _counts_match_fts5(conn)

    # Change some briefings, remove others, add new ones: one reindex run.
    for n in range(0, 240, 7):
        _write(folder, n, docs[(n + 100) % len(docs)])
    for n in range(3, 240, 11):
        (folder / f"{n:04d}.md").unlink()
    for n, doc in enumerate(docs[240:], start=240):
        _write(folder, n, doc)
    reindex(folder, path)
    stats = postings.check(conn)
    assert stats["deleted"] > 0 or stats["segments"] >= 1
    _counts_match_fts5(conn)
    assert _assert_same(conn, questions) >= 100
    assert _assert_same(conn, _common_questions(conn)) >= 10

    # Remove the newest briefing and add another: SQLite gives its passage ids out again.
    last = max(folder.glob("*.md"))
    last.unlink()
    reindex(folder, path)
    _write(folder, 999, docs[5])
    reindex(folder, path)
    _counts_match_fts5(conn)
    assert _assert_same(conn, questions) >= 100


def test_fast_plan_equals_fts5_with_date_filters(built):
    _, _, conn, _ = built
    questions = _questions()[:150] + _common_questions(conn)
    for since, until in [
        (dt.date(2024, 1, 10), None),
        (None, dt.date(2024, 1, 5)),
        (dt.date(2024, 1, 20), dt.date(2024, 1, 22)),
        (dt.date(2030, 1, 1), None),  # nothing that late: no hits from either plan
    ]:
        _assert_same(conn, questions, Filters(since, until))


def test_search_uses_the_fast_plan_and_falls_back_for_phrases(built):
    _, _, conn, _ = built
    terms = _questions()[0]
    hits = search(conn, terms, k=5)
    assert [h.passage_id for h in hits] == [p for p, _ in rank_fts5(conn, terms, 5, Filters())]
    # A term FTS5 would split into a phrase is left to FTS5.
    assert postings.rank(conn, ["new-york"], 10) is None
    assert postings.rank(conn, [], 10) == []
    assert postings.rank(conn, ["zzzzunknown"], 10) == []


def test_rebuild_gives_the_same_answers_and_counts(built):
    _, _, conn, _ = built
    questions = _questions()[:120] + _common_questions(conn)
    before = [postings.rank(conn, q, 10) for q in questions]
    conn.execute("BEGIN")
    postings.rebuild(conn)
    conn.execute("COMMIT")
    assert postings.check(conn)["segments"] == 1
    assert [postings.rank(conn, q, 10) for q in questions] == before
    _counts_match_fts5(conn)


def test_a_rolled_back_write_leaves_the_postings_as_they_were(built):
    folder, path, conn, docs = built
    terms = _questions()[1]
    before = postings.rank(conn, terms, 10)
    conn.execute("BEGIN IMMEDIATE")
    store.delete_document(conn, "0001.md")
    conn.execute("ROLLBACK")
    assert postings.rank(conn, terms, 10) == before
    _counts_match_fts5(conn)


@pytest.mark.parametrize("ascending, narrow", [(True, True), (False, True), (True, False)])
def test_a_segment_sorted_in_runs_holds_every_posting_in_order(monkeypatch, ascending, narrow):
    """Runs sorted in line or in threads, put side by side: each term's (passage, tf) in
    passage order, the terms in text order, as one sort of every token gives; with keys of
    4 bytes or of 8."""
    if not narrow:
        monkeypatch.setattr(segments, "NARROW_KEYS", 0)
    rng = random.Random(17)
    words = [f"w{i:02d}" for i in range(60)] + ["é", "z9", "a"]
    passages = [
        (pid, rng.choice([738_000, 738_001, int(postings.UNDATED)]), tokens)
        for pid in range(1, 400, 2)
        for tokens in [[rng.choice(words[: rng.randint(1, 63)]) for _ in range(rng.randint(0, 40))]]
    ]
    if not ascending:
        rng.shuffle(passages)
    expected: dict[str, dict[int, int]] = {}
    for pid, _, tokens in passages:
        for t in tokens:
            expected.setdefault(t, {}).setdefault(pid, 0)
            expected[t][pid] += 1

    def invert(run_tokens: int, submit=None) -> segments.Inverted:
        monkeypatch.setattr(segments, "RUN_TOKENS", run_tokens)
        inverter = segments.Inverter(submit)
        for passage in passages:
            inverter.add(*passage)
        return inverter.invert()

    with ThreadPoolExecutor(2) as pool:
        made = [invert(1 << 30), invert(50), invert(1), invert(50, pool.submit)]
    for got in made:
        assert got.terms == sorted(expected)
        ends = np.append(got.starts[1:], len(got.pids))
        for term, a, b in zip(got.terms, got.starts, ends, strict=True):
            held = dict(zip(got.pids[a:b].tolist(), got.tfs[a:b].tolist(), strict=True))
            assert got.pids[a:b].tolist() == sorted(expected[term])
            assert held == expected[term]
        assert got.doc_ids.tolist() == [p[0] for p in passages]
        assert got.lengths.tolist() == [len(p[2]) for p in passages]
        assert got.days.tolist() == [p[1] for p in passages]
        assert got.pids.dtype == np.uint32 and got.starts.dtype == np.int64


@pytest.mark.parametrize("passages", [2, 3])
def test_rows_made_ahead_are_written_only_for_the_counts_they_were_made_for(tmp_path, passages):
    conn = sqlite3.connect(tmp_path / "p.db")
    postings.start(conn)
    inverter = segments.Inverter()
    inverter.add(1, 0, ["a", "b", "a"])
    inverter.add(2, 0, ["b"])
    segment = inverter.invert()
    segments.make_rows(segment, passages, 4)
    postings.store(conn, segment, count=True)
    ((number,),) = conn.execute("SELECT DISTINCT segment FROM postings_parts").fetchall()
    assert (number == segment.rows.segment) == (passages == 2)
    assert conn.execute("SELECT avgdl FROM postings_segments").fetchall() == [(2.0,)]
    assert conn.execute("SELECT term, n FROM postings_parts ORDER BY id").fetchall() == [
        ("a", 1),
        ("b", 2),
    ]


def test_frequencies_take_one_byte_each_unless_a_part_needs_more(tmp_path):
    """A part's frequencies are written in the fewest bytes its largest fits, and read back
    and ranked as FTS5 ranks them."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    texts = ["Zebra " * 300 + "grazing.", "A zebra grazing.", "Lions grazing at dusk."]
    for n, text in enumerate(texts):
        (folder / f"{n}.md").write_text(f"---\ntitle: Plains {n}\n---\n\n{text}\n")
    reindex(folder, tmp_path / "index.db")
    conn = store.connect(tmp_path / "index.db")
    widths = {
        term: len(tfs) // n
        for term, n, tfs in conn.execute("SELECT term, n, tfs FROM postings_parts")
    }
    assert widths["zebra"] == 2 and widths["graze"] == 1 and widths["lion"] == 1
    assert _assert_same(conn, [["zebra"], ["zebra", "graze"], ["lion", "graze"]]) == 3
    conn.close()
