"""The other side's spelling of a word: "privatisation" and "privatization", "labour" and
"labor", "defence" and "defense", "centre" and "center".

News copy mixes British and American spelling, often within one archive (Reuters wrote both),
and the stemmer keeps them apart: "privatisation" is `privatis`, "privatization" `privat`.
A question in one spelling then finds only the passages written in it. The other spelling is
searched beside the one typed, as the same word (one group, the same weight), so that either
finds both; and a word the briefings hold only in the other spelling is no slip of the
keyboard to put right and announce.

The rules are English spelling conventions, each checked against English usage (`english`):
a form they make that English does not use ("promize" from "promise") is no spelling.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import english

#: (British, American) endings, each with the letters it may end a word with after it.
_ENDINGS: tuple[tuple[str, str], ...] = (
    ("is", "iz"),  # organise, organisation, privatised, criticising
    ("ys", "yz"),  # analyse, paralysed
    ("our", "or"),  # labour, favourite, honourable
    ("tre", "ter"),  # centre, metres
    ("ence", "ense"),  # defence, licence
    ("ogue", "og"),  # catalogue, dialogue
)
_AFTER = r"(e|es|ed|ing|er|ers|ation|ations|able|ably|ite|ites|s)?"
#: Letters a word must have before the ending: "hour", "rise" and "tour" are no such words.
_STEM = r"([a-z]{3,})"
_RULES = tuple(
    (re.compile(_STEM + a + _AFTER + "$"), re.compile(_STEM + b + _AFTER + "$"), a, b)
    for a, b in _ENDINGS
)


@lru_cache(maxsize=4096)
def other_spelling(word: str) -> str | None:
    """The other side's spelling of `word` (lower case), if English uses it: "labour" →
    "labor", "organization" → "organisation"; None for most words."""
    word = word.lower()
    for british, american, a, b in _RULES:
        for pattern, other in ((british, b), (american, a)):
            m = pattern.fullmatch(word)
            if m is None:
                continue
            spelt = m.group(1) + other + (m.group(2) or "")
            if spelt != word and english.zipf(spelt) > 0:
                return spelt
    return None
