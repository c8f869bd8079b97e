"""Spelling keys and distances: transliteration's variants are near, other words are not."""

from __future__ import annotations

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
