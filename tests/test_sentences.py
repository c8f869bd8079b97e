"""The splitter survives the periods of news prose that end nothing."""

import pytest

from index.files.sentences import sentences, split


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
