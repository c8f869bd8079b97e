"""A read question to what the reply holds: quoted passages, or why there are none.

A chain of stages: gather the candidates (`gather`: BM25's best over every date, and the
best of the period a question's date names), rank and judge them (`rank_and_judge`: the re-ranker's
order with the speaker's evidence, each passage judged by `judge`), put them in the order
the question asks for (`arrange`: those that answer first, the newest first for "the
latest", the period's first for a dated question), see whether they say the figure asked
for is not given (`_withheld`), then quote. No stage removes a candidate on a reading of
the question; only a question for the briefings by date keeps to its dates.

Ways to have nothing to quote, each said differently: a question for the briefings of dates
where there are none; no passage holds any of its words; the judgement finds that none of
the best passages answers (for "what did X say", none where X speaks); or the best say the
figure asked for is not given. Instead of quoting noise, the reply then names the briefings
that came nearest, or where they say so. Which of these it is (`Unanswered`) is decided
here, once: a renderer words it, and decides nothing.
"""

from __future__ import annotations

import bisect
import datetime as dt
import sqlite3
from dataclasses import dataclass, field, replace
from enum import Enum

from .. import analysis
from ..storage import browse, vocabulary
from ..storage.search import Filters, Hit, first_mentions
from . import dates, figures, judge, message, repeats, rerank, timing
from . import query as _query
from .dates import DateRange, in_words
from .quote import Quote, choose, highlight_spans, passage_tokens
from .speaker import choose_spoken, introducing, several
from .understand import Reading

#: How many nearest briefings a reply names when nothing answers.
NEAREST = 3
#: What a question for the briefings gets from an index that holds none.
NO_BRIEFINGS = "There are no briefings yet."
#: Passages read for "the latest on …", to be put in date order.
NEWEST_DEPTH = 30
#: What a passage's evidence adds to its re-ranking score (`judge.judge`'s features): where
#: it names a question's speaker, where they speak in it, how much of what they are asked
#: about it holds (chosen on the development sets' tuning halves, `bench/quality/questions.py`:
#: X speaking of Y before X speaking of something else), and the share of the question's
#: rare words (names, places) it holds with its title, so that "asante owusu guided trade
#: initiative" puts the passages naming Asante-Owusu before the scheme's lead. "rare" moved
#: no tuning half of the development sets; chosen from 0 to 2 on SQuAD's and SciFact's
#: tuning questions (first: SciFact 58.6 → 59.2%, top 3: SQuAD 93.6 → 94.0%). "spoken", the
#: share of Y in the sentences where X speaks, moved no tuning half at 1 to 3 either; it
#: weighs as "speaks" does (of the held-out half, "the latvian minister … cost formula" then
#: comes first). "called", the speaker's words held one after another as the question puts
#: them ("Singapore's environment minister", not "Indonesia's environment minister … in
#: Singapore"), lifted the briefings' tuning half 84.6 → 86.2% at 0.5, 1 and 2 alike; it
#: weighs the middle of those.
EVIDENCE: dict[str, float] = {
    "speaker": 0.0,
    "speaks": 2.0,
    "spoken": 2.0,
    "topic": 1.0,
    "rare": 1.0,
    "called": 1.0,
}
#: Answering passages read for one that says the figure asked for is not given (`_withheld`).
WITHHELD_LOOK = 3
#: BM25's best passages read for a page past the candidates (`depth`), after them in BM25's
#: order, neither re-ranked nor judged: as many for every such page, so that their order is
#: one too (the search's own rescoring reaches deeper as it is asked for more).
FURTHER_DEPTH = 50
#: Candidates added from the period a question names (and the window after it), and from
#: the passages naming the speaker a question asks about.
WINDOW_DEPTH = 5
#: Spellings of a speaker's name searched for to add those candidates.
SPEAKER_SPELLINGS = 2


class Unanswered(Enum):
    """Why a reply quotes nothing. Each is worded differently (and by each renderer in its
    own way), but decided only here, from what the stages found."""

    NO_BRIEFINGS = "no briefings"  # the index holds none (`NO_BRIEFINGS` says so)
    DATES = "dates"  # no briefing at the question's dates, or none of them answers (`note`)
    NO_WORDS = "no words"  # nothing to look up, only words such as "what" and "the"
    NOTHING_ANSWERS = "nothing answers"  # none of the best passages answers (`nearest`)
    NO_MORE = "no more"  # a page past the last passage of an answer
    #: "what did they say?" with no question before it: whom "they" means is not known
    #: (`Reading.unresolved`), and nothing answers without it
    WHOM = "whom"
    #: "what did X say about Y" where X speaks in none of the best passages (`note` says so)
    NOT_QUOTED = "not quoted"
    #: a figure asked for that the best passages say is not given, or not yet (`note` quotes
    #: where, `nearest` is that briefing)
    NOT_GIVEN = "not given"


@dataclass(frozen=True, slots=True)
class Nearest:
    """A briefing that came near a question nothing answered."""

    title: str
    date: object  # datetime.date | None
    document: str


@dataclass(slots=True)
class Outcome:
    hits: list[Hit] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    nearest: list[Nearest] = field(default_factory=list)
    note: str | None = None  # why there is nothing to quote
    more: bool = False  # whether passages follow these, for a "More" button
    notices: list[str] = field(default_factory=list)  # said with the answer: missing words
    anchor: dt.date | None = None  # the date of the best passage
    total: int = 0  # passages in the order the pages come from (at least, when not `exact`)
    exact: bool = True  # whether `total` is all there are, or only as deep as was looked
    also: list[list[Hit]] = field(default_factory=list)  # per hit, the passages repeating it
    missing: list[str] = field(default_factory=list)  # words typed that no briefing holds
    why: Unanswered | None = None  # why nothing is quoted, when nothing is


def respond(
    conn: sqlite3.Connection,
    reading: Reading,
    k: int,
    filters: Filters | None = None,
    offset: int = 0,
) -> Outcome:
    """The passages to quote for `reading` (the `k` after `offset`), with their quotes.

    A chain of stages, each taking the one before's output: the reading's query, the
    candidates (`gather`), ranked by how they answer and judged (`rank_and_judge`), put in the order
    the reading asks for (`arrange`), read for a figure not given (`_withheld`), then quoted.
    Every page of one question comes from one order."""
    if reading.out_of_range:
        return Outcome(note=reading.date_note(), why=Unanswered.DATES)
    vocab = vocabulary.get(conn)
    q = reading.query(filters)
    if not (q.terms or q.required) and (reading.browse or reading.dates is not None):
        return _briefings(conn, reading, q, k, offset, vocab)
    pool = gather(conn, reading, q, vocab)
    judged = rank_and_judge(conn, reading, q, pool, vocab)
    ordered, notices = arrange(reading, judged)
    absent = missing_typed(reading, q, vocab, pool)
    missing = f"No briefing mentions {_join(absent)}." if absent else None
    if not any(j.answers for j in ordered):
        out = Outcome(nearest=nearest([j.hit for j in ordered]), missing=absent)
        if not ordered and reading.dates is not None and reading.dates_filter:
            out.note = _dated_nothing(reading, vocab.dates)
        if out.note is not None:
            out.why = Unanswered.DATES
        elif reading.unresolved and not absent:  # "what did they say about quux?": quux
            out.why = Unanswered.WHOM
        elif reading.speaker is not None and reading.speaker_names and not absent:
            out.note = f"The briefings do not quote {reading.speaker.text}{_on(reading)}."
            out.why = Unanswered.NOT_QUOTED
        else:
            out.why = Unanswered.NOTHING_ANSWERS if q.term_list() else Unanswered.NO_WORDS
        return out
    withheld = _withheld(reading, ordered)
    if withheld is not None:
        hit, sentence = withheld
        note = f"The briefings do not give that figure: “{sentence}”"
        return Outcome(nearest=nearest([hit]), note=note, why=Unanswered.NOT_GIVEN)
    candidates = depth(reading)
    exact = len(pool) < candidates
    if offset + k + 1 > candidates:  # a page past the candidates: the passages after them
        further, exact = _further(conn, q, pool, offset + k + 1, vocab)
        ordered += further
    told = once(reading, ordered, offset + k)
    page = told[offset : offset + k]
    out = Outcome([t.shown.hit for t in page], more=len(told) > offset + k)
    if not page:
        out.why = Unanswered.NO_MORE
    out.also = [[t.hit for t in g.repeats] for g in page]
    out.total, out.exact = len(told), exact
    out.anchor = told[0].shown.hit.date
    out.notices = [n for n in (missing, *notices) if n]
    out.quotes = [quote(reading, q, h) for h in out.hits]
    return out


def _withheld(reading: Reading, ordered: list[judge.Judged]) -> tuple[Hit, str] | None:
    """For a question asking for a figure ("what interest rate is the EIB charging?"), where
    none of the best answers says one of that kind before one that says it is not given
    ("the bank did not disclose the interest rate", "to be set by the council within a
    year"): that passage and sentence. Quoting the passage as an answer would look like one;
    what the briefings answer is that the figure is not there. A question asking when is
    left alone: "will be set in December" answers it."""
    asked = figures.asked(reading.question)
    if asked is None or "any" in asked.kinds or asked.kinds <= {"date"}:
        return None
    for j in [j for j in ordered if j.answers][:WITHHELD_LOOK]:
        if figures.says(asked, j.hit.text):
            return None
        for s, e in j.hit.sentences:
            if figures.withheld(j.hit.text[s:e]):
                return j.hit, j.hit.text[s:e]
    return None


def once(
    reading: Reading, ordered: list[judge.Judged], wanted: int
) -> list[repeats.Told[judge.Judged]]:
    """The passages in order, each that repeats one before it folded into that one
    (`repeats`); for "the latest", each statement at its earliest date, the answering ones
    newest first by that date, so that a repeat in later background is never shown as news."""
    enough = None if reading.recent else wanted  # "the latest" reorders them all by date
    told = repeats.told_once(ordered, lambda j: j.hit, earliest=reading.recent, enough=enough)
    if not reading.recent:
        return told
    fresh = {j.hit.passage_id for j in news(ordered)}
    answering = [t for t in told if any(j.hit.passage_id in fresh for j in (t.shown, *t.repeats))]
    answering.sort(key=lambda t: t.shown.hit.date or dt.date.min, reverse=True)
    return answering + [t for t in told if t not in answering]


def news(judged: list[judge.Judged]) -> list[judge.Judged]:
    """For "the latest on Y": the passages that may come first by their date, in rank order.
    They are those that hold every word of the question that the best answer holds, whether
    or not each is judged to answer on its own: "any updates on the nickel deal with
    Australia?" is answered by the newest passage on the nickel deal, not by a newer one on
    another deal that names Australia, which a judgement alone lets through."""
    best = next((j for j in judged if j.answers), None)
    if best is None:
        return []
    return [j for j in judged if j.said and j.held >= best.held]


def _further(
    conn: sqlite3.Connection, q: _query.Query, pool: list[Hit], wanted: int, vocab
) -> tuple[list[judge.Judged], bool]:
    """The passages after the candidates, for a page past them: BM25's best `FURTHER_DEPTH`
    (or `wanted`, if more) in its order, neither re-ranked nor judged to answer; and whether
    they are all there are."""
    looked = max(FURTHER_DEPTH, wanted)
    found = _query.search(conn, q, looked, 0, vocab)
    seen = {h.passage_id for h in pool}
    further = [judge.Judged(h, 0.0, 0.0, {}) for h in found if h.passage_id not in seen]
    return further, len(found) < looked


def depth(reading: Reading) -> int:
    """How many of BM25's best passages are candidates, whichever page is asked for: every
    page of a question comes from one order, so each candidate is ranked and judged among
    the same others, and `ask -k 10` refuses what the bot's three do."""
    return NEWEST_DEPTH if reading.recent else rerank.DEPTH


def quote(reading: Reading, q: _query.Query, hit: Hit) -> Quote:
    """The sentences of `hit` to quote for `reading`: for "what did X say about Y", those
    where X speaks on Y; else those that hold most of the question (or, for "how much" and
    "when", the figure asked for; for "the latest", the first that holds its words).
    Anything that quotes a passage as an answer (a reply, a followed subject's news) quotes it
    through here, so they quote alike."""
    terms = q.term_list()
    if reading.speaker is not None and reading.speaker_names:
        # What X is asked about: Y, or without an "about Y" the rest of the question ("what
        # did Japan and the Philippines agree on 14 October": agree, October), so that a
        # sentence where X speaks of something else is not quoted before one that answers.
        speaker = {t.term for t in reading.speaker.terms}
        about = reading.topic_terms or [t for t in terms if t not in speaker]
        names = reading.speaker_names
        titled = judge.titled(hit, names)
        return choose_spoken(
            hit.text, hit.sentences, terms, names, about, titled, _several(reading)
        )
    question = reading.question
    introduced = introducing(hit.text, hit.sentences, reading.introduce)
    if introduced:  # "who is X?": the sentence that introduces X
        chosen = choose(hit.text, [tuple(hit.sentences[i]) for i in introduced], terms)
        return Quote(chosen.sentences, highlight_spans(passage_tokens(hit.text), set(terms)))
    return choose(
        hit.text,
        hit.sentences,
        terms,
        figures=figures.asks_number(question),
        figure=figures.asked(question),
        news=reading.recent,
    )


def gather(conn: sqlite3.Connection, reading: Reading, q: _query.Query, vocab) -> list[Hit]:
    """The candidates: BM25's best over every date; when the question names when something
    happened, the best from that period and the window after it (`timing`), so that a
    briefing reporting it later is among them however many others share its words; and for
    "what did X say about Y", the best of the passages naming X, and of those naming X in the
    briefings found on Y (where X may speak without naming Y again)."""
    hits = _query.search(conn, q, depth(reading), 0, vocab)
    seen = {h.passage_id for h in hits}
    briefings = list(dict.fromkeys(h.document for h in hits))

    def add(extra: list[Hit]) -> None:
        hits.extend(h for h in extra if h.passage_id not in seen)
        seen.update(h.passage_id for h in extra)

    nearer = []
    if reading.dates is not None and not reading.dates_filter:
        span = _window(reading)
        nearer.append(replace(q, filters=q.filters.within(span.since, span.until)))
    names = _speaker_terms(reading)
    nearer += [replace(q, required=[*q.required, (name,)]) for name in names]
    for near in nearer:
        add(_query.search(conn, near, WINDOW_DEPTH, 0, vocab))
    if names:  # X in the briefings found on Y, where X speaks without naming Y again
        add(_query.in_briefings(conn, q, briefings, frozenset(names), WINDOW_DEPTH, vocab, seen))
    for name in _introduced_terms(reading, vocab):  # "who is X?": where briefings introduce X
        add(first_mentions(conn, name, WINDOW_DEPTH))
    return hits


def _window(reading: Reading) -> DateRange:
    """The briefing dates that may report what the question's dates say happened (`timing`):
    for "what did X say in September?", X's words that month."""
    said = reading.speaker is not None
    return timing.window(reading.dates, said=said, spoke=said and reading.topic is None)


def _introduced_terms(reading: Reading, vocab) -> list[str]:
    """For "who is X?", the rarest of the terms naming X that the briefings hold."""
    terms = [t for t in (analysis.term(n) for n in reading.introduce) if t and vocab.df.get(t)]
    return sorted(terms, key=lambda t: vocab.df[t])[:1]


def _speaker_terms(reading: Reading) -> list[str]:
    """For "what did X say about Y", X's rare terms (a name, each spelling the question
    searches for), so that the passages naming X are among the candidates however many
    others say more about Y alone; at most `SPEAKER_SPELLINGS`."""
    if reading.speaker is None or reading.topic is None:
        return []
    terms = [t.term for t in reading.speaker.terms if t.rare and t.judged]
    return list(dict.fromkeys(terms))[:SPEAKER_SPELLINGS]


def rank_and_judge(
    conn: sqlite3.Connection, reading: Reading, q: _query.Query, pool: list[Hit], vocab
) -> list[judge.Judged]:
    """The candidates in order of how they answer (`rerank`), each judged (`judge`)."""
    if not pool:
        return []
    rows = rerank.features(reading.question, q.ranked_terms(), pool, vocab)
    tokens = {h.passage_id: rerank.passage_terms(h) for h in pool}
    ranked = [(rerank.score(f), f) for f in rows]
    judged = judge.judge(
        q,
        reading.speaker_names,
        pool,
        ranked,
        tokens,
        vocab,
        reading.topic_groups,
        _speaker_words(reading, q),
        _month_terms(reading),
        reading.story,
        reading.story_terms,
        _several(reading),
    )
    # What the re-ranker does not see: for "what did X say about Y", whether X is named and
    # whether X is the one speaking.
    scores = [
        j.score + sum(w * j.features.get(name, 0.0) for name, w in EVIDENCE.items()) for j in judged
    ]
    order = sorted(range(len(pool)), key=lambda i: (-scores[i], i))
    return [replace(judged[i], score=scores[i]) for i in order]


#: Words that open a subject already placed: "at the Nairobi summit", "in September".
_PLACED = frozenset("at in during on about over to of regarding concerning after before".split())


def _on(reading: Reading) -> str:
    """What a speaker was asked about, as a reply puts it after their name: " on the levy",
    " at the Nairobi summit"."""
    if reading.topic is None or not reading.topic.text:
        return ""
    topic = reading.topic.text
    first = topic.split(maxsplit=1)[0].lower()
    return f" {topic}" if first in _PLACED else f" on {topic}"


def _several(reading: Reading) -> bool:
    """Whether the question asks what more than one said (`speaker.several`)."""
    return reading.speaker is None or several(reading.speaker.text)


def _month_terms(reading: Reading) -> frozenset[str]:
    """For a question about one month's figure ("inflation in February?"), that month's terms
    as a passage holds them, written out or short; none for any other question. What someone
    said or proposed in a month is told by the briefings of that month ("on Friday"), not by
    the month's name, so a speaker's question has none."""
    month = dates.one_month(reading.dates) if reading.dates and not reading.dates_filter else None
    if month is None or reading.speaker is not None:
        return frozenset()
    return frozenset(t for name in dates.month_names(month) for t in analysis.analyse(name))


def _speaker_words(reading: Reading, q: _query.Query) -> list[frozenset[str]]:
    """The terms of each word naming the speaker, in the question's order, each with its
    other spellings (its group in the query): what `judge.called` looks for in a row."""
    if reading.speaker is None or not reading.speaker_names:
        return []
    groups: dict[int, set[str]] = {}
    for t in q.terms:
        groups.setdefault(t.group, set()).add(t.term)
    order = list(dict.fromkeys(t.group for t in reading.speaker.terms))
    return [frozenset(groups.get(g, ())) for g in order]


def arrange(reading: Reading, judged: list[judge.Judged]) -> tuple[list[judge.Judged], list[str]]:
    """The judged passages in the order the reply shows them, and what to say about it:
    those that answer first (for "the latest", those on its subject, `news`, newest first),
    those of the question's period (and the window after it) first for a dated question
    (when none of that period answers, the best of other dates, saying so), and for "who is
    X?" those that introduce X."""
    answering = news(judged) if reading.recent else [j for j in judged if j.answers]
    first = {id(j) for j in answering}
    rest = [j for j in judged if id(j) not in first]
    notices: list[str] = []
    if reading.recent and len({j.hit.date for j in answering}) > 1:
        answering.sort(key=lambda j: j.hit.date or dt.date.min, reverse=True)
    elif reading.dates is not None and not reading.dates_filter and answering:
        span = _window(reading)
        inside = [j for j in answering if j.hit.date and span.contains(j.hit.date)]
        # Of those, what was reported soon after the period before what was reported later.
        soon = timing.window(reading.dates, said=True)
        inside.sort(key=lambda j: not soon.contains(j.hit.date))
        if inside:
            answering = inside + [j for j in answering if j not in inside]
        else:
            notices.append(
                f"Nothing in the briefings {reading.dates.describe()} or soon after answers"
                " that; these are the best answers from other dates."
            )
    if reading.introduce:  # "who is X?", "what is CBAM?": where X is introduced, first
        told = {
            id(j) for j in answering if introducing(j.hit.text, j.hit.sentences, reading.introduce)
        }
        answering = _first_mention_first([j for j in answering if id(j) in told]) + [
            j for j in answering if id(j) not in told
        ]
    return answering + rest, notices


def _first_mention_first(judged: list[judge.Judged]) -> list[judge.Judged]:
    """The passages in their order, but each briefing's in the order it tells them: a
    briefing introduces X where it first names X ("Iranian President Ebrahim Raeisi"), and
    a later "President Raeisi" introduces no one new. Each briefing keeps the places its
    passages had."""
    told: dict[str, list[judge.Judged]] = {}
    for j in judged:
        told.setdefault(j.hit.document, []).append(j)
    ordered = {doc: iter(sorted(js, key=lambda j: j.hit.ordinal)) for doc, js in told.items()}
    return [next(ordered[j.hit.document]) for j in judged]


def missing_typed(reading: Reading, q: _query.Query, vocab, pool: list[Hit]) -> list[str]:
    """The question's words that no briefing holds, as typed, for the reply to name ("No
    briefing mentions Ukraine"). Only words typed, and only those a question can be about:
    never a word a follow-up took from the question before, nor "say", "latest" or "still"."""
    terms = set(judge.missing_words(q, vocab, pool))
    if not terms:
        return []
    typed = [t for t in analysis.tokens(reading.question, runs=False) if t.term in terms]
    words = list(dict.fromkeys(reading.question[t.start : t.end] for t in typed))
    return [w for w in words if message.content_word(w)]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _briefings(
    conn: sqlite3.Connection, reading: Reading, q: _query.Query, k: int, offset: int, vocab
) -> Outcome:
    """A question that asks for the briefings themselves, of its dates or of any: each
    one's opening, newest first."""
    hits = browse.leads(conn, q.filters.since, q.filters.until, k + 1, offset)
    out = Outcome(hits[:k], more=len(hits) > k)
    out.total = browse.count_leads(conn, q.filters.since, q.filters.until)
    if not out.hits:
        if reading.dates is not None and offset == 0:
            out.note, out.why = _dated_nothing(reading, vocab.dates), Unanswered.DATES
        elif offset == 0:
            out.note, out.why = NO_BRIEFINGS, Unanswered.NO_BRIEFINGS
        else:
            out.why = Unanswered.NO_MORE
        return out
    out.anchor = out.hits[0].date
    out.quotes = [choose(h.text, h.sentences, []) for h in out.hits]
    return out


def _dated_nothing(reading: Reading, dates: list) -> str:
    """Why a question with dates found nothing: no briefing on those dates (then the nearest
    dates that have one), or none of those briefings holds its words."""
    rng = reading.dates
    lo = bisect.bisect_left(dates, rng.since) if rng.since else 0
    hi = bisect.bisect_right(dates, rng.until) if rng.until else len(dates)
    if lo < hi:
        return f"Nothing in the briefings {rng.describe()} answers that."
    near = [d for d in (dates[lo - 1] if lo > 0 else None, dates[hi] if hi < len(dates) else None)]
    near = [in_words(d) for d in near if d is not None]
    also = f"; the nearest are dated {' and '.join(near)}" if near else ""
    return f"There is no briefing {rng.describe()}{also}."


def nearest(hits: list[Hit]) -> list[Nearest]:
    """The briefings of the best (weak) passages, each once, best first."""
    seen: dict[str, Nearest] = {}
    for h in hits:
        if h.document not in seen:
            seen[h.document] = Nearest(h.title, h.date, h.document)
    return list(seen.values())[:NEAREST]
