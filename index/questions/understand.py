"""Reading a question the way a person meant it, before it is searched.

A `Reading` says what the question asks about: who is speaking, for "what did X say about
Y"; the topic; the briefing dates; phrases that must appear together; names that count more
when whole; and, for each word the briefings do not hold, the near spellings they do. A
follow-up ("and about Gaza?", "what about the day before?", "what did he say about it?")
takes what it leaves out from the previous reading. The reading also says, in one line for
people, how the question was read, so that a reply never silently answers another question.

Order of work: explicit `since:`/`until:` and natural dates come out of the text first (they
are when, not what), then other names from the alias file are replaced by the briefings'
names, then the words the question is only put in come out ("tell me about", "is … mentioned",
`framing`), then quotes mark phrases, then the speaker pattern splits speaker from topic, then
each word is matched to the index's vocabulary. Nothing here touches FTS5 syntax: terms and phrases
leave as analysed terms, and `query` quotes each.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Callable
from dataclasses import astuple, dataclass, field, replace

from .. import analysis
from ..analysis import PLAIN_WORD
from ..storage import vocabulary
from ..storage.search import MAX_QUESTION_CHARS, MAX_TERMS, Filters
from ..storage.vocabulary import Vocabulary
from . import acronyms, dates, english, framing, holders, message, places, regional, related
from . import query as _query
from .aliases import Aliases, AliasMatch, normal
from .dates import DateRange
from .query import Name, Query, Weighted
from .speaker import PRONOUNS, QUESTION_VERBS, TITLES, introducing, speaking

#: What a run of capitalised words ("Super Bowl", "Shanghai Cooperation Organization") found
#: whole adds, as a share of a phrase's BM25 score; a hyphenated name ("Rasht-Astara") adds
#: its whole score. Capitalised runs at full weight lost 0.6 points of Recall@1 on SQuAD's
#: tuning half (`bench/variants.py`): a question's topic name then outweighs its other words.
CAPITALISED_WEIGHT = 0.25
#: A word no briefing holds is not corrected to another when English uses it at least this
#: often (Zipf): "full", "jobs", "hello" are what the user meant, not misspellings.
KEEP_ZIPF = 4.5
#: A date's month or year as a word to search for, against a question word's 1.0: evidence,
#: since the briefing that answers may give the date as "on Tuesday" or not at all.
DATE_WORD_WEIGHT = 0.5
#: What each word of a short name's long form ("European Union" for "EU", `acronyms`) weighs
#: against the short name typed. Half and a tenth moved the development sets' tuning halves
#: alike; a quarter was chosen before their held-out halves were seen.
ACRONYM_WEIGHT = 0.25
#: What a question's verb weighs as a searched word, when it says more than that someone
#: spoke ("agree", "propose", "warn"), and the verbs that do not.
VERB_WEIGHT = 0.5
#: A follow-up of at most this many words, all names, may name another speaker.
NAME_WORDS = 3
#: Passages holding a name read to see whether the briefings quote that person.
SPEAKER_LOOK = 10
#: Words typed without a question that may be read as a person and a subject
#: (`_named_first`): a few names, not a sentence.
KEYWORDS = 6
PLAIN_VERBS = frozenset(
    "say said says tell told tells think thought speak spoke mean meant feel felt comment"
    " commented remark remarked mention mentioned state stated note noted add added"
    " on view views position stance comments comment statement statements remarks words"
    " response reaction message quote quotes take opinion opinions thoughts verdict assessment"
    " react reacted talk talked".split()
)
#: A spelling variant's weight against an exact match's 1.0, by its edit distance.
VARIANT_WEIGHTS = ((0.0, 1.0), (0.5, 0.9), (1.0, 0.75), (2.0, 0.6))

#: What a country's demonym weighs when the question names the country, and the other way
#: round ("the Spanish minister": spain), against the word typed's 1.0.
PLACE_WEIGHT = 0.9
#: What the name of a title's holder weighs ("Brandt" for "the Commission president",
#: `holders`), against the title's words' 1.0: the same person, named another way.
HOLDER_WEIGHT = 1.0
#: What the subject of the question before weighs in a follow-up that names a subject of its
#: own without "about" ("and Germany?"): context that ranks, not words a passage must hold.
CONTEXT_WEIGHT = 0.5

_QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”|«([^»]+)»|„([^“”]+)[“”]')
_FOLLOW_UP = re.compile(
    r"^\s*(?:(?:and|but|so|ok|okay|also)\s*,?\s+)?"
    r"(?:(?:what|how)\s+about|what\s+of|same\s+(?:for|about|on)|and|also)\b[\s,:]*",
    re.IGNORECASE,
)
_ABOUT = re.compile(r"^\s*(?:about|on|regarding|concerning|as\s+for|for)\b\s*", re.IGNORECASE)
#: "Who else?", "who was against it?": a follow-up asking who, the subject before from
#: anyone, not what the speaker before said.
_ASKS_WHO = re.compile(r"^\s*(?:and\s+)?who\b", re.IGNORECASE)
#: "What else did he say?": the speaker before, on anything.
_WHAT_ELSE = re.compile(r"^\s*what\s+else\b", re.IGNORECASE)
#: "Who is Whitcombe?", "what is CBAM?", "what does CBAM stand for?": who a person is or
#: what a name means, which a briefing says where it introduces them.
_WHO_IS = re.compile(
    r"^\s*(?:and\s+)?(?:who|what)(?:'s|’s|s|\s+is|\s+was|\s+are|\s+does|\s+do)\s+\S",
    re.IGNORECASE,
)
#: "the Finnish one" after a question about what a minister said: another such minister.
_ONE = re.compile(r"(?:the\s+)?([\w'’-]+)\s+one\s*[?.!]*", re.IGNORECASE)
#: "Who is he?" after a question about what someone said: who that speaker is.
_WHO_IS_HE = re.compile(
    r"^\s*(?:and\s+)?who(?:'s|’s|\s+is|\s+was|\s+are|\s+were)\s+(?:he|she|they)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
#: A verb left at the start of a subject when the framing before it went ("how much is …",
#: "how many were …"): no word of the subject as the reply restates it.
_LEFT_VERB = re.compile(
    r"^(?:is|are|was|were|did|does|do|has|have|had|will|would|can|could)\s+(?=\S)", re.I
)
#: A follow-up that only names a period ("and in the fourth quarter?", "in the first half?").
_PERIOD = re.compile(
    r"(?:in\s+|for\s+|during\s+)?(?:the\s+)?(?:(?:first|second|third|fourth|last|final|"
    r"1st|2nd|3rd|4th)\s+)?(?:quarter|half|half-year|q[1-4]|season|spring|summer|autumn|"
    r"winter)",
    re.IGNORECASE,
)
#: A follow-up that opens with its own question word and says what it asks about ("how
#: much will it cost?", "when was it signed?") asks that, not what the speaker before said.
_ASKS = re.compile(r"\s*(?:how|when|where|why|which|what|who)\b", re.IGNORECASE)
#: Words of a follow-up that stand for the subject before, named again by a pronoun ("what
#: did Tanabe say about it?", "who else is lending money for it?"): "it", "them", "those plans",
#: "how much does each pay?" (not "each year"), and "that" ending it ("what did he say about
#: that?"; not "who said that storage was full?").
_IT = re.compile(
    r"\b(?:it|its|them|those|these|that(?=\W*$)|each(?!\s+(?:year|month|week|day|quarter|time)))"
    r"\b(?!['’])",
    re.IGNORECASE,
)
_VERBS = "|".join(sorted(QUESTION_VERBS, key=len, reverse=True))
_SAID = "|".join(
    sorted({*QUESTION_VERBS.values(), *(v + "s" for v in QUESTION_VERBS)}, key=len, reverse=True)
)
_PREP = r"(?:about|on|of|regarding|concerning|over|to|in\s+regard\s+to|with\s+regard\s+to)"
_WHO = r"(?P<who>[^?,;:]{1,80}?)"
#: A verb whose object is what was spoken of, with no "about": "did Whitcombe mention the
#: levy".
_MENTIONED = r"(?<=mention\s)|(?<=mentioned\s)"
#: "How did X …?" asks what X said only with a verb of saying how ("how did Putin react to
#: …?", "how has he described …?"); with any other ("how did the Fed add reserves?") it asks
#: how something was done.
_HOW = re.compile(r"^\s*(?:so\s+)?how\b", re.IGNORECASE)
_HOW_VERBS = frozenset(
    "describe described describes react reacted respond responded explain explained justify"
    " justified defend defended characterise characterised characterize characterized view"
    " viewed reply replied answer answered comment commented".split()
)
_SPEAKER_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        # what did Raeisi say about the railway / how has Putin described Gaza
        r"^\s*(?:so\s+)?(?:what|how)\s+(?P<aux>did|does|do|has|have|had|will|would|could|can)\s+"
        + _WHO
        + r"\s+(?:been\s+)?(?P<verb>"
        + _VERBS
        + r"|"
        + _SAID
        + r")(?:ing)?(?:\s+(?:anything|something))?(?:\s+"
        + _PREP
        + r")?\b(?P<topic>.*)$",
        # did Putin say anything about Gaza, did Whitcombe mention the levy
        r"^\s*(?P<aux>did|does|has|have|had)\s+"
        + _WHO
        + r"\s+(?P<verb>"
        + _VERBS
        + r"|"
        + _SAID
        + r")(?:\s+(?:anything|something))?\s+(?:(?:"
        + _PREP
        + r")\b|(?="
        + _MENTIONED
        + r"))(?P<topic>.*)$",
        # what Raeisi said about the railway
        r"^\s*(?:tell\s+me\s+)?what\s+"
        + _WHO
        + r"\s+(?P<verb>"
        + _SAID
        + r")\s+"
        + _PREP
        + r"\b(?P<topic>.*)$",
        # what is Putin's view on Gaza, Whitcombe's comments on the levy, Whitcombe quotes on
        # nickel
        r"^\s*(?:what(?:['’]s|\s+(?:is|was|are|were))\s+)?"
        + _WHO
        + r"(?:['’]s\s+(?P<verb>view|views|position|stance|comments?|statements?|remarks?|words"
        r"|quotes?|response|reaction|message|take|thoughts|verdict|assessment)"
        r"|\s+(?P<noun>quotes|comments|remarks|statements))"
        r"\s+(?:on|about|regarding|to|over|of)\b(?P<topic>.*)$",
        # Whitcombe on the export levy, Mohamed Lamine Sy about Gabon (a name only: `_speaker`)
        r"^\s*(?P<who>[^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*){0,3})\s+(?P<verb>on|about)\s+"
        r"(?P<topic>.+)$",
    )
]
_BE = frozenset({"is", "was", "are", "were", "be", "been"})
_NOT_SPEAKERS = frozenset(
    {"you", "i", "we", "it", "this", "that", "there", "people", "anyone", "has", "have", "had"}
)
_HYPHENATED = re.compile(r"[^\W_]+(?:[-‐‑–][^\W_]+)+")
_JOINERS = frozenset({"of", "the", "for", "de", "al", "el", "bin", "van", "von"})
_TRAILING = " \t?!.,;:"
#: "Putin vs Raeisi on Gaza": the two of them, as "Putin and Raeisi".
_VERSUS = re.compile(r"(?<=\w)\s+(?:vs\.?|versus|v\.)\s+(?=\w)", re.IGNORECASE)
#: How many speakers there were, before who they are: "the two presidents", "both leaders",
#: "all three ministers". The count is no word for a passage to hold ("the two nations").
_COUNTED = re.compile(
    r"^(\s*(?:the\s+)?)(?:both|all|two|three|four|five|six)(?:\s+(?:two|three|four|five|six))?"
    r"(?:\s+of\s+the)?\s+(?=[^\W\d_])",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Part:
    """The speaker or the topic of a question: its words as shown (corrections applied) and
    what it searches for."""

    text: str
    terms: list[Weighted] = field(default_factory=list)
    required: list[tuple[str, ...]] = field(default_factory=list)
    names: list[Name] = field(default_factory=list)
    #: For a follow-up's subject that says "it", the subject "it" stands for: what the
    #: next "it" stands for too ("when was it signed?" after "how much will it cost?" asks
    #: when the interconnector was signed, not the cost).
    it: Part | None = None

    def to_json(self) -> dict:
        return {
            "text": self.text,
            "terms": [list(astuple(t)) for t in self.terms],
            "required": [list(p) for p in self.required],
            "names": [[list(n.words), n.weight] for n in self.names],
            "it": self.it.to_json() if self.it else None,
        }

    @classmethod
    def from_json(cls, data: dict | None) -> Part | None:
        if data is None:
            return None
        return cls(
            data["text"],
            [Weighted(*t) for t in data["terms"]],
            [tuple(p) for p in data["required"]],
            [Name(tuple(w), weight) for w, weight in data["names"]],
            cls.from_json(data.get("it")),
        )


@dataclass(slots=True)
class Reading:
    """How a question was read; `query()` is what is searched, `explanation()` what the
    reply says about it."""

    question: str
    topic: Part | None = None
    speaker: Part | None = None
    speaker_names: list[str] = field(default_factory=list)  # folded words naming the speaker
    verb: str = "said"  # as the reply words it: "what Raeisi said about…"
    dates: DateRange | None = None
    follow_up: bool = False
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (typed, searched as)
    aliases: list[tuple[str, str]] = field(default_factory=list)  # (typed, the briefings' name)
    covered: tuple[dt.date, dt.date] | None = None  # the briefings' first and last dates
    anchor: dt.date | None = None  # the date of the best passage, once answered
    browse: bool = False  # nothing but framing was asked: "what happened yesterday?"
    recent: bool = False  # the newest answers first: "what's the latest on Gaza?"
    #: The dates were asked as a filter (`since:`, "briefings from last week"), not as when
    #: something happened.
    by_date: bool = False
    #: Terms that add evidence without being asked for: the spelling an alias replaced, and
    #: (`date_words`) a date's month and year as written ("February", "1986").
    extra: list[tuple[str, float]] = field(default_factory=list)
    date_words: list[tuple[str, float]] = field(default_factory=list)
    #: For "who is Whitcombe?", the folded words naming the person asked about: the passages
    #: that introduce them ("Australia's trade minister, Simon Whitcombe") answer.
    introduce: list[str] = field(default_factory=list)
    #: A speaker asked about by a pronoun with no question before it to stand for ("what did
    #: they talk about?"): when nothing answers, the reply asks whom it means.
    unresolved: str = ""
    #: The briefing the answer to this question quoted first, once answered: what "it"
    #: stands for in a follow-up ("what did Tanabe say about it?").
    answered: tuple[str, ...] = ()
    #: For a follow-up that says "it", the briefing the answer before quoted first, and the
    #: terms of the subject "it" stands for: a passage of that briefing is about it, whether or
    #: not it repeats the words ("Japan's exports fell …" then "… external demand is a risk,"
    #: Tanabe said).
    story: tuple[str, ...] = ()
    story_terms: tuple[str, ...] = ()

    def query(self, filters: Filters | None = None) -> Query:
        """What to search for, within `filters` as well as the question's own dates."""
        terms: list[Weighted] = []
        required: list[tuple[str, ...]] = []
        names: list[Name] = []
        base = 0
        for part in (self.speaker, self.topic):
            if part is None:
                continue
            terms += [replace(t, group=t.group + base) for t in part.terms]
            base += 1 + max((t.group for t in part.terms), default=0)
            required += part.required
            names += part.names
        # The dates' own words only where the dates do not already filter.
        extra = self.extra + ([] if self.dates_filter else self.date_words)
        terms += [Weighted(t, w, base + i, judged=False) for i, (t, w) in enumerate(extra)]
        return Query(
            _cap(terms),
            list(dict.fromkeys(required)),
            list(dict.fromkeys(names)),
            self._filters(filters or Filters()),
        )

    def _filters(self, filters: Filters) -> Filters:
        if self.dates is None or not self.dates_filter:
            return filters
        return filters.within(self.dates.since, self.dates.until)

    @property
    def dates_filter(self) -> bool:
        """Whether the question's dates remove briefings from the answer: only when it asks
        for briefings by date ("what happened on 19 March?", "news from last week",
        `since:`). Otherwise a date says when something happened, and the briefing that
        reports it is often dated later: the dates then add candidates and put them first
        (`respond.gather`, `respond.arrange`), never remove."""
        if self.dates is None:
            return False
        return self.by_date or self.browse or (self.topic is None and self.speaker is None)

    @property
    def terms(self) -> list[str]:
        """Every term searched for, exact and variant, as `Answer.terms` lists them."""
        return self.query().term_list()

    @property
    def highlight_terms(self) -> list[str]:
        return self.terms

    @property
    def topic_terms(self) -> list[str]:
        return [t.term for t in self.topic.terms] if self.topic else []

    @property
    def topic_groups(self) -> frozenset[int]:
        """The groups of `query()`'s terms that came from Y in "what did X say about Y" (none
        for a question without both): a passage naming X but not Y does not answer."""
        if self.speaker is None or self.topic is None:
            return frozenset()
        base = 1 + max((t.group for t in self.speaker.terms), default=0)
        return frozenset(t.group + base for t in self.topic.terms if t.judged)

    @property
    def out_of_range(self) -> bool:
        """The question's dates fall where the briefings have none at all."""
        if self.dates is None or not self.dates_filter:
            return False
        if self.covered is None:
            return True
        return not self.dates.overlaps(*self.covered)

    def asked(self) -> str:
        """The question as read, in words: "what Raeisi said about Gaza"."""
        topic = self.topic.text if self.topic else ""
        if self.speaker is not None:
            text = f"what {self.speaker.text} {self.verb}"
            if topic:
                text += f" about {topic}"
        else:
            text = topic
        if self.dates is not None:
            text = f"{text}, {self.dates.describe()}" if text else self.dates.describe()
        return text

    def explanation(self, found: bool = True) -> str | None:
        """One line for the reply on how the question was read, or None when it was read
        exactly as typed; without `found` (nothing quoted), nothing about an order."""
        lines = []
        if self.follow_up:
            lines.append(f"Read as: {self.asked()}.")
        elif self.dates is not None and self.dates_filter:
            lines.append(f"Briefings {self.dates.describe()}.")
        elif self.browse:
            lines.append("The briefings, newest first.")
        if self.recent and not self.browse and found:
            lines.append("Newest first.")
        for typed, name in self.aliases:
            lines.append(f"Reading “{typed}” as {name}.")
        if self.corrections:
            shown = list(dict.fromkeys(shown for _, shown in self.corrections))
            lines.append(f"Showing results for {_join(shown)}.")
        return " ".join(lines) or None

    def date_note(self) -> str | None:
        """Why the question's dates leave nothing to answer from, when they do."""
        if self.dates is None or not self.out_of_range:
            return None
        if self.covered is None:
            return (
                f"None of the briefings carries a date, so there is none {self.dates.describe()}."
            )
        first, last = self.covered
        if first == last:
            span = f"The briefings are all from {dates.in_words(first)}"
        else:
            span = f"The briefings run from {dates.in_words(first)} to {dates.in_words(last)}"
        return f"{span}, so there is none {self.dates.describe()}."

    def to_json(self) -> dict:
        """A plain-JSON form, for a bot to keep beside the message it answered."""
        data = {
            "question": self.question,
            "topic": self.topic.to_json() if self.topic else None,
            "speaker": self.speaker.to_json() if self.speaker else None,
            "speaker_names": self.speaker_names,
            "verb": self.verb,
            "dates": self.dates.to_json() if self.dates else None,
            "follow_up": self.follow_up,
            "corrections": [list(c) for c in self.corrections],
            "aliases": [list(a) for a in self.aliases],
            "covered": [d.isoformat() for d in self.covered] if self.covered else None,
            "anchor": self.anchor.isoformat() if self.anchor else None,
            "browse": self.browse,
            "recent": self.recent,
            "by_date": self.by_date,
            "extra": [list(e) for e in self.extra],
            "date_words": [list(e) for e in self.date_words],
            "introduce": self.introduce,
            "unresolved": self.unresolved,
            "answered": list(self.answered),
            "story": list(self.story),
            "story_terms": list(self.story_terms),
        }
        return data

    @classmethod
    def from_json(cls, data: dict) -> Reading:
        covered = data.get("covered")
        return cls(
            data["question"],
            Part.from_json(data.get("topic")),
            Part.from_json(data.get("speaker")),
            list(data.get("speaker_names", [])),
            data.get("verb", "said"),
            DateRange.from_json(data["dates"]) if data.get("dates") else None,
            bool(data.get("follow_up")),
            [tuple(c) for c in data.get("corrections", [])],
            [tuple(a) for a in data.get("aliases", [])],
            (dt.date.fromisoformat(covered[0]), dt.date.fromisoformat(covered[1]))
            if covered
            else None,
            dt.date.fromisoformat(data["anchor"]) if data.get("anchor") else None,
            browse=bool(data.get("browse")),
            recent=bool(data.get("recent")),
            by_date=bool(data.get("by_date")),
            extra=[(t, w) for t, w in data.get("extra", [])],
            date_words=[(t, w) for t, w in data.get("date_words", [])],
            introduce=list(data.get("introduce", [])),
            unresolved=data.get("unresolved", ""),
            answered=tuple(data.get("answered", ())),
            story=tuple(data.get("story", ())),
            story_terms=tuple(data.get("story_terms", ())),
        )


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _cap(terms: list[Weighted]) -> list[Weighted]:
    """At most MAX_TERMS distinct terms, in the order asked."""
    seen: set[str] = set()
    out = []
    for t in terms:
        if t.term not in seen:
            if len(seen) >= MAX_TERMS:
                continue
            seen.add(t.term)
        out.append(t)
    return out


def _other_side(typed: str, term: str, vocab: Vocabulary) -> str | None:
    """The term of `typed` as the other side spells it ("labour", "labor"), where the
    briefings hold it and it is another term than `term`."""
    spelt = regional.other_spelling(typed)
    other = analysis.term(spelt) if spelt else None
    return other if other and other != term and vocab.df.get(other, 0) else None


def variant_weight(distance: float) -> float:
    for limit, weight in VARIANT_WEIGHTS:
        if distance <= limit:
            return weight
    return VARIANT_WEIGHTS[-1][1]


#: The words a question is put in, which a slip of the keyboard ("waht did X say abut Y")
#: would otherwise turn into words to search for, and keep from being read as a question.
QUESTION_WORDS = frozenset(
    """what when where which who whom why how about did does said say says the latest news
    there regarding happened""".split()
)
#: A word typed at most this common in English (Zipf) that no briefing holds may be a slip for
#: one of `QUESTION_WORDS` ("teh", "wat" are 3.0 to 3.5; "tel", as in Tel Aviv, 3.9).
SLIP_ZIPF = 3.5
_TYPED_WORD = re.compile(r"(?<![\w'’-])[A-Za-z]{3,}(?![\w'’-])")


def _mended(text: str, vocab: Vocabulary) -> str:
    """`text` with each slip for a question word put right ("waht" → what, "abut" → about):
    a word no briefing holds, uncommon in English, one edit (a letter added, dropped,
    changed, or two swapped) from exactly one question word."""

    def mend(m: re.Match) -> str:
        word = m.group()
        low = word.lower()
        if low in QUESTION_WORDS or english.zipf(low) >= SLIP_ZIPF:
            return word
        term = analysis.term(low)
        if term is not None and vocab.df.get(term, 0):
            return word
        near = [w for w in QUESTION_WORDS if _one_edit(low, w)]
        return near[0] if len(near) == 1 else word

    return _TYPED_WORD.sub(mend, text)


def _one_edit(a: str, b: str) -> bool:
    """Whether `a` becomes `b` by one letter added, dropped or changed, or two neighbours
    swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


#: What a short title the briefings hold weighs beside the title written out.
SHORT_TITLE_WEIGHT = 0.5
#: Titles people shorten ("Japan's PM"), written out: a passage says "Japan's prime minister".
SHORT_TITLES = {
    "pm": "prime minister",
    "dpm": "deputy prime minister",
    "fm": "foreign minister",
}
_SHORT_TITLE = re.compile(
    r"(?<![\w.])(" + "|".join(SHORT_TITLES) + r")(?![\w.])(?!\s*\d)", re.IGNORECASE
)


def _titled(text: str, vocab: Vocabulary) -> tuple[str, list[str]]:
    """`text` with each shortened title written out ("Japan's PM" → Japan's prime minister),
    and the short forms the briefings hold, still searched for as evidence ("the PM said");
    "5 pm" and "PM 2.5" are left alone."""
    kept: list[str] = []

    def written(m: re.Match) -> str:
        short = m.group(1).lower()
        if re.search(r"\d\s*$", text[: m.start()]):
            return m.group(1)
        if vocab.df.get(short, 0):
            kept.append(short)
        return SHORT_TITLES[short]

    return _SHORT_TITLE.sub(written, text), kept


def reading_of(
    question: str,
    vocab: Vocabulary,
    *,
    conn: sqlite3.Connection | None = None,
    aliases: Aliases | None = None,
    today: dt.date | None = None,
    previous: Reading | None = None,
) -> Reading:
    """How `question` is read, against the index's vocabulary. `today` is the asking chat's date;
    `previous` is the reading of the answer this question follows up, if any. `conn` lets
    corrections be shown as the briefings spell them ("Raeisi", not "raeisi")."""
    today = today or dt.date.today()
    text, shortened = _titled(_mended(message.strip(question[:MAX_QUESTION_CHARS]), vocab), vocab)
    covered = (vocab.dates[0], vocab.dates[-1]) if vocab.dates else None
    reading = Reading(question, covered=covered)
    reading.extra += [(t, SHORT_TITLE_WEIGHT) for t in shortened]

    shift = dates.find_shift(text) if previous is not None else None
    if shift is not None:
        text = text[: shift.start] + " " + text[shift.end :]
    found = dates.find(text, today, vocab.dates, natural=bool(vocab.dates))
    reading.by_date = dates.explicit(text)
    reading.date_words = [(t, DATE_WORD_WEIGHT) for t in _date_terms(found, text, vocab)]
    text = found.rest
    reading.dates = found.range

    if aliases is not None and len(aliases):
        text, matches = aliases.apply(text)
        reading.aliases = [(m.typed, m.name) for m in matches]
    else:
        matches = []

    marker = _FOLLOW_UP.match(text)
    about = 0  # "and about COP28?" names a subject, "and Soetrisno?" may name a speaker
    if marker:
        text, about = _ABOUT.subn("", text[marker.end() :], count=1)
    reading.recent = framing.recent(text)
    asked = text  # as asked, before its framing goes: "who else?" is not "who?"
    framed = framing.strip(text)
    # Nothing but framing asks for the briefings themselves, unless it asks for more of the
    # answer before ("tell me more"), which follows up.
    reading.browse = not framed and bool(text.strip()) and not framing.more(text)
    text = _VERSUS.sub(" and ", framed)
    if previous is not None and previous.speaker is not None:
        text = _another_one(text, previous.speaker.text) or text

    spelled = _Speller(vocab, conn)
    speaker_text, verb, topic_text, typed_verb = _speaker(
        text, lambda who: _all_rare(who) or _quoted_as_typed(PLAIN_WORD.findall(who), spelled)
    )
    if speaker_text is None:
        speaker_text, topic_text = _named_first(text, spelled)
    pronoun = speaker_text is not None and normal(speaker_text) in PRONOUNS
    reading.verb = verb
    # "What did they agree?", "what did Brandt propose?": a verb that says more than that
    # someone spoke is evidence of the passage that answers ("agreed", "the proposal").
    verb_term = analysis.term(typed_verb) if typed_verb else None
    if verb_term and normal(typed_verb) not in PLAIN_VERBS and vocab.df.get(verb_term):
        reading.extra.append((verb_term, VERB_WEIGHT))

    if speaker_text:  # "the two presidents", "both leaders": who, not how many
        speaker_text = _COUNTED.sub(r"\1", speaker_text)
    if speaker_text and not pronoun:
        reading.speaker, held_by = _with_holder(spelled.part(speaker_text, matches), spelled)
        reading.speaker_names = held_by or _speaker_names(reading.speaker, spelled)
    topic_text = _LEFT_VERB.sub("", topic_text.strip(_TRAILING))
    if topic_text:
        reading.topic = spelled.part(topic_text, matches)
        if not reading.topic.terms and not reading.topic.required:
            reading.topic = None
    reading.corrections = spelled.corrections
    # The spelling typed still counts where the briefings use it too.
    placed = set()
    for name in ("speaker", "topic"):
        part = getattr(reading, name)
        if part is not None and matches:
            part, done = _typed_aliases(part, matches, vocab)
            setattr(reading, name, part)
            placed |= done
    typed = [
        t
        for n, m in enumerate(matches)
        if n not in placed
        for t in analysis.analyse(m.typed)
        if vocab.df.get(t)
    ]
    reading.extra += [(t, 1.0) for t in dict.fromkeys(typed)]
    topic = reading.topic
    # "who is Whitcombe?", of a name only: "who is the energy commissioner?" and "who is the
    # Iranian president?" ask for a name, and are found as asked.
    who_is = _WHO_IS.match(asked) and reading.speaker is None and topic is not None
    if who_is and topic.terms and all(_a_name(w, spelled) for w in _words(topic.text)):
        reading.introduce = _speaker_names(topic, spelled, long_form=False)
    if previous is not None and previous.speaker is not None and _WHO_IS_HE.match(asked):
        # "what did Putin say about Gaza?" then "who is he?": who Putin is; "it" still
        # stands for Gaza.
        subject = previous.topic.it or previous.topic if previous.topic else None
        reading.topic = replace(previous.speaker, it=subject)
        reading.introduce = list(previous.speaker_names)

    if pronoun and previous is None:
        reading.unresolved = speaker_text.strip()
    if previous is not None:
        refers = bool(_IT.search(text))
        follow = bool(marker) or shift is not None or pronoun or refers
        follow = follow or (
            reading.topic is None and reading.speaker is None and not reading.browse
        )
        names = (
            _another_speaker(reading, previous, topic_text, spelled)
            if follow and not about
            else None
        )
        if names:
            # "Whitcombe on the levy" then "and Soetrisno?": Soetrisno on the levy.
            reading.speaker, reading.topic = reading.topic, None
            reading.speaker_names = names
        kept_topic = reading.topic
        introduced = bool(pronoun and previous.speaker is None and previous.introduce)
        if introduced and previous.topic is not None:
            # "who is Kamau?" then "what did she say about carbon markets?": she is Kamau.
            named = " ".join(
                w for w in PLAIN_WORD.findall(previous.topic.text) if _a_name(w, spelled)
            )
            reading.speaker = replace(previous.topic, text=named or previous.topic.text)
            reading.speaker_names = previous.introduce
        if follow:
            # "how much will it cost?" after what the commissioner said about the
            # interconnector asks the cost of it, not what she said about the cost.
            anew = speaker_text is None and kept_topic is not None and _ASKS.match(asked)
            _inherit(reading, previous, shift, speaker_text is not None, not anew)
            if introduced:
                reading.topic = kept_topic  # the person asked about is not also the subject
        if _ASKS_WHO.match(asked) and reading.speaker is previous.speaker:
            # "who else?" after what Whitcombe said about the levy: anyone else on the levy;
            # "who was against it?" after what the EU agreed: whoever it was.
            reading.speaker, reading.speaker_names = None, []
        elif _WHAT_ELSE.match(asked) and reading.topic is previous.topic:
            # "what else did he say?": Whitcombe on anything, not the levy again.
            reading.topic = None
        if refers and previous.answered:
            reading.story = previous.answered
            before = previous.topic.terms if previous.topic else []
            reading.story_terms = tuple(t.term for t in before)
        if refers and reading.topic is previous.topic and previous.topic is not None:
            # "it" after "who is she?" is still what she was asked about, not her.
            reading.topic = previous.topic.it or previous.topic
        elif refers and reading.topic is not previous.topic and previous.topic is not None:
            reading.topic = _joined(reading.topic, previous.topic)
        elif marker and not about and not names and kept_topic is not None and previous.topic:
            # "Which country cut gas use most in August?" then "and Germany?": Germany, with
            # the question before's subject as context that ranks, not as words it must hold.
            # "and in the fourth quarter?" narrows the question before to a period: its
            # subject is still asked for.
            narrows = _PERIOD.fullmatch(kept_topic.text.strip(_TRAILING))
            reading.topic = _joined(kept_topic, previous.topic, None if narrows else CONTEXT_WEIGHT)
    return reading


def _another_one(text: str, before: str) -> str | None:
    """ "and the Finnish one?" after what the Estonian minister said: what the Finnish
    minister said, on the same subject. `before` is the speaker as the question before put
    it; None unless it was called by a title and `text` is "the X one"."""
    m = _ONE.fullmatch(text.strip())
    # Another country's or body's ("the Dutch one", "the dutch one"), not "which one".
    if m is None or not (m.group(1)[:1].isupper() or places.is_place(m.group(1))):
        return None
    words = before.split()
    title = next((i for i, w in enumerate(words) if normal(w) in TITLES), None)
    if title is None:
        return None
    ahead = [w for w in words[:title] if normal(w) != "the"]
    # "Spain's energy minister": the country goes, the portfolio stays.
    portfolio = (
        ahead[1:] if ahead and (ahead[0][:1].isupper() or places.is_place(ahead[0])) else ahead
    )
    return f"what did the {m.group(1)} {' '.join([*portfolio, *words[title:]])} say"


def _joined(own: Part | None, before: Part, context: float | None = None) -> Part:
    """A follow-up's own subject with the one its pronoun stands for: "who else is lending
    money for it?" after a question on the Baltic interconnector searches for both. With
    `context`, the subject before only ranks, at that weight: a passage need not hold it
    (and "and Germany?" is shown as asked)."""
    if own is None:
        return (before.it or before) if context is None else before
    shift = 1 + max((t.group for t in own.terms), default=-1)
    if context is None:
        subject = before.it or before
        terms = [replace(t, group=t.group + shift) for t in subject.terms]
        return Part(
            f"{own.text} ({subject.text})",
            own.terms + terms,
            own.required + subject.required,
            own.names + subject.names,
            subject,
        )
    terms = [
        replace(t, group=t.group + shift, weight=t.weight * context, judged=False)
        for t in before.terms
    ]
    return Part(own.text, own.terms + terms, own.required, own.names)


def _another_speaker(
    reading: Reading, previous: Reading, topic_text: str, spelled: _Speller
) -> list[str] | None:
    """For a follow-up that is only a name ("and Soetrisno?") asking what that person said
    on the question before's subject, rather than what its speaker said about them, that
    person's names: the question before had a speaker, and the briefings quote this one
    speaking (and, for a name common in English, introduce them as a person: "and Gaza?"
    names a place the leaders spoke of, not a speaker). None for any other follow-up."""
    conn = spelled.conn
    if conn is None or previous.speaker is None or reading.speaker is not None:
        return None
    words = PLAIN_WORD.findall(topic_text)
    if reading.topic is None or not 0 < len(words) <= NAME_WORDS:
        return None
    if not all(w[:1].isupper() or english.rare(w) for w in words):
        return None
    if all(places.is_place(w) for w in words):  # "and Gabon?" after Diarra on Niger: Gabon
        return None
    names = _speaker_names(reading.topic, spelled)
    # Every word is a name here, rare in English or not ("Soetrisno", "Putin").
    terms = [t for t in reading.topic.terms if t.judged and spelled.vocab.df.get(t.term)]
    if not names or not terms:
        return None
    # A name common in English ("Putin", "Gaza") is a person only where the briefings
    # introduce one by it; a rare one ("Soetrisno") where they quote it speaking.
    introduced = not all(t.rare for t in terms)
    return names if _speaks_somewhere(spelled, terms, names, introduced) else None


def _named_first(text: str, spelled: _Speller) -> tuple[str | None, str]:
    """For words typed without a question ("Alcaraz Sabina Shoal", "Sabina Shoal Alcaraz"),
    the person the briefings quote among them, named first or last, and the rest: what that
    person said about the rest is what such words look for, as "Alcaraz on Sabina Shoal"
    does. (None, `text`) for a question, or where no one quoted is named."""
    typed = text.strip(_TRAILING).split()  # "Rasht-Astara" is one word typed, not two
    words = PLAIN_WORD.findall(text)
    if not 2 <= len(typed) <= KEYWORDS or _ASKS.match(text):
        return None, text
    if not all(w[:1].isupper() or english.rare(w) for w in words):
        return None, text
    for n in range(1, min(NAME_WORDS, len(typed) - 1) + 1):
        for who, rest in ((typed[:n], typed[n:]), (typed[-n:], typed[:-n])):
            named = PLAIN_WORD.findall(" ".join(who))
            if all(places.is_place(w) for w in named):
                continue
            if all(english.rare(w) for w in named):  # "alcaraz": being quoted is enough
                if _quoted(named, spelled, introduced=False):
                    return " ".join(who), " ".join(rest)
            elif _quoted_as_typed(named, spelled):  # "Putin": introduced, and quoted
                return " ".join(who), " ".join(rest)
    return None, text


def _quoted_as_typed(words: list[str], spelled: _Speller) -> bool:
    """Whether `words`, typed capitalised ("Putin"), name a person the briefings introduce
    with a title or a first name ("Russian President Vladimir Putin") and quote speaking:
    "Putin on Gaza" names a speaker, though "Putin" is common in English; "Inflation on the
    rise" and "Gaza on the agenda" do not."""
    return all(w[:1].isupper() for w in words) and _quoted(words, spelled)


def _quoted(words: list[str], spelled: _Speller, introduced: bool = True) -> bool:
    """Whether `words` name a person the briefings quote speaking and, with `introduced`,
    introduce as a person; without it, being quoted is enough (a name rare in English,
    "alcaraz", however typed)."""
    if spelled.conn is None or not words:
        return False
    terms = [t for t in map(analysis.term, words) if t and spelled.vocab.df.get(t)]
    if len(terms) != len(words):
        return False
    names = [normal(w) for w in words]
    return _speaks_somewhere(spelled, [Weighted(t) for t in terms], names, introduced)


def _speaks_somewhere(
    spelled: _Speller, terms: list[Weighted], names: list[str], introduced: bool = False
) -> bool:
    """Whether, of the best `SPEAKER_LOOK` passages holding the rarest of `terms` (each
    held by some passage) and ranked by them all, one quotes the person called `names`
    speaking, and, with `introduced`, one introduces them as a person."""
    rarest = min((t.term for t in terms), key=lambda t: spelled.vocab.df[t])
    query = Query(terms, required=[(rarest,)])
    found = _query.search(spelled.conn, query, SPEAKER_LOOK, 0, spelled.vocab)
    if introduced and not any(introducing(h.text, h.sentences, names) for h in found):
        return False
    return any(speaking(h.text, h.sentences, names, many=False) for h in found)


def _date_terms(found: dates.Found, text: str, vocab: Vocabulary) -> list[str]:
    """The month names and years of a question's dates, as terms the index holds: "inflation
    in February" is often written "in February" by the briefing that answers it."""
    out = []
    for s, e in found.spans:
        for token in analysis.tokens(text[s:e], runs=False):
            word = text[s + token.start : s + token.end].lower()
            if (dates.is_month(word) or (word.isdigit() and len(word) == 4)) and vocab.df.get(
                token.term
            ):
                out.append(token.term)
    return list(dict.fromkeys(out))


def _inherit(
    reading: Reading, previous: Reading, shift, own_verb: bool, speaker: bool = True
) -> None:
    """Fill what a follow-up leaves out from the reading it follows: the speaker (and how
    they spoke, unless the follow-up asks anew; none when it is a question of its own,
    `speaker` false), the topic, and the dates, shifted when it says "the day before"."""
    reading.follow_up = True
    reading.recent = reading.recent or previous.recent  # "and about Niger?" after "the latest"
    kept = False
    if speaker and reading.speaker is None and previous.speaker is not None:
        reading.speaker = previous.speaker
        reading.speaker_names = previous.speaker_names
        reading.verb = reading.verb if own_verb else previous.verb
        kept = True
    if reading.topic is None and previous.topic is not None:
        reading.topic = previous.topic
        kept = True
    if shift is not None:
        base = previous.dates
        if base is None and previous.anchor is not None:
            base = DateRange(previous.anchor, previous.anchor)
        if base is not None:
            reading.dates = shift.apply(base)
    elif reading.dates is None:
        reading.dates = previous.dates
        reading.by_date = reading.by_date or previous.by_date
    if kept:
        both = [*previous.corrections, *reading.corrections]
        reading.corrections = list(dict.fromkeys(tuple(c) for c in both))


def _all_rare(who: str) -> bool:
    return all(english.rare(w) for w in PLAIN_WORD.findall(who))


def _speaker(
    text: str, named: Callable[[str], bool] = _all_rare
) -> tuple[str | None, str, str, str | None]:
    """(speaker, verb as a reply words it, topic, verb as typed) for "what did X say about
    Y"; (None, "said", text, None) for any other question. A speaker with no verb ("Putin on
    Gaza") is one only where `named` holds of them: by default, where every word is rare in
    English."""
    for n, pattern in enumerate(_SPEAKER_PATTERNS):
        m = pattern.match(text)
        if m is None:
            continue
        who = m.group("who").strip()
        words = [normal(w) for w in PLAIN_WORD.findall(who)]
        if not words or len(words) > 6 or any(w in _NOT_SPEAKERS for w in words):
            continue
        if any(w in ("what", "which", "who", "whom", "how", "why") for w in words):
            continue
        if words[0] in _BE:
            continue  # "what was the colloquy meant to establish?": no one is speaking
        typed = m.group("verb") or m.groupdict().get("noun") or ""
        verb = typed.lower()
        if n == 2 and who[:1].islower() and words[0] not in ("the", "a", "an"):
            continue  # "what early Greek wrote about air?" asks which one, not what was said
        aux = (m.groupdict().get("aux") or "").lower()
        if verb == "mean" and aux in ("does", "do"):
            continue  # "what does isobaric mean?" asks what a word means
        if n == 0 and _HOW.match(text) and verb not in _HOW_VERBS:
            continue  # "how did the Fed add reserves?" asks how it was done, not said
        named_only = n == 4 or (n == 3 and m.groupdict().get("noun"))
        if named_only and not named(who):
            continue  # "inflation on the rise", "trade comments on tariffs": no one is named
        if n >= 3:
            said = "said"
        elif verb not in QUESTION_VERBS:
            said = verb  # already "said", "announced", "thinks"
        else:
            said = QUESTION_VERBS[verb]
            if aux in ("does", "do"):
                said = verb + ("es" if verb.endswith(("s", "sh", "ch")) else "s")
            elif aux in ("will", "would", "could", "can"):
                said = f"{aux} {verb}"
        return who, said, m.group("topic"), typed
    return None, "said", text, None


def _names(speaker_text: str) -> list[str]:
    """The folded words that name a speaker, titles, stopwords and everyday words left out
    where a name remains ("President Raeisi" → ["raeisi"], "Putin still" → ["putin"]; "the
    Commission president" → ["commission"]). Of speakers called by a title alone, the
    title as one of them is called ("the presidents" → ["president"]: "President Putin …
    discussed")."""
    typed = PLAIN_WORD.findall(speaker_text)
    words = [_one_title(normal(w)) for w in typed]
    # A portfolio typed in lower case before a title is the title's ("the Spanish energy
    # minister", "Japan's prime minister"): it names no one, and "energy ministers will
    # discuss" is not the minister speaking.
    portfolio = {
        i for i in range(len(words) - 1) if typed[i][:1].islower() and words[i + 1] in TITLES
    }
    names = [
        w
        for i, w in enumerate(words)
        if w not in TITLES and i not in portfolio and analysis.term(w) is not None
    ]
    named = [w for w in names if english.zipf(w) < english.EVERYDAY_ZIPF]
    return named or names or [w for w in words if analysis.term(w) is not None]


def _one_title(word: str) -> str:
    """A title in the plural as one of those it names is called ("ministers" → "minister")."""
    return word[:-1] if word.endswith("s") and word[:-1] in TITLES else word


def _words(text: str) -> list[str]:
    """The words of `text` that the index holds terms for (not "the", "of")."""
    return [w for w in PLAIN_WORD.findall(text) if analysis.term(w)]


def _short_name(typed: str) -> bool:
    """Whether a typed word may be a short name: a few letters, in capitals or rare in
    English ("EU", "imf")."""
    if not (2 <= len(typed) <= 6 and typed.isalpha()):
        return False
    return typed.isupper() or english.rare(typed)


def _a_name(word: str, spelled: _Speller) -> bool:
    """Whether a question's word is a name: typed capitalised, rare in English, or written
    capitalised by the briefings ("putin" as "Putin"); not a title ("President")."""
    if normal(word) in TITLES:
        return False
    if word[0].isupper() or english.rare(word):
        return True
    term = analysis.term(word)
    return term is not None and spelled.surface(term)[:1].isupper()


def _first_groups(part: Part) -> dict[str, int]:
    """Each term of `part` → the group (question word) it first came from."""
    return {t.term: t.group for t in reversed(part.terms)}


def _typed_aliases(
    part: Part, matches: list[AliasMatch], vocab: Vocabulary
) -> tuple[Part, set[int]]:
    """`part` with the words of each alias typed in it ("the Iranian president" for Raeisi)
    as other spellings of the name it stands for: searched for where the briefings use them
    too, but neither weighed by the re-ranker nor asked for, as a short name's long form is
    not: "Iranian" and "president" would make the question's one name three words.
    Also which of `matches` were placed so."""
    first = _first_groups(part)
    have = {t.term for t in part.terms}
    added: list[Weighted] = []
    placed = set()
    for n, m in enumerate(matches):
        group = next((first[t] for t in analysis.analyse(m.name) if t in first), None)
        if group is None:
            continue
        placed.add(n)
        for t in analysis.analyse(m.typed):
            if vocab.df.get(t) and t not in have:
                have.add(t)
                added.append(Weighted(t, 1.0, group, judged=False, ranked=False))
    return (replace(part, terms=part.terms + added) if added else part), placed


def _with_holder(part: Part, spelled: _Speller) -> tuple[Part, list[str]]:
    """A speaker called by a title, with the name of whoever the briefings give it
    (`holders`), and the folded words of that name: "the Commission president" is searched
    for as "Commission" or "Annelie Brandt" (the holder's name another spelling of the
    title's name word), and is found speaking where Brandt speaks, not where "the
    Commission" does. Any other speaker as it is, with no names."""
    if spelled.conn is None:
        return part, []
    by_group: dict[int, set[str]] = {}
    for t in part.terms:
        by_group.setdefault(t.group, set()).add(t.term)
    first = _first_groups(part)
    words = []
    for typed in PLAIN_WORD.findall(part.text):
        term = analysis.term(typed)
        if term in first:
            words.append((typed, first[term], by_group[first[term]]))
    named = holders.holders(spelled.conn, [(typed, terms) for typed, _, terms in words])
    if not named:
        return part, []
    group = next(g for typed, g, _ in words if normal(typed) not in TITLES)
    have = {t.term for t in part.terms}
    names = [w for name in named for w in holders.name_words(name)]
    added = [
        Weighted(term, HOLDER_WEIGHT, group, rare=True, zipf=english.zipf(word))
        for word in names
        for term in analysis.terms(word)
        if term not in have
    ]
    # The title's other words still rank, but a passage that names the holder ("Alcaraz
    # told reporters …") does not hold less of the question for lacking them.
    titled = [t if t.group == group else replace(t, judged=False) for t in part.terms]
    terms = titled + list({t.term: t for t in added}.values())
    return replace(part, terms=terms), list(dict.fromkeys(names))


def _speaker_names(part: Part, spelled: _Speller, long_form: bool = True) -> list[str]:
    """The speaker's names (`_names`), and each other spelling of them that the briefings hold
    and the question searches for as well: asked about "Pöhl", a passage where "Poehl" speaks
    is him speaking; and "European Union ministers agreed" is the EU agreeing. Without
    `long_form`, not the words of a short name's long form (who is introduced, for "what is
    the EU?", is the EU, not "Union")."""
    names = _names(part.text)
    typed = {analysis.term(n) for n in names}
    groups = {t.group for t in part.terms if t.term in typed}
    for t in part.terms:
        if t.group in groups and t.term not in typed and (t.ranked or long_form):
            other = normal(spelled.surface(t.term))
            if other not in names:
                names.append(other)
    return names


class _Speller:
    """Turns a piece of a question into searched terms: exact terms the index holds, near
    spellings for those it lacks, phrases from quotes and names, corrections to show."""

    def __init__(self, vocab: Vocabulary, conn: sqlite3.Connection | None):
        self.vocab = vocab
        self.conn = conn
        self.corrections: list[tuple[str, str]] = []
        self._group = 0

    def surface(self, term: str) -> str:
        """How the briefings write `term` (the term itself without an index at hand)."""
        return vocabulary.surface(self.conn, term) if self.conn is not None else term

    def part(self, text: str, aliases: list[AliasMatch]) -> Part:
        quoted = [next(g for g in m.groups() if g is not None) for m in _QUOTED.finditer(text)]
        part = Part(text.strip(_TRAILING))
        protected = {normal(a.name) for a in aliases}
        replaced: dict[str, str] = {}  # exact term → the term searched instead, if any
        edits: list[tuple[int, int, str]] = []
        for token in analysis.tokens(text, runs=False):
            group = self._group
            self._group += 1
            df = self.vocab.df.get(token.term, 0)
            typed = text[token.start : token.end]
            # The word's other terms ("f" and "35" of "F-35") share its group, so that the
            # word counts once; a fragment gets no spelling variants.
            zipf = english.zipf(typed.lower())
            name = zipf < english.RARE_ZIPF  # rare in English: a name whose spellings to add
            kept = {"rare": name or any(c.isdigit() for c in typed), "zipf": zipf}
            runs = [Weighted(t, 1.0, group, **kept) for t in analysis.terms(typed)[1:]]
            # A word no briefing holds is corrected to a near one they hold ("raliway" →
            # railway), unless it is an everyday English word: "how full is …" asked of
            # briefings that never say "full" means full, not "fell".
            kept_as_typed = normal(typed) in protected or (df == 0 and zipf >= KEEP_ZIPF)
            # "privatisation" also searches for "privatization", and the other way round:
            # one word, as the other side spells it, and no slip to put right.
            other = _other_side(typed, token.term, self.vocab)
            kept_as_typed = kept_as_typed or other is not None
            variants = [] if kept_as_typed else self.vocab.variants(token.term)
            if df and not variants and normal(typed) not in protected and name:
                variants = self.vocab.spellings(token.term)
            if df or not variants:
                part.terms.append(Weighted(token.term, 1.0, group, **kept))
            for v in variants:
                weight = variant_weight(v.distance)
                part.terms.append(Weighted(v.term, weight, group, **kept))
            if other is not None:
                part.terms.append(Weighted(other, 1.0, group, **kept))
            # "Spanish" also searches for Spain, and "Spain" for Spanish: one word, two ways.
            place = [t for t in places.other_terms(typed) if self.vocab.df.get(t, 0)]
            part.terms.extend(Weighted(t, PLACE_WEIGHT, group, **kept) for t in place)
            # "earn" also searches for profit, "inflation" for consumer prices.
            near = [t for t in related.related_terms(token.term) if self.vocab.df.get(t, 0)]
            part.terms.extend(Weighted(t, related.WEIGHT, group, **kept) for t in near)
            # "EU" also searches for the European Union, as the briefings spell it out.
            if df and self.conn is not None and _short_name(typed):
                spelt = acronyms.long_form(self.conn, self.vocab, token.term)
                part.terms.extend(
                    Weighted(t, ACRONYM_WEIGHT, group, **kept, ranked=False) for t in spelt
                )
            part.terms.extend(runs)
            if df == 0 and variants:
                replaced[token.term] = variants[0].term
                surface = self.surface(variants[0].term)
                self.corrections.append((typed, surface))
                edits.append((token.start, token.end, surface))
        if edits:
            shown = text
            for s, e, surface in sorted(edits, reverse=True):
                shown = shown[:s] + surface + shown[e:]
            part.text = shown.strip(_TRAILING)

        def spell(words: list[str]) -> tuple[str, ...]:
            return tuple(replaced.get(w, w) for w in words)

        for phrase in quoted:
            words = spell(analysis.analyse(phrase))
            if words:
                part.required.append(words)
        for m in _HYPHENATED.finditer(text):
            words = spell(analysis.analyse(m.group()))
            if len(words) > 1:
                part.names.append(Name(words))
        for name in _capitalised(text):
            words = spell(analysis.analyse(name))
            if len(words) > 1 and all(n.words != words for n in part.names):
                part.names.append(Name(words, CAPITALISED_WEIGHT))
        return part


def _capitalised(text: str) -> list[str]:
    """Runs of two or more capitalised words ("Shanghai Cooperation Organization", "Super
    Bowl 50"); a capitalised question word such as "What" is a stopword and starts none."""
    words = list(PLAIN_WORD.finditer(text))
    runs, run = [], []
    for i, m in enumerate(words):
        w = m.group()
        gap = text[words[i - 1].end() : m.start()] if i else ""
        joined = run and gap.strip() == "" and gap.count(" ") <= 1
        if w[:1].isupper() and analysis.term(w) is not None:
            run = run + [m] if joined else [m]
        elif run and joined and (w.lower() in _JOINERS or w.isdigit()):
            run = run + [m]
            continue
        else:
            if len([r for r in run if r.group()[:1].isupper()]) > 1:
                runs.append(run)
            run = []
            continue
    if len([r for r in run if r.group()[:1].isupper()]) > 1:
        runs.append(run)
    out = []
    for r in runs:
        while r and r[-1].group().lower() in _JOINERS:
            r = r[:-1]
        out.append(text[r[0].start() : r[-1].end()])
    return out
