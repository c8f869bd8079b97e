"""FTS5's bm25() ranks as rank_bm25.BM25Okapi does, on the same terms, with one known gap.

Both use idf = log((N - n + 0.5) / (n + 0.5)), k1 = 1.2, b = 0.75 and the same average
length. They differ only for a term found in more than half the passages, whose idf is
negative: FTS5 floors it at 1e-6, BM25Okapi replaces it with 0.25 times the average idf.
"""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

import pytest
from rank_bm25 import BM25Okapi

from index.storage.reindex import reindex
from index.storage.search import question_terms, search

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def reference(squad_db):
    conn = sqlite3.connect(squad_db)
    rows = conn.execute("SELECT rowid, terms FROM passages_fts ORDER BY rowid").fetchall()
    ids = [r[0] for r in rows]
    corpus = [r[1].split() for r in rows]
    df: dict[str, int] = {}
    for terms in corpus:
        for t in set(terms):
            df[t] = df.get(t, 0) + 1
    yield conn, ids, BM25Okapi(corpus, k1=1.2, b=0.75), df, len(corpus)
    conn.close()


def _questions():
    with open(FIXTURES / "squad_questions.jsonl", encoding="utf-8") as f:
        return [json.loads(line)["question"] for line in f]


def test_top10_equals_rank_bm25_when_no_term_is_in_half_the_passages(reference):
    conn, ids, bm25, df, n = reference
    compared = 0
    for question in _questions():
        terms = question_terms(question)
        if not terms or any(df.get(t, 0) * 2 > n for t in terms):
            continue
        ours = search(conn, terms, k=10)
        scores = bm25.get_scores(terms)
        positive = [i for i in range(n) if scores[i] > 0]
        expected = sorted(positive, key=lambda i: (-scores[i], ids[i]))[:10]
        assert [h.passage_id for h in ours] == [ids[i] for i in expected], question
        for hit, i in zip(ours, expected, strict=True):
            assert math.isclose(hit.score, scores[i], rel_tol=1e-6)
        compared += 1
    assert compared >= 100


def test_a_term_in_most_passages_is_floored_differently(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    texts = [
        "Markets rose as grain markets rallied.",
        "Markets fell. Oil slid.",
        "The market for copper was quiet.",
        "Market makers met regulators in Geneva to talk about rules for trading.",
        "Wheat harvests were late.",
    ]
    for n, text in enumerate(texts):
        (folder / f"{n}.txt").write_text(text)
    reindex(folder, tmp_path / "index.db")
    conn = sqlite3.connect(tmp_path / "index.db")
    rows = conn.execute("SELECT rowid, terms FROM passages_fts ORDER BY rowid").fetchall()
    ids = [r[0] for r in rows]
    bm25 = BM25Okapi([r[1].split() for r in rows], k1=1.2, b=0.75)
    ours = {h.passage_id: h.score for h in search(conn, ["market"], k=10)}
    expected = bm25.get_scores(["market"])
    assert len(ours) == 4
    # FTS5 gives "market" (in 4 of 5 passages) an idf of 1e-6; BM25Okapi gives it 0.25 times
    # the average idf. Both scale the same tf and length factor, so the order is the same and
    # the scores differ by one constant ratio.
    assert all(0 < s < 1e-5 for s in ours.values())
    ratios = [expected[ids.index(pid)] / s for pid, s in ours.items()]
    assert max(ratios) == pytest.approx(min(ratios), rel=1e-6)
    assert ratios[0] == pytest.approx(0.25 * bm25.average_idf / 1e-6, rel=1e-6)
    assert list(ours) == sorted(ours, key=lambda pid: -expected[ids.index(pid)])
