"""A verb's irregular forms, which no stemmer joins: "fall", "fell" and "fallen" are one word.

People ask in the base form after "did" ("how much did Japan's exports fall?") and news
answers in the past ("exports fell 0.8 percent"). Porter's stemmer joins "falls" and
"falling" but not "fall" and "fell", so a passage that says "fell" would hold less of the
question than it does. The judgement of whether a passage answers (`judge`) counts a verb held
in any of its forms. The search does not look for the other forms: "rose" and "fell" are in
so much news that, searched for, they bring in passages that merely report a rise.

The list is the irregular verbs of news English. A verb whose other form mostly means
something else in news is left out: "feed" (the Fed), "wind" (wind power), "leave" (left),
"lie" and "lay", "win" (the Korean won), "deal" as in a deal, "bind" (bound).
"""

from __future__ import annotations

from functools import cache

from .. import analysis

VERBS: tuple[tuple[str, ...], ...] = tuple(
    tuple(line.split())
    for line in """
    arise arose arisen | bear bore borne | become became | begin began begun | blow blew blown
    break broke broken | bring brought | build built | buy bought | catch caught
    choose chose chosen | come came | dig dug | draw drew drawn | drive drove driven
    eat ate eaten | fall fell fallen | feel felt | fight fought | find found | flee fled
    fly flew flown | forbid forbade forbidden | foresee foresaw foreseen
    forget forgot forgotten | forgive forgave forgiven | freeze froze frozen | get got gotten
    give gave given | go went gone | grow grew grown | hang hung | hear heard
    hide hid hidden | hold held | keep kept | know knew known | lead led | lend lent
    lose lost | make made | mean meant | meet met | overcome overcame
    overtake overtook overtaken | pay paid | rebuild rebuilt | ride rode ridden
    rise rose risen | run ran | see saw seen | seek sought | sell sold | send sent
    shake shook shaken | shoot shot | show shown | shrink shrank shrunk | sink sank sunk
    sit sat | speak spoke spoken | spend spent | stand stood | steal stole stolen
    stick stuck | strike struck stricken | swear swore sworn | swing swung | take took taken
    teach taught | tear tore torn | tell told | think thought | throw threw thrown
    understand understood | undertake undertook undertaken | uphold upheld | wake woke woken
    wear wore worn | withdraw withdrew withdrawn | withhold withheld | write wrote written
    """.replace("|", "\n").splitlines()
    if line.strip()
)


@cache
def _forms() -> dict[str, tuple[str, ...]]:
    """Each form's term → the terms of the verb's other forms."""
    out: dict[str, tuple[str, ...]] = {}
    for verb in VERBS:
        terms = list(dict.fromkeys(t for word in verb for t in analysis.analyse(word)))
        for term in terms:
            out[term] = tuple(t for t in terms if t != term)
    return out


def other_forms(term: str) -> tuple[str, ...]:
    """The terms of `term`'s other forms, when it is a form of an irregular verb."""
    return _forms().get(term, ())


def forms_of(term: str) -> tuple[str, ...]:
    """`term` and its other forms ("fall", "fell", "fallen"); `term` alone for most words."""
    return (term, *other_forms(term))
