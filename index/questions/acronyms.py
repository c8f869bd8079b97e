"""A short name's long form, as the briefings spell it out: "EU" is the European Union.

A briefing names an organisation in full where it first appears and by its initials after
("European Union environment ministers agreed …", then "the EU's position"), so a question
that says "EU" misses the passage that says "European Union", and the other way round.
Stemming cannot join them, and no list of them is kept: the briefings themselves say which
words a short name stands for, where the two meet ("the carbon border adjustment mechanism,
or CBAM", "the International Monetary Fund (IMF)", or "European Union" in a passage that also
says "EU"). `long_form` reads that from the passages that hold the short name.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter

from .. import analysis
from ..storage import vocabulary
from ..storage.search import quoted

#: Passages read for a short name's long form: the newest that hold it.
SAMPLE = 200
#: Words a long form may hold that its initials skip: "Bank of Japan", "Organisation of the
#: Petroleum Exporting Countries".
_SKIPPED = frozenset({"of", "for", "and", "the", "de", "on", "in", "&"})
_WORD = re.compile(r"[A-Za-z][\w'’-]*")

_cache: dict[tuple[tuple, str], tuple[str, ...]] = {}


def long_form(conn: sqlite3.Connection, vocab: vocabulary.Vocabulary, term: str) -> tuple[str, ...]:
    """The terms of the long form of the short name `term` ("european", "union" for "eu"), or
    () when the briefings write `term` as no short name or never spell it out."""
    key = (vocab.fingerprint, term)
    if key not in _cache:
        if len(_cache) > 4096:
            _cache.clear()
        _cache[key] = _read(conn, term)
    return _cache[key]


def _read(conn: sqlite3.Connection, term: str) -> tuple[str, ...]:
    short = vocabulary.surface(conn, term)
    if not (2 <= len(short) <= 6 and short.isalpha() and short.isupper()):
        return ()
    rows = conn.execute(
        "SELECT p.text FROM passages_fts f JOIN passages p ON p.id = f.rowid"
        " WHERE passages_fts MATCH ? ORDER BY f.rowid DESC LIMIT ?",
        [quoted(term), SAMPLE],
    )
    seen: Counter[tuple[str, ...]] = Counter()
    for (text,) in rows:
        words = _WORD.findall(text)
        for end in range(len(words)):
            form = _ending_at(words, end, short)
            if form:
                seen[form] += 1
    if not seen:
        return ()
    words = seen.most_common(1)[0][0]
    return tuple(t for w in words for t in analysis.analyse(w))


def _ending_at(words: list[str], end: int, short: str) -> tuple[str, ...] | None:
    """The capitalised words ending at `end` whose initials spell `short` ("European Union"
    for "EU"), skipping `_SKIPPED` words between them; None when there are none."""
    if not words[end][:1].isupper():
        return None
    letters = list(short.lower())
    picked: list[str] = []
    i = end
    while i >= 0 and letters:
        word = words[i]
        if word.lower() in _SKIPPED and picked:
            i -= 1
            continue
        if not word[:1].isupper() or word.lower()[0] != letters[-1] or word.isupper():
            return None
        picked.append(word)
        letters.pop()
        i -= 1
    return tuple(reversed(picked)) if not letters else None
