"""Words that news writes in place of the word a question uses: "earn" for "net profit",
"inflation" for "consumer prices", "probe" for "investigation".

Stems join "earned" and "earnings", but not "earn" and "profit". A question about how much a
company earned is answered by "net profit was 541 mln francs"; one about a country's
inflation by "consumer prices rose 0.4 pct"; one about the jobless rate by "unemployment
fell to 9.6 pct". Each group below holds words that stand for one another in business and
political news; a question word in a group also searches for the others, in its own group
and at `WEIGHT`: evidence that adds, never a word that replaces the one typed. The groups are
English usage, not any briefing's subjects; a word with other senses ("net", "price") is left
out, since it would match everywhere.
"""

from __future__ import annotations

from functools import cache

from .. import analysis

#: What a related word weighs against the word typed.
WEIGHT = 0.5

GROUPS: tuple[tuple[str, ...], ...] = (
    ("earn", "earnings", "profit", "profits"),
    ("turnover", "sales", "revenue", "revenues"),
    ("inflation", "consumer", "cpi"),
    ("jobless", "unemployment", "unemployed"),
    ("gdp", "economy"),
    ("probe", "investigation", "inquiry"),
    ("money", "funding", "funds", "financing"),
    ("quake", "earthquake"),
    ("pump", "output", "production"),
    ("deal", "agreement", "pact", "accord"),
    ("talks", "negotiations"),
    ("workforce", "employees", "staff"),
    ("layoffs", "redundancies"),
)


@cache
def _related() -> dict[str, tuple[str, ...]]:
    """Each word's term → the terms of the other words of its groups."""
    out: dict[str, list[str]] = {}
    for group in GROUPS:
        terms = list(dict.fromkeys(t for word in group for t in analysis.analyse(word)))
        for term in terms:
            out.setdefault(term, []).extend(t for t in terms if t != term)
    return {term: tuple(dict.fromkeys(others)) for term, others in out.items()}


def related_terms(term: str) -> tuple[str, ...]:
    """The terms of the words that stand for `term` in news (none for most words)."""
    return _related().get(term, ())
