"""Who says what in a passage: for "what did X say about Y", the sentences where X speaks.

A sentence counts as X speaking when X is the subject of a reporting verb ("Raeisi pointed
to…", "…, said Raeisi", "according to Raeisi"), or when a pronoun or title stands in for X
there ("he said", "the president warned") and X is named earlier in the same passage (a title
counts when the passage puts it before X's name: "President Raeisi"). This is a reading of
word order, not a parse; it errs towards quoting the ordinary best sentence, which is what is
quoted when X speaks nowhere in the passage.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .. import analysis
from .aliases import normal
from .quote import Quote, choose, highlight_spans, passage_tokens

_IRREGULAR = {
    "say": ("said",),
    "tell": ("told",),
    "think": ("thought",),
    "write": ("wrote", "written"),
    "speak": ("spoke", "spoken"),
    "feel": ("felt",),
    "mean": ("meant",),
}
_REGULAR = (
    "say tell think write speak feel mean point stress emphasise emphasize call warn announce "
    "note add argue insist urge claim state declare explain voice express highlight underscore "
    "underline accuse praise welcome condemn deny promise vow suggest believe describe assert "
    "acknowledge admit reiterate confirm propose report ask reply respond remark comment "
    "mention observe predict caution hail criticise criticize pledge signal indicate recall "
    "agree reveal threaten demand dismiss reject blame caution repeat reaffirm disclose concede "
    "contend assure estimate forecast react discuss"
).split()


def _forms(base: str) -> set[str]:
    stem = base[:-1] if base.endswith("e") and not base.endswith("ee") else base
    out = {base, base + "s", base + "d" if base.endswith("e") else base + "ed", stem + "ing"}
    if base.endswith("y") and base[-2:-1] not in "aeiou":
        out |= {base[:-1] + "ies", base[:-1] + "ied"}
    if re.fullmatch(r".*[^aeiou][aeiou][^aeiouwxy]", base):  # signal → signalled, admit
        out |= {base + base[-1] + "ed", base + base[-1] + "ing"}
    out |= set(_IRREGULAR.get(base, ()))
    out.discard("")
    return out


def _past(base: str) -> str:
    """A regular verb's past tense as a reply words it: "agreed", "stressed", "voiced"."""
    if base.endswith("e"):
        return base + "d"
    if base.endswith("y") and base[-2:-1] not in "aeiou":
        return base[:-1] + "ied"  # deny → denied
    return base + "ed"


#: Every form of a reporting verb that marks who is speaking.
REPORTING: frozenset[str] = frozenset(f for base in _REGULAR for f in _forms(base)) | {"according"}
#: Words a question uses for speaking, by their base form, with the past tense a reply uses.
QUESTION_VERBS: dict[str, str] = {
    **{base: (_IRREGULAR.get(base) or (_past(base),))[0] for base in _REGULAR},
    # "what did Putin talk about?" asks what he said; in a passage, "talks" are more often
    # negotiations than anyone speaking, so it marks no speaker there.
    "talk": "talked",
}
PRONOUNS = frozenset({"he", "she", "they"})
#: Words that stand in for those just named as "they" does ("Japan and the Philippines
#: reached a deal. The two governments said …").
_STAND_INS = PRONOUNS | frozenset("governments sides countries nations delegations".split())
#: Plural titles that stand in for those named only when counted as them ("both leaders
#: voiced their concern", "the two presidents agreed"): "leaders" alone is anyone's.
_PAIRED = frozenset("leaders presidents ministers premiers chancellors heads".split())
_PAIRING = frozenset({"both", "two"})
TITLES = frozenset(
    """president minister leader premier chancellor spokesman spokeswoman spokesperson secretary
    governor king queen prince ambassador general chairman chairwoman chairperson chair chief ceo
    director commissioner
    mayor senator official head envoy commander pope emir sheikh ayatollah""".split()
)
_BEFORE, _AFTER = 5, 3
#: Words before a reporting verb that say it has not been said yet ("Tanabe will announce
#: …", "ministers are due to discuss …").
_NOT_YET = frozenset("will would shall to".split())
#: Words after a name that make it the subject of what was said, not the one saying it
#: ("officials said Tanabe would announce …").
_CLAUSE_VERBS = frozenset(
    "would will had has have was were is are could can should may might must did does do"
    " plans planned wants wanted intends intended".split()
)


def speaking(
    text: str, sentences: Sequence[tuple[int, int]], names: Sequence[str], titled: bool = False
) -> list[int]:
    """Indexes of the sentences of `text` in which the person called by any of `names`
    (folded words, e.g. ["raeisi"] or ["vladimir", "putin"]) is the one speaking. `titled`:
    whether the passage's briefing names them in its title ("Putin Raeisi Nowruz"), so that a
    stand-in opening the passage ("both leaders voiced their concern") is them, as if named
    just before."""
    wanted = {normal(n) for n in names if n}
    if not wanted:
        return []
    words = [
        (normal(m.group()), m.start(), m.group()[0].isupper())
        for m in analysis.PLAIN_WORD.finditer(text)
    ]
    titles = {
        words[i - 1][0]
        for i in range(1, len(words))
        if words[i][0] in wanted and words[i - 1][0] in TITLES
    }
    out = []
    named_before = named_last = titled
    for n, (start, end) in enumerate(sentences):
        inside = [(w, capital) for w, pos, capital in words if start <= pos < end]
        sw = [w for w, _ in inside]
        if _speaks(sw, wanted, titles, named_before, named_last, _opens(inside, wanted)):
            out.append(n)
        named_last = any(w in wanted for w in sw)
        named_before = named_before or named_last
    return out


def _opens(inside: list[tuple[str, bool]], wanted: set[str]) -> bool:
    """Whether X opens a sentence: named among its first words, after nothing but capitalised
    ones ("Spain's energy minister", "The Spanish minister", "European Commission President
    Annelie Brandt"), and so its subject, not someone it mentions ("Officials who met
    Spain's minister said")."""
    for w, capital in inside[:_BEFORE]:
        if w in wanted:
            return True
        if not capital:
            return False
    return False


def _speaks(
    sw: list[str],
    wanted: set[str],
    titles: set[str],
    named_before: bool,
    named_last: bool,
    opens: bool = False,
) -> bool:
    """Whether X speaks in a sentence: X, or a pronoun for X (X named in this sentence or
    the one before), or X's title (X named anywhere before) next to a reporting verb; or X
    opens the sentence (`_opens`) and its first reporting verb follows, however far
    ("Spain's energy minister, Lucía Ortega Marín, who chaired the meeting, said …")."""
    first = True
    for v, word in enumerate(sw):
        if word not in REPORTING or (v > 0 and sw[v - 1] in _NOT_YET):
            continue
        if opens and first and word != "according":
            return True
        first = False
        if word == "according" and v + 1 < len(sw) and sw[v + 1] == "to":
            window = sw[v + 2 : v + 2 + _AFTER + 1]
            if any(w in wanted for w in window):
                return True
            continue
        before = sw[max(0, v - _BEFORE) : v]
        if any(w in wanted for w in before) or _said_by(sw, v, wanted):
            return True
        here = any(w in wanted for w in sw[:v])
        if _stands_in(before) and (here or named_last):
            return True
        if before and before[-1] in titles and (here or named_before):
            return True
    return False


def _stands_in(before: list[str]) -> bool:
    """Whether the words just before a reporting verb end with a stand-in for those just
    named: "they", "the two governments", "both leaders"."""
    if not before:
        return False
    last = before[-1]
    if last in _STAND_INS:
        return True
    return last in _PAIRED and len(before) > 1 and before[-2] in _PAIRING


def _said_by(sw: list[str], v: int, wanted: set[str]) -> bool:
    """Whether X, named just after the reporting verb at `v`, is the one who said it
    ("…, said Tanabe", "said Japan's prime minister, Tanabe"), not the subject of what was
    said ("officials said Tanabe would announce …", "said that Tanabe …")."""
    for k in range(v + 1, min(len(sw), v + 1 + _AFTER)):
        if sw[k] == "that":
            return False
        if sw[k] in wanted:
            end = k
            while end + 1 < len(sw) and sw[end + 1] in wanted:
                end += 1
            return end + 1 >= len(sw) or sw[end + 1] not in _CLAUSE_VERBS
    return False


def introducing(text: str, sentences: Sequence[tuple[int, int]], names: Sequence[str]) -> list[int]:
    """Indexes of the sentences of `text` that introduce the person or the thing called by
    `names`: that name a person with a first name or a title before the name ("Iranian
    President Ebrahim Raeisi", "Australia's trade minister, Simon Whitcombe", "Minister
    Whitcombe"), or spell out a short name before it ("the carbon border adjustment
    mechanism, or CBAM", "… (CBAM)"), as news does where either first appears; not those that
    only use the name ("Whitcombe said")."""
    wanted = {normal(n) for n in names if n}
    out: list[int] = []
    if not wanted:
        return out
    for n, (start, end) in enumerate(sentences):
        matches = list(analysis.PLAIN_WORD.finditer(text, start, end))
        words = [(normal(m.group()), m.group()) for m in matches]
        for i in range(1, len(words)):
            if words[i][0] not in wanted or words[i - 1][0] in wanted:
                continue
            before, typed = words[i - 1]
            between = text[matches[i - 1].end() : matches[i].start()]
            # "Simon Whitcombe", "President Raeisi": the word just before, nothing between;
            # "at home (in Brazil)," Volcker said" names no one.
            titled = between.isspace() and (before in TITLES or (typed[0].isupper() and i > 1))
            # "…, or CBAM", "… (CBAM)": a short name in capitals after what it stands for;
            # "He (Ongpin) wants" is no short name.
            comma_or = (
                before == "or"
                and i > 1
                and "," in text[matches[i - 2].end() : matches[i - 1].start()]
            )
            short = sum(c.isupper() for c in words[i][1]) > 1 and (
                between.strip() == "(" or comma_or
            )
            if titled or short:
                out.append(n)
                break
    return out


def choose_spoken(
    text: str,
    sentences: Sequence[tuple[int, int]],
    terms: list[str],
    names: Sequence[str],
    topic: Sequence[str] = (),
    titled: bool = False,
) -> Quote:
    """The sentences to quote for "what did X say about Y": those where X speaks and that
    hold a word of Y, chosen as `quote.choose` chooses; the ordinary choice when there are
    none. `titled` as for `speaking`."""
    spoken = speaking(text, sentences, names, titled)
    wanted = set(topic)
    if spoken and wanted:
        tokens = passage_tokens(text)
        spoken = [
            i
            for i in spoken
            if any(t.term in wanted for t in tokens if sentences[i][0] <= t.start < sentences[i][1])
        ]
    if spoken:
        # Every one of these is X speaking: which to quote is told by Y alone, not by X's
        # name and title, which the sentence that introduces X holds and the next does not.
        chosen = choose(text, [tuple(sentences[i]) for i in spoken], list(wanted) or terms)
        return Quote(chosen.sentences, highlight_spans(passage_tokens(text), set(terms)))
    return choose(text, list(sentences), terms)
