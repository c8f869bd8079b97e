"""Countries and the words for their people: "the Spanish minister" is Spain's minister.

People ask about "the Japanese defence minister" or "Latvian officials" where the briefings
write "Japan's defence minister" and "Latvia's", and the other way round. Stemming does not
join them (Spanish/Spain, Dutch/Netherlands, Japanese/Japan), so a question's country or
demonym also searches for the other word, in the same group: a variant that adds evidence,
never one that replaces the word typed.

The list is countryinfo's (its data files, read once, about 30 ms; its API is not imported):
where a demonym belongs to several entries ("American", "French"), the most populous one.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from .. import analysis


@cache
def _pairs() -> dict[str, str]:
    """Each country's and each demonym's folded spelling → the other word."""
    spec = find_spec("countryinfo")
    folders = list(spec.submodule_search_locations or []) if spec else []
    best: dict[str, tuple[int, str]] = {}  # demonym → (population, country)
    for folder in folders:
        for path in sorted((Path(folder) / "data").glob("*.json")):
            try:
                entry = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            name, demonyms = entry.get("name"), entry.get("demonym")
            if not isinstance(name, str) or not isinstance(demonyms, str):
                continue
            population = entry.get("population")
            people = population if isinstance(population, int) else 0
            for demonym in demonyms.split(","):
                demonym = demonym.strip()
                if demonym and (demonym not in best or best[demonym][0] < people):
                    best[demonym] = (people, name)
    out: dict[str, str] = {}
    for demonym, (_, country) in best.items():
        one, other = _key(demonym), _key(country)
        if one and other and one != other:
            out.setdefault(one, country)
            out.setdefault(other, demonym)
    return out


def _key(words: str) -> str | None:
    """One word as looked up: a country or demonym of more than one word is left out (the
    question's words are looked up one at a time)."""
    found = analysis.PLAIN_WORD.findall(words)
    return analysis.fold(found[0]) if len(found) == 1 else None


def other_terms(word: str) -> tuple[str, ...]:
    """The terms of the country a demonym names, or of the demonym of a country ("Spanish" →
    spain; "Spain" → spanish; "Palestinians" → palestine); none for any other word."""
    other = _pairs().get(_looked_up(word))
    return tuple(analysis.analyse(other)) if other else ()


def is_place(word: str) -> bool:
    """Whether `word` names a country or its people ("Gabon", "Gabonese", "Iranians")."""
    return _looked_up(word) in _pairs()


def _looked_up(word: str) -> str:
    """`word` as the list holds it: a people in the plural as one of them ("Iranians",
    "Palestinians"), since the list gives each demonym in the singular; a country whose name
    ends in "s" ("Philippines") as it is."""
    folded = analysis.fold(word)
    if folded.endswith("s") and folded not in _pairs() and folded[:-1] in _pairs():
        return folded[:-1]
    return folded


def warm() -> None:
    """Read the list now (about 30 ms) rather than in the middle of a question."""
    _pairs()
