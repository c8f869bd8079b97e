"""The one analyser: what a piece of text becomes, and how differently written words meet."""

import itertools
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from index import analysis


def test_words_are_folded_stemmed_and_stopwords_left_out():
    assert analysis.analyse("The Café's railways were BUILT") == ["cafe", "railway", "built"]
    assert analysis.analyse("Raeisi's and Raeisi") == ["raeisi", "raeisi"]


def test_each_term_keeps_the_span_of_its_word():
    text = "Putin met Raeisi's envoy"
    assert [(t.term, text[t.start : t.end]) for t in analysis.tokens(text)] == [
        ("putin", "Putin"),
        ("met", "met"),
        ("raeisi", "Raeisi's"),
        ("envoy", "envoy"),
    ]


def test_hyphens_between_words_split_them():
    assert analysis.analyse("Rasht-Astara") == ["rasht", "astara"]
    assert analysis.analyse("2024-03-19") == ["2024", "03", "19"]


def test_a_model_number_meets_itself_however_it_is_written():
    joined, hyphened, spaced = (analysis.analyse(w) for w in ("F35", "F-35", "F 35"))
    assert joined == hyphened == ["f35", "f", "35"]
    assert spaced == ["f", "35"]
    assert analysis.analyse("COVID-19") == analysis.analyse("Covid19")
    # "IL6R" holds every term of "IL-6" and of "IL 6".
    assert set(analysis.analyse("IL-6")) - {"il6"} <= set(analysis.analyse("IL6R"))


def test_ordinals_and_decades_stay_one_term():
    assert analysis.analyse("the 19th century and the 1990s") == ["19th", "centuri", "1990s"]


def test_the_terms_of_one_word_share_its_span():
    text = "two F-35s landed"
    tokens = analysis.tokens(text)
    assert {text[t.start : t.end] for t in tokens if t.term in {"f35", "f", "35"}} == {"F-35s"}
    # The plural of a model number is the model number, as "jets" is "jet".
    assert [t.term for t in tokens] == ["two", "f35", "f", "35", "land"]


def test_initials_with_full_stops_are_the_initials_without():
    """ "U.S.", "U.K." and "E.U." are "US", "UK" and "EU": split at the stops, "U.S." had
    been "u" and the stopword "s", and "US trade deficit" met no passage that wrote it with
    stops. Numbers and a name after "Mr." keep their words."""
    assert analysis.analyse("the U.S. trade deficit") == analysis.analyse("the US trade deficit")
    assert analysis.analyse("U.K. and E.U. talks") == ["uk", "eu", "talk"]
    assert analysis.analyse("the U.S.-Japan talks") == ["us", "japan", "talk"]
    assert analysis.analyse("3.5 pct at 10 a.m.") == ["3", "5", "pct", "10"]
    assert analysis.analyse("Mr. Smith") == ["mr", "smith"]
    text = "the U.S. said"
    [us, _] = analysis.tokens(text)
    assert text[us.start : us.end] == "U.S." and us.term == "us"


def test_a_question_with_initials_finds_them_written_with_stops(index_of):
    index = index_of(
        {
            "1987-03-16-deficit.md": "---\ntitle: Budget\ndate: 1987-03-16\n---\n\nThe U.S."
            " budget deficit narrowed to 20 billion dlrs in February.\n\nThe Treasury"
            " said receipts rose.\n",
        }
    )
    first = index.answer("what was the US budget deficit in February?").hits[0]
    assert "U.S. budget deficit" in first.quote_text
    assert [first.hit.text[s:e] for s, e in first.quote.highlights][0] == "U.S."


BRIEFING = """---
title: Defence and health briefing
date: 2024-05-02
---

## Aircraft

The air force took delivery of two F-35 jets on Tuesday.

## Budget

The ministry asked for more money for training pilots.

## Ports

Grain exports through the southern ports rose for a third month.

## Health

COVID-19 cases fell again, the health ministry said on Monday.
"""


def test_a_question_finds_a_name_written_another_way(index_of):
    index = index_of({"2024-05-02-briefing.md": BRIEFING})
    for question, heading, word in [
        ("F35 deliveries", "Aircraft", "F-35"),
        ("what about the F35s?", "Aircraft", "F-35"),
        ("covid19 cases", "Health", "COVID-19"),
        ("Covid 19", "Health", "COVID-19"),
    ]:
        first = index.answer(question).hits[0]
        assert first.hit.heading == heading, question
        # The word is marked once, as the briefing writes it.
        marked = [first.hit.text[s:e] for s, e in first.quote.highlights]
        assert marked.count(word) == 1, question


def test_a_contraction_is_a_stopword_but_the_word_it_looks_like_is_not():
    """Without its apostrophe "she'll" is "shell": the company, the oil "well" and "shed"
    2,000 jobs must stay searchable while the contractions stay stopwords."""
    assert [analysis.term(w) for w in ("Shell", "well", "shed", "ID")] == [
        "shell",
        "well",
        "shed",
        "id",
    ]
    assert [analysis.term(w) for w in ("she'll", "We’ll", "she'd", "I'd", "don't", "dont")] == [
        None
    ] * 6


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_counted_is_analyse_joined_for_any_text(text):
    found = analysis.analyse(text)
    assert analysis.counted(text) == ("".join(t + " " for t in found), len(found))


def test_counted_counts_terms_that_hold_a_space():
    # NFKC spells the ligature "ﷺ" as four words: one term, holding three spaces.
    text = "ﷺ ﷺ briefing F-35s"
    found = analysis.analyse(text)
    assert " " in found[0]
    assert analysis.counted(text) == ("".join(t + " " for t in found), len(found))


def _fold_in_full(word: str) -> str:
    word = unicodedata.normalize("NFKC", word).casefold()
    decomposed = unicodedata.normalize("NFD", word)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", stripped)


@given(word=st.text(alphabet=st.characters(max_codepoint=127), max_size=30))
def test_ascii_folds_as_unicode_text_does(word):
    assert analysis.fold(word) == _fold_in_full(word)


def test_every_ascii_pair_folds_as_unicode_text_does():
    for pair in itertools.product(map(chr, range(128)), repeat=2):
        word = "".join(pair)
        assert analysis.fold(word) == _fold_in_full(word), word
