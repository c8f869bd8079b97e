"""The one analyser: every piece of text becomes terms here, whether it is being indexed,
asked, scored for a quote or highlighted, so that a word always meets itself.

Text is folded (Unicode NFKC, case folding, diacritics removed), split into words, stripped of
English stopwords and stemmed with Snowball. Words are found on the original text so each term
keeps the character span of the word it came from; that span is what a reply highlights.

Names of models, strains and diseases are written several ways: "F-35", "F35" and "F 35";
"COVID-19" and "Covid19"; "IL-6" and "IL6R". A word that mixes letters and digits is therefore
one term as written (hyphen dropped) and also one term for each run of letters or digits, so
that every spelling meets every other: Lucene's word-delimiter filter with the original kept.
Ordinals and decades ("19th", "1990s") stay one term.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from itertools import chain
from typing import NamedTuple

import Stemmer

#: Bumped whenever a change here changes the terms of some text: an index built with another
#: version must be rebuilt, since its stored terms would no longer meet the question's.
ANALYSER_VERSION = "4"

# A word is a run of letters, marks and digits, possibly joined by apostrophes ("don't",
# "Israel's"). Underscores and hyphens split words: "Rasht-Astara" is two words, and so is
# "2024-03". (Written as runs rather than one character at a time, which finds the same words
# in half the time.)
_PLAIN = r"[^\W_]+(?:['’][^\W_]+)*"
#: A word as written, split at every hyphen: what names are matched by, word by word (other
#: names from the alias file, who speaks in a passage, a question's speaker and its runs of
#: capitalised words), where "F-35" may be written "F 35"; and, searched for, whether a piece
#: of text holds any word at all.
PLAIN_WORD = re.compile(_PLAIN)
# The analyser's word: a hyphen between letters and digits also joins them, so that "F-35",
# "COVID-19" and "3-D" are each one word, whose runs `terms` then adds.
#: Initials written with full stops ("U.S.", "U.K.", "E.U."): one word, spelt as the same
#: initials written without them ("US", "UK", "EU"), so that a question typed either way
#: meets the other. Split at the stops, "U.S." was "u" and a stopword.
_INITIALS = r"(?<![^\W_])[^\W\d_](?:\.[^\W\d_])+\.?(?![^\W_])"
_WORD = re.compile(
    _INITIALS + "|" + _PLAIN + r"(?:-(?:(?<=\d-)[^\W\d_]|(?<=[^\W\d_]-)\d)[^\W_]*(?:['’][^\W_]+)*)?"
)
# What joins the parts of one word: dropped from its spelling ("Raeisi's", "F-35", "U.S.").
_JOINS = re.compile(r"['’.-]")
# The runs of letters and of digits in a word that mixes them, and the words that keep whole.
_RUNS = re.compile(r"\d+|[^\W\d_]+")
_DIGIT = re.compile(r"\d")
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th|s)", re.IGNORECASE)
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
#: Contractions that, written without their apostrophe, are words of their own: "she'll" is
#: not "Shell", "we'll" not an oil "well", "she'd" not "shed" 2,000 jobs.
_WORDS_OF_THEIR_OWN = frozenset("hell ill shell shed well wed id".split())
_STOPWORDS_FOLDED: frozenset[str] = (
    frozenset(_JOINS.sub("", w) for w in STOPWORDS) - _WORDS_OF_THEIR_OWN
)

_stemmer = Stemmer.Stemmer("english")
# PyStemmer keeps a cache of its own (10,000 words), which `term` already does: once a build
# has met more words than that, each new one made it evict entries, and stemming took 3 to
# 4 µs a word instead of 0.6 (83,560 words of the synthetic corpus: 0.33 → 0.05 s).
_stemmer.maxCacheSize = 0


class Token(NamedTuple):
    """One word of the original text: its term and where it stands."""

    term: str
    start: int
    end: int


_new_token = tuple.__new__  # a Token without NamedTuple's Python-level __new__: a third faster


def fold(word: str) -> str:
    """Fold a word's spelling so that "Café", "CAFE" and "café" compare equal."""
    if word.isascii():  # what the normalisations below leave of ASCII: its lower case
        return word.lower()
    word = unicodedata.normalize("NFKC", word).casefold()
    decomposed = unicodedata.normalize("NFD", word)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", stripped)


def spelling(word: str) -> str:
    """A word as spelt, folded, without possessive, apostrophes or hyphen ("Raeisi's" →
    "raeisi", "F-35" → "f35"): what a term is stemmed from, and what an exact match of a
    question word compares."""
    if word.isalpha() and word.isascii():  # nothing to take off: "Wheat", "said"
        return word.lower()
    return _JOINS.sub("", _POSSESSIVE.sub("", fold(word)))


@lru_cache(maxsize=200_000)
def term(word: str) -> str | None:
    """The term a single word becomes, or None for a stopword."""
    folded = spelling(word)
    if not folded or folded in _STOPWORDS_FOLDED:
        return None
    if folded in _WORDS_OF_THEIR_OWN and fold(word).replace("’", "'") in STOPWORDS:
        return None  # "she'll" with its apostrophe
    return _stemmer.stemWord(folded)


@lru_cache(maxsize=200_000)
def terms(word: str) -> tuple[str, ...]:
    """The terms a single word becomes: none for a stopword, one for most words, and for a
    word that mixes letters and digits ("F-35") its own term then one for each run ("f35",
    "f", "35")."""
    return delimited(word, term)


def delimited(word: str, term: Callable[[str], str | None]) -> tuple[str, ...]:
    """`terms` with another word-to-term function: for comparing stemmers and stopwords."""
    whole = term(word)
    if whole is None:
        return ()
    if not _DIGIT.search(word) or word.isdigit():
        return (whole,)
    folded = spelling(word)
    if _ORDINAL.fullmatch(folded):
        return (whole,)
    if folded[-1] == "s" and folded[-2].isdigit():  # "F-35s" are "F-35"s, as "jets" are "jet"s
        whole = term(folded[:-1]) or whole
    runs = [t for run in _RUNS.findall(folded) if (t := term(run)) is not None]
    return (whole, *runs) if runs != [whole] else (whole,)


def tokens(text: str, runs: bool = True) -> list[Token]:
    """The terms of `text` with their spans, stopwords left out. The terms of one word share
    its span. Without `runs`, each word gives only its own term ("f35" of "F-35", not "f"
    and "35"): for what counts words rather than terms, such as a question's words."""
    out = []
    append = out.append
    for match in _WORD.finditer(text):
        found = terms(match.group())
        if found:
            start, end = match.span()
            for t in found if runs else found[:1]:
                append(_new_token(Token, (t, start, end)))
    return out


def analyse(text: str) -> list[str]:
    """The terms of `text`, in order, stopwords left out."""
    return list(chain.from_iterable(map(terms, _WORD.findall(text))))


class _Uncounted(Exception):
    """A term holds a space, so the spaces of a joined string do not count the terms."""


class _Pieces(dict):
    """A white-space-separated piece of text → its terms, each followed by a space ("F-35,"
    → "f35 f 35 "): what `counted` joins. When full it starts afresh, keeping the previous
    generation to take back the pieces still in use, so memory stays bounded and the common
    pieces are not analysed again."""

    def __init__(self) -> None:
        super().__init__()
        self.previous: dict[str, str] = {}

    def __missing__(self, piece: str) -> str:
        joined = self.previous.get(piece)
        if joined is None:
            word = piece.strip(_EDGES)
            if word.isalpha() and word.isascii():  # one plain word: "Wheat.", "(said"
                found = term(word)
                joined = found + " " if found else ""
            else:
                found = analyse(piece)
                joined = "".join([t + " " for t in found])
                if joined.count(" ") != len(found):  # NFKC spells a few ligatures with spaces
                    raise _Uncounted
        if len(self) >= _PIECES_MAX:
            self.previous = dict(self)
            self.clear()
        self[piece] = joined
        return joined


#: ASCII punctuation: no word begins or ends with it (`_WORD` begins at a letter or digit,
#: and an apostrophe or hyphen joins only what stands on both sides), so a piece of ASCII
#: letters within it is that one word, whose term `_Pieces` takes without reading the piece
#: with `_WORD`: most new pieces of a build are (114,240 new pieces of the synthetic corpus:
#: 3.9 → 1.6 µs each).
_EDGES = string.punctuation
#: Pieces a generation of `counted`'s memory holds: two generations are at most 40 MB.
_PIECES_MAX = 131_072
_pieces = _Pieces()


def counted(text: str) -> tuple[str, int]:
    """The terms of `text` (`analyse`) joined by spaces, each followed by one, and how many
    there are: what a whole build stores for a passage, without a list of terms made and
    joined for each.

    No word holds white space, so the words of a text are the words of its white-space-
    separated pieces in turn, and a piece's terms are looked up once for every time it
    recurs (a briefing's pieces are a few hundred thousand distinct ones, repeated): 2.5 times
    faster than `analyse` then joining, on 100,000 synthetic passages."""
    try:
        joined = "".join(map(_pieces.__getitem__, text.split()))
    except _Uncounted:
        found = analyse(text)
        return "".join([t + " " for t in found]), len(found)
    return joined, joined.count(" ")


def split(text: str) -> list[str]:
    """The words of `text` as written, in order: what `tokens` and `analyse` look at."""
    return _WORD.findall(text)


def words(text: str) -> list[str]:
    """The folded words of `text` before stemming, stopwords kept: what a user typed."""
    return [fold(w) for w in _WORD.findall(text)]
