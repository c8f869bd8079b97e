"""Readings of a question are evidence that ranks, not walls that remove candidates: one test
for each way a hard rule lost a right answer, on small briefings of our own."""

from __future__ import annotations

import datetime as dt
import random
import re

from click.testing import CliRunner

from bot.cli import main
from index.questions import (
    acronyms,
    forms,
    judge,
    message,
    quote,
    respond,
    speaker,
    timing,
    understand,
)
from index.questions.dates import DateRange
from index.questions.message import Kind
from index.questions.speaker import QUESTION_VERBS, speaking
from index.storage import vocabulary

TODAY = dt.date(2024, 4, 20)


def daily(month: int, days: int, title: str, text: str) -> dict[str, str]:
    """A briefing a day for `days` days of `month` 2024, each titled `title`, its text
    `text` with the day put in for `{day}`."""
    return {
        f"2024-{month:02d}-{day:02d}-{title.lower()}.txt": f"date 2024-{month:02d}-{day:02d}"
        f" {title}\n\n" + text.format(day=day)
        for day in range(1, days + 1)
    }


SIGNED = {
    "2024-03-18-talks.txt": "date 2024-03-18 Officials from Estonia and Finland met in Tallinn to"
    " prepare the cable agreement. Talks on the price went on late into the night.",
    "2024-03-21-signed.txt": "date 2024-03-21 Estonia and Finland signed the cable agreement in"
    " Tallinn on Tuesday 19 March, after two years of talks. The cable will run 700 kilometres.",
    "2024-04-10-figures.txt": "date 2024-04-10 Inflation in the euro area eased to 2.4 percent in"
    " March, the statistics office said on Wednesday. Food prices rose more slowly.",
    "2024-02-01-older.txt": "date 2024-02-01 Analysts expect inflation to keep easing in March as"
    " energy prices fall.",
}


def test_a_date_says_when_something_happened_and_the_later_briefing_answers(index_of):
    ix = index_of(SIGNED)
    signed = ix.answer("what was signed in Tallinn on 19 March?", today=TODAY)
    assert signed.found and signed.hits[0].hit.document == "2024-03-21-signed.txt"
    assert signed.explanation is None  # reported within days: nothing to explain
    # A month's figure is published weeks later; the briefing of the month says otherwise.
    inflation = index_of(SIGNED).answer("inflation in March?", today=TODAY)
    assert inflation.hits[0].hit.document == "2024-04-10-figures.txt"
    assert "2.4 percent" in inflation.hits[0].quote_text


SAID_WEEKLY = {
    "2024-04-11-levy.txt": "date 2024-04-11 Trade minister Anna Holt said on Thursday that the"
    ' export levy was "a matter for partners to settle in private".',
    "2024-04-18-levy.txt": "date 2024-04-18 Trade minister Anna Holt said on Thursday that the"
    ' export levy was "a surprise, and partners do not surprise each other".',
}


def test_what_a_speaker_said_last_week_is_that_weeks_words_not_the_week_afters(index_of):
    # Asked on Saturday 20 April, last week is 8-14 April. An event of that week may be
    # reported days later, but a briefing of 18 April quoting Holt is Holt speaking then.
    answer = index_of(SAID_WEEKLY).answer("what did Holt say last week?", today=TODAY)
    assert [h.hit.document for h in answer.hits] == ["2024-04-11-levy.txt", "2024-04-18-levy.txt"]
    # Of an event of that week, a briefing dated after it may be the report.
    week = DateRange(dt.date(2024, 4, 8), dt.date(2024, 4, 14))
    said, happened = timing.window(week, said=True), timing.window(week)
    assert said.contains(dt.date(2024, 4, 15)) and not said.contains(dt.date(2024, 4, 18))
    assert happened.contains(dt.date(2024, 4, 18))


def test_nothing_in_the_period_gives_the_best_of_other_dates_and_says_so(index_of):
    ix = index_of(SIGNED)
    answer = ix.answer("what was signed in Tallinn in 2019?", today=TODAY)
    assert answer.found and answer.hits[0].hit.document == "2024-03-21-signed.txt"
    assert "Nothing in the briefings in 2019 or soon after answers that" in answer.explanation
    # "last year" keeps the real clock: a corpus that ends before it gets the same fallback.
    later = ix.answer("what was signed in Tallinn last year?", today=dt.date(2026, 6, 1))
    assert later.found and "these are the best answers from other dates" in later.explanation


def test_asking_for_a_days_briefings_still_lists_that_day(index):
    for question in (
        "what happened on 19 March?",
        "what was reported on 19 March?",
        "hey, what happened on 19 March?",
        "news from 19 March",
    ):
        answer = index.answer(question, today=TODAY)
        assert answer.explanation == "Briefings on 19 March 2024.", question
        assert answer.found and answer.hits[0].hit.ordinal == 0, question


PRICES = {
    "2024-03-12-chile.txt": "date 2024-03-12 Chile prices\n\nChilean consumer prices rose 2.1"
    " percent in February after 1.7 percent in January, the national statistics institute"
    " said.",
    "2024-03-20-peru.txt": "date 2024-03-20 Peru prices\n\nPeru's inflation eased to 3.2 percent"
    " in February, the central bank said on Wednesday.",
    "2024-04-09-japan.txt": "date 2024-04-09 Japan trade\n\nJapan's exports fell 0.8 percent in"
    " March from a year earlier, the finance ministry said.",
    "2024-04-02-rates.txt": "date 2024-04-02 Rates\n\nChile's central bank held its interest"
    " rate at 7.25 percent in March.",
    **daily(2, 28, "Weather", "Rain is expected in the north on day {day}, and sun in the south."),
}


def test_a_months_figure_is_answered_by_that_months_not_anothers(index_of):
    ix = index_of(PRICES)
    february = ix.answer("what was Chile's inflation in February?", today=TODAY)
    assert february.found and "2.1 percent in February" in february.hits[0].quote_text
    # Only February's figure is reported: March's is not, however well the rest matches.
    march = ix.answer("what was Chile's inflation in March?", today=TODAY)
    assert not march.found and march.why is respond.Unanswered.NOTHING_ANSWERS


def test_what_a_speaker_said_in_a_month_is_told_by_that_months_briefings(index_of):
    """ "What did Soetrisno say in September?" is answered by what a September briefing
    quotes him saying "on Thursday": a month's name is how a month's figure is reported, not
    how a statement is."""
    ix = index_of(
        {
            "2024-09-21-jakarta.txt": 'date 2024-09-21 Jakarta round\n\n"Australia has the'
            ' lithium, Indonesia has the nickel," Soetrisno told reporters on Thursday.',
            "2024-10-19-levy.txt": "date 2024-10-19 Levy dispute\n\nSoetrisno said on Thursday"
            " that the levy would start in January.",
            **daily(9, 30, "Weather", "Rain is expected in the north on day {day}."),
        }
    )
    answer = ix.answer("what did Soetrisno say in September?", today=dt.date(2024, 11, 1))
    assert answer.found and "lithium" in answer.hits[0].quote_text
    # Nor is a passage without the month's name judged to be of another month, as a figure
    # would be ("Chile's inflation in March?").
    assert respond._month_terms(answer.reading) == frozenset()
    figure = ix.answer("what was the levy in September?", today=dt.date(2024, 11, 1))
    assert respond._month_terms(figure.reading) >= {"septemb"}


def test_a_verb_is_held_in_any_of_its_forms(index_of):
    """ "fall" is answered by "fell", which no stemmer joins to it: not "No briefing
    mentions fall"."""
    answer = index_of(PRICES).answer("how much did Japan's exports fall in March?", today=TODAY)
    assert "0.8 percent" in answer.hits[0].quote_text
    assert answer.explanation is None
    assert forms.other_forms("fell") == ("fall", "fallen")


def test_one_word_no_briefing_holds_is_named_without_emptying_the_answer(index):
    for question in (
        "What did Putin say about Gaza and Ukraine?",
        "what did Putin still say about Gaza?",
    ):
        answer = index.answer(question)
        assert answer.found, question
        assert any("Gaza" in qh.quote_text for qh in answer.hits), question
    named = index.answer("What did Putin say about Gaza and Ukraine?").explanation
    assert named == "No briefing mentions Ukraine."
    # an everyday word is never blamed: "still" is how it was asked, not what about
    assert index.answer("what did Putin still say about Gaza?").explanation is None


def test_a_speaker_asked_about_what_no_briefing_holds_is_not_answered_with_other_subjects(index):
    answer = index.answer("what did Putin say about Ukraine?")
    assert not answer.found
    assert index.answer("what did Putin say about Gaza?").found


NAMES = {
    "2024-05-02-nickel.txt": "date 2024-05-02 Indonesia's investment minister, Budi Soetrisno,"
    " said the nickel talks would resume in June.",
    "2024-05-09-smelter.txt": "date 2024-05-09 Budi Sutrisno, the investment minister, said a new"
    " smelter would open in Sulawesi next year.",
    "2024-05-10-other.txt": "date 2024-05-10 Coal exports fell in April, the trade ministry said.",
}


def test_either_spelling_of_a_name_finds_both(index_of):
    ix = index_of(NAMES)
    for typed in ("Soetrisno", "Sutrisno"):
        answer = ix.answer(f"what did {typed} say?", k=5)
        documents = {qh.hit.document for qh in answer.hits}
        assert {"2024-05-02-nickel.txt", "2024-05-09-smelter.txt"} <= documents, typed
        assert answer.reading.corrections == []  # the typed name is held: nothing replaced


SPEAKERS = {
    "2024-06-03-ports.txt": "date 2024-06-03 Port charges\n\nMinister Kallas said the port"
    " charges would rise in July.",
    "2024-06-04-rail.txt": "date 2024-06-04 Rail link\n\nThe rail link to Riga will open in 2030,"
    " engineers said. Minister Ozols welcomed the rail link as good for trade.",
    "2024-06-05-kallas.txt": "date 2024-06-05 Budget\n\nKallas said the budget was balanced.",
}


def test_the_reply_says_plainly_when_the_speaker_is_not_quoted_on_the_subject(index_of):
    ix = index_of(SPEAKERS)
    answer = ix.answer("what did Kallas say about the rail link?")
    assert not answer.found and answer.why is respond.Unanswered.NOT_QUOTED
    assert answer.note == "The briefings do not quote Kallas on the rail link."
    assert "2024-06-04-rail.txt" in [n.document for n in answer.nearest]
    at = ix.answer("what did Kallas say at the rail link?")
    assert at.note == "The briefings do not quote Kallas at the rail link."
    spoken = ix.answer("what did Ozols say about the rail link?")
    assert "Ozols welcomed the rail link" in spoken.hits[0].quote_text
    assert spoken.explanation is None


#: A speaker quoted on many subjects and a subject many briefings dwell on: the one passage
#: where the speaker speaks on it shares fewer words with the question than the others.
CROWDED = {
    **daily(7, 20, "Budget", "Ongpin said the budget for week {day} was on track."),
    **daily(
        8,
        12,
        "Shares",
        "Harbour Brewery shares rose; Harbour Brewery bonds and Harbour Brewery debt held in"
        " trading {day}.",
    ),
    "2024-09-01-stake.txt": "date 2024-09-01 Stake\n\nOngpin said the government would sell"
    " its stake in the Harbour Brewery next year.",
    "2024-09-02-bank.txt": "date 2024-09-02 Rates\n\nPoehl said the Paris meeting had"
    " steadied the markets.",
    "2024-09-03-director.txt": "date 2024-09-03 Director\n\nBank director Hermann Pohl said"
    " rates would hold.",
}


#: The speaker quoted often, and a briefing whose title and lead name the subject, where the
#: speaker's own passage does not name it again.
BOARD = {
    **daily(7, 8, "Budget", "Ongpin said the budget for week {day} was on track."),
    **daily(6, 28, "Weather", "Rain is expected in the north on day {day}, and sun in the south."),
    **daily(8, 4, "Shares", "Harbour Brewery shares moved in trading {day}."),
    "2024-09-02-board.txt": "date 2024-09-02 Harbour Brewery board\n\nThe government named"
    " a banker to the board of Harbour Brewery, the country's largest brewer, on Monday.\n\n"
    "Finance Secretary\n\nOngpin told reporters the banker would sit on the board despite"
    ' objections from the founding family. "There is no conflict of interest," he said.',
}


def test_a_speaker_is_found_in_a_briefing_on_the_subject_without_naming_it_again(index_of):
    answer = index_of(BOARD).answer("what did Ongpin say about Harbour Brewery?")
    quoted = [h.quote_text for h in answer.hits if h.hit.document == "2024-09-02-board.txt"]
    assert any("would sit on the board" in text for text in quoted)
    assert answer.explanation is None  # not "the briefings do not quote Ongpin on …"


def test_the_passage_where_the_speaker_speaks_on_the_subject_is_found(index_of):
    """BM25 alone ranks a dozen passages on the brewery above it; the speaker's passages are
    gathered as candidates too, and that one answers."""
    ix = index_of(CROWDED)
    answer = ix.answer("what did ongpin say about the harbour brewery?")
    assert answer.found and answer.hits[0].hit.document == "2024-09-01-stake.txt"
    assert answer.explanation is None
    plain = [h.document for h in ix.search("ongpin harbour brewery", k=10)]
    assert "2024-09-01-stake.txt" not in plain  # what the candidates would have been


def _judged(ix, question: str) -> list[judge.Judged]:
    """`question`'s candidates in `ix`, ranked and judged, with each one's evidence."""
    with ix.connected() as conn:
        vocab = vocabulary.get(conn)
        reading = understand.reading_of(question, vocab, conn=conn)
        q = reading.query()
        return respond.rank_and_judge(
            conn, reading, q, respond.gather(conn, reading, q, vocab), vocab
        )


def test_a_speaker_typed_in_another_spelling_is_found_speaking(index_of):
    ix = index_of(CROWDED)
    answer = ix.answer("what did Pöhl say about the Paris meeting?")
    assert answer.found and answer.hits[0].hit.document == "2024-09-02-bank.txt"
    assert "Poehl said the Paris meeting" in answer.hits[0].quote_text
    assert "poehl" in answer.reading.speaker_names
    # Either spelling names him whole: not half of two names.
    judged = _judged(ix, "what did Pöhl say about the Paris meeting?")
    assert judged[0].hit.document == "2024-09-02-bank.txt"
    assert judged[0].features["speaker"] == 1.0


def test_a_name_only_in_the_title_counts_towards_the_answer(index_of):
    ix = index_of(
        {
            "2024-07-01-visit.md": "---\ntitle: Raeisi visits Baku\ndate: 2024-07-01\n---\n\n"
            "The president praised the new gas pipeline to the Caspian coast.",
            "2024-07-02-other.md": "---\ntitle: Markets\ndate: 2024-07-02\n---\n\n"
            "Gas prices fell on Monday.",
        }
    )
    answer = ix.answer("what did Raeisi say about the gas pipeline?")
    assert answer.found and answer.hits[0].hit.document == "2024-07-01-visit.md"


AGREED = {
    "2024-05-02-visit.txt": "date 2024-05-02 Estonia and Finland discussed energy prices."
    " Estonia and Finland also reviewed ferry timetables.",
    "2024-05-03-deal.txt": "date 2024-05-03 After two days of talks in Tallinn and a dinner"
    " given by the prime minister, the ministers of Estonia and Finland agreed to build a"
    " second power cable under the Gulf by 2030.",
}


def test_what_was_agreed_finds_the_agreement_not_only_the_names(index_of):
    """The question's verb says what it asks for: "agree" is evidence, where "say" is not."""
    ix = index_of(AGREED)
    answer = ix.answer("what did Estonia and Finland agree?")
    assert answer.found and answer.hits[0].hit.document == "2024-05-03-deal.txt"
    assert "second power cable" in answer.hits[0].quote_text
    said = ix.answer("what did Estonia and Finland say about energy prices?")
    assert "agre" not in said.reading.query().term_list()


LATEST = {
    "2024-08-01-storage.txt": "date 2024-08-01 Gas storage in the EU reached 85 percent, the"
    " Commission said, well ahead of the winter target.",
    "2024-08-15-storage.txt": "date 2024-08-15 Gas storage in the EU reached 90 percent on"
    " Thursday, meeting the target two months early.",
    "2024-08-20-prices.txt": "date 2024-08-20 Electricity prices in Spain rose after a heatwave;"
    " storage of water in reservoirs fell.",
}


def test_the_latest_is_the_newest_of_the_passages_that_answer(index_of):
    ix = index_of(LATEST)
    for question in (
        "what's the latest on EU gas storage?",
        "any updates on EU gas storage?",
        "anything new on EU gas storage?",
        "how full is EU gas storage now?",  # the value today: the newest that answers
        "how full is EU gas storage?",  # asked in the present tense: the same
        "what is the current level of EU gas storage?",
    ):
        answer = ix.answer(question, k=3)
        assert answer.reading.recent, question
        # The newest passage that shares a word but does not answer does not come first.
        assert answer.hits[0].hit.document == "2024-08-15-storage.txt", question
    first = ix.answer("any updates on EU gas storage?")
    follow = ix.answer("and about prices?", previous=first.reading)
    assert follow.reading.recent


DEALS = {
    "2024-06-03-nickel.txt": "date 2024-06-03 Australia and Indonesia signed a nickel deal in"
    " Canberra on Monday, setting up joint processing projects for battery minerals.",
    "2024-06-12-nickel.txt": "date 2024-06-12 Export Finance Australia will lend 1.2 billion"
    " dollars for projects under the nickel deal with Indonesia, the trade minister said.",
    "2024-06-20-troops.txt": "date 2024-06-20 Japan and the Philippines reached a deal on"
    " troop access; officials said its jurisdiction clause follows Japan's deal with Australia.",
    **{
        f"2024-05-{day:02d}-prices.txt": f"date 2024-05-{day:02d} Nickel prices moved {move}"
        " on the London Metal Exchange as smelters in Indonesia changed output."
        for day, move in ((6, "up"), (13, "down"), (20, "sideways"), (27, "up again"))
    },
}


def test_the_latest_on_a_subject_is_the_newest_passage_on_it_not_one_sharing_its_words(
    index_of,
):
    """A newer passage naming Australia and a deal, but not nickel, is other news."""
    answer = index_of(DEALS).answer("any updates on the nickel deal with Australia?", k=3)
    assert answer.reading.recent
    assert [h.hit.document for h in answer.hits][:2] == [
        "2024-06-12-nickel.txt",
        "2024-06-03-nickel.txt",
    ]


NEWS = {
    "2024-05-02-mediation.txt": "date 2024-05-02 A mediation team held talks with Niger's"
    " military authorities in Niamey on Saturday and described them as frank and constructive,"
    " officials said on Monday. Niger was suspended in August. The bloc has kept sanctions on"
    " Niger since then.",
}


def test_the_latest_quotes_the_news_a_briefing_opens_with_not_its_background():
    """A news passage tells what is new first and the background after it; a background
    sentence is short, so a sentence score that favours short sentences quoted it ("Niger
    was suspended in August") as "the latest"."""
    text = NEWS["2024-05-02-mediation.txt"][len("date 2024-05-02 ") :]
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^.]+\.", text)]
    spans = [(s + (text[s] == " "), e) for s, e in spans]
    terms = ["niger"]
    background = quote.choose(text, spans, terms)
    assert text[slice(*background.sentences[0])].startswith("Niger was suspended")
    news = quote.choose(text, spans, terms, news=True)
    assert text[slice(*news.sentences[0])].startswith("A mediation team held talks")


def test_the_latest_through_an_index_quotes_the_opening(index_of):
    answer = index_of(NEWS).answer("whats the latest on niger")
    assert answer.reading.recent
    assert answer.hits[0].quote_text.startswith("A mediation team held talks")


def test_an_everyday_word_no_briefing_holds_is_not_corrected_into_another(index_of):
    """A misspelt name is corrected to the briefings' spelling; "full" asked of briefings that
    never say it means full, not the "fell" they hold."""
    answer = index_of(LATEST).answer("how full is EU gas storage?")
    assert "fell" not in answer.reading.query().term_list()
    assert answer.hits[0].hit.document != "2024-08-20-prices.txt"


def test_one_place_decides_what_a_message_is():
    assert message.classify("hello").kind is Kind.HELP
    assert message.classify("thanks a lot!").kind is Kind.THANKS
    assert message.classify("more please").kind is Kind.MORE
    said = message.classify("hi, what did Raeisi say about the railway?")
    assert said.kind is Kind.QUESTION and said.text == "what did Raeisi say about the railway?"
    assert message.classify("hello kitty").text == "hello kitty"  # a question, not a greeting


def test_the_console_greets_as_the_bot_does(db):
    result = CliRunner().invoke(main, ["chat", "--db", str(db)], input="hello\nthanks\n\n")
    assert "Ask in plain words" in result.output
    assert "You're welcome." in result.output
    assert "Showing results for" not in result.output  # never corrected into a word
    ask = CliRunner().invoke(main, ["ask", "hello", "--db", str(db)])
    assert "Ask in plain words" in ask.output


LEVY = {
    "2024-06-10-levy.txt": "date 2024-06-10 Levy\n\nWhitcombe said the export levy would hurt"
    " trade between the two countries.",
    "2024-06-11-reply.txt": "date 2024-06-11 Reply\n\nSoetrisno said the export levy was needed"
    " to build smelters at home.",
    "2024-06-12-talks.txt": "date 2024-06-12 Talks\n\nWhitcombe said Soetrisno was a tough but"
    " fair negotiator.",
}


def test_a_follow_up_that_is_only_a_name_asks_what_that_person_said(index_of):
    """ "And Soetrisno?" after Whitcombe on the levy is Soetrisno on the levy; "and about
    Soetrisno?" is still what Whitcombe said about him."""
    ix = index_of(LEVY)
    first = ix.answer("what did Whitcombe say about the export levy?")
    assert first.hits[0].hit.document == "2024-06-10-levy.txt"
    other = ix.answer("and Soetrisno?", previous=first.reading)
    assert other.reading.speaker_names == ["soetrisno"]
    assert other.hits[0].hit.document == "2024-06-11-reply.txt"
    about = ix.answer("and about Soetrisno?", previous=first.reading)
    assert about.reading.speaker_names == ["whitcombe"]
    assert about.hits[0].hit.document == "2024-06-12-talks.txt"


def test_a_follow_up_that_is_only_a_country_is_the_subject_not_a_speaker(index_of):
    """ "and Gabon?" after Whitcombe on the levy asks what Whitcombe said about Gabon,
    though "Gabon said …" is in the briefings."""
    ix = index_of(
        {
            **LEVY,
            "2024-06-14-gabon.txt": "date 2024-06-14 Libreville\n\nGabon said the export"
            " levy would stay. Whitcombe said Gabon was a partner he trusted.",
        }
    )
    first = ix.answer("what did Whitcombe say about the export levy?")
    country = ix.answer("and Gabon?", previous=first.reading)
    assert country.reading.speaker_names == ["whitcombe"]
    assert country.reading.topic is not None and "gabon" in country.reading.topic_terms


def test_it_in_a_follow_up_stands_for_the_subject_before(index_of):
    ix = index_of(LEVY)
    first = ix.answer("what did Whitcombe say about the export levy?")
    it = ix.answer("what did Soetrisno say about it?", previous=first.reading)
    assert it.reading.topic is not None and "levi" in it.reading.topic_terms
    assert it.hits[0].hit.document == "2024-06-11-reply.txt"


def test_a_follow_up_asking_a_question_of_its_own_keeps_the_subject_not_the_speaker(index_of):
    """ "how much will it cost?" after what Whitcombe said about the levy asks the levy's
    cost, not what Whitcombe said about a cost."""
    ix = index_of(
        {
            **LEVY,
            "2024-06-13-cost.txt": "date 2024-06-13 Cost\n\nThe export levy will cost"
            " exporters 40 million dollars a year, the finance ministry estimated.",
        }
    )
    first = ix.answer("what did Whitcombe say about the export levy?")
    cost = ix.answer("how much will it cost?", previous=first.reading)
    assert cost.reading.speaker is None and "levi" in cost.reading.topic_terms
    assert cost.hits[0].hit.document == "2024-06-13-cost.txt"
    said = ix.answer("and what did he say about the cost?", previous=first.reading)
    assert said.reading.speaker is not None and said.reading.speaker_names == ["whitcombe"]


EXPORTS = {
    "2024-09-20-exports.txt": "date 2024-09-20 Japan's exports fell 0.8 percent in August,"
    " the finance ministry said. Imports dropped 17.8 percent.\n\nGovernment Reaction\n\n"
    '"The economy is recovering, but external demand is a risk we must watch," Tanabe told'
    " reporters in New York.",
    "2024-10-16-manila.txt": "date 2024-10-16 Tanabe in Manila\n\nTanabe told a business"
    " forum in Manila that Japan would invest in nickel processing.",
}


def test_it_in_a_follow_up_is_the_briefing_the_answer_before_quoted(index_of):
    """ "what did Tanabe say about it?" after the export figures is Tanabe on them, in the
    briefing that reported them, though he does not repeat "exports"; it was refused."""
    ix = index_of(EXPORTS)
    first = ix.answer("how much did japan's exports fall in august?")
    assert first.reading.answered == ("2024-09-20-exports.txt",)
    it = ix.answer("what did Tanabe say about it?", previous=first.reading)
    assert it.reading.story == ("2024-09-20-exports.txt",)
    assert it.found and "external demand" in it.hits[0].quote_text
    stored = understand.Reading.from_json(it.reading.to_json())
    assert (stored.story, stored.story_terms) == (it.reading.story, it.reading.story_terms)
    alone = ix.answer("what did Tanabe say about it?")
    assert not alone.reading.story


NAMED = {
    "2024-03-18-scheme.txt": "date 2024-03-18 Ministers met in Accra on Monday.\n\n"
    "The Scheme\n\nThe guided trade initiative will grow from seven to 30 countries.\n\n"
    "The Secretariat\n\nKwame Asante-Owusu said the initiative works in practice.",
}


def test_a_name_typed_with_a_subject_ranks_the_passages_naming_it_first(index_of):
    answer = index_of(NAMED).answer("asante owusu guided trade initiative")
    assert answer.found
    assert "Asante-Owusu" in answer.hits[0].quote_text


SPOKEN = {
    "2024-03-18-talks.txt": "date 2024-03-18 Ministers met in Jakarta on Monday.\n\n"
    "Environmental Standards\n\nEnvironmental standards were the main subject of the day."
    " Ana Ruiz said she was encouraged by the tone of the talks.\n\n"
    "Trade\n\nAna Ruiz said any agreement would need environmental standards on mining."
    " Officials said the next round would follow.",
    **{
        f"2024-03-1{day}-other.txt": f"date 2024-03-1{day} The central bank kept rates on hold"
        f" for the {day}th time. Farmers expect a good harvest of {subject}."
        for day, subject in ((2, "rice"), (3, "wheat"), (4, "maize"), (5, "barley"))
    },
}


def test_what_x_said_about_y_is_where_x_speaks_of_y_not_under_a_heading_of_y(index_of):
    answer = index_of(SPOKEN).answer("what did Ruiz say about environmental standards?")
    assert answer.found
    assert "would need environmental standards" in answer.hits[0].quote_text


AGREED_ON = {
    "2024-10-16-pact.txt": "date 2024-10-16 Estonia's prime minister announced that Estonia"
    " would buy two patrol boats for the Finnish coast guard. Tamm said after talks with the"
    " Finnish president on 14 October that the cable agreement would open a new stage.",
}


def test_what_x_agreed_quotes_the_sentence_that_holds_the_rest_of_the_question(index_of):
    """Without "about Y", what X is asked about is the rest of the question: a sentence where
    X announces something else is not quoted before the one that holds the date and the
    agreement."""
    answer = index_of(AGREED_ON).answer("what did Estonia and Finland agree on 14 October?")
    assert answer.found
    assert "on 14 October that the cable agreement" in answer.hits[0].quote_text


MINISTERS = {
    "2024-09-18-haze.txt": "date 2024-09-18 Indonesia's environment minister, Siti Rahma, said"
    " the haze over Singapore did not come from Indonesia. The haze in Singapore was local,"
    " the environment minister said.",
    "2024-10-02-haze.txt": "date 2024-10-02 Singapore's environment minister, Daniel Koh, said"
    " that the talks with Jakarta on the haze and on fires in the peatlands of Sumatra had"
    " been a frank exchange between neighbours.",
}


def test_a_speaker_named_by_title_is_the_one_called_so_not_another_with_that_title(index_of):
    answer = index_of(MINISTERS).answer(
        "what did Singapore's environment minister say about the haze?"
    )
    assert answer.found
    assert "Daniel Koh" in answer.hits[0].quote_text


def test_called_is_the_longest_run_of_the_speakers_words_in_the_questions_order():
    speaker = [frozenset({"singapor"}), frozenset({"environ"}), frozenset({"minist"})]
    assert judge.called(("singapor", "environ", "minist", "daniel", "koh"), speaker) == 1.0
    assert judge.called(("indonesia", "environ", "minist", "haze", "singapor"), speaker) == 2 / 3
    assert judge.called(("minist", "singapor", "environ"), speaker) == 2 / 3
    assert judge.called(("haze",), speaker) == 0.0
    assert judge.called(("haze",), []) == 1.0  # no speaker asked about: nothing to hold


REPEATED = {
    "2024-10-12-facility.txt": "date 2024-10-12 Indonesian Response\n\nIndonesia's investment"
    " minister, Budi Santoso, welcomed the facility as a concrete signal and said two state"
    " companies were in talks with Australian partners about a plant in Sulawesi. He repeated"
    " that Indonesia expected at least 3 billion dollars of Australian investment over five"
    " years.",
}


def test_what_x_said_about_y_quotes_where_x_speaks_of_y_not_where_x_is_introduced(index_of):
    """X's title ("investment minister") holds a word of Y too; which of X's sentences to
    quote is told by Y alone, and "he repeated" is X speaking."""
    answer = index_of(REPEATED).answer("what did Budi Santoso say about Australian investment?")
    assert answer.found
    assert "at least 3 billion dollars of Australian investment" in answer.hits[0].quote_text


def test_a_speaker_who_opens_a_sentence_speaks_at_its_first_reporting_verb():
    """News puts a clause between the person and "said" ("Spain's energy minister, Lucía
    Ortega Marín, who chaired the meeting, said …"): the person opening the sentence is its
    subject however far the verb is; someone a sentence only mentions is not."""
    from index.questions.speaker import speaking

    text = (
        "Spain's energy minister, Lucía Ortega Marín, who chaired the meeting, said there was a"
        " broad majority. Officials who met Spain's energy minister in León on Monday said"
        " nothing."
    )
    first = text.index(" Officials")
    spans = [(0, first), (first + 1, len(text))]
    assert speaking(text, spans, ["spain"]) == [0]  # and not the officials' sentence


def test_who_is_finds_where_a_person_is_introduced_among_many_passages_quoting_them(index_of):
    """The briefing that introduces Volcker does so once, in a passage longer than the dozen
    that quote him, which BM25 ranks first; a capitalised word before his name across a
    quote's end ("… in Brazil," Volcker said) is no first name."""
    ix = index_of(
        {
            **daily(7, 12, "Debt", '"Policy starts at home, in Brazil," Volcker said on {day}.'),
            "2024-08-01-fed.txt": "date 2024-08-01 Fed\n\nMarkets were calm on Monday as traders"
            " waited for the central bank's decision on interest rates.\n\nFederal Reserve"
            " Board Chairman Paul Volcker said rates would hold for the rest of the year.",
        }
    )
    answer = ix.answer("who is Volcker?")
    assert "Federal Reserve Board Chairman Paul Volcker" in answer.hits[0].quote_text


SPELT_OUT = {
    "2024-05-02-gas.txt": "date 2024-05-02 European Union energy ministers agreed on Monday to"
    " extend the gas demand target to March 2025.",
    "2024-05-03-trade.txt": "date 2024-05-03 The European Union and Japan discussed trade on"
    " Tuesday, and the EU said talks would go on.",
    "2024-05-04-fund.txt": "date 2024-05-04 The International Monetary Fund said growth would"
    " slow. The IMF cut its forecast for the euro area.",
    **daily(6, 20, "Weather", "Rain is expected in the north on day {day}, and sun in the south."),
}


def test_a_short_name_finds_the_passages_that_spell_it_out(index_of):
    """The briefings say what "EU" stands for where both meet; a passage that says only
    "European Union" then answers a question that says "EU"."""
    ix = index_of(SPELT_OUT)
    answer = ix.answer("what did the EU agree on the gas target?")
    assert answer.hits[0].hit.document == "2024-05-02-gas.txt"
    assert acronyms.long_form(ix.connection(), vocabulary.get(ix.connection()), "eu") == (
        "european",
        "union",
    )
    # A word that is no short name in the briefings has no long form.
    assert acronyms.long_form(ix.connection(), vocabulary.get(ix.connection()), "rain") == ()


def test_one_who_discussed_a_subject_spoke_about_it():
    """ "What did Putin say about Gaza?" is answered by "Putin … discussed … the situation in
    Gaza": discussing is speaking, as saying, warning and adding are."""
    text = (
        "Russian President Vladimir Putin extended his congratulations and discussed the"
        " situation in Gaza with Iranian President Ebrahim Raeisi."
    )
    assert speaking(text, [(0, len(text))], ["putin"]) == [0]
    assert speaking("The ministers discussed Gaza.", [(0, 29)], ["putin"]) == []


def test_a_portfolio_before_a_title_is_the_title_not_a_name(index_of):
    """ "the Spanish energy minister" is named by "Spanish"; "energy" is the minister's
    portfolio. Taken as a name, "Energy ministers will discuss …, hosted by the Spanish
    presidency" read as that minister speaking, and came first."""
    ix = index_of(
        {
            "2024-09-08-gas.txt": "date 2024-09-08 Gas demand\n\nEnergy ministers will discuss"
            " the proposal at an informal meeting in León, hosted by the Spanish presidency."
            "\n\nThe Commission proposed to extend the target for gas demand by a year.",
            "2024-09-19-leon.txt": "date 2024-09-19 Energy ministers in León\n\nSpain's energy"
            " minister, Lucía Ortega, who chaired the meeting, said there was a broad majority"
            " for the extension.",
        }
    )
    answer = ix.answer("what did the Spanish energy minister say?", today=TODAY)
    assert "energy" not in answer.reading.speaker_names
    assert answer.found and "Ortega" in answer.hits[0].quote_text


def test_one_named_after_said_is_the_subject_of_what_was_said_when_a_verb_follows():
    """ "Officials said Tanabe would announce support" is the officials speaking of what
    Tanabe will do; ", said Tanabe." is Tanabe speaking. What someone will announce or is due
    to discuss has not been said yet."""

    def spoke(text: str) -> bool:
        return speaking(text, [(0, len(text))], ["tanabe"]) == [0]

    assert not spoke("Japanese officials said Tanabe would announce support for minerals.")
    assert not spoke("Officials said that Tanabe met the president.")
    assert not spoke("Tanabe will announce a package next week.")
    assert not spoke("Tanabe is due to discuss the package.")
    assert spoke('"We are ready," said Tanabe.')
    assert spoke("Tanabe said he would announce a package.")


def test_the_two_governments_stand_for_the_countries_just_named():
    text = (
        "Japan and the Philippines reached an agreement in principle on Saturday. The two"
        " governments said the pact would be signed after a legal review."
    )
    first = text.index(" The two")
    spans = [(0, first), (first + 1, len(text))]
    assert speaking(text, spans, ["japan", "philippines"]) == [1]
    assert speaking(text, spans, ["tanabe"]) == []


def test_how_did_someone_do_something_is_not_what_they_said(index_of):
    ix = index_of(
        {
            "2024-03-17-reserves.txt": "date 2024-03-17 The central bank added reserves through"
            " repurchase agreements on Saturday, dealers said.",
        }
    )
    assert ix.answer("how did the central bank add reserves?").reading.speaker is None
    reacted = ix.answer("how did the central bank react to the dealers?").reading
    assert reacted.speaker is not None and reacted.verb == "reacted"


def test_of_a_days_reports_those_soon_after_it_come_before_later_ones(index_of):
    """A day's event is reported within days; a briefing a week later that shares the
    question's words is more likely about another day's."""
    ix = index_of(
        {
            "2024-03-17-added.txt": "date 2024-03-17 The central bank supplied temporary"
            " reserves to the banks on Saturday through repurchase agreements.",
            "2024-03-25-may-add.txt": "date 2024-03-25 The central bank may add reserves today"
            " through repurchase agreements, some dealers said. Those who expect the central bank"
            " to add reserves said it would add them through repurchase agreements.",
        }
    )
    answer = ix.answer("how did the central bank add reserves on 16 March?", today=TODAY)
    assert answer.found and answer.hits[0].hit.document == "2024-03-17-added.txt"


def test_every_page_comes_from_one_order_and_ask_k_judges_as_the_bot_does(index_of):
    """A page past the re-ranked candidates had searched deeper and ranked them all again
    among more: the fourth page of three repeated a passage of the third, and `ask -k 10`
    could refuse what the bot's three answered."""
    words = (
        "wheat barley maize port traders shipments prices exports rose fell rain futures"
        " exchange sales farmers harvest drought"
    ).split()
    pick = random.Random(1).choice
    ix = index_of(
        {
            f"2024-05-{day:02d}-grain.txt": f"date 2024-05-{day:02d} Grain\n\n"
            + " ".join(pick(words) for _ in range(30))
            + ".\n\nMarkets\n\n"
            + " ".join(pick(words) for _ in range(20))
            + "."
            for day in range(1, 29)
        }
    )
    question = "how much did wheat exports rise as barley shipments slowed?"
    whole = [h.hit.passage_id for h in ix.answer(question, k=15).hits]
    pages = [ix.answer(question, k=3, offset=offset).hits for offset in range(0, 15, 3)]
    paged = [h.hit.passage_id for page in pages for h in page]
    assert len(whole) == 15 and paged == whole
    three, ten = ix.answer(question, k=3), ix.answer(question, k=10)
    assert [h.hit.passage_id for h in three.hits] == [h.hit.passage_id for h in ten.hits][:3]


def test_he_or_she_after_who_is_is_the_one_asked_about(index_of):
    ix = index_of(LEVY)
    who = ix.answer("who is Soetrisno?")
    said = ix.answer("what did he say about the export levy?", previous=who.reading)
    assert said.reading.speaker_names == ["soetrisno"]
    assert said.reading.asked() == "what Soetrisno said about the export levy"
    assert said.hits[0].hit.document == "2024-06-11-reply.txt"
    alone = ix.answer("what did he say?", previous=who.reading)
    assert alone.reading.speaker_names == ["soetrisno"] and alone.reading.topic is None


def test_it_keeps_standing_for_the_same_subject_down_a_chat(index_of):
    """ "how much will it cost?", then "when was it signed?": the second "it" is still the
    cable, not its cost; and the reading shows it once."""
    ix = index_of(
        {
            **SIGNED,
            "2024-03-25-cost.txt": "date 2024-03-25 Cost\n\nThe cable will cost 2.3 billion"
            " euros, and cost overruns are feared by the operators.",
        }
    )
    first = ix.answer("what is the cable agreement?", today=TODAY)
    cost = ix.answer("how much will it cost?", previous=first.reading, today=TODAY)
    signed = ix.answer("when was it signed?", previous=cost.reading, today=TODAY)
    assert signed.reading.asked() == "when was it signed (what is the cable agreement)"
    assert "cost" not in signed.reading.topic_terms
    assert signed.hits[0].hit.document == "2024-03-21-signed.txt"
    stored = understand.Reading.from_json(signed.reading.to_json())
    assert stored.topic is not None and stored.topic.it == signed.reading.topic.it


def test_that_and_each_stand_for_the_subject_before_but_said_that_does_not(index_of):
    ix = index_of(LEVY)
    first = ix.answer("what did Whitcombe say about the export levy?")
    that = ix.answer("what did Soetrisno say about that?", previous=first.reading)
    assert that.reading.speaker_names == ["soetrisno"] and "levi" in that.reading.topic_terms
    assert that.hits[0].hit.document == "2024-06-11-reply.txt"
    each = ix.answer("how much does each pay?", previous=first.reading)
    assert each.reading.follow_up and "levi" in each.reading.topic_terms
    new = ix.answer("who said that smelters were needed?", previous=first.reading)
    assert not new.reading.follow_up and "levi" not in new.reading.topic_terms


def test_and_in_a_period_narrows_the_question_before(index_of):
    """ "and in the fourth quarter?" after Chrysler's earnings asks Chrysler's fourth
    quarter, not any company's; "and Ford?" still asks about Ford instead."""
    ix = index_of(
        {
            "2024-02-01-chrysler.txt": "date 2024-02-01 Chrysler\n\nChrysler earned 1.2 billion"
            " dollars last year. Its earnings in the fourth quarter were 300 million dollars.",
            "2024-02-02-ford.txt": "date 2024-02-02 Ford\n\nFord said fourth quarter earnings"
            " rose in the fourth quarter, the best fourth quarter since its fourth quarter"
            " of 1978.",
        }
    )
    first = ix.answer("how much did Chrysler earn?")
    quarter = ix.answer("and in the fourth quarter?", previous=first.reading)
    asked = {t.term for t in quarter.reading.topic.terms if t.judged}
    assert "chrysler" in asked and "quarter" in asked
    assert quarter.hits[0].hit.document == "2024-02-01-chrysler.txt"
    other = ix.answer("and Ford?", previous=first.reading)
    assert "chrysler" not in {t.term for t in other.reading.topic.terms if t.judged}


def test_a_name_common_in_english_with_on_is_a_speaker_where_the_briefings_quote_them(index):
    """ "Putin on Gaza" asks what Putin said about Gaza, though "Putin" is common in English:
    the briefings introduce him and quote him speaking. "Inflation on the rise" and "Gaza on
    the agenda" name no one."""
    answer = index.answer("Putin on Gaza")
    assert answer.reading.speaker_names == ["putin"]
    assert answer.reading.asked() == "what Putin said about Gaza"
    assert index.answer("Inflation on the rise").reading.speaker is None
    assert index.answer("Gaza on the agenda").reading.speaker is None


def test_both_leaders_stand_for_those_the_briefings_title_names():
    """A briefing titled with two names speaks of them further down as "both leaders": that
    is them speaking, where "leaders" alone is anyone's and an untitled passage names no one."""
    text = "Both leaders voiced their concern over the victims. Leaders elsewhere said little."
    first = text.index(" Leaders")
    spans = [(0, first), (first + 1, len(text))]
    assert speaking(text, spans, ["putin", "raeisi"], titled=True) == [0]
    assert speaking(text, spans, ["putin", "raeisi"]) == []
    alone = "The leaders voiced their concern over the victims."
    assert speaking(alone, [(0, len(alone))], ["putin"], titled=True) == []


def test_a_stand_in_is_those_named_in_the_passage_just_before_of_the_same_briefing(index_of):
    """ "They said …" opening a passage stands for those the passage before it names, in the
    same briefing, and they are named there; the same words opening another briefing stand
    for no one asked about."""
    ix = index_of(
        {
            "2024-03-18-talks.md": '---\ntitle: "Defence talks open"\ndate: 2024-03-18\n---\n\n'
            "Japan and the Philippines opened talks on a defence pact in Manila on Monday.\n\n"
            "They said the pact would cover joint exercises at sea.\n",
            "2024-03-19-other.md": '---\ntitle: "Patrols"\ndate: 2024-03-19\n---\n\n'
            "They said the pact would cover joint patrols at sea.\n",
        }
    )
    judged = _judged(ix, "what did Japan and the Philippines say about the pact?")
    said = {j.hit.text: j.features for j in judged}
    exercises = said["They said the pact would cover joint exercises at sea."]
    patrols = said["They said the pact would cover joint patrols at sea."]
    assert exercises["speaks"] == 1.0 and exercises["speaker"] == 1.0
    assert patrols["speaks"] == 0.0 and patrols["speaker"] == 0.0


GAS_MINISTERS = {
    "2024-03-18-target.txt": "date 2024-03-18 Spain's energy minister, Ana Ruiz, said the gas"
    " target was within reach.\n\nThe Dutch energy minister, Joost van Aerde, said the gas"
    " target should be extended.",
}


def test_and_the_other_ones_minister_is_another_speaker_with_the_same_portfolio(index_of):
    """ "and the Dutch one?" after what the Spanish energy minister said about the gas target
    asks what the Dutch energy minister said about it."""
    ix = index_of(GAS_MINISTERS)
    first = ix.answer("what did the Spanish energy minister say about the gas target?")
    other = ix.answer("and the Dutch one?", previous=first.reading)
    assert other.explanation.startswith(
        "Read as: what the Dutch energy minister said about the gas target."
    )
    assert other.found and "extended" in other.hits[0].quote_text


def test_a_reply_words_what_was_said_in_the_past_tense():
    assert QUESTION_VERBS["agree"] == "agreed"
    assert QUESTION_VERBS["deny"] == "denied"
    assert QUESTION_VERBS["stress"] == "stressed"


def test_who_asked_after_what_someone_said_asks_who_not_what_they_said(index_of):
    """ "who was against it?" after what Whitcombe said about the levy asks who, about the
    levy: not what Whitcombe said about it again."""
    ix = index_of(LEVY)
    first = ix.answer("what did Whitcombe say about the export levy?")
    who = ix.answer("who was against it?", previous=first.reading)
    assert who.reading.speaker is None and "levi" in who.reading.topic_terms


def test_the_first_one_is_no_other_ministers_title(index_of):
    """ "and the dutch one?" typed in lower case is still another country's minister;
    "and the first one?" names none."""
    ix = index_of(GAS_MINISTERS)
    first = ix.answer("what did the Spanish energy minister say about the gas target?")
    lower = ix.answer("and the dutch one?", previous=first.reading)
    assert lower.explanation.startswith("Read as: what the dutch energy minister said")
    first_one = ix.answer("and the first one?", previous=first.reading)
    assert "first energy minister" not in (first_one.explanation or "")


SHOAL = {
    "2024-03-22-shoal-barrier.txt": "date 2024-03-22 Tern Shoal barrier\n\n"
    "The coast guard said on Friday that it had removed a floating barrier placed near"
    " Tern Shoal, the second barrier found at Tern Shoal this year.\n\n"
    "The Minister Speaks\n\nDefence secretary Ramon Alcaraz said the operation had been"
    ' ordered "to protect our fishermen".',
    "2024-03-11-access-talks.txt": "date 2024-03-11 Alcaraz told reporters after the meeting"
    " that talks on troop access would go on next month.",
}


def test_what_x_said_about_y_puts_x_speaking_before_a_passage_on_y_that_names_no_one(
    index_of,
):
    ix = index_of(SHOAL)
    for question in ("what did Alcaraz say about Tern Shoal?", "Alcaraz on Tern Shoal"):
        answer = ix.answer(question)
        assert answer.found
        assert "protect our fishermen" in answer.hits[0].quote_text, question


def test_a_person_typed_beside_a_subject_without_a_question_is_that_person_on_it(index_of):
    ix = index_of(SHOAL)
    for typed in ("ALCARAZ TERN SHOAL", "Tern Shoal Alcaraz", "alcaraz tern shoal"):
        answer = ix.answer(typed)
        assert answer.reading.speaker is not None, typed
        assert answer.reading.speaker.text.lower() == "alcaraz"
        assert "protect our fishermen" in answer.hits[0].quote_text, typed
    # No one the briefings quote is named: the words are a subject.
    assert ix.answer("Tern Shoal barrier").reading.speaker is None


PRESSURE = {
    "2024-03-20-pressure.txt": "date 2024-03-20 Pressure builds on Kallas to call election\n\n"
    "Analysts expect more rate cuts. With tax cuts in the budget and polls showing Kallas's"
    " party well ahead of the opposition, they said pressure was building on Kallas to call"
    " an election in June.",
    "2024-03-21-ports.txt": "date 2024-03-21 Port charges\n\nKallas said the port charges"
    " would rise in July.",
}


def test_a_passage_naming_the_speaker_where_others_speak_does_not_answer_what_they_said(
    index_of,
):
    """ "they said" after Kallas is named is the analysts speaking: one person is "he" or
    "she", not "they"."""
    answer = index_of(PRESSURE).answer("what did Kallas say about the budget?")
    assert not answer.found
    assert answer.note == "The briefings do not quote Kallas on the budget."


def test_who_speaks_is_read_through_adverbs_refusals_other_spellings_and_headlines():
    def spoken(text: str, names: list[str], **options) -> bool:
        return bool(speaking(text, [(0, len(text))], names, **options))

    assert spoken("Tanabe arrived. He also told leaders the sea must stay open.", ["tanabe"])
    assert spoken("Tietmeyer declined to say whether the accord held.", ["tietmeyer"])
    assert spoken("Dan Rostenkowski said taxes would rise.", ["rostenkowsky"])
    assert not spoken("Polls put Kallas ahead, they said.", ["kallas"], many=False)
    assert spoken("Putin met Raeisi, both leaders voiced concern.", ["raeisi"], many=False)
    assert spoken("Putin met Raeisi, they said.", ["putin", "raeisi"], many=True)
    # A story its title gives as theirs: whoever speaks for them in it does.
    assert speaker.headline("GAO SAYS FSLIC SHOWS DEFICIT", ["gao"])
    assert speaker.headline("JAPAN WILL NOT CUT RATES-SUMITA", ["sumita"])
    assert not speaker.headline("PRESSURE BUILDS ON THATCHER TO CALL ELECTION", ["thatcher"])
    assert not speaker.headline("Talks on a Japan-Philippines pact", ["philippines", "pact"])
    assert spoken("Frederick Wolf told the hearing funds were short.", ["gao"], headlined=True)
    assert not spoken("Frederick Wolf told the hearing funds were short.", ["gao"])
    assert speaker.several("Putin and Raeisi") and speaker.several("the ministers")
    assert not speaker.several("Thatcher") and not speaker.several("the Philippines")


LOAN = {
    "2024-05-02-loan.txt": "date 2024-05-02 Cable loan\n\nThe bank will lend 900 million"
    " euros for the cable over 25 years. The bank did not disclose the interest rate, but"
    ' its vice-president called it "one of our largest loans".',
    "2024-05-03-levy.txt": "date 2024-05-03 Export levy\n\nThe minister said the rate of the"
    " export levy would be set by the finance ministry and announced in June.",
}


def test_a_figure_the_briefings_say_is_not_given_is_answered_so_where_they_say_it(index_of):
    ix = index_of(LOAN)
    rate = ix.answer("what interest rate is the bank charging on the cable loan?")
    assert not rate.found and rate.why is respond.Unanswered.NOT_GIVEN
    assert rate.note.startswith("The briefings do not give that figure: “The bank did not")
    assert [n.document for n in rate.nearest] == ["2024-05-02-loan.txt"]
    levy = ix.answer("what is the levy rate?")
    assert not levy.found and levy.reading.recent
    assert levy.explanation is None  # not "Newest first.": nothing is shown in any order
    # Asked when, "announced in June" answers; asked how much was lent, the loan says.
    assert ix.answer("when will the levy rate be announced?").found
    assert "900 million euros" in ix.answer("how much will the bank lend?").hits[0].quote_text
    # Where a briefing gives the figure, it is the answer.
    given = index_of(
        {
            **LOAN,
            "2024-05-09-terms.txt": "date 2024-05-09 Loan terms\n\nThe cable loan carries an"
            " interest rate of 3.1 percent, the bank said on Thursday.",
        }
    ).answer("what interest rate is the bank charging on the cable loan?")
    assert given.found and "3.1 percent" in given.hits[0].quote_text
