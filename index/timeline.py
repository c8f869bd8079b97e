"""How a story developed: the briefings that answer a subject, one line a date, oldest first,
each with the sentence that says what was new that day.

Asked "how did the railway deal develop?", a search gives the ten passages that share the
most words with it, often the same background told again each day. A timeline instead takes
the days: each day's passages are judged as the passages of a question are, among the
index's best for it (`follow.judge_new`: what following the subject would have been sent
that day), and of each day that has an answer it shows one sentence. That sentence is the
one that holds the subject, says what earlier days did not, and comes early in its
briefing: the square root of each sentence's share of the subject's words (by idf; a
sentence that names it in part still counts), weighed down by how much of its other words
(by idf) the earlier days' answering passages held already, and by how far into its briefing
it stands. Background repeated from day to day ("the link,
proposed in September at 2.1 billion euros, …") has been said before; what happened that
day has not, and news puts it first.

A timeline keeps to the dates asked for ("since March", "in October"); a word of the subject
that no briefing holds is named, as a question's reply names it, and the rest is followed.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from dataclasses import dataclass, field, replace

from . import analysis, follow
from .questions import message, rerank, understand
from .questions import query as _query
from .questions.aliases import Aliases
from .questions.answer import Index
from .questions.judge import Judged
from .questions.quote import highlight_spans
from .storage import vocabulary
from .storage.search import Filters, Hit

#: Days a timeline lists at most (the earliest are left out past this, and counted).
MAX_DAYS = 40
#: A sentence shorter than this many characters says too little to stand for a day.
MIN_SENTENCE = 25
#: What a sentence all of whose words earlier days said keeps of its weight (one that says
#: only new things keeps all of it): background told again ranks below the day's news, even
#: where the background names the subject in full and the news only in part.
SAID_BEFORE = 0.25
#: How much less each step further into a briefing weighs (1 / (1 + LATER × steps)): news
#: is written with what happened first, and quotes and background after it. This and
#: `SAID_BEFORE` were chosen on the odd-numbered subjects of
#: `bench/quality/follow_subjects.jsonl`, among the settings that pick each day's news over a
#: repeated background (tests/test_timeline.py); docs/benchmarks.md has both halves.
LATER = 0.3

# "how did the railway deal develop", "how has the Gaza situation evolved since March"
_HOW = re.compile(
    r"^\s*how\s+(?:did|has|have|had|does|do|is|are|was|were)\s+(?P<subject>.+?)\s+"
    r"(?:develop(?:ed|ing)?|evolve[ds]?|evolving|unfold(?:ed|ing)?|progress(?:ed|ing)?"
    r"|play(?:ed)?\s+out|move[ds]?\s+on|come\s+along|moved\s+forward"
    r"|(?P<plain>change[ds]?|changing|turn(?:ed)?\s+out|go(?:ne)?|went|gone\s+on))\b"
    r"(?P<rest>.*)$",
    re.IGNORECASE,
)
# An everyday verb ("how did M-1 change in the week to March 9?", "how did the vote go?")
# asks for a story only over a stretch of time ("how has the Gaza situation changed since
# March?"); about one day or period it asks for a fact, which the answer's search finds.
_OVER_TIME = re.compile(r"\b(?:since|over|so\s+far|lately|recently)\b", re.IGNORECASE)
# "timeline of the Gaza talks", "give me a chronology of …", "the story so far on …"
_OF = re.compile(
    r"^\s*(?:(?:show|give|send|make)\s+(?:me\s+)?|(?:can|could)\s+you\s+(?:show|give)\s+"
    r"(?:me\s+)?|i\s+(?:want|would\s+like|'d\s+like)\s+)?(?:a\s+|the\s+)?"
    r"(?:time\s*line|chronology|history|story\s+so\s+far|development|evolution)\s+"
    r"(?:of|on|for|about|in)\s+(?P<subject>.+)$",
    re.IGNORECASE,
)
# "Gaza talks timeline", "railway deal: the story so far"
_TRAILING = re.compile(
    r"^\s*(?P<subject>.+?)[\s:,-]+(?:a\s+|the\s+)?(?:time\s*line|chronology|story\s+so\s+far)\s*$",
    re.IGNORECASE,
)


def asked(text: str) -> str | None:
    """The subject when `text` asks how a story developed ("how did the railway deal
    develop?", "timeline of the Gaza talks", "Gaza talks timeline"), with any dates it names
    ("since March"); None for any other message."""
    text = message.strip(text).strip().rstrip("?!. ")
    for pattern in (_HOW, _OF, _TRAILING):
        m = pattern.match(text)
        if m and m.groupdict().get("plain") and not _OVER_TIME.search(m.group("rest")):
            return None
        if m:
            subject = m.group("subject") + " " + (m.groupdict().get("rest") or "")
            subject = " ".join(subject.split()).strip(" ,;:-")
            # "how did it go?" asks after no subject
            if any(message.content_word(w) for w in analysis.words(subject)):
                return subject
            return None
    return None


@dataclass(frozen=True, slots=True)
class Entry:
    """A day of a timeline: the sentence shown for it, from the passage a button opens."""

    date: dt.date
    hit: Hit
    sentence: tuple[int, int]  # span within `hit.text`
    highlights: list[tuple[int, int]]  # the subject's words within the sentence
    hits: tuple[Hit, ...]  # the day's passages that answer, best first

    @property
    def briefings(self) -> tuple[str, ...]:
        """Titles of the day's briefings that answer, best first."""
        return tuple(dict.fromkeys(h.title for h in self.hits))

    @property
    def text(self) -> str:
        return self.hit.text[self.sentence[0] : self.sentence[1]]


@dataclass(slots=True)
class Timeline:
    subject: str
    reading: understand.Reading
    entries: list[Entry] = field(default_factory=list)
    #: Why there are no entries, when it is the dates ("There is no briefing in May 2023").
    note: str | None = None
    missing: list[str] = field(default_factory=list)  # the subject's words no briefing holds
    earlier: int = 0  # days that answer before the first one listed (past `MAX_DAYS`)

    @property
    def terms(self) -> list[str]:
        """The terms searched for: what to highlight in a passage opened from it."""
        return self.reading.highlight_terms


def build(
    conn: sqlite3.Connection,
    subject: str,
    *,
    aliases: Aliases | None = None,
    today: dt.date | None = None,
    max_days: int = MAX_DAYS,
) -> Timeline:
    """The timeline of `subject` over the index (within the dates it names, if any)."""
    vocab = vocabulary.get(conn)
    reading = understand.reading_of(subject, vocab, conn=conn, aliases=aliases, today=today)
    out = Timeline(subject, reading)
    if reading.dates is not None and reading.covered is None:
        out.note = reading.date_note() or "There are no briefings yet."
        return out
    if reading.dates is not None and not reading.dates.overlaps(*reading.covered):
        out.note = replace(reading, by_date=True).date_note()
        return out
    # The dates of a timeline say which days to list: they always filter.
    q = reading.query()
    if reading.dates is not None:
        q = replace(q, filters=Filters(reading.dates.since, reading.dates.until))
    if not (q.terms or q.required):
        return out
    out.missing = follow.unknown_words(reading.question, q, vocab)
    found = _query.search(conn, q, follow.DAY_DEPTH, 0, vocab)
    best = _query.search(conn, replace(q, filters=Filters()), rerank.DEPTH, 0, vocab)
    days = [
        (day, answering)
        for day, pool in follow.by_day(found).items()
        if (answering := follow.judge_new(conn, reading, q, pool[: follow.CANDIDATES], vocab, best))
    ]
    if len(days) > max_days:
        out.earlier, days = len(days) - max_days, days[-max_days:]
    out.entries = _entries(days, q.term_list(), vocab)
    return out


def _entries(
    days: list[tuple[dt.date, list[Judged]]], terms: list[str], vocab: vocabulary.Vocabulary
) -> list[Entry]:
    """One entry a day, each showing the sentence that holds the subject and most of what
    the days before did not say."""
    wanted = set(terms)
    weight = {}

    def idf(term: str) -> float:
        if term not in weight:
            weight[term] = rerank.idf(vocab.df.get(term, 0), vocab.rows)
        return weight[term]

    subject_weight = sum(idf(t) for t in wanted if vocab.df.get(t)) or 1.0
    seen: set[str] = set()
    out = []
    for day, answering in days:
        best = None
        for rank, j in enumerate(answering):
            hit = j.hit
            for span in hit.sentences or [(0, len(hit.text))]:
                text = hit.text[span[0] : span[1]]
                if len(text.strip()) < MIN_SENTENCE:
                    continue
                words = set(analysis.analyse(text))
                held = sum(idf(t) for t in words & wanted) / subject_weight
                other = words - wanted
                total = sum(idf(t) for t in other)
                new = sum(idf(t) for t in other - seen) / total if total else 0.0
                # How far into its briefing: its passage's place, then its own in it.
                place = hit.ordinal + (hit.sentences or [span]).index(span)
                value = held**0.5 * (SAID_BEFORE + (1 - SAID_BEFORE) * new) / (1 + LATER * place)
                score = (value, -rank, -span[0])
                if best is None or score > best[0]:
                    best = (score, hit, span)
        if best is None:  # only fragments: the best passage's first sentence
            hit = answering[0].hit
            best = (None, hit, (hit.sentences or [(0, len(hit.text))])[0])
        _, hit, span = best
        tokens = analysis.tokens(hit.text)
        highlights = [
            (s, e) for s, e in highlight_spans(tokens, wanted) if span[0] <= s and e <= span[1]
        ]
        out.append(Entry(day, hit, span, highlights, tuple(j.hit for j in answering)))
        for j in answering:
            seen.update(analysis.analyse(j.hit.text))
    return out


def of(index: Index, subject: str, today: dt.date | None = None) -> Timeline:
    """`build` on an open index (the bot's answering process, the console, the CLI)."""
    with index.connected() as conn:
        return build(conn, subject, aliases=index.aliases.current(), today=today)


def terms(index: Index, subject: str) -> list[str]:
    """The terms of `subject` as a timeline searches them: the words to put in bold in a
    passage opened from its timeline."""
    with index.connected() as conn:
        vocab = vocabulary.get(conn)
        return understand.reading_of(
            subject, vocab, conn=conn, aliases=index.aliases.current()
        ).terms
