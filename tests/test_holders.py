"""A speaker called by a title is whoever the briefings give that title: "the Commission
president" is found speaking where the briefings call her by name alone."""

from __future__ import annotations

from index.questions import holders

SPEECH = {
    "2024-09-13-speech.txt": "date 2024-09-13 State of the Union\n\nEuropean Commission"
    " President Anna Keller used her annual address in Strasbourg on Wednesday to open an"
    " inquiry into subsidies.\n\nCars\n\nKeller told parliament that markets were flooded"
    " with cheap electric cars whose price was kept low by subsidies.\n\nFigures\n\nThe share"
    " of imported electric cars sold in Europe has risen to 8 percent, according to the"
    " Commission.",
    "2024-09-04-storage.txt": "date 2024-09-04 Gas storage\n\nEuropean Commission President"
    " Anna Keller said on Monday that gas storage was 90 percent full, a solid cushion for"
    " the winter.",
    "2024-09-20-exports.txt": "date 2024-09-20 Exports\n\nJapan's prime minister, Hiroshi"
    " Tanabe, said in New York that the government would compile an economic package. Dutch"
    " climate and energy minister Joost van Aerde said the figures were on track.",
}


def test_a_title_is_read_for_the_name_written_beside_it():
    text = SPEECH["2024-09-20-exports.txt"]
    assert holders._named(text, "minister", [{"japan"}, {"prime"}]) == ["Hiroshi Tanabe"]
    assert holders._named(text, "minister", [{"dutch"}]) == ["Joost van Aerde"]
    assert holders._named(text, "minister", [{"singapor"}]) == []  # not the title asked


def test_what_the_title_holder_said_is_found_where_only_the_name_is(index_of):
    ix = index_of(SPEECH)
    answer = ix.answer("what did the Commission president say about electric cars?")
    assert {"anna", "keller"} <= set(answer.reading.speaker_names)
    assert answer.found and "Keller told parliament" in answer.hits[0].quote_text


def test_a_follow_up_keeps_the_title_holder(index_of):
    ix = index_of(SPEECH)
    first = ix.answer("what did the Commission president say about gas storage?")
    assert "solid cushion" in first.hits[0].quote_text
    answer = ix.answer("and about electric cars?", previous=first.reading)
    assert answer.found and "Keller told parliament" in answer.hits[0].quote_text


def test_a_title_with_its_holders_name_or_alone_is_not_looked_up(index_of):
    ix = index_of(SPEECH)
    named = ix.answer("what did President Keller say about gas storage?").reading
    assert named.speaker_names == ["keller"]
    alone = ix.answer("what did the president say about gas storage?").reading
    assert "keller" not in alone.speaker_names


def test_a_passage_naming_only_the_holder_answers_for_the_title(index_of):
    """Once the briefings say who holds the title, a passage that calls them by name alone
    holds all of the speaker asked about: "what did the Philippine defence secretary say
    about China?" had been refused, every passage with the title speaking of other things."""
    ix = index_of(
        {
            "2024-09-11-talks.txt": "date 2024-09-11 Access talks\n\nPhilippine defence"
            " secretary Ramon Alcaraz said the talks on troop access had gone well.\n\nManila's"
            " View\n\nAlcaraz told reporters that supply boats had been blocked by Chinese"
            " coast guard vessels in August.",
            "2024-09-28-round.txt": "date 2024-09-28 First round\n\nPhilippine defence"
            " secretary Ramon Alcaraz said the first round had gone faster than expected.",
            **{
                f"2024-10-{day:02d}-other.txt": f"date 2024-10-{day:02d} Markets\n\nTraders"
                f" said rice prices moved on day {day} as shipments from the port slowed."
                for day in range(1, 13)
            },
        }
    )
    answer = ix.answer("what did the Philippine defence secretary say about China?")
    assert answer.found and "Chinese coast guard" in answer.hits[0].quote_text


def test_another_title_and_honorifics_and_joined_particles():
    """ "Vice Chairman Manuel Johnson" is not the chairman unless the vice chairman is asked
    for; an honorific is no part of the name ("Oil Minister Sheikh Ali al-Sabah"), and a
    particle joined to it is ("al-Sabah")."""
    text = (
        "Fed Chairman Paul Volcker said rates would hold. Fed Vice Chairman Manuel Johnson"
        " said inflation was under control. Kuwaiti Oil Minister Sheikh Ali al-Khalifa"
        " al-Sabah said OPEC was producing below its ceiling."
    )
    assert holders._named(text, "chairman", [{"fed"}]) == ["Paul Volcker"]
    assert holders._named(text, "chairman", [{"fed"}, {"vice"}]) == ["Manuel Johnson"]
    kuwait = holders._named(text, "minister", [{"kuwait", "kuwaiti"}, {"oil"}])
    assert kuwait == ["Ali al-Khalifa al-Sabah"]
    assert holders.name_words(kuwait[0]) == ["ali", "khalifa", "sabah"]
