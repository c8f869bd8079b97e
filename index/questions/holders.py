"""Who holds a title, as the briefings name them: "the Commission president" is Annelie Brandt.

People ask about a speaker by title as often as by name ("what did Japan's prime minister
say?"), and news names the person once with the title ("Japan's prime minister, Hiroshi
Tanabe, said …", "European Commission President Annelie Brandt") and then by name alone
("Tanabe told reporters …"). Read only as its words, the title finds the first kind of passage
and misses the second, where the person speaks. So the passages that hold all of the title's
words are read for the name written beside it, and the name the briefings give most often is
the title's holder: searched for and counted as the speaker's name, as another spelling of the
title's own name word is ("Commission" or "Brandt").

A title alone ("the president", "ministers") names no one in particular and is not looked up;
nor is a title given with its holder's name ("President Raeisi"), whose name is already there.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Collection, Sequence

from .. import analysis
from ..analysis import PLAIN_WORD
from ..storage import search as _search
from .aliases import normal
from .speaker import TITLES

#: Passages holding a title's words read for the name beside it, those indexed last.
DEPTH = 30
#: How many words before a title may hold its other words ("Dutch climate and energy
#: minister", "European Commission President").
BEFORE = 5
#: Most words in a name ("Lucía Ortega Marín", "Joost van Aerde").
NAME_WORDS = 4
#: A holder is kept when the briefings give them the title at least this share as often as
#: the holder they give it most.
SHARE = 0.5
#: Holders kept at most (a title that two people held within the briefings' span).
KEEP = 2
#: Lower-case words inside a name ("Joost van Aerde", "Ursula von der Leyen").
PARTICLES = frozenset(
    "van von der den de da das do dos du la le del bin ibn abu ben al el di ter".split()
)
#: Words before a title that make it another title ("Vice Chairman Manuel Johnson" is not
#: the chairman).
LESSER = frozenset("vice deputy former acting assistant under ex".split())
#: A particle joined to a capitalised name ("al-Sabah", "bin-Salman").
_JOINED = re.compile(r"(?:al|el|bin|ibn|abu|ben)-[A-Z]")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*[\w]|[^\W\d_]")


def holders(conn: sqlite3.Connection, speaker: Sequence[tuple[str, Collection[str]]]) -> list[str]:
    """The names of whoever the briefings give the title `speaker` (each word as typed, with
    the terms it is searched as), most often first: ["Annelie Brandt"] for "the Commission
    president". Empty for a title alone, for a title given with a name, and when the
    briefings name no one with it."""
    words = [(normal(typed), terms) for typed, terms in speaker if terms]
    titles = [w for w, _ in words if w in TITLES]
    others = [(w, terms) for w, terms in words if w not in TITLES]
    if not titles or not others or words[-1][0] not in TITLES:
        return []
    match = " AND ".join(
        "(" + " OR ".join(_search.quoted(t) for t in terms) + ")" for _, terms in words
    )
    # The passages indexed last, read in the index's own order: no score for every passage
    # holding a common title, and a title's holder now before whoever held it years ago.
    rows = conn.execute(
        "SELECT p.text FROM passages_fts f JOIN passages p ON p.id = f.rowid"
        " WHERE passages_fts MATCH ? ORDER BY f.rowid DESC LIMIT ?",
        (match, DEPTH),
    )
    found: Counter[str] = Counter()
    spelt: dict[str, str] = {}
    for (text,) in rows:
        for name in _named(text, titles[-1], [terms for _, terms in others]):
            key = normal(name.split()[-1])
            found[key] += 1
            spelt.setdefault(key, name)
    typed = {w for w, _ in others}
    best = max(found.values(), default=0)
    kept = [k for k, n in found.most_common() if n >= SHARE * best and k not in typed]
    return [spelt[k] for k in kept[:KEEP]]


def _named(text: str, title: str, others: Sequence[Collection[str]]) -> list[str]:
    """The names `text` writes right after the title word with its other words just before
    it ("Japan's prime minister, Hiroshi Tanabe")."""
    words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]
    out = []
    for i, (word, _, end) in enumerate(words):
        if normal(word) != title or (i and _lesser(words[i - 1][0], others)):
            continue
        before = {t for w, _, _ in words[max(0, i - BEFORE) : i] for t in analysis.terms(w)}
        if not all(before & set(terms) for terms in others):
            continue
        after = _name_at(text, words, i + 1, end)
        if after:
            out.append(after)
    return out


def _lesser(word: str, others: Sequence[Collection[str]]) -> bool:
    """Whether `word`, just before the title, makes it another ("vice chairman"), when the
    question did not ask for that one."""
    return normal(word) in LESSER and not any(analysis.term(word) in t for t in others)


def name_words(name: str) -> list[str]:
    """The folded words of a name that name the person: not its particles ("al", "van")."""
    return [w for w in map(normal, PLAIN_WORD.findall(name)) if w not in PARTICLES]


def _name_at(text: str, words: list[tuple[str, int, int]], i: int, end: int) -> str | None:
    """The name that starts at word `i`, after nothing but a space or a comma: capitalised
    words, with particles between them ("Joost van Aerde"), not a title."""
    if i >= len(words) or text[end : words[i][1]].strip() not in ("", ","):
        return None
    while i < len(words) and normal(words[i][0]) in TITLES:  # "Minister Sheikh Ali …"
        end, i = words[i][2], i + 1
    name: list[str] = []
    last = end
    for word, start, stop in words[i : i + NAME_WORDS]:
        if name and text[last:start].strip():
            break
        capital = word[0].isupper() and normal(word) not in TITLES
        if not (capital or _JOINED.match(word) or (name and word in PARTICLES)):
            break
        name.append(word)
        last = stop
    while name and name[-1] in PARTICLES:
        name.pop()
    return " ".join(name) if name else None
