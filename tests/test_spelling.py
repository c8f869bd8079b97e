"""Spelling keys and distances: transliteration's variants are near, other words are not."""

from __future__ import annotations

from index.questions.regional import other_spelling
from index.storage.vocabulary import Vocabulary, distance, key


def test_transliterations_share_a_key():
    assert key("raisi") == key("raeesi") == key("raeisi")
    assert key("путин") == key("putin")
    assert key("mohammed") == key("muhammad")
    assert key("khamenei") == key("hamenei")
    assert key("philadelphia") == key("filadelfia")


def test_distance_makes_transliteration_cheap_and_typing_errors_dear():
    assert distance("raisi", "raeisi") == 0.5
    assert distance("gazza", "gaza") == 0.25
    assert distance("raisi", "raeisi") < distance("raisi", "rise")
    assert distance("tesla", "telsa") == 1.0  # a swap of two letters
    assert distance("oslo", "also") > 1.0


def test_near_finds_the_index_spelling_without_scanning():
    vocab = Vocabulary.build(
        ("x",), 100, {"raeisi": 4, "rise": 9, "railway": 3, "also": 50, "putin": 3}, 1000, []
    )
    assert [v.term for v in vocab.near("raisi")] == ["raeisi"]
    assert [v.term for v in vocab.near("railwey")] == ["railway"]
    assert vocab.near("oslo") == []  # four letters: one edit at most, and "also" is two away
    assert vocab.near("tap") == []  # too short to guess at
    assert [v.term for v in vocab.variants("путин")] == ["putin"]
    assert vocab.variants("railway") == []  # the index holds it


def test_a_word_asked_again_gets_the_same_variants_whatever_was_done_to_the_first():
    vocab = Vocabulary.build(("x",), 100, {"raeisi": 4, "railway": 3}, 1000, [])
    first = vocab.near("raisi")
    first.clear()  # a caller's list is its own
    assert [v.term for v in vocab.near("raisi")] == ["raeisi"]
    assert vocab.near("raisi", limit=1) == vocab.near("raisi")


def test_the_other_sides_spelling_is_one_english_uses():
    assert other_spelling("privatisation") == "privatization"
    assert other_spelling("Labor") == "labour"
    assert other_spelling("defence") == "defense"
    assert other_spelling("centre") == "center"
    assert other_spelling("catalogue") == "catalog"
    assert other_spelling("criticised") == "criticized"
    # Words that only look like one: no spelling English uses, or too short to be one.
    assert other_spelling("promise") is None
    assert other_spelling("hour") is None
    assert other_spelling("enter") is None
    assert other_spelling("railway") is None


def test_either_sides_spelling_finds_both_and_is_no_slip_to_put_right(index_of):
    """A question in British spelling finds the briefing in American spelling as well, and
    the other way round; a word the briefings hold only the other way is not announced as
    put right."""
    ix = index_of(
        {
            "2024-03-18-union.txt": "date 2024-03-18 The labor union called a strike at the"
            " port over pay.",
            "2024-03-19-party.txt": "date 2024-03-19 The Labour party called for talks on"
            " pay at the port.",
            "2024-03-20-summit.txt": "date 2024-03-20 Both organizations met in Geneva.",
        }
    )
    for asked in ("labour port pay", "labor port pay"):
        answer = ix.answer(asked, k=5)
        assert {h.hit.document for h in answer.hits} >= {
            "2024-03-18-union.txt",
            "2024-03-19-party.txt",
        }
    organised = ix.answer("which organisations met in Geneva?")
    assert organised.reading.corrections == [] and organised.notices == []
    assert organised.found and organised.hits[0].hit.document == "2024-03-20-summit.txt"
