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


def test_the_common_case_is_read_as_the_full_reading_reads_it():
    """`split` tells most ends ("said. The") with string methods alone; wherever it does, the
    answer must be the full reading's, on text made of the cases that make ends hard."""
    import random

    from index.files import sentences as s

    words = (
        "Mr. mr. Ms. MS. U.S. Jan. jan. 5 10. said. Said. the The He etc. Corp. No. no. é. Éa."
        ' ab. AB. "Quote." (x). Yahoo! what? … – - Inc. J. x. 3.5 approx. ALL. naïve. Zürich.'
        " 'tis. % , ; St. sept. Sept. mid-day. I. A. AA."
    ).split(" ")
    rnd = random.Random(7)
    told = 0
    for _ in range(20_000):
        picked = [rnd.choice(words) for _ in range(rnd.randint(2, 8))]
        gaps = [rnd.choice([" ", " ", " ", "  ", "\n", " \n\n", "\t"]) for _ in picked]
        text = "".join(w + g for w, g in zip(picked, gaps, strict=True)).strip()
        for match in s._CANDIDATE.finditer(text):
            fast = s._ends_plainly(text, match.end())
            if fast is not None:
                told += 1
                assert fast == s._ends_sentence(text, match.end()), (text, match.end())
    assert told > 10_000  # the common case is most of them
