"""The one analyser: every piece of text becomes terms here, whether it is being indexed,
asked, scored for a quote or highlighted, so that a word always meets itself.

Text is folded (Unicode NFKC, case folding, diacritics removed), split into words, stripped of
English stopwords and stemmed with Snowball. Words are found on the original text so each term
keeps the character span of the word it came from; that span is what a reply highlights.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

import Stemmer

#: Bumped whenever a change here changes the terms of some text: an index built with another
#: version must be rebuilt, since its stored terms would no longer meet the question's.
ANALYSER_VERSION = "1"

# A word is a run of letters, marks and digits, possibly joined by apostrophes ("don't",
# "Israel's"). Underscores and hyphens split words: "Rasht-Astara" is two words. (Written as
# runs rather than one character at a time, which finds the same words in half the time.)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_APOSTROPHES = re.compile(r"['’]")
_POSSESSIVE = re.compile(r"['’]s$")

# Snowball's English stopword list (snowballstem.org, english/stop.txt), plus the possessive
# and contraction fragments that survive splitting.
STOPWORDS: frozenset[str] = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing would should could ought i'm you're he's she's it's we're they're i've you've we've
    they've i'd you'd he'd she'd we'd they'd i'll you'll he'll she'll we'll they'll isn't
    aren't wasn't weren't hasn't haven't hadn't doesn't don't didn't won't wouldn't shan't
    shouldn't can't cannot couldn't mustn't let's that's who's what's here's there's when's
    where's why's how's a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on off
    over under again further then once here there when where why how all any both each few
    more most other some such no nor not only own same so than too very s t can will just don
    should now d ll m o re ve y
    """.split()
)
_STOPWORDS_FOLDED: frozenset[str] = frozenset(_APOSTROPHES.sub("", w) for w in STOPWORDS)

_stemmer = Stemmer.Stemmer("english")


class Token(NamedTuple):
    """One word of the original text: its term and where it stands."""

    term: str
    start: int
    end: int


_new_token = tuple.__new__  # a Token without NamedTuple's Python-level __new__: a third faster


def fold(word: str) -> str:
    """Fold a word's spelling so that "Café", "CAFE" and "café" compare equal."""
    word = unicodedata.normalize("NFKC", word).casefold()
    decomposed = unicodedata.normalize("NFD", word)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", stripped)


def spelling(word: str) -> str:
    """A word as spelt, folded, without possessive or apostrophes ("Raeisi's" → "raeisi"):
    what a term is stemmed from, and what an exact match of a question word compares."""
    return _APOSTROPHES.sub("", _POSSESSIVE.sub("", fold(word)))


@lru_cache(maxsize=200_000)
def term(word: str) -> str | None:
    """The term a single word becomes, or None for a stopword."""
    folded = spelling(word)
    if not folded or folded in _STOPWORDS_FOLDED:
        return None
    return _stemmer.stemWord(folded)


def tokens(text: str) -> list[Token]:
    """The terms of `text` with their spans, stopwords left out."""
    out = []
    append = out.append
    for match in _WORD.finditer(text):
        t = term(match.group())
        if t is not None:
            start, end = match.span()
            append(_new_token(Token, (t, start, end)))
    return out


def analyse(text: str) -> list[str]:
    """The terms of `text`, in order, stopwords left out."""
    return [t for w in _WORD.findall(text) if (t := term(w)) is not None]


def split(text: str) -> list[str]:
    """The words of `text` as written, in order: what `tokens` and `analyse` look at."""
    return _WORD.findall(text)


def words(text: str) -> list[str]:
    """The folded words of `text` before stemming, stopwords kept: what a user typed."""
    return [fold(w) for w in _WORD.findall(text)]
