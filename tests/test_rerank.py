"""The re-ranker: it only reorders, it answers the bundled briefing's questions as a reader
expects, and it keeps telling passages apart on an index too small for FTS5's idf."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from index.questions import query, rerank, understand
from index.questions.answer import Index
from index.storage import vocabulary
from index.storage.reindex import reindex
from index.storage.search import question_terms, search

FIXTURES = Path(__file__).parent / "fixtures"


def _squad_questions() -> list[dict]:
    with open(FIXTURES / "squad_questions.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="module")
def squad(squad_db):
    conn = sqlite3.connect(squad_db)
    yield conn, vocabulary.get(conn)
    conn.close()


def test_gaza_question_quotes_the_gaza_passage(index):
    """The lead names Putin and Gaza in its first sentence, the Gaza section tells more:
    both are quoted, the lead (shorter, and the only one to hold both words) first."""
    hits = index.answer("What did Putin say about Gaza?").hits
    assert [h.hit.ordinal for h in hits[:2]] == [0, 2]
    assert hits[1].hit.heading == "Addressing Regional Conflicts and Cooperation"
    assert "Gaza Strip" in hits[1].quote_text


def test_the_end_of_a_shortened_title_sentence_is_still_body(index):
    """The title is the lead's first sentence cut at "…Iranians on…": "Nowruz", further on in
    that sentence, is in no title and was in no body, so the re-ranker put passages without
    it first and the answer was refused as too weak."""
    answer = index.answer("Putin Nowruz")
    assert answer.found
    assert answer.hits[0].hit.ordinal == 0 and "Nowruz" in answer.hits[0].quote_text


def test_railway_question_puts_the_railway_passage_first(index):
    first = index.answer("what did Raeisi say about the railway?").hits[0]
    assert "Rasht-Astara railway" in first.hit.text
    assert "suitable groundwork" in first.quote_text


def test_bm25_alone_ranks_the_briefing_lead_first_for_gaza(db):
    """What the re-ranker changes: FTS5 puts the lead paragraph, which names Putin and Gaza,
    above the section about Gaza."""
    conn = sqlite3.connect(db)
    hits = search(conn, "What did Putin say about Gaza?", k=5)
    conn.close()
    assert hits[0].heading is None
    assert "Addressing Regional Conflicts and Cooperation" in [h.heading for h in hits[1:]]


def test_reranking_returns_the_same_passages_and_leaves_the_tail_alone(squad):
    conn, vocab = squad
    compared = 0
    for q in _squad_questions():
        hits = search(conn, q["question"], k=rerank.DEPTH + 10)
        ordered = rerank.rerank(q["question"], [], hits, vocab)  # no terms: nothing to weigh
        assert [h.passage_id for h in ordered] == [h.passage_id for h in hits]
        ordered = rerank.rerank(q["question"], question_terms(q["question"]), hits, vocab)
        assert sorted(h.passage_id for h in ordered) == sorted(h.passage_id for h in hits)
        assert ordered[rerank.DEPTH :] == hits[rerank.DEPTH :]
        compared += len(hits) > rerank.DEPTH
    assert compared >= 50


def test_reranking_the_answer_pipeline_keeps_its_passages(squad):
    conn, vocab = squad
    for q in _squad_questions()[:60]:
        reading = understand.reading_of(q["question"], vocab, conn=conn)
        qry = reading.query()
        hits = query.search(conn, qry, rerank.DEPTH, 0, vocab)
        ordered = rerank.rerank(reading.question, qry.term_list(), hits, vocab)
        assert len(ordered) == len(hits)
        assert {h.passage_id for h in ordered} == {h.passage_id for h in hits}


@pytest.mark.parametrize("n", [0, 1])
def test_fewer_than_two_hits_come_back_as_they_were(squad, n):
    conn, vocab = squad
    hits = search(conn, "Super Bowl", k=n)
    assert rerank.rerank("Super Bowl", ["super", "bowl"], hits, vocab) == hits


def test_pages_of_an_answer_follow_one_order(squad_db):
    ix = Index(squad_db)
    try:
        for q in _squad_questions()[:20]:
            whole = [h.hit.passage_id for h in ix.answer(q["question"], k=6).hits]
            if len(whole) < 6:
                continue
            first = [h.hit.passage_id for h in ix.answer(q["question"], k=3).hits]
            second = [h.hit.passage_id for h in ix.answer(q["question"], k=3, offset=3).hits]
            assert first + second == whole
    finally:
        ix.close()


def test_reranking_finds_more_answers_first_than_bm25_on_squad(squad):
    """On the fixture's 150 SQuAD questions over 300 paragraphs, the paragraph holding the
    answer comes first more often after re-ranking than in BM25's order."""
    conn, vocab = squad
    with open(FIXTURES / "squad_sample.jsonl", encoding="utf-8") as f:
        gold_of = {json.loads(line)["id"]: n for n, line in enumerate(f)}
    bm25 = reranked = 0
    for q in _squad_questions():
        gold = f"{gold_of[q['doc_id']]:04d}.md"
        hits = search(conn, q["question"], k=rerank.DEPTH)
        ordered = rerank.rerank(q["question"], question_terms(q["question"]), hits, vocab)
        bm25 += bool(hits) and hits[0].document == gold
        reranked += bool(ordered) and ordered[0].document == gold
    assert reranked > bm25


def test_weights_stay_positive_where_fts5_floors_them(index):
    """In the bundled briefing "Putin" is in three passages of five, so FTS5 floors its idf
    to 1e-6 and scores those passages at almost nothing; the re-ranker's weight for it stays
    positive, so its features still see the word."""
    with index.connected() as conn:
        vocab = vocabulary.get(conn)
        hits = search(conn, "Putin", k=10)
        assert len(hits) == 3 and all(h.score < 1e-3 for h in hits)
        assert rerank.idf(vocab.df["putin"], vocab.rows) > 0.5
        assert rerank.idf(vocab.rows, vocab.rows) > 0  # even a word in every passage
        feats = rerank.features("Putin", ["putin"], hits, vocab)
    for hit, f in zip(hits, feats, strict=True):
        if hit.ordinal == 0:  # the lead names Putin in its first sentence, the title
            assert f["title"] == 1.0
        else:
            assert f["body"] > 0.5 and f["window"] > 0 and f["exact"] > 0


def test_the_title_counts_for_every_passage_of_its_briefing(index):
    """The briefing's title ("Putin Raeisi Nowruz", from its file's name) belongs to every
    passage alike; the body features see only where a word is told."""
    with index.connected() as conn:
        vocab = vocabulary.get(conn)
        everyone = search(conn, "Nowruz cooperation", k=10)
        feats = rerank.features("Nowruz", ["nowruz"], everyone, vocab)
    assert len(everyone) == 5
    assert {round(f["title"], 6) for f in feats} == {1.0}
    told = [h.ordinal for h, f in zip(everyone, feats, strict=True) if f["exact"] > 0]
    assert told == [0]  # only the lead writes "Nowruz"


def test_a_word_counts_once_whichever_of_its_spellings_a_passage_holds(tmp_path):
    """ "Gabon" is searched for as "Gabonese" too: one question word. A passage that says both
    holds that word once, not two words of the question, and one that says "Gabon" alone holds
    the word too, not half the question: each word counts once, through the best of its
    terms."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "2023-09-29-gabon.md").write_text(
        "# Gabon talks\n\nGabon's economy depends on oil, and Gabonese officials met.\n\n"
        "A delegation met officials in Gabon on Thursday about elections.\n\n"
        "Unrelated words about timber and manganese fill this paragraph.\n",
        encoding="utf-8",
    )
    db = tmp_path / "index.db"
    reindex(corpus, db)
    conn = sqlite3.connect(db)
    vocab = vocabulary.get(conn)
    hits = [h for h in search(conn, "Gabon Gabonese", k=10) if "Gabon" in h.text]
    assert len(hits) == 2
    asked = [query.Weighted("gabon", 1.0, 0), query.Weighted("gabones", 0.9, 0)]
    both = ["gabones" in rerank.passage_terms(h) for h in hits]
    grouped = rerank.features("Gabon", asked, hits, vocab)
    plain = rerank.features("Gabon", ["gabon", "gabones"], hits, vocab)
    conn.close()
    one = dict(zip(both, grouped, strict=True))
    two = dict(zip(both, plain, strict=True))  # as if two words of the question
    assert one[True]["window"] == two[True]["window"] == 1.0  # both spellings: all of it
    # One spelling holds more of a one-word question than of a two-word one, so the passage
    # that says both is less far ahead.
    assert one[False]["window"] > two[False]["window"]
    assert one[True]["body"] - one[False]["body"] < two[True]["body"] - two[False]["body"]
