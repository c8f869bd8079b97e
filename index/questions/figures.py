"""What figure a question asks for, and whether a sentence says one of that kind.

"How many products", "how long is the cable", "what share does Latvia pay", "how much did
trade grow", "when was it signed", "what was Argentina's inflation rate": each asks for a
number of a kind (a count of products, a length, a percentage, a change, a date). A passage
that holds the question's words but says no such figure talks about the subject without
saying what was asked; one that says "96 products" or "700 kilometres" beside them is the
answer. The lede of a trade briefing ("expand from seven to 30 countries") holds numbers
too, but not a count of products.

The reading is evidence, never a filter: the re-ranker weighs a passage that says the figure
(`rerank`'s `figure`), and the quote leads with the sentence that says it (`quote.choose`).
(As a feature of the judgement, "says no such figure", fitted with the others, it came out
at 0.08: the tuning questions that nothing answers are not told apart by it.)

Two readings live here. The coarse one, `asks_number` and `new_figure` ("a number the
question does not hold"), is older and feeds the re-ranker's `number` feature and the quote's
order; the kinded one, `asked` and `says`, its `figure` feature. Their question patterns
overlap but are not one: each feature's fitted weight rests on its own reading.

Units are matched as written in news: "3.2 percent", "18%", "5 pct", "1.2 billion Australian
dollars", "$40 mln", "750 mln dlrs", "700 kilometres", "97-metre", "13 months", "on 14
October". The kinds are English usage, not any briefing's subjects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .. import analysis

PERCENT = frozenset({"percent", "pct", "%", "per", "percentage", "percentages"})
SCALE = frozenset({"thousand", "million", "billion", "trillion", "mln", "bln", "hundred", "k"})
MONEY = frozenset(
    """
    dollar dollars dlr dlrs usd euro euros eur pound pounds sterling stg gbp yen jpy yuan
    renminbi rmb franc francs mark marks rupee rupees rand peso pesos won ringgit baht rupiah
    naira shilling shillings cent cents ct cts lira lire krona kronor krone kroner riyal
    riyals dinar dinars real reais ecu ecus rouble roubles ruble rubles zloty forint
    $ € £ ¥
    """.split()
)
LENGTH = frozenset(
    """
    km kilometre kilometres kilometer kilometers mile miles metre metres meter meters m cm mm
    feet foot ft yard yards inch inches nautical
    """.split()
)
DURATION = frozenset(
    """
    second seconds minute minutes hour hours day days week weeks fortnight fortnights month
    months year years decade decades century centuries
    """.split()
)
QUANTITY = frozenset(
    """
    tonne tonnes ton tons barrel barrels bpd gigawatt gigawatts megawatt megawatts gw mw kw
    kwh mwh gwh twh hectare hectares acre acres square cubic bcm litre litres liter liters
    gallon gallons kg kilogram kilograms kilo kilos ounce ounces oz bushel bushels lb lbs
    """.split()
)
SPEED = frozenset({"mph", "kph", "knot", "knots"})
MONTHS = frozenset(
    """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)
WEEKDAYS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow".split()
)
NUMBER_WORDS = frozenset(
    """
    one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred hundreds thousand thousands million millions billion billions dozen dozens half
    """.split()
)
# Verbs of change: "how much did trade grow" asks by how much, a percentage or an amount.
CHANGE = frozenset(
    """
    grow grew grown growth rise rose risen fall fell fallen increase increased decrease
    decreased drop dropped decline declined gain gained climb climbed jump jumped slip slipped
    shrink shrank expand expanded cut reduce reduced lower lowered surge surged slump slumped
    go went up down change changed improve improved worsen worsened
    """.split()
)
# Words that make "how much" a question of money.
SPENDING = frozenset(
    """
    cost costs pay paid spend spent price prices worth invest invested investment lend lent
    loan loans fund funds funding financing finance pledge pledged raise raised earn earned
    make made profit profits revenue revenues sales budget bid offer offered charge charged
    owe owed debt money aid contribute contributed provide provided sell sold buy bought
    dividend income loss losses lose lost
    """.split()
)

_TOKEN = re.compile(r"\d[\d,.]*\d|\d|[^\W\d_]+|[%$€£¥]")
_YEAR = re.compile(r"(?:1[6-9]|20)\d\d$")
# A digit or a number word: what a sentence must hold to say any figure but a date.
_ANY_NUMBER = re.compile(
    r"\d|\b(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")\b", re.IGNORECASE
)
#: A sentence saying that a figure is not given, or not yet: "the bank did not disclose the
#: interest rate", "terms were not disclosed", "the rate of the levy would be set by the
#: finance ministry", "a ceiling … to be set by the council within a year".
_WITHHELD = re.compile(
    r"\b(?:did|does|would|will)\s+not\s+(?:disclose|give|reveal|specify)"
    r"|\b(?:didn't|doesn't|declined\s+to|refused\s+to)\s+(?:disclose|give|reveal|specify)"
    r"|\b(?:not|never)\s+(?:been\s+)?(?:disclosed|given|revealed|specified|made\s+public)\b"
    r"|\bundisclosed\b"
    r"|\b(?:would|will|is\s+to|are\s+to|to)\s+be\s+(?:set|decided|determined|disclosed|fixed)\b"
    r"|\bnot\s+yet\s+(?:been\s+)?(?:known|set|decided|clear|disclosed)\b",
    re.IGNORECASE,
)
#: How many words may stand between a number and its unit or noun ("1.2 billion Australian
#: dollars", "five more 97-metre patrol vessels").
REACH = 3

# The question's opening, each with the kinds of figure it asks for.
_HOW = re.compile(
    r"\bhow\s+(many|much|long|far|big|large|heavy|old|fast|quickly|high|tall|deep|full|wide"
    r"|often)\b(.*)",
    re.IGNORECASE | re.DOTALL,
)
_WHAT = re.compile(
    r"\b(?:what|which)\s+(?:\w+\s+)?(share|percentage|percent|proportion|portion|rate|price"
    r"|cost|amount|sum|value|year|date|day|month)\b",
    re.IGNORECASE,
)
_NUMBER_OF = re.compile(r"\bwhat(?:'s|\s+(?:is|was))?\s+(?:the\s+)?number\s+of\s+(.*)", re.I | re.S)
_WHEN = re.compile(r"\b(?:when|in\s+what\s+year|since\s+when)\b", re.IGNORECASE)
_BY_HOW = {
    "long": frozenset({"length", "duration"}),
    "far": frozenset({"length"}),
    "big": frozenset({"quantity", "length", "money"}),
    "large": frozenset({"quantity", "length", "money"}),
    "heavy": frozenset({"quantity"}),
    "old": frozenset({"duration"}),
    "fast": frozenset({"speed", "percent", "duration"}),
    "quickly": frozenset({"speed", "percent", "duration"}),
    "high": frozenset({"length", "percent", "money"}),
    "tall": frozenset({"length"}),
    "deep": frozenset({"length"}),
    "full": frozenset({"percent"}),
    "wide": frozenset({"length"}),
    "often": frozenset({"any"}),
}
#: A bound set on something, asked for as a percentage, an amount or a quantity ("a 15%
#: target", "a price cap of 180 euros", "a ceiling of 20 tonnes").
_BOUNDS = "target targets ceiling ceilings cap caps limit limits threshold quota quotas".split()
_BY_WHAT = {
    "share": frozenset({"percent"}),
    "percentage": frozenset({"percent"}),
    "percent": frozenset({"percent"}),
    "proportion": frozenset({"percent"}),
    "portion": frozenset({"percent"}),
    "rate": frozenset({"percent"}),
    "price": frozenset({"money"}),
    "cost": frozenset({"money"}),
    "amount": frozenset({"money", "quantity"}),
    "sum": frozenset({"money"}),
    "value": frozenset({"money"}),
    "year": frozenset({"date"}),
    "date": frozenset({"date"}),
    "day": frozenset({"date"}),
    "month": frozenset({"date"}),
    "rates": frozenset({"percent"}),
    "prices": frozenset({"money", "percent"}),
    "inflation": frozenset({"percent"}),
    "unemployment": frozenset({"percent", "count"}),
    "growth": frozenset({"percent"}),
    **dict.fromkeys(
        """turnover revenue revenues sales profit profits deficit surplus debt budget
        reserves dividend dividends earnings income loss losses""".split(),
        frozenset({"money"}),
    ),
    "stake": frozenset({"percent"}),
    "population": frozenset({"count"}),
    "output": frozenset({"quantity"}),
    "production": frozenset({"quantity"}),
    "size": frozenset({"quantity", "length", "money"}),
    "level": frozenset({"percent", "quantity"}),
    "figure": frozenset({"any"}),
    "figures": frozenset({"any"}),
    **dict.fromkeys(_BOUNDS, frozenset({"percent", "money", "quantity"})),
}
#: The measures whose value "what is/was …" asks for when named within a few words of it,
#: each one of `_BY_WHAT`'s words.
_MEASURES = (
    """
    rate rates share percentage proportion price prices cost inflation unemployment growth
    turnover revenue revenues sales profit profits deficit surplus debt budget reserves output
    production value amount sum size level figure figures dividend dividends earnings income
    loss losses stake population
""".split()
    + _BOUNDS
)
# "What was Argentina's inflation rate", "what is the discount rate now".
_WHAT_IS = re.compile(
    r"\bwhat(?:'s|\s+(?:is|was|are|were))\s+(?:[\w'.-]+\s+){0,6}?(" + "|".join(_MEASURES) + r")\b",
    re.IGNORECASE,
)


# Questions whose answer is a number, a date or an amount.
_NUMBER_QUESTION = re.compile(
    r"\b(?:how\s+(?:many|much|long|old|far|large|big|tall|high|often|few)"
    r"|what\s+(?:year|years|percentage|percent|number|date|day|month|decade|century|age|time)"
    r"|which\s+(?:year|decade|century)|when|in\s+what\s+year)\b",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")


def asks_number(question: str) -> frozenset[str] | None:
    """For a question whose answer is a number, a date or an amount ("how much", "when"), the
    numbers it holds itself (possibly none); None for any other question."""
    if not _NUMBER_QUESTION.search(question):
        return None
    return frozenset(_DIGITS.findall(question))


def new_figure(text: str, figures: frozenset[str]) -> bool:
    """Whether `text` holds a number other than `figures` (the question's own numbers): what
    a question for a number ("how much", "when") asks it to say."""
    return bool(set(_DIGITS.findall(text)) - figures)


@dataclass(frozen=True, slots=True)
class Asked:
    """The figure a question asks for: its kinds ("percent", "money", "count", …; "any" for
    any number), for a count the terms of what is counted, and the numbers the question
    holds itself (which are not the answer: "when it passed the 90% target")."""

    kinds: frozenset[str]
    nouns: frozenset[str] = frozenset()
    own: frozenset[str] = frozenset()


@lru_cache(maxsize=256)
def asked(question: str) -> Asked | None:
    """The figure `question` asks for, or None when it asks for none (remembered: the
    re-ranking and each quote of one answer ask it again)."""
    own = frozenset(_number_text(t) for t in _TOKEN.findall(question) if t[0].isdigit())
    how = _HOW.search(question)
    if how:
        word, rest = how.group(1).lower(), how.group(2)
        if word == "many":
            return Asked(frozenset({"count"}), _counted(rest), own)
        if word == "much" or word in ("far", "high") and _words(rest) & CHANGE:
            return Asked(_much(rest), frozenset(), own)
        return Asked(_BY_HOW[word], frozenset(), own)
    number = _NUMBER_OF.search(question)
    if number:  # "what number of products": a count of products, as "how many products"
        return Asked(frozenset({"count"}), _counted(number.group(1)), own)
    what = _WHAT.search(question) or _WHAT_IS.search(question)
    if what:
        return Asked(_BY_WHAT[what.group(1).lower()], frozenset(), own)
    if _WHEN.search(question):
        return Asked(frozenset({"date"}), frozenset(), own)
    return None


def _words(text: str) -> set[str]:
    return {w.lower() for w in _TOKEN.findall(text)}


def _much(rest: str) -> frozenset[str]:
    """What "how much …" asks for: a change ("did trade grow"), money ("did it cost"), or
    any amount."""
    words = _words(rest)
    if words & CHANGE:
        return frozenset({"percent", "money", "by"})
    if words & SPENDING or words & MONEY:
        return frozenset({"money"})
    return frozenset({"percent", "money", "quantity", "length"})


def _counted(rest: str) -> frozenset[str]:
    """The terms of what "how many …" counts: the words after it up to the first stopword
    ("how many fire hotspots were there" → fire, hotspot), at most `REACH`."""
    nouns: list[str] = []
    for word in analysis.split(rest)[:REACH]:
        found = analysis.terms(word)
        if not found:
            break
        nouns.extend(found)
    return frozenset(nouns)


def _number_text(token: str) -> str:
    return token.replace(",", "").rstrip(".")


def withheld(sentence: str) -> bool:
    """Whether `sentence` says a figure is not given, or not yet set (`_WITHHELD`)."""
    return bool(_WITHHELD.search(sentence))


def says(question: Asked, text: str) -> bool:
    """Whether `text` says a figure of the kind `question` asks for, other than the
    question's own numbers."""
    return _says(question.kinds, question.nouns, question.own, text)


@lru_cache(maxsize=4096)
def _says(kinds: frozenset[str], nouns: frozenset[str], own: frozenset[str], text: str) -> bool:
    dates = "date" in kinds
    if not dates and not _ANY_NUMBER.search(text):  # most sentences: no number at all
        return False
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    for i, token in enumerate(tokens):
        if (
            dates
            and token not in own
            and (token in MONTHS or token in WEEKDAYS or _YEAR.match(token))
        ):
            return True
        is_digit = token[0].isdigit()
        if not (is_digit or token in NUMBER_WORDS) or _number_text(token) in own:
            continue
        if "any" in kinds:
            return True
        before = tokens[i - 1] if i else ""
        if "money" in kinds and before in MONEY:
            return True
        if "by" in kinds and before in ("by", "to") and is_digit:
            return True
        after = tokens[i + 1 : i + 1 + REACH]
        if "percent" in kinds and after and after[0] in PERCENT:
            return True
        ahead = [t for t in after if t not in SCALE]
        for unit in ahead:
            if _unit_fits(unit, kinds, nouns):
                return True
    return False


def _unit_fits(word: str, kinds: frozenset[str], nouns: frozenset[str]) -> bool:
    if "count" in kinds:
        return not nouns or any(t in nouns for t in analysis.terms(word))
    return (
        "money" in kinds
        and word in MONEY
        or "length" in kinds
        and word in LENGTH
        or "duration" in kinds
        and word in DURATION
        or "quantity" in kinds
        and word in QUANTITY
        or "speed" in kinds
        and word in SPEED
        or "by" in kinds
        and word in PERCENT
    )
