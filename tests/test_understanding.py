"""Questions as people type them, about the bundled briefing: misspelt names, other names
from the alias file, dates, quoted phrases, who said what, follow-ups, and questions nothing
answers."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.questions import framing, query, understand
from index.questions.answer import Index
from index.questions.respond import Unanswered
from index.storage import vocabulary
from index.storage.reindex import reindex
from index.storage.vocabulary import Vocabulary

GAZA = "Addressing Regional Conflicts and Cooperation"
RAILWAY = "Railway Project as a Catalyst for Cooperation"
ALIASES = """\
# The name as the briefings spell it = other names people use for it.
"Putin" = ["the Russian president", "Путин", "پوتین"]
"Raeisi" = ["the Iranian president", "رئیسی"]
"""
TODAY = dt.date(2024, 3, 25)


@pytest.fixture
def aliased(corpus: Path, db: Path):
    (corpus / "aliases.toml").write_text(ALIASES, encoding="utf-8")
    ix = Index(db, aliases=corpus / "aliases.toml")
    yield ix
    ix.close()


def test_misspelt_names_give_the_same_first_passage(index):
    answers = {q: index.answer(q) for q in ("Raisi railway", "Raeesi railway", "Raeisi railway")}
    firsts = {a.hits[0].hit.passage_id for a in answers.values()}
    assert len(firsts) == 1
    assert answers["Raeisi railway"].hits[0].hit.heading == RAILWAY
    assert answers["Raeisi railway"].explanation is None
    for q in ("Raisi railway", "Raeesi railway"):
        assert answers[q].explanation == "Showing results for Raeisi."
        marked = {answers[q].hits[0].hit.text[s:e] for s, e in answers[q].hits[0].quote.highlights}
        assert "Raeisi" in marked


def test_a_variant_weighs_less_than_the_exact_word(index):
    vocab = vocabulary.get(index.connection())
    reading = understand.reading_of("Raisi railway", vocab)
    weights = {t.term: t.weight for t in reading.query().terms}
    assert weights == {"raeisi": 0.9, "railway": 1.0}
    assert "raisi" not in weights  # the briefings never write it, so it is not searched


def test_cyrillic_spelling_finds_the_latin_name(index):
    answer = index.answer("Путин Gaza")
    assert answer.terms == ["putin", "gaza"]
    assert any(qh.hit.heading == GAZA for qh in answer.hits)
    assert answer.explanation == "Showing results for Putin."


def test_the_russian_president_is_putin_through_the_alias_file(aliased):
    answer = aliased.answer("what did the Russian president say about Gaza?")
    # The briefings' name is searched, and the words typed still count where they occur,
    # as other spellings of it.
    assert answer.terms[0] == "putin" and {"gaza", "russian"} <= set(answer.terms)
    speaker = answer.reading.speaker
    assert speaker is not None and {t.group for t in speaker.terms} == {0}
    gaza = [qh for qh in answer.hits if qh.hit.heading == GAZA]
    assert gaza and "Gaza" in gaza[0].quote_text
    assert "“the Russian president” as Putin" in answer.explanation


def test_persian_spelling_through_the_alias_file(aliased):
    answer = aliased.answer("رئیسی railway")
    assert answer.hits[0].hit.heading == RAILWAY
    assert "suitable groundwork" in answer.hits[0].quote_text


def test_alias_file_is_not_indexed_and_edits_apply_without_restart(corpus, db, aliased):
    report = reindex(corpus, db)
    assert not report.failed
    assert aliased.stats().documents == 1
    assert aliased.answer("what did Tehran's leader say about the railway?").terms[0] != "raeisi"
    path = corpus / "aliases.toml"
    path.write_text(ALIASES + '"Raeisi " = ["Tehran\'s leader"]\n', encoding="utf-8")
    os.utime(path, ns=(1, 2))  # a new stamp, even within the file system's clock tick
    answer = aliased.answer("what did Tehran's leader say about the railway?")
    assert answer.terms[0] == "raeisi" and "railway" in answer.terms
    assert "suitable groundwork" in answer.hits[0].quote_text


def test_a_broken_alias_file_keeps_the_last_good_aliases(corpus, aliased):
    assert aliased.answer("Путин Gaza").found
    path = corpus / "aliases.toml"
    path.write_text('"Putin" = ["unclosed', encoding="utf-8")
    os.utime(path, ns=(3, 4))
    assert aliased.answer("what did the Russian president say about Gaza?").terms[0] == "putin"
    assert "cannot be read" in aliased.aliases.error


def test_a_date_outside_the_briefings_says_so(index):
    # Asked for by date, the briefings of that date: there are none.
    answer = index.answer("news from 1 January 2020", today=TODAY)
    assert not answer.found
    assert answer.note == (
        "The briefings are all from 19 March 2024, so there is none on 1 January 2020."
    )
    assert answer.explanation == "Briefings on 1 January 2020."
    # A date that says when something happened ranks; it removes nothing, and the reply says
    # plainly that the answers come from other dates.
    said = index.answer("what did Putin say on 1 January 2020?", today=TODAY)
    assert said.found and said.hits[0].hit.date == dt.date(2024, 3, 19)
    assert "Nothing in the briefings on 1 January 2020 or soon after" in said.explanation


def test_a_date_without_a_year_is_the_one_the_briefings_cover(index):
    answer = index.answer("what did Raeisi say about the railway on 19 March?", today=TODAY)
    assert answer.hits[0].hit.heading == RAILWAY
    assert answer.reading.dates.since == answer.reading.dates.until == dt.date(2024, 3, 19)
    assert answer.explanation is None  # the answers are from that day: nothing to say
    assert index.answer("railway since:2024-03-20", today=TODAY).note is not None
    assert index.answer("railway until:2024-03-19", today=TODAY).found


def test_a_quoted_phrase_must_appear_whole(index):
    loose = index.answer("bilateral cooperation", k=5)
    quoted = index.answer('"bilateral cooperation"', k=5)
    assert any("bilateral cooperation" not in qh.hit.text for qh in loose.hits)
    assert quoted.hits and all("bilateral cooperation" in qh.hit.text for qh in quoted.hits)
    assert len(quoted.hits) < len(loose.hits)
    only = index.answer('"economic cooperation"', k=5)
    assert [qh.hit.heading for qh in only.hits] == ["Strengthening Economic and Strategic Ties"]


def test_a_hyphenated_name_counts_more_when_whole(index):
    whole = index.answer("Rasht-Astara", k=5)
    assert all("Rasht-Astara" in qh.hit.text for qh in whole.hits)
    reading = whole.reading.query()
    assert [n.words for n in reading.names] == [("rasht", "astara")]


def test_follow_up_and_about_gaza(index):
    first = index.answer("what did Raeisi say about the railway?")
    assert "suitable groundwork" in first.hits[0].quote_text
    follow = index.answer("and about Gaza?", previous=first.reading)
    assert follow.explanation.startswith("Read as: what Raeisi said about Gaza.")
    assert set(follow.terms) == {"raeisi", "gaza"}
    gaza = [qh for qh in follow.hits if qh.hit.heading == GAZA]
    assert gaza and "Gaza" in gaza[0].quote_text


def test_follow_up_the_day_before_shifts_the_date(index):
    first = index.answer("what did Raeisi say about the railway?", today=TODAY)
    before = index.answer("what about the day before?", previous=first.reading, today=TODAY)
    assert before.reading.dates.since == dt.date(2024, 3, 18)
    assert before.explanation.startswith("Read as: what Raeisi said about the railway, on 18")
    # The briefing of the 19th reports what happened the day before: it ranks, not refused.
    assert before.found and before.hits[0].hit.date == dt.date(2024, 3, 19)
    days = index.answer("what happened on 19 March?", today=TODAY)
    earlier = index.answer("and the day before?", previous=days.reading, today=TODAY)
    assert not earlier.found and "there is none on 18 March 2024" in earlier.note


def test_who_else_and_what_else_follow_up_as_they_ask(index):
    """After what Raeisi said about the railway, "who else?" is anyone else on the railway,
    "what else did he say?" Raeisi on anything; "else" is searched for in neither."""
    first = index.answer("what did Raeisi say about the railway?")
    for question in ("who else?", "and who else?", "who else said something about it?"):
        who = index.answer(question, previous=first.reading)
        assert who.reading.speaker is None, question
        assert who.terms == ["railway"], question
    what = index.answer("what else did he say?", previous=first.reading)
    assert what.reading.speaker is not None and what.reading.speaker.text == "Raeisi"
    assert what.reading.topic is None and what.terms == ["raeisi"]


def test_a_pronoun_takes_the_previous_speaker(index):
    first = index.answer("what did Raeisi say about the railway?")
    follow = index.answer("what did he say about Palestine?", previous=first.reading)
    assert follow.reading.speaker.text == "Raeisi"
    assert follow.explanation == "Read as: what Raeisi said about Palestine."


def test_a_follow_up_is_restated_without_the_verb_its_framing_left(index):
    """ "and how much is the investment?" asks for a figure ("how much" goes, and the reply
    restates the subject); "Read as: is the investment." reads as broken."""
    first = index.answer("tell me about the railway")
    follow = index.answer("and how much is the investment?", previous=first.reading)
    assert follow.explanation.startswith("Read as: the investment.")
    again = index.answer("who else is investing in it?", previous=follow.reading)
    assert "(the investment)" in again.explanation


@pytest.mark.parametrize(
    "question",
    [
        "what did Raeisi say about the railway?",
        "did Raeisi mention the railway?",
        "Raeisi quotes about the railway",
        "Raeisi's comments on the railway",
        "Raeisi on the railway",
        "Raeisi's take on the railway",
        "what are Raeisi's thoughts on the railway?",
        "how did Raeisi react to the railway?",
        "what's Raeisi's view of the railway?",
        "quote Raeisi on the railway",
        "give me quotes from Raeisi about the railway",
    ],
)
def test_every_way_of_asking_what_someone_said_reads_the_speaker_and_the_subject(index, question):
    """The speaker is whom the passage must have speaking, the subject what they speak of,
    and "mention", "quotes" or "comments" are neither."""
    answer = index.answer(question)
    assert answer.reading.speaker is not None and answer.reading.speaker.text == "Raeisi"
    assert answer.reading.topic is not None and answer.reading.topic.text.strip() == "the railway"
    assert answer.terms == ["raeisi", "railway"]
    assert answer.found and answer.hits[0].hit.heading == RAILWAY
    # A common word before "comments on" names no one.
    trade = index.answer("trade comments on tariffs")
    assert trade.reading.speaker is None


def test_compare_asks_what_each_said_and_is_no_word_to_correct(index):
    """ "compare what Putin and Raeisi said about the railway" asks what they said: "compare"
    frames the question, and is not put right to a word of the briefings ("cooperation")."""
    answer = index.answer("compare what Putin and Raeisi said about the railway")
    assert answer.reading.corrections == []
    assert "cooper" not in answer.terms
    assert answer.reading.speaker is not None and answer.reading.topic is not None
    assert answer.found and answer.hits[0].hit.heading == RAILWAY


def test_versus_between_two_names_asks_about_both(index):
    """ "what did Putin vs Raeisi say about Gaza?" asks what the two said, as "Putin and
    Raeisi": "vs" is no word the briefings lack, to name in the reply."""
    answer = index.answer("what did Putin vs Raeisi say about Gaza?")
    assert answer.notices == [] and "vs" not in answer.terms
    assert answer.reading.speaker_names == ["putin", "raeisi"]
    assert answer.found and "Gaza" in answer.hits[0].quote_text
    assert index.answer("putin vs raeisi on gaza").notices == []


@pytest.mark.parametrize(
    "question",
    ["what did the two presidents discuss?", "what did both presidents discuss?"],
)
def test_speakers_counted_or_called_by_a_title_in_the_plural_are_those_speakers(index, question):
    """ "The two presidents" are presidents, one of them speaking where a passage says
    "President Vladimir Putin … discussed"; the count is no word to search for (it found "the
    two nations")."""
    answer = index.answer(question)
    assert "two" not in answer.terms and "both" not in answer.terms
    assert answer.reading.speaker_names == ["president"]
    assert answer.found
    assert "Putin" in answer.hits[0].quote_text and "discussed" in answer.hits[0].quote_text


def test_a_pronoun_with_nothing_before_it_asks_whom_it_means(index):
    """ "what did they talk about?" as the first question has no one for "they" to stand for:
    the reply asks whom, rather than saying nothing answers. After a question, it follows
    that one up; and "talk about" asks what someone said."""
    alone = index.answer("what did they talk about?")
    assert not alone.found and alone.why is Unanswered.WHOM
    assert alone.reading.unresolved == "they"
    again = understand.Reading.from_json(json.loads(json.dumps(alone.reading.to_json())))
    assert again.unresolved == "they"
    first = index.answer("what did Putin and Raeisi say about Gaza?")
    follow = index.answer("what did they talk about?", previous=first.reading)
    assert follow.found and follow.why is None and not follow.reading.unresolved
    putin = index.answer("what did Putin talk about?")
    assert putin.reading.speaker is not None and putin.reading.speaker_names == ["putin"]
    assert putin.found and "Putin" in putin.hits[0].quote_text


def test_a_slip_in_a_question_word_is_put_right_and_a_name_is_not(index):
    """ "waht did Raeisi say abut the railway" is the question it means: a slip for a question
    word would be searched for, and would keep the speaker from being read."""
    answer = index.answer("waht did Raeisi say abut teh railway?")
    assert answer.reading.speaker is not None and answer.reading.speaker.text == "Raeisi"
    assert answer.terms == ["raeisi", "railway"]
    vocab = vocabulary.get(index.connection())
    for kept in ("didn't", "hwo did Raeisi", "Tel Aviv", "Putin"):  # no slip, or not one only
        assert understand._mended(kept, vocab) == kept


def test_a_shortened_title_is_written_out_and_a_figure_is_not_a_title():
    vocab = Vocabulary.build((), 10, {"pm": 2, "prime": 3, "minist": 4}, 100, [])
    text, kept = understand._titled("what did Japan's PM say about the economy", vocab)
    assert text == "what did Japan's prime minister say about the economy" and kept == ["pm"]
    for figure in ("pm 2.5 in Singapore", "PM2.5 readings", "at 5 pm"):
        assert understand._titled(figure, vocab) == (figure, [])


def test_a_new_question_does_not_inherit(index):
    first = index.answer("what did Raeisi say about the railway?")
    other = index.answer("What did Putin say about Gaza?", previous=first.reading)
    assert not other.reading.follow_up and other.explanation is None
    assert set(other.terms) == {"putin", "gaza"}


def test_a_reading_survives_json_and_asks_the_same_again(index):
    first = index.answer("what did Raisi say about the railway?")
    follow = index.answer("and about Gaza?", previous=first.reading)
    stored = json.loads(json.dumps(follow.reading.to_json()))
    again = index.answer(understand.Reading.from_json(stored))
    assert [qh.hit.passage_id for qh in again.hits] == [qh.hit.passage_id for qh in follow.hits]
    assert again.explanation == follow.explanation
    page2 = index.answer(understand.Reading.from_json(stored), k=1, offset=1)
    assert page2.hits[0].hit.passage_id == follow.hits[1].hit.passage_id


#: However "the latest" is put (before the subject, after it, or as a question about where
#: things stand), the answer is the newest, and its words are not searched for.
NEWEST = "Newest first."


@pytest.mark.parametrize(
    ("question", "heading", "terms", "said"),
    [
        ("tell me about the railway", RAILWAY, ["railway"], None),
        ("what do the briefings say about the railway?", RAILWAY, ["railway"], None),
        ("what was discussed about the railway?", RAILWAY, ["railway"], None),
        ("is the railway mentioned?", RAILWAY, ["railway"], None),
        ("anything about the blockade?", GAZA, ["blockad"], None),
        ("what are the briefings saying about the railway?", RAILWAY, ["railway"], None),
        ("how many victims in Gaza?", GAZA, ["victim", "gaza"], None),
        ("what investment projects were mentioned?", None, ["invest", "project"], None),
        ("explain the railway", RAILWAY, ["railway"], None),
        ("remind me what the railway is", RAILWAY, ["railway"], None),
        ("give me a quick rundown of the railway", RAILWAY, ["railway"], None),
        ("background on the blockade", GAZA, ["blockad"], None),
        ("what's the story with the railway?", RAILWAY, ["railway"], None),
        ("what are the main points of the railway?", RAILWAY, ["railway"], None),
        ("summarise the railway story", RAILWAY, ["railway"], None),
        ("which president spoke about the railway?", RAILWAY, ["presid", "railway"], None),
        ("give me an update on the railway", RAILWAY, ["railway"], NEWEST),
        ("what is going on with the blockade?", GAZA, ["blockad"], NEWEST),
        ("railway latest", RAILWAY, ["railway"], NEWEST),
        ("the railway, what's the latest?", RAILWAY, ["railway"], NEWEST),
        ("latest railway news", RAILWAY, ["railway"], NEWEST),
        ("the railway: any news?", RAILWAY, ["railway"], NEWEST),
        ("recent news about the railway", RAILWAY, ["railway"], NEWEST),
        ("any developments on the railway?", RAILWAY, ["railway"], NEWEST),
        ("what's the current status of the railway?", RAILWAY, ["railway"], NEWEST),
        ("where do things stand on the railway?", RAILWAY, ["railway"], NEWEST),
        ("has anything changed on the railway?", RAILWAY, ["railway"], NEWEST),
        ("what did I miss about the railway?", RAILWAY, ["railway"], NEWEST),
        ("stories about the railway", RAILWAY, ["railway"], None),
        ("did anyone say anything about the railway?", RAILWAY, ["railway"], None),
        ("has anybody commented on the blockade?", GAZA, ["blockad"], None),
        ("did someone mention the railway?", RAILWAY, ["railway"], None),
        ("what's the reaction to the railway?", RAILWAY, ["railway"], None),
        ("what is the view on the blockade?", GAZA, ["blockad"], None),
    ],
)
def test_the_words_a_question_is_put_in_are_not_searched_for(index, question, heading, terms, said):
    """Framing words ("tell me", "mentioned", "the briefings", "latest", "any news") are in no
    passage that answers: searched for, they would find "discussions" and make the answer look
    too weak to quote. The ways of asking for the newest are read as that."""
    answer = index.answer(question)
    assert answer.terms == terms
    assert answer.found and answer.hits[0].hit.heading == heading
    assert answer.explanation == said
    assert answer.reading.recent == (said == NEWEST)


def test_the_latest_is_not_read_into_a_name_or_a_plain_use_of_the_word():
    for question, kept in (
        ("what did Fox News say about Gaza?", "Fox News"),
        ("what is the latest date for filing?", "latest date"),
        ("list prices of nickel", "list prices"),  # a list price, not "list the …"
        ("who spoke to Luther?", "spoke to Luther"),  # whom, not what about
        ("a story about the haze", "story about"),  # "the nickel story" is the nickel
        ("the Toy Story sequel", "Toy Story sequel"),
    ):
        assert not framing.recent(question), question
        assert kept in framing.strip(question), question


def test_framing_is_taken_out_only_in_its_set_phrasings():
    from index.questions.framing import strip

    assert strip("which projects were mentioned") == "which projects"
    assert strip("how long is the railway?") == "is the railway?"
    assert strip("how fast did trade grow") == "did trade grow"
    assert strip("has Gaza been discussed at all?") == "Gaza"
    assert strip("tell me what Raeisi said about the railway") == (
        "what Raeisi said about the railway"
    )
    for kept in (
        "what did Raeisi say about the railway?",
        "Who covered the halftime coverage?",
        "What talk show followed the game?",
        "What is said to be the largest city?",
        "Goodell said that Super Bowl 50 would be what?",
        "The development of Terra Preta allowed for what to happen in the Amazon Forest?",
    ):
        assert strip(kept) == kept
    assert strip("tell me more") == ""


def test_tell_me_more_follows_up_the_question_before(index):
    first = index.answer("what did Raeisi say about the railway?")
    more = index.answer("tell me more", previous=first.reading)
    assert more.explanation == "Read as: what Raeisi said about the railway."
    assert more.found


def test_a_question_for_the_briefings_themselves_gets_their_openings(index):
    """Once "what happened" is known for framing and "on 19 March" for a date, nothing is
    left to search for: the answer is the briefings of that day, each by its opening."""
    answer = index.answer("what happened on 19 March 2024?")
    assert answer.found and answer.terms == []
    assert answer.explanation == "Briefings on 19 March 2024."
    lead = answer.hits[0]
    assert lead.hit.ordinal == 0 and lead.quote_text.startswith("Russian President Vladimir")
    for question in ("what's new?", "top stories", "what did I miss?", "catch me up"):
        new = index.answer(question)
        assert new.explanation == "The briefings, newest first.", question
        assert [h.hit.passage_id for h in new.hits] == [lead.hit.passage_id], question
    headlines = index.answer("what are the headlines on 19 March?", today=TODAY)
    assert headlines.terms == [] and headlines.explanation == "Briefings on 19 March 2024."
    none = index.answer("what happened yesterday?", today=TODAY)
    assert not none.found and "there is none on 24 March 2024" in none.note


def test_a_question_for_the_briefings_does_not_follow_up_the_one_before(index):
    first = index.answer("what did Raeisi say about the railway?")
    day = index.answer("what happened on 19 March 2024?", previous=first.reading)
    assert not day.reading.follow_up and day.terms == []
    assert day.explanation == "Briefings on 19 March 2024."
    stored = understand.Reading.from_json(json.loads(json.dumps(day.reading.to_json())))
    assert stored.browse and index.answer(stored).hits[0].hit.ordinal == 0


def test_a_framed_question_about_what_is_not_there_still_finds_nothing(index):
    assert not index.answer("tell me about koalas").found
    assert not index.answer("is the metro mentioned?").found


def test_a_weak_best_passage_names_the_nearest_briefings_instead(index):
    answer = index.answer("What did the mayor of Tehran say about the metro in Iran?")
    assert not answer.found
    assert answer.nearest and answer.nearest[0].title == "Putin Raeisi Nowruz"
    assert answer.nearest[0].date == dt.date(2024, 3, 19)


def test_a_word_no_briefing_holds_is_named_and_does_not_empty_the_answer(index):
    answer = index.answer("What did Putin say about Gaza and Ukraine?")
    assert answer.found and any(qh.hit.heading == GAZA for qh in answer.hits)
    assert "No briefing mentions Ukraine." in answer.explanation


SPEAKERS = "\n\n".join(
    [
        "date 2024-04-02 Officials met in Baku on the new corridor.",
        "Railway talks",
        "The railway will carry ten million tonnes a year, the ministry said. Putin praised the"
        " railway as a landmark for the region. Raeisi met the delegation in the morning. He"
        " said the railway would open by 2028 and called it a bridge between the two nations.",
        "Trade",
        "Raeisi told reporters that trade grew by a third. The railway board expects more freight.",
    ]
)


def test_the_quote_prefers_sentences_where_the_speaker_speaks(index_of):
    ix = index_of({"2024-04-02-corridor.txt": SPEAKERS})
    raeisi = ix.answer("what did Raeisi say about the railway?")
    talks = next(qh for qh in raeisi.hits if qh.hit.heading == "Railway talks")
    assert talks.quote_text.startswith("He said the railway would open by 2028")
    putin = ix.answer("what did Putin say about the railway?")
    talks = next(qh for qh in putin.hits if qh.hit.heading == "Railway talks")
    assert talks.quote_text.startswith("Putin praised the railway")
    plain = ix.answer("railway ten million")  # no speaker: the ordinary best sentence
    assert plain.hits[0].quote_text.startswith("The railway will carry ten million")


def test_vocabulary_is_read_again_after_a_reindex(corpus, db, index):
    conn = index.connection()
    before = vocabulary.get(conn)
    assert vocabulary.get(conn) is before  # nothing changed: the same snapshot
    assert not index.answer("Tokaev of Kazakhstan").found
    (corpus / "2024-03-20-astana.txt").write_text(
        "date 2024-03-20 President Tokayev of Kazakhstan received the Iranian delegation.\n",
        encoding="utf-8",
    )
    reindex(corpus, db)
    after = vocabulary.get(index.connection())
    assert after is not before and "tokayev" in after.df
    answer = index.answer("Tokaev of Kazakhstan")
    assert answer.explanation == "Showing results for Tokayev."
    assert "Tokayev" in answer.hits[0].hit.text


def test_weighted_scores_equal_fts5_bm25_when_every_weight_is_one(squad_db):
    ix = Index(squad_db)
    try:
        conn = ix.connection()
        vocab = vocabulary.get(conn)
        for question in ("Super Bowl Denver Broncos", "Which NFL team won", "Warsaw river"):
            terms = [
                query.Weighted(t.term) for t in understand.reading_of(question, vocab).query().terms
            ]
            q = query.Query(terms)
            rows = conn.execute(
                "SELECT rowid, -bm25(passages_fts) FROM passages_fts WHERE passages_fts MATCH ?"
                " ORDER BY bm25(passages_fts) LIMIT 10",
                [query.expression(q)],
            ).fetchall()
            tokens = query.terms_of(conn, [r for r, _ in rows])
            for rowid, fts in rows:
                assert query.score(tokens[rowid], q, vocab, conn) == pytest.approx(fts, rel=1e-9)
    finally:
        ix.close()


@pytest.mark.parametrize(
    "question",
    [
        '"NEAR(railway" OR x*"',
        '"railway" AND "',
        "“” «» „“",
        '"the of and"',
        "and about?",
        "what did he say about it?",
        "since: until: before:",
        "on 31 February",
        "what did Raeisi say about \"Rasht-Astara\" on 19 March since:2024-03-01 'x'",
    ],
)
def test_odd_questions_and_follow_ups_never_raise(index, question):
    first = index.answer("what did Raeisi say about the railway?")
    for previous in (None, first.reading):
        answer = index.answer(question, previous=previous, today=TODAY)
        for qh in answer.hits:
            assert qh.quote_text in qh.hit.text


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=80))
def test_any_follow_up_never_raises(index, text):
    first = index.answer("what did Raeisi say about the railway?")
    answer = index.answer(text, previous=first.reading, today=TODAY)
    assert isinstance(answer.terms, list)
    json.dumps(answer.reading.to_json())


def test_a_large_vocabulary_is_read_again_in_the_background(corpus, db, index, monkeypatch):
    import time

    monkeypatch.setattr(vocabulary, "BACKGROUND_TERMS", 10)
    conn = index.connection()
    before = vocabulary.get(conn)
    (corpus / "2024-03-20-astana.txt").write_text(
        "date 2024-03-20 President Tokayev of Kazakhstan received the Iranian delegation.\n",
        encoding="utf-8",
    )
    reindex(corpus, db)
    assert vocabulary.get(index.connection()) is before  # answers on while the new one loads
    for _ in range(200):
        after = vocabulary.get(index.connection())
        if after is not before:
            break
        time.sleep(0.05)
    assert "tokayev" in after.df and "tokayev" not in before.df


CEASEFIRE = {
    "2024-03-10-talks.txt": "date 2024-03-10 Talks on a Gaza ceasefire opened in Cairo. The"
    " Gaza ceasefire talks were the first in weeks, and a Gaza ceasefire looked far off.",
    "2024-03-15-truce.txt": "date 2024-03-15 Mediators said a Gaza ceasefire draft was ready"
    " for both sides to read.",
    "2024-03-19-vote.txt": "date 2024-03-19 The council voted on a Gaza ceasefire"
    " resolution on Tuesday.",
    "2024-03-20-wheat.txt": "date 2024-03-20 Egypt bought wheat from France.",
}


@pytest.fixture
def ceasefire(index_of):
    return index_of(CEASEFIRE)


def test_the_latest_on_a_subject_comes_newest_first(ceasefire):
    """BM25 puts the briefing that repeats "Gaza ceasefire" most first; asked for the
    latest, the answer is the passages that answer it, newest first."""
    plain = ceasefire.answer("Gaza ceasefire")
    assert plain.hits[0].hit.document == "2024-03-10-talks.txt"
    for question in ("what's the latest on the Gaza ceasefire?", "Gaza ceasefire lately"):
        latest = ceasefire.answer(question)
        assert latest.terms == ["gaza", "ceasefir"]
        assert [h.hit.date.day for h in latest.hits] == [19, 15, 10]
        assert latest.explanation == "Newest first."
    page2 = ceasefire.answer("what's the latest on the Gaza ceasefire?", k=1, offset=1)
    assert page2.hits[0].hit.date.day == 15


def test_the_latest_on_what_no_briefing_holds_is_still_nothing(ceasefire):
    assert not ceasefire.answer("what's the latest on the koala census?").found


def test_a_question_for_the_briefings_of_an_empty_index_says_there_are_none(index_of):
    answer = index_of({}).answer("what's new?")
    assert not answer.found and answer.note == "There are no briefings yet."


def test_why_nothing_is_quoted_is_decided_by_the_index_for_every_renderer(index, index_of):
    why = [
        index.answer(q, today=TODAY, offset=offset).why
        for q, offset in [
            ("news from 1 January 2020", 0),
            ("railway since:2024-03-20", 0),
            ("What did the mayor of Tehran say about the metro in Iran?", 0),
            ("what was it?", 0),
            ("Raeisi railway", 50),
            ("Raeisi railway", 0),
        ]
    ]
    assert why == [
        Unanswered.DATES,
        Unanswered.DATES,
        Unanswered.NOTHING_ANSWERS,
        Unanswered.NO_WORDS,
        Unanswered.NO_MORE,
        None,
    ]
    assert index_of({}).answer("what's new?").why is Unanswered.NO_BRIEFINGS


def test_who_is_someone_quotes_where_a_briefing_introduces_them(index):
    """Who a person is, a briefing says where it introduces them: with a first name or a
    title ("Russian President Vladimir Putin"), not where they only appear ("the dialogue
    between Putin and Raeisi"), and where it first does so ("Iranian President Ebrahim
    Raeisi", not a later "President Raeisi pointed to …")."""
    for question, intro in (
        ("who is putin", "Russian President Vladimir Putin"),
        ("Who is Raeisi?", "Iranian President Ebrahim Raeisi"),
        ("who's Raisi?", "Iranian President Ebrahim Raeisi"),  # a slip, read as Raeisi
    ):
        answer = index.answer(question)
        assert answer.reading.introduce, question
        assert intro in answer.hits[0].quote_text, question
        again = understand.Reading.from_json(json.loads(json.dumps(answer.reading.to_json())))
        assert again.introduce == answer.reading.introduce
    # Not a name: asked as any question is.
    assert not index.answer("who is the railway for?").reading.introduce
    assert not index.answer("who is the Iranian president?").reading.introduce


def test_what_a_short_name_stands_for_is_where_a_briefing_spells_it_out(index_of):
    ix = index_of(
        {
            "2024-10-02-cbam.txt": "date 2024-10-02 The transitional phase of the carbon border"
            ' adjustment mechanism, or CBAM, began on Sunday.\n\nReactions\n\n"CBAM will speed'
            ' it up," she said.',
            "2024-10-03-grid.txt": "date 2024-10-03 The Baltic Wind Interconnector (BWI) will"
            ' link wind farms at sea.\n\nCosts\n\n"BWI costs more," he said.',
        }
    )
    for question, spelt in (
        ("what is CBAM?", "carbon border adjustment mechanism, or CBAM"),
        ("what does CBAM stand for?", "carbon border adjustment mechanism, or CBAM"),
        ("what's BWI?", "Baltic Wind Interconnector (BWI)"),
    ):
        answer = ix.answer(question)
        assert answer.terms[0] == spelt.rsplit(" ", 1)[-1].strip("()").lower(), question
        assert spelt in answer.hits[0].quote_text, question


def test_an_alias_typed_as_a_title_is_the_person_speaking_not_two_more_words(aliased):
    """ "the Iranian president" is Raeisi: his words on the railway come first, not the lead
    that writes "Iranian President Ebrahim Raeisi" beside the railway."""
    answer = aliased.answer("what did the Iranian president say about the railway?")
    assert answer.hits[0].hit.heading == RAILWAY
    assert "suitable groundwork" in answer.hits[0].quote_text


def test_what_two_leaders_agreed_is_where_both_leaders_agree(index):
    """ "what did Putin and Raeisi agree on Gaza?" is answered where "both leaders voiced
    their concern" and "they agreed" on it: the briefing's title names the two, and further
    down it calls them "both leaders"."""
    answer = index.answer("what did Putin and Raeisi agree on Gaza?")
    assert answer.found and answer.hits[0].hit.heading == GAZA
    assert "both leaders" in answer.hits[0].quote_text


def test_countries_asked_about_speak_through_both_leaders_named_just_before(index):
    """ "what do Iran and Russia think about Israel?" is answered where "both leaders voiced
    their concern over … Israel's ongoing hostilities": the passage before it names Iran and
    Russia, and the section on Gaza speaks of their presidents only as "both leaders"."""
    answer = index.answer("what do Iran and Russia think about Israel?")
    assert answer.found and answer.hits[0].hit.heading == GAZA


def test_a_people_in_the_plural_finds_their_country(index):
    """ "the Palestinians" finds "the shared positions on Palestine", where it had been a
    word no briefing mentions."""
    answer = index.answer("what did the leaders say about the Palestinians?")
    assert answer.found and answer.notices == []
    assert "Palestine" in answer.hits[0].quote_text


def test_and_a_name_common_in_english_asks_what_that_person_said(index):
    """ "and Putin?" after what Raeisi said about the railway asks what Putin said about it,
    as "and Soetrisno?" does: a name need not be rare in English to be a person speaking."""
    first = index.answer("what did Raeisi say about the railway?")
    follow = index.answer("and Putin?", previous=first.reading)
    assert follow.explanation.startswith("Read as: what Putin said about the railway.")


def test_who_is_he_after_what_someone_said_is_who_that_speaker_is(index):
    """ "who is he?" after what Putin said asks who Putin is, and is answered where the
    briefing introduces him, not with what he said again."""
    first = index.answer("what did Putin say about Gaza?")
    who = index.answer("who is he?", previous=first.reading)
    assert who.reading.introduce == ["putin"] and who.reading.speaker is None
    assert who.found and "Russian President Vladimir Putin" in who.hits[0].quote_text


def test_it_after_who_is_he_is_still_the_subject_asked_about(index):
    """ "what did Raeisi say about the railway?", "who is he?", then "what did Putin say
    about it?": "it" is the railway, not Raeisi."""
    first = index.answer("what did Raeisi say about the railway?")
    who = index.answer("who is he?", previous=first.reading)
    it = index.answer("what did Putin say about it?", previous=who.reading)
    assert it.explanation.startswith("Read as: what Putin said about the railway.")


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("summarise the news on the interconnector", "the interconnector"),
        ("can you give me a rundown of the latest on Gaza", "Gaza"),
        ("tell me about the news on CBAM", "CBAM"),
    ],
)
def test_framings_one_inside_another_all_go(question, subject):
    """ "summarise the news on …": "news" is no word of the subject, to match a "news
    conference"."""
    assert framing.strip(question) == subject


def test_questions_that_only_look_like_what_someone_said_have_no_speaker(index):
    """Now that a passage answers "what did X say" only where X speaks, a question misread
    as one would be refused: a passive, which one wrote, what a word means."""
    for question in (
        "what was the railway meant to establish?",
        "what railway is thought to be the first in Iran?",
        "what early Persian wrote about the railway?",
        "what does Nowruz mean?",
    ):
        assert index.answer(question).reading.speaker is None, question
    for question in ("what Raeisi said about the railway", "what did Putin mean by that?"):
        assert index.answer(question).reading.speaker is not None, question
