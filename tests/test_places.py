"""A country and the word for its people are one word asked two ways ("the Spanish minister",
"Spain's minister"), and a follow-up that names a new subject keeps the old one as context."""

from __future__ import annotations

from index.questions.places import other_terms

BRIEFINGS = {
    "2024-03-18-ministers.txt": "date 2024-03-18 Spain's energy minister, Ana Ruiz, said the"
    " storage target was within reach.",
    "2024-03-18-portugal.txt": "date 2024-03-18 Portugal's energy minister, Rui Costa, said the"
    " storage target was too high, and the target date too soon for the minister's grid.",
    "2024-03-19-gas.txt": "date 2024-03-19 Germany's gas use in August was 16 percent below its"
    " average, the statistics office said; Finland cut the most.",
    "2024-03-20-trade.txt": "date 2024-03-20 Germany's economy minister backed the trade plan"
    " and said Germany would sign it.",
}


def test_a_demonym_and_its_country_find_each_other():
    assert other_terms("Spanish") == ("spain",)
    assert other_terms("spanish") == ("spain",)
    assert other_terms("Spain") == ("spanish",)
    assert other_terms("Dutch") == ("netherland",)
    assert other_terms("railway") == ()


def test_a_people_in_the_plural_is_one_of_them():
    """ "the Palestinians" and "Iranians" are the people of Palestine and Iran, as
    "Palestinian" and "Iranian" are; a country named in the plural stays itself."""
    assert other_terms("Palestinians") == other_terms("Palestinian")
    assert other_terms("Iranians") == ("iran",)
    assert other_terms("Philippines") == ("filipino",)
    assert other_terms("Texas") == ()


def test_the_spanish_minister_is_spains_minister(index_of):
    answer = index_of(BRIEFINGS).answer("what did the Spanish minister say about the target?")
    assert answer.found
    assert "Ana Ruiz" in answer.hits[0].quote_text


def test_and_germany_keeps_the_question_before_as_context(index_of):
    ix = index_of(BRIEFINGS)
    before = ix.answer("which country cut gas use the most in August?")
    follow = ix.answer("and Germany?", previous=before.reading)
    assert follow.found
    assert follow.hits[0].hit.document == "2024-03-19-gas.txt"
    assert follow.reading.topic.text == "Germany"  # shown as asked
