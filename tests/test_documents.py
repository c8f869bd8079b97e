"""Reading briefing files: dates, titles, headings, and files that can't be read."""

import datetime as dt
from pathlib import Path

import pytest

from index.files.documents import UnreadableFile, parse, read

ROOT = Path(__file__).resolve().parents[1]


def test_bundled_briefing_has_its_date_title_and_sections():
    doc = read(ROOT / "corpus" / "2024-03-19-putin-raeisi-nowruz.txt", ROOT / "corpus")
    assert doc.date == dt.date(2024, 3, 19)
    assert doc.title == "Putin Raeisi Nowruz"  # from the file's name, written as the text does
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert headings == [
        "Strengthening Economic and Strategic Ties",
        "Addressing Regional Conflicts and Cooperation",
        "Railway Project as a Catalyst for Cooperation",
    ]
    for block in doc.blocks:
        assert doc.text[block.start : block.end] == block.text


def test_date_lead_may_follow_white_space_and_is_not_body_text():
    doc = parse(b"\n  date 2023-12-01 Talks opened. They went well.", "b.txt")
    assert doc.date == dt.date(2023, 12, 1)
    assert doc.blocks[0].text == "Talks opened. They went well."


def test_undated_file_gets_no_date():
    doc = parse(b"Talks opened in Vienna. They went well.", "notes.txt")
    assert doc.date is None


def test_date_in_file_name_is_used_when_the_text_has_none():
    assert parse(b"Talks opened.", "2021-05-04-talks.txt").date == dt.date(2021, 5, 4)


def test_markdown_front_matter_gives_title_date_source():
    data = b"---\ntitle: Grain talks\ndate: 2024-02-02\nsource: Wire\n---\n\n"
    data += b"# Summary\n\nWheat rose.\n"
    doc = parse(data, "grain.md")
    assert (doc.title, doc.date, doc.source) == ("Grain talks", dt.date(2024, 2, 2), "Wire")
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "Summary"),
        ("paragraph", "Wheat rose."),
    ]


def test_title_falls_back_to_first_sentence():
    assert parse(b"Wheat rose. Corn fell.", "x.md").title == "Wheat rose."


def test_a_title_comes_from_the_file_name_written_as_the_briefing_writes_it():
    text = b"date 2024-05-01 Shipments to the EU rose. The EU said Japan's exports grew."
    doc = parse(text, "2024-05-01-eu-japan-exports.txt")
    assert doc.title == "EU Japan exports"
    named = parse(
        b"Officials of the Baltic Wind Interconnector met. Wind was low.",
        "baltic-wind-interconnector-talks.txt",
    )
    assert named.title == "Baltic Wind Interconnector talks"  # a name stays whole


def test_a_name_that_says_nothing_gives_way_to_a_heading_then_a_clause():
    headed = b"Rates rose again on Monday, the bank said.\n\nMarkets\n\nStocks fell."
    assert parse(headed, "2024-05-01-daily-briefing.txt").title == "Markets"
    long = (
        b"The central bank raised its rate by a quarter point on Monday,"
        b" the fourth rise this year, and said more would follow if prices kept rising."
    )
    title = parse(long, "notes.txt").title
    assert title == "The central bank raised its rate by a quarter point on Monday…"


@pytest.mark.parametrize(
    "data, reason",
    [(b"", "empty"), (b"  \n\n ", "empty"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary")],
)
def test_unreadable_files_say_why(data, reason):
    with pytest.raises(UnreadableFile, match=reason):
        parse(data, "bad.txt")


def test_legacy_encoding_is_read_with_a_warning():
    doc = parse("Café prices rose 5 € today.".encode("cp1252"), "old.txt")
    assert doc.blocks[0].text == "Café prices rose 5 € today."
    assert doc.warnings and "cp1252" in doc.warnings[0]
