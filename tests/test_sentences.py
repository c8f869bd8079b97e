"""The splitter survives the periods of news prose that end nothing."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.files.sentences import _CANDIDATE, _word_before, sentences, split


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Mr. Smith met Mrs. Jones. They talked.",
            ["Mr. Smith met Mrs. Jones.", "They talked."],
        ),
        (
            "The U.S. economy grew. The U.S. Army said so.",
            ["The U.S. economy grew.", "The U.S. Army said so."],
        ),
        (
            "It fell on Jan. 5 after a storm. Prices rose.",
            ["It fell on Jan. 5 after a storm.", "Prices rose."],
        ),
        ("Output rose 3.5 percent. Exports fell.", ["Output rose 3.5 percent.", "Exports fell."]),
        (
            'He said: "We will win." Then he left.',
            ['He said: "We will win."', "Then he left."],
        ),
        ("Is it over? Nobody knows! Wait.", ["Is it over?", "Nobody knows!", "Wait."]),
        (
            "Talks resumed in the U.S. The deal was signed.",
            ["Talks resumed in the U.S.", "The deal was signed."],
        ),
        ("J. K. Rowling spoke. Fans cheered.", ["J. K. Rowling spoke.", "Fans cheered."]),
    ],
)
def test_news_sentences(text, expected):
    assert sentences(text) == expected


def test_spans_point_into_the_text_and_skip_white_space():
    text = "  First one.   Second one.\n"
    spans = split(text)
    assert [text[s:e] for s, e in spans] == ["First one.", "Second one."]


def test_text_without_final_punctuation_is_one_sentence():
    assert sentences("a heading without a period") == ["a heading without a period"]


# Text made of what sentence ends are made of: punctuation, closers, list marks, white space
# and words that abbreviations and initialisms are made of.
_PROSE = st.lists(
    st.sampled_from(
        [".", "!", "?", "…", '"', "’", ")", "]", "-", "*", "•", "–", " ", "\t", "\n", "\n\n"]
        + ["U", "S", "Mr", "jan", "No", "a", "the", "ABC", "x&y", "it's", "3", "1990s"]
    ),
    max_size=60,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=_PROSE)
def test_candidate_ends_are_those_of_the_plain_pattern(text):
    plain = re.compile(r"""[.!?…]+['"’”»)\]]*(?=\s)|\n(?=[ \t]*[-*•–][ \t])""")
    assert [m.span() for m in _CANDIDATE.finditer(text)] == [m.span() for m in plain.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(text=_PROSE, stop=st.integers(min_value=0, max_value=200))
def test_the_word_before_is_found_whatever_its_length(text, stop):
    text = "x" * 40 + text  # words longer than one look back
    stop = min(stop, len(text))
    found = re.search(r"""([\w.'’&-]+)$""", text[:stop])
    assert _word_before(text, stop) == (found.group(1) if found else "")
