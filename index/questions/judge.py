"""Whether a ranked passage answers the question: a calibrated judgement, not one threshold.

A passage that shares words with a question need not answer it. What tells the two apart is
several things at once, each weak alone:

- coverage: the share of the question's information (idf squared, a word counted once through
  the best of its spellings) that the passage holds, with its briefing's title and its
  section heading, since a name given only in the title still belongs to every passage;
- rare: the share of the question's rare words (names, places, figures: rare in English at
  large, `english.rare`) that it holds the same way: "what did Volcker say about the
  Philippine debt talks?" is not answered by the talks without Volcker;
- speaker: for "what did X say about Y", whether X is named there, and whether X is the one
  speaking in it (`speaker.speaking`). A passage that names no one but opens "both leaders
  voiced …" or "they said …" right after a passage of its briefing that names X (among the
  candidates) speaks of X, and holds X's name as if it said it. A passage where X does not
  speak does not answer what X said, whatever the model makes of the rest (`Judged.said`):
  "…polls showing Thatcher's party ahead, they said" names Thatcher, on the subject asked
  about, and quotes analysts;
- spoken: the share of Y held by the sentences where X speaks, not merely by the passage
  or its heading. It ranks (`respond.EVIDENCE`) and the model does not weigh it: refitted
  with it (0.68), the model judged the tuning halves no better, and refused less of SQuAD's
  questions whose paragraph is left out (6 → 3%);
- called: for the same question, how much of the speaker's name the passage holds word
  after word as the question puts it ("Singapore's environment minister", not "Indonesia's
  environment minister" in a passage that names Singapore too). It ranks and is not judged
  on (`respond.EVIDENCE`);
- topic: for the same question, the share of Y that the passage holds the same way as
  coverage: a passage where X speaks of something else does not answer, however rare X; and
  none does when no briefing holds any word of Y ("what did Putin say about Ukraine?");
- sentence and window: how much of the question the passage's best sentence holds, and the
  most of it within a dozen words (the re-ranker's own features, `rerank.features`): an
  answer holds the question's words together, a passage that merely shares them does not;
- length: how many words the question has (up to `LONG_QUESTION`): a long question, such as
  a scientific claim, is answered by passages that hold less of it;
- missing: the share of the question's words that no briefing holds at all. Such a
  word is named in the reply ("no briefing mentions Ukraine") and does not by itself empty
  the answer, but it makes an answer less likely;
- score and margin: the re-ranker's score, and how far the passage leads the best of the
  others: an answer usually stands out from the passages that merely share its words;
- elsewhen: for a question about one month ("Chile's inflation in March?"), whether the
  passage, with its title, never names that month: a month's figure is reported with its
  month ("consumer prices rose 2.1 pct in February"), so the figure of another month does
  not answer, however well the rest matches.

These are combined by a logistic model that `bench/quality/questions.py --fit` fits on the
passage ranked first for each tuning question, labelled by whether the question has an
answer in the index: the tuning halves (odd ids) of the two development sets, SQuAD's tuning
articles with every other paragraph left out of the index (a question about a paragraph left
out has none), and SciFact's train claims (long questions, all with answers), each set
weighing the same. The probability is compared with `THRESHOLD`, the highest that refuses at
most 3% of the development sets' answerable tuning questions.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from .. import analysis
from ..storage.search import Hit
from ..storage.vocabulary import Vocabulary
from . import english, forms, rerank
from .aliases import normal
from .query import Query, idf
from .speaker import headline, speaking

#: The model's weights, from `bench/quality/questions.py --fit` (docs/benchmarks.md,
#: "Questions nobody tuned for"). "elsewhen" is the fit's of a later round, the others kept:
#: refitted whole, the model judged the tuning halves a little better but refused "what did
#: Putin say about Gaza?" of the bundled briefing and fewer of SQuAD's questions without
#: their paragraph (10 → 7%).
WEIGHTS: dict[str, float] = {
    "coverage": 1.37,
    "rare": -0.18,
    "speaker": 0.48,
    "speaks": 0.50,
    "sentence": 0.28,
    "window": 0.22,
    "missing": -1.23,
    "topic": 1.08,
    "length": 1.62,
    "score": 0.38,
    "margin": 0.81,
    "elsewhen": -0.69,
    "bias": -3.62,
}
#: Words at least this common in English (Zipf) weigh `COMMON_WEIGHT` in `missing`.
COMMON_ZIPF = 5.5
COMMON_WEIGHT = 0.1
#: Question words (counted once each) from which a question counts as long (`length`).
LONG_QUESTION = 10
#: A passage answers when the model's probability reaches this.
THRESHOLD = 0.45


@dataclass(frozen=True, slots=True)
class Judged:
    """A ranked passage and the judgement of whether it answers."""

    hit: Hit
    score: float  # the ranking's score
    probability: float  # that it answers
    features: dict[str, float]
    #: The groups of the question's words (each with its other spellings) that the passage
    #: holds with its title and heading, of those some briefing holds.
    held: frozenset[int] = frozenset()
    #: For "what did X say …", whether X speaks in the passage (`speaker.speaking`): one
    #: where X does not, however much of the rest it holds, does not answer what X said.
    said: bool = True

    @property
    def answers(self) -> bool:
        return self.said and self.probability >= THRESHOLD


def missing_words(query: Query, vocab: Vocabulary, hits: Sequence[Hit] = ()) -> list[str]:
    """The question's terms of which no spelling is held by any briefing: in no passage, and
    in none of the titles of `hits` (a title is not searched, but it is the briefing's)."""
    known = _known(vocab, hits)
    first: dict[int, str] = {}
    held: set[int] = set()
    for t in query.terms:
        if t.judged:
            first.setdefault(t.group, t.term)
            if any(known(s) for s in forms.forms_of(t.term)):
                held.add(t.group)
    return [term for g, term in first.items() if g not in held]


def _known(vocab: Vocabulary, hits: Sequence[Hit]) -> Callable[[str], bool]:
    """Whether a briefing holds a term: in a passage, or in the title of one of `hits` (a
    title is not searched, but it is the briefing's)."""
    titled = frozenset().union(*(rerank.title_terms(h.title) for h in hits if h.title))
    return lambda term: vocab.df.get(term, 0) > 0 or term in titled


def judge(
    query: Query,
    speaker_names: Sequence[str],
    hits: Sequence[Hit],
    ranked: Sequence[tuple[float, Mapping[str, float]]],
    tokens: Mapping[int, Collection[str]],
    vocab: Vocabulary,
    topic: Collection[int] = (),
    speaker: Sequence[Collection[str]] = (),
    month: Collection[str] = (),
    story: Collection[str] = (),
    story_terms: Collection[str] = (),
    many: bool = True,
) -> list[Judged]:
    """Each ranked passage, in the order given, with its evidence (each from 0 to 1) and the
    probability that it answers. `ranked` holds each passage's re-ranking score and
    features; `tokens` each passage's terms; `topic` the groups of the query's terms that
    say what a speaker is asked about; `speaker` the terms of each word that names the
    speaker, in the question's order (each word with its other spellings); `month` the
    terms of the month a question is about, written either way ("februari", "feb"); `story`
    the briefings a follow-up's "it" points to, whose passages hold `story_terms`, the terms
    it stands for, whether they repeat them or not; `many`, whether the speaker is more than
    one (`speaker.several`), who alone may be "they"."""
    judged = [t for t in query.terms if t.judged]
    known = _known(vocab, hits)
    # A verb is held in any of its forms ("fall" by "fell"): judged so, not searched so.
    spelled = {t.term: forms.forms_of(t.term) for t in judged}
    weight: dict[int, float] = {}
    rare: set[int] = set()
    for t in judged:
        held_as = next((s for s in spelled[t.term] if known(s)), None)
        if held_as is not None:
            w = t.weight * idf(vocab.df.get(held_as, 0), vocab.rows) ** 2
            weight[t.group] = max(weight.get(t.group, 0.0), w)
        if t.rare:
            rare.add(t.group)
    groups = {t.group for t in judged}
    absent = groups - weight.keys()
    # Here a word weighs by how rare it is in English (an idf says nothing of a word no
    # briefing holds, and in a small index the words they hold often weigh next to nothing).
    plain = {t.group: _plain_weight(t.zipf) for t in judged}
    everything = sum(plain.values())
    missing = sum(plain[g] for g in absent) / everything if everything > 0 else 0.0
    rare_held = [g for g in rare if g in weight]
    held_total = sum(weight.values())
    names = [normal(n) for n in speaker_names if n]
    # A name as the index holds it, to look for among a passage's terms and its title's,
    # with the question word it came from: "Herrington" and its other spellings are one.
    name_terms = [analysis.term(n) or n for n in names]
    group_of = {}
    for t in query.terms:
        group_of.setdefault(t.term, t.group)
    name_groups = {n: group_of.get(n, n) for n in name_terms}
    wanted_names = set(name_groups.values())

    # What a speaker is asked about, term → group: whether X speaks of it (`spoken`).
    about_terms = {t.term: t.group for t in judged if t.group in topic and t.group in weight}
    length = min(len(groups), LONG_QUESTION) / LONG_QUESTION
    # The re-ranker's score on the scale of its weights (about 0 to 1), and by how much a
    # passage leads the best of the others: an answer usually stands out.
    scale = sum(rerank.WEIGHTS.values()) or 1.0
    # The best of the others is the best score, or, for the passage that has it, the second.
    best, second = ([*heapq.nlargest(2, (score for score, _ in ranked)), 0.0, 0.0])[:2]
    by_id = {h.passage_id: h for h in hits}
    out = []
    for hit, (score, ranking) in zip(hits, ranked, strict=True):
        other = second if score >= best else best
        body = tokens.get(hit.passage_id, ())
        title = rerank.title_terms(hit.title) if hit.title else frozenset()
        named_groups: set[int] = set()
        spoken: list[int] = []
        stood_for: set[int] = set()  # X, named just before and spoken of as "both leaders"
        if names:
            named_groups = {g for n, g in name_groups.items() if n in body or n in title}
            before = by_id.get(hit.passage_id - 1)
            introduced = (
                {g for n, g in name_groups.items() if n in tokens.get(before.passage_id, ())}
                if not named_groups and before is not None and before.document == hit.document
                else set()
            )
            if named_groups or introduced:
                seeded = bool(introduced) or titled(hit, names)
                headlined = seeded and headline(hit.title, names)
                spoken = speaking(hit.text, hit.sentences, names, seeded, many, headlined)
            if introduced and spoken:
                named_groups = stood_for = introduced
        held: dict[int, float] = {}
        told = story_terms if hit.document in story else ()
        for t in judged:
            if t.group not in weight:
                continue
            if (
                t.group in stood_for
                or t.term in told
                or any(s in body or s in title for s in spelled[t.term])
            ):
                held[t.group] = max(held.get(t.group, 0.0), weight[t.group] * t.weight)
        # Of the words the briefings hold: a word none holds is `missing`, and does not by
        # itself make every passage fall short.
        coverage = sum(held.values()) / held_total if held_total > 0 else 0.0
        asked = [g for g in topic if g in weight]
        about = (
            sum(held.get(g, 0.0) for g in asked) / sum(weight[g] for g in asked)
            if asked
            else float(not topic)  # asked about nothing any briefing holds
        )
        rare_share = sum(1 for g in rare_held if g in held) / len(rare_held) if rare_held else 1.0
        f = {
            "bias": 1.0,
            "coverage": coverage,
            "rare": rare_share,
            "speaker": 1.0,
            "speaks": 1.0,
            "spoken": 1.0,
            "called": 1.0,
            "sentence": ranking.get("sentence", 0.0),
            "window": ranking.get("window", 0.0),
            "missing": missing,
            "topic": about,
            "length": length,
            "score": score / scale,
            "margin": (score - other) / scale,
            "elsewhen": float(bool(month) and not any(m in body or m in title for m in month)),
        }
        if names:
            f["speaker"] = len(named_groups) / len(wanted_names)
            f["speaks"] = float(bool(spoken))
            f["spoken"] = _spoken_share(hit, spoken, about_terms, weight)
            f["called"] = called(rerank.passage_sequence(hit), speaker)
        said = not names or bool(spoken)
        out.append(Judged(hit, score, probability(f), f, frozenset(held), said))
    return out


def titled(hit: Hit, names: Sequence[str]) -> bool:
    """Whether `hit`'s briefing names any of `names` (folded words) in its title: a passage
    there may speak of them only as "both leaders" or "they" (`speaker.speaking`)."""
    if not hit.title:
        return False
    title = rerank.title_terms(hit.title)
    return any((analysis.term(n) or n) in title for n in names)


def _spoken_share(
    hit: Hit, spoken: Sequence[int], about: Mapping[str, int], weight: Mapping[int, float]
) -> float:
    """For "what did X say about Y": the share of Y (by weight) held by the sentences where
    X speaks, not merely by the passage or its heading. It ranks, and is not judged on: a
    passage under the heading "Environmental Standards" where X speaks of the talks' tone
    holds Y, but X does not say it."""
    groups = set(about.values())
    total = sum(weight[g] for g in groups)
    if not spoken or total <= 0:
        return 0.0
    by_sentence = rerank.sentence_terms(hit)
    held = {about[t] for i in spoken for t in by_sentence[i] if t in about}
    return sum(weight[g] for g in held) / total


def called(sequence: Sequence[str], speaker: Sequence[Collection[str]]) -> float:
    """For "what did Singapore's environment minister say", the longest run of the speaker's
    words, in the question's order, that a passage holds one after another, as a share of
    them: "Indonesia's environment minister" holds two of the three, "Singapore's
    environment minister, Daniel Koh" all three. A passage naming each word apart
    ("Singapore", "the minister") is not calling that person by the question's name."""
    n = len(speaker)
    if n == 0:
        return 1.0
    anywhere = frozenset().union(*speaker)
    best = 0
    for i, term in enumerate(sequence):
        if term not in anywhere:  # most terms: not a word of the speaker's at all
            continue
        for first in range(n - best):
            run = 0
            while (
                first + run < n
                and i + run < len(sequence)
                and sequence[i + run] in speaker[first + run]
            ):
                run += 1
            best = max(best, run)
        if best == n:
            break
    return best / n


def _plain_weight(zipf: float) -> float:
    """A word's weight by its Zipf frequency in English: 1 for a rare word (a name, a place),
    falling to `COMMON_WEIGHT` for everyday words ("still", "won")."""
    if zipf < english.RARE_ZIPF:
        return 1.0
    return max(COMMON_WEIGHT, (COMMON_ZIPF - zipf) / (COMMON_ZIPF - english.RARE_ZIPF))


def probability(f: dict[str, float], weights: dict[str, float] = WEIGHTS) -> float:
    """The model's probability that the question is answered, were this passage quoted
    first."""
    z = sum(weights.get(name, 0.0) * value for name, value in f.items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
