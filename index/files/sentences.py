"""Sentence boundaries for news prose, found once at index time.

Quotes and highlights are cut on these boundaries, so a wrong cut shows up in every reply.
News text is full of periods that end nothing: titles ("Mr. Putin"), initialisms ("U.S."),
dates ("Jan. 5"), decimals ("3.5 percent"), and quotes that close after the period.
"""

from __future__ import annotations

import re

# Abbreviations after which a period does not end a sentence (when followed by more text).
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st mt gen col lt sgt capt cmdr adm gov sen rep rev hon pres
    fr sra srta messrs mme mlle
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun
    inc ltd co corp plc llc bros dept univ assn est approx vs etc al cf ie eg
    no nos vol pp ch fig figs art sec ft oz lb lbs km kg cm mm mi yr yrs
    ave blvd rd hwy
    ala ariz ark calif colo conn del fla ga ill ind kan kans ky la md mass mich minn miss mo
    mont neb nebr nev okla ore pa tenn tex va vt wash wis wisc wyo
    """.split()
)

# Abbreviations that usually stand before a name or number, so even a capital after them
# does not start a sentence ("Mr. Smith", "Jan. 5", "No. 10").
_BEFORE_NAMES = frozenset(
    """
    mr mrs ms dr prof gen col lt sgt capt cmdr adm gov sen rep rev hon pres st mt fr messrs
    jan feb mar apr jun jul aug sep sept oct nov dec no nos vol pp fig figs art sec
    """.split()
)

# A candidate end: terminal punctuation, any closing quotes or brackets, then white space;
# or a line break before a list item. Written to open with one set of characters, which
# `re` then skips to directly instead of trying both branches at every character (the same
# ends as `[.!?…]+['"’”»)\]]*(?=\s)|\n(?=[ \t]*[-*•–][ \t])`, found in 0.85 of the time).
_CANDIDATE = re.compile(
    r"""[.!?…\n](?:(?<=[.!?…])[.!?…]*['"’”»)\]]*(?=\s)|(?<=\n)(?=[ \t]*[-*•–][ \t]))"""
)
_WORD_BEFORE = re.compile(r"""([\w.'’&-]+)$""")
_CLOSERS = "'\"’”»)]"
#: Characters looked back at a time for the word before a period: longer than most words,
#: so that one look most often finds it whole; a search tries every start in the window, so
#: a window of 64 took twice as long over 125,000 paragraphs, to the same words.
_LOOK_BACK = 16
_NEXT_START = re.compile(r"""\s+(['"‘“«(\[]*)(\S)""")
_NEXT_WORD = re.compile(r"\w+")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.)*[A-Za-z]")

# Words that open most sentences; after "U.S." or "Inc." they mean the sentence has ended.
_SENTENCE_STARTERS = frozenset(
    """
    the a an he she it they we i you his her its their our this that these those there here
    but and or so yet if when while after before as in on at for from by with to of since
    however meanwhile also still then now what who why how where mr mrs ms dr some many most
    all one two no not both each other such according last next earlier later
    """.split()
)


def _ends_sentence(text: str, end: int) -> bool:
    """Whether the punctuation that stops at `end` closes a sentence."""
    if text[end - 1] == "\n":
        return True  # a list item starts on the next line
    mark = end  # where the punctuation stops, before any closing quotes or brackets
    while mark > 0 and text[mark - 1] in _CLOSERS:
        mark -= 1
    closed = mark < end  # a quote or bracket closes after the punctuation
    nxt = _NEXT_START.match(text, end)
    if nxt is None or "\n\n" in text[end : nxt.start(2)]:
        return True
    following = nxt.group(2)
    if following.islower() or following in ",;:%":
        # Runs on in lower case: "Yahoo! said", "Jan. 5", "the U.S. economy".
        return False
    if mark == 0 or text[mark - 1] != "." or closed:
        return True
    word = _word_before(text, mark - 1)
    bare = word.lower().lstrip("'’-")
    if len(bare) > 1 and word.isupper() and "." not in word:
        bare = ""  # an acronym ("MS", "SEC"), not the abbreviation spelled the same ("Ms.")
    if bare in _BEFORE_NAMES:
        return False
    if following.isdigit():
        return bare not in _ABBREVIATIONS
    if bare in _ABBREVIATIONS or _INITIALISM.fullmatch(word):
        # "Corp. Chief", "U.S. Army", "J. K. Rowling": a capital after an abbreviation
        # starts a sentence only when it is a word sentences usually start with.
        next_word = _NEXT_WORD.match(text, nxt.start(2))
        return next_word is not None and next_word.group().lower() in _SENTENCE_STARTERS
    return True


def _word_before(text: str, stop: int) -> str:
    """The run of word characters, periods, apostrophes, ampersands and hyphens that ends at
    `stop`, read backwards from it: searching the whole text before each candidate end made
    splitting a long paragraph take time in the square of its length (all of Reuters-21578:
    1.43 s, now 0.42 s, the same spans)."""
    low = stop
    while True:
        low = max(0, low - _LOOK_BACK)
        found = _WORD_BEFORE.search(text, low, stop)
        if found is None:
            return ""
        if found.start() > low or low == 0:
            return found.group(1)


#: What may open a sentence before its first letter: the common case below leaves these to
#: `_ends_sentence`.
_OPENERS = frozenset("'\"‘“«([")


def _ends_plainly(text: str, end: int) -> bool | None:
    """`_ends_sentence` for the common case, told with string methods alone: the mark is
    followed by one space and a character that opens no quotation, and, where the mark is a
    period, the word before it is plain letters. None where it is not that case. Most
    candidate ends in news are ("said. The"), and reading them with three regular
    expressions each took a sixth of the text work of a build."""
    if end + 1 >= len(text) or text[end] != " ":
        return None
    following = text[end + 1]
    if following.isspace() or following in _OPENERS:
        return None
    if following.islower() or following in ",;:%":
        return False  # runs on: "Jan. 5"-like cases are read as `_ends_sentence` reads them
    if text[end - 1] != ".":
        return True  # "!", "?", "…" or a closing quote or bracket, then a capital
    space = text.rfind(" ", max(0, end - 40), end - 1)
    word = text[space + 1 : end - 1]
    if space < 0 or len(word) < 2 or not word.isalpha():
        return None  # an initialism, a number, a quote mark: the full reading
    bare = "" if word.isupper() else word.lower()  # "MS" is an acronym, "Ms." an abbreviation
    if bare in _BEFORE_NAMES:
        return False
    if following.isdigit():
        return bare not in _ABBREVIATIONS
    if bare in _ABBREVIATIONS:
        return None
    return True


def split(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of `text`, white space trimmed, covering all its words."""
    spans = []
    start = 0
    for match in _CANDIDATE.finditer(text):
        end = match.end()
        ends = _ends_plainly(text, end)
        if ends is None:
            ends = _ends_sentence(text, end)
        if ends:
            spans.append((start, end))
            start = end
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
    return out


def sentences(text: str) -> list[str]:
    """The sentences of `text`."""
    return [text[s:e] for s, e in split(text)]
