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
from . import english
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
#: Stand-ins for one person.
_ONE = frozenset({"he", "she"})
#: Words in a question's speaker that make it more than one (`several`).
_SEVERAL = (_STAND_INS - _ONE) | _PAIRED | _PAIRING | frozenset({"and"})
#: Words that stand for a pair when counted as one ("both leaders", "the two governments").
_COUNTABLE = _PAIRED | _STAND_INS
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
#: Words that join a name at a headline's end ("-BANK OF JAPAN").
_JOINING = frozenset({"of", "the", "and"})
#: Verbs of refusing to speak ("declined to comment").
_DECLINED = frozenset("declined declines declining refused refuses refusing".split())
#: Words that may stand between the one speaking and the reporting verb.
_BETWEEN = frozenset(
    "also later again further then earlier separately previously repeatedly once".split()
    + ["has", "had", "have"]
)
#: Words after a name that make it the subject of what was said, not the one saying it
#: ("officials said Tanabe would announce …").
_CLAUSE_VERBS = frozenset(
    "would will had has have was were is are could can should may might must did does do"
    " plans planned wants wanted intends intended".split()
)


def several(speaker_text: str) -> bool:
    """Whether a question asks what more than one said ("Putin and Raeisi", "the two
    presidents", "ministers", "Japan and the Philippines"): only they are "they", "both
    leaders" or "the two governments" in a passage. One person is not: "…polls showing
    Thatcher's party well ahead, they said" is analysts speaking, not Thatcher."""
    typed = analysis.PLAIN_WORD.findall(speaker_text)
    if "&" in speaker_text or "," in speaker_text:
        return True
    return any(
        normal(w) in _SEVERAL
        or (w.islower() and w.endswith("s") and not w.endswith(("ss", "us", "is")))
        for w in typed
    )


def headline(title: str, names: Sequence[str]) -> bool:
    """Whether a briefing's title gives its story as what the person called by `names` said:
    "GAO SAYS FSLIC SHOWS DEFICIT", "Brandt warns of gas shortfall", or, as newswires end a
    headline, "JAPAN DOES NOT INTEND TO CUT DISCOUNT RATE-SUMITA"."""
    wanted = {normal(n) for n in names if n}
    words = [normal(w) for w in analysis.PLAIN_WORD.findall(title)]
    if not wanted or not words:
        return False
    for i, w in enumerate(words):
        after = [v for v in words[i + 1 : i + 3] if v not in _BETWEEN and v not in wanted]
        if w in wanted and after and after[0] in REPORTING:  # not "… ON THATCHER TO CALL"
            return True
    last = title.rstrip().rsplit("-", 1)  # a wire's capitals: not "Talks Japan-Philippines"
    return (
        title.isupper()
        and len(last) == 2
        and bool(last[1].strip())
        and {normal(w) for w in analysis.PLAIN_WORD.findall(last[1])} <= wanted | _JOINING
    )


def speaking(
    text: str,
    sentences: Sequence[tuple[int, int]],
    names: Sequence[str],
    titled: bool = False,
    many: bool = True,
    headlined: bool = False,
) -> list[int]:
    """Indexes of the sentences of `text` in which the person called by any of `names`
    (folded words, e.g. ["raeisi"] or ["vladimir", "putin"]) is the one speaking. `titled`:
    whether the passage's briefing names them in its title ("Putin Raeisi Nowruz"), so that a
    stand-in opening the passage ("both leaders voiced their concern") is them, as if named
    just before. `many`: whether they are more than one (`several`); one person is "he" or
    "she", never "they". `headlined`: whether the title gives the story as theirs
    (`headline`), so that whoever speaks for them in it ("Frederick Wolf of the GAO") does."""
    wanted = {normal(n) for n in names if n}
    if not wanted:
        return []
    # A name rare in English is the same name in any spelling that stems alike: asked about
    # "Rostenkowsky", a passage where "Rostenkowski" speaks is him speaking.
    alike = {analysis.term(n): n for n in wanted if english.rare(n)}
    alike.pop(None, None)
    words = [
        (_as_named(normal(m.group()), wanted, alike), m.start(), m.group()[0].isupper())
        for m in analysis.PLAIN_WORD.finditer(text)
    ]
    titles = {
        words[i - 1][0]
        for i in range(1, len(words))
        if words[i][0] in wanted and words[i - 1][0] in TITLES
    }
    if titled and not any(w in wanted for w, _, _ in words):
        # Named only in the title ("Raeisi visits Baku"): "the president praised …" is them.
        titles = set(TITLES)
    out = []
    named_before = named_last = titled
    for n, (start, end) in enumerate(sentences):
        inside = [(w, capital) for w, pos, capital in words if start <= pos < end]
        sw = [w for w, _ in inside]
        opens = _opens(inside, wanted)
        if _speaks(sw, wanted, titles, named_before, named_last, opens, many) or (
            headlined and _reports(sw)
        ):
            out.append(n)
        named_last = any(w in wanted for w in sw)
        named_before = named_before or named_last
    return out


def _as_named(word: str, wanted: set[str], alike: dict[str | None, str]) -> str:
    """`word`, or the name asked for that it spells another way (`alike`), or the title
    asked for that it holds in the plural ("leaders" asked as "the leaders")."""
    if word in wanted:
        return word
    if word.endswith("s") and word[:-1] in wanted and word[:-1] in TITLES:
        return word[:-1]
    return alike.get(analysis.term(word), word) if alike else word


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
    many: bool = True,
) -> bool:
    """Whether X speaks in a sentence: X, or a pronoun for X (X named in this sentence or
    the one before), or X's title (X named anywhere before) next to a reporting verb; or X
    opens the sentence (`_opens`) and its first reporting verb follows, however far
    ("Spain's energy minister, Lucía Ortega Marín, who chaired the meeting, said …")."""
    first = True
    for v, word in enumerate(sw):
        if word not in REPORTING or (v > 0 and sw[v - 1] in _NOT_YET and not _declined(sw, v)):
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
        here = any(w in wanted for w in sw[:v])
        subject = _without_adverbs(before)  # "he also told", "the minister later said"
        if subject and subject[-1] in PRONOUNS:  # "…Kallas well ahead, they said": they
            if _stands_in(subject, many) and (here or named_last):
                return True
            continue
        if any(w in wanted for w in before) or _said_by(sw, v, wanted):
            return True
        if _stands_in(subject, many) and (here or named_last):
            return True
        if subject and subject[-1] in titles and (here or named_before):
            return True
    return False


def _reports(sw: list[str]) -> bool:
    """Whether a sentence reports someone speaking: a reporting verb said, not yet to be."""
    return any(
        w in REPORTING and w != "according" and (v == 0 or sw[v - 1] not in _NOT_YET)
        for v, w in enumerate(sw)
    )


def _declined(sw: list[str], v: int) -> bool:
    """Whether the reporting verb at `v` is one its subject declined to use ("Tietmeyer
    declined to say whether …"): a refusal to comment is what they said."""
    return v > 1 and sw[v - 1] == "to" and sw[v - 2] in _DECLINED


def _without_adverbs(before: list[str]) -> list[str]:
    """The words before a reporting verb without the adverbs and auxiliaries that may stand
    between it and its subject ("he also told", "she has said")."""
    end = len(before)
    while end and before[end - 1] in _BETWEEN:
        end -= 1
    return before[:end]


def _stands_in(before: list[str], many: bool = True) -> bool:
    """Whether the words just before a reporting verb end with a stand-in for those just
    named: "he", "she"; "both leaders", "the two governments", a pair that holds each of
    them; and for more than one (`many`), "they" and "the governments"."""
    if not before:
        return False
    last = before[-1]
    if last in _ONE:
        return True
    # "both leaders", "the two governments": the pair just named, each of them among it.
    if last in _COUNTABLE and len(before) > 1 and before[-2] in _PAIRING:
        return True
    return many and last in _STAND_INS


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
    many: bool = True,
) -> Quote:
    """The sentences to quote for "what did X say about Y": those where X speaks and that
    hold a word of Y, chosen as `quote.choose` chooses; the ordinary choice when there are
    none. `titled` and `many` as for `speaking`."""
    spoken = speaking(text, sentences, names, titled, many)
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
