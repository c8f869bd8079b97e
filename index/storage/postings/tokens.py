"""FTS5's `ascii` tokenizer as the postings need it: the tokens FTS5 stores for a text, so
that lengths and frequencies match its own, and whether it reads a term as one token.
"""

from __future__ import annotations

import re

# FTS5's `ascii` tokenizer: runs of ASCII letters and digits and of any non-ASCII character.
# Each class is written as the rest of ASCII that it leaves out: the same set as the range
# in the comment beside it, which `re` takes 5 ms to compile, at every start of the bot.
_FTS_TOKEN = re.compile(r"[^\x00-/:-@\[-`{-\x7f]+")  # [0-9A-Za-z\u0080-\U0010ffff]+
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_SIMPLE_TERM = re.compile(r"[^\x00-/:-`{-\x7f]+")  # [0-9a-z\u0080-\U0010ffff]+
_PLAIN_TEXT = re.compile(r"[^\x00-\x1f!-/:-`{-\x7f]*")  # [ 0-9a-z\u0080-\U0010ffff]*


def fts_tokens(text: str) -> list[str]:
    """The tokens FTS5 stores for `text`, so lengths and frequencies match its own."""
    if _PLAIN_TEXT.fullmatch(text):  # analysed terms: FTS5 splits them on the spaces only
        return text.split()
    return _FTS_TOKEN.findall(text.translate(_ASCII_LOWER))


def is_simple(term: str) -> bool:
    """Whether FTS5 reads `term` as the single token it is (and not as a phrase)."""
    return bool(_SIMPLE_TERM.fullmatch(term))
