"""Questions about the bundled briefing, answered as a user would expect."""

import datetime as dt
import re

from index.questions.quote import choose
from index.storage.reindex import reindex


def test_railway_question_quotes_suitable_groundwork(index):
    answer = index.answer("what did Raeisi say about the railway?")
    first = answer.hits[0]
    assert "Rasht-Astara railway" in first.hit.text
    assert "suitable groundwork" in first.quote_text
    assert first.hit.date == dt.date(2024, 3, 19)
    assert first.hit.title == "Putin Raeisi Nowruz"
    assert first.hit.heading == "Railway Project as a Catalyst for Cooperation"
    assert first.quote_text in first.hit.text  # word for word


def test_matched_words_are_highlighted_in_the_quote(index):
    first = index.answer("what did Raeisi say about the railway?").hits[0]
    marked = {first.hit.text[s:e] for s, e in first.quote.highlights}
    assert {"Raeisi", "railway"} <= marked


def test_gaza_question_finds_the_gaza_passage(index):
    answer = index.answer("What did Putin say about Gaza?")
    headings = [qh.hit.heading for qh in answer.hits]
    assert "Addressing Regional Conflicts and Cooperation" in headings


def test_question_about_something_absent_finds_nothing(index):
    answer = index.answer("Tell me about the weather in Oslo")
    assert not answer.found
    assert answer.hits == []


def test_deleting_the_index_and_rebuilding_gives_the_same_answers(corpus, db, index):
    questions = ["railway", "Gaza victims", "BRICS Shanghai", "trade growth 77%"]
    before = [[(h.hit.text, h.quote_text) for h in index.answer(q).hits] for q in questions]
    index.close()
    for suffix in ("", "-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    reindex(corpus, db)
    after = [[(h.hit.text, h.quote_text) for h in index.answer(q).hits] for q in questions]
    assert after == before


def test_a_vanished_or_damaged_index_says_so_and_recovers(corpus, db, index):
    import pytest

    from index.storage.store import IndexMissing

    assert index.answer("railway").found
    for suffix in ("", "-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    with pytest.raises(IndexMissing, match="briefbot reindex"):
        index.answer("railway")
    db.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    with pytest.raises(IndexMissing):
        index.answer("railway")
    db.unlink()
    reindex(corpus, db)
    assert index.answer("railway").found


def test_a_quote_never_stops_inside_a_quotation_it_opened() -> None:
    text = (
        'The minister spoke. He said "we will build it. We must build the railway soon."'
        " Then he left."
    )
    sentences = _sentences(text)
    quoted = choose(text, sentences, ["build"], max_sentences=1)
    assert quoted.text(text) == 'He said "we will build it. We must build the railway soon."'
    unclosed = 'He said "we will build it. Nothing closes this. Nor this.'
    first = _sentences(unclosed)[0]
    quoted = choose(unclosed, _sentences(unclosed), ["build"], max_sentences=1)
    assert quoted.sentences == [first]  # nothing closes it: the sentence alone, as before


def _sentences(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r'[^\s][^.]*\."?', text)]
