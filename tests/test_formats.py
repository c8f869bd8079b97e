"""Web pages, PDFs and Word files: their text, headings, titles, dates and pages, read from
small files made here, and carried through the index to the hits a question returns."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from briefing_files import make_docx, make_html, make_pdf, sentences

from index.files import formats
from index.files.documents import SUFFIXES, TEXT_SUFFIXES, Document, UnreadableFile, parse
from index.files.passages import passages
from index.questions.answer import Index
from index.storage.reindex import reindex

PARAGRAPHS = [sentences(seed, 3) for seed in range(4)]


def spans_hold(doc: Document) -> None:
    for block in doc.blocks:
        assert doc.text[block.start : block.end] == block.text


def test_every_suffix_has_a_reader():
    assert set(SUFFIXES) == set(TEXT_SUFFIXES) | set(formats.READERS)


# --- HTML ---------------------------------------------------------------------------------------


def test_html_keeps_the_article_and_drops_menus_scripts_and_footers():
    page = make_html("Harbour dredging resumes", PARAGRAPHS, heading="Costs and funding")
    doc = parse(page, "harbour.html")
    spans_hold(doc)
    assert doc.title == "Harbour dredging resumes"
    paragraphs = [b.text for b in doc.blocks if b.kind == "paragraph"]
    assert paragraphs == PARAGRAPHS
    assert "Costs and funding" in [b.text for b in doc.blocks if b.kind == "heading"]
    for boilerplate in ("Worldwide menu", "Subscribe", "tracking", "late script", "Cookie"):
        assert boilerplate not in doc.text
    heading_of = {p.text: p.heading for p in passages(doc)}
    assert heading_of[PARAGRAPHS[-1]] == "Costs and funding"


def test_html_date_comes_from_its_metadata_before_the_lead_and_the_name():
    page = make_html(
        "Grain", [f"date 2024-03-01 {PARAGRAPHS[0]}"], published="2024-03-21T08:00:00Z"
    )
    doc = parse(page, "2024-02-02-grain.html")
    assert doc.date == dt.date(2024, 3, 21)
    assert doc.blocks[-1].text == PARAGRAPHS[0]  # the lead is not body text
    assert len(doc.warnings) == 2 and "2024-03-01" in doc.warnings[0]
    assert "2024-02-02" in doc.warnings[1]


def test_html_date_falls_back_to_the_lead_then_to_the_file_name():
    lead = parse(make_html("Grain", [f"date 2024-03-01 {PARAGRAPHS[0]}"]), "grain.html")
    assert lead.date == dt.date(2024, 3, 1) and not lead.warnings
    named = parse(make_html("Grain", PARAGRAPHS[:1]), "2024-02-02-grain.htm")
    assert named.date == dt.date(2024, 2, 2)
    assert parse(make_html("Grain", PARAGRAPHS[:1]), "grain.html").date is None


def test_html_in_a_legacy_encoding_is_read_by_its_declared_charset():
    text = "Café owners in Zürich met the “harbour” board on Tuesday afternoon for talks."
    page = make_html("Quay", [text, PARAGRAPHS[1]], charset="windows-1252")
    doc = parse(page, "quay.html")
    assert text in doc.text


def test_html_line_breaks_and_list_items_keep_words_apart():
    page = make_html("Ferries", [f"{PARAGRAPHS[0]}<br>{PARAGRAPHS[1]}"]).replace(
        b"</article>",
        b"<ul><li>Berth four reopened.</li><li>Berth five closed.</li></ul></article>",
    )
    doc = parse(page, "ferries.html")
    assert f"{PARAGRAPHS[0]}\n{PARAGRAPHS[1]}" in doc.text
    assert [b.text for b in doc.blocks][-2:] == ["Berth four reopened.", "Berth five closed."]


def test_a_page_without_article_text_is_reported():
    with pytest.raises(UnreadableFile, match="no article text|no text"):
        parse(
            b"<html><head><title>x</title></head><body><script>x=1</script></body></html>", "e.html"
        )


# --- PDF ----------------------------------------------------------------------------------------

PDF_PAGES = [
    [
        "# Harbour works resume",
        "The harbour authority said on Thursday that dredging of the north",
        "basin would resume next week, after winter storms held up the work.",
        "Quay traders welcomed the news.",
        "",
        "The council said the ferry timetable would not change during the",
        "works, which are expected to last until the end of the summer, and",
    ],
    [
        "that the quay would stay open to foot passengers throughout the",
        "period of dredging in the outer harbour.",
        "# Costs and funding",
        "The regional council agreed to cover the extra cost of the delay from",
        "its reserve fund rather than from new borrowing, engineers said, and",
        "a second phase would widen the entrance channel for larger ferries",
        "in the autumn if the environmental assess-",
        "ment raises no objection.",
        "2",
    ],
]


def test_pdf_keeps_pages_headings_and_paragraphs():
    data = make_pdf(PDF_PAGES, title="Harbour report", created="D:20240321080000Z")
    doc = parse(data, "harbour.pdf")
    spans_hold(doc)
    assert (doc.title, doc.date) == ("Harbour report", dt.date(2024, 3, 21))
    blocks = [(b.kind, b.page, b.text[:30]) for b in doc.blocks]
    assert blocks == [
        ("heading", 1, "Harbour works resume"),
        ("paragraph", 1, "The harbour authority said on "),
        ("paragraph", 1, "The council said the ferry tim"),  # continues on page 2
        ("heading", 2, "Costs and funding"),
        ("paragraph", 2, "The regional council agreed to"),
    ]
    assert "works, which are expected to last until the end of the summer, and that" in doc.text
    assert "environmental assessment raises" in doc.text  # hyphenation undone
    assert not doc.text.rstrip().endswith("2")  # the page number is not text
    assert [p.page for p in passages(doc)] == [1, 1, 2]


def test_pdf_pages_reach_the_hits(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "harbour.pdf").write_bytes(make_pdf(PDF_PAGES, created="D:20240321080000Z"))
    (corpus / "notes.txt").write_text("date 2024-03-22 The reservoir was full. Rain fell.")
    report = reindex(corpus, tmp_path / "index.db")
    assert report.counts["added"] == 2 and not report.failed
    index = Index(tmp_path / "index.db")
    (hit,) = index.search("reserve fund borrowing", k=1)
    assert (hit.document, hit.page, hit.heading) == ("harbour.pdf", 2, "Costs and funding")
    (text_hit,) = index.search("reservoir", k=1)
    assert text_hit.page is None
    assert index.passage(hit.passage_id).page == 2
    # A reply names the page, on Telegram and in the console.
    from telegram_html import visible

    from bot.console import render_text
    from bot.render import answer_messages

    answer = index.answer("reserve fund borrowing", k=1)
    [reply] = answer_messages(answer)
    assert " · p. 2\n1. Costs and funding\n" in visible(reply)
    assert "· p. 2" in render_text(answer)


@pytest.mark.parametrize("made_up", ["Microsoft Word - harbour.docx", "Untitled", "brief.pdf"])
def test_a_pdf_title_made_from_a_file_name_gives_way_to_the_first_heading(made_up):
    assert parse(make_pdf(PDF_PAGES, title=made_up), "a.pdf").title == "Harbour works resume"


def test_pdf_date_falls_back_to_the_lead_and_a_bad_metadata_date_is_no_date():
    pages = [["date 2024-03-05", *PDF_PAGES[0][1:4]]]
    assert parse(make_pdf(pages), "a.pdf").date == dt.date(2024, 3, 5)
    assert parse(make_pdf(pages, created="D:garbage"), "a.pdf").date == dt.date(2024, 3, 5)
    assert parse(make_pdf(PDF_PAGES), "a.pdf").date is None


@pytest.mark.parametrize(
    "data, reason",
    [
        (make_pdf([[], []]), "no text layer"),
        (b"%PDF-1.4\nnot really a pdf at all\n%%EOF\n", "could not be read as a PDF"),
        (make_pdf(PDF_PAGES)[:300], "could not be read as a PDF"),
    ],
)
def test_unreadable_pdfs_say_why(data, reason):
    with pytest.raises(UnreadableFile, match=reason):
        parse(data, "broken.pdf")


# --- Word ---------------------------------------------------------------------------------------


def test_docx_reads_headings_paragraphs_tables_title_and_date():
    data = make_docx(
        [
            ("title", "Grain markets"),
            ("paragraph", PARAGRAPHS[0]),
            ("heading", "Wheat"),
            ("paragraph", PARAGRAPHS[1]),
            ("paragraph", ""),
        ],
        created=dt.datetime(2024, 3, 22, 9, 30),
        table=[["Crop", "Tonnes"], ["Wheat", "120"]],
    )
    doc = parse(data, "grain.docx")
    spans_hold(doc)
    assert (doc.title, doc.date, doc.warnings) == ("Grain markets", dt.date(2024, 3, 22), [])
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "Grain markets"),
        ("paragraph", PARAGRAPHS[0]),
        ("heading", "Wheat"),
        ("paragraph", PARAGRAPHS[1]),
        ("paragraph", "Crop | Tonnes"),
        ("paragraph", "Wheat | 120"),
    ]
    assert [p.heading for p in passages(doc)][:2] == ["Grain markets", "Wheat"]


def test_docx_metadata_date_wins_but_a_disagreeing_lead_is_reported():
    data = make_docx(
        [("paragraph", "date 2024-03-20"), ("paragraph", PARAGRAPHS[0])],
        title="Grain",
        created=dt.datetime(2024, 3, 22),
    )
    doc = parse(data, "grain.docx")
    assert doc.date == dt.date(2024, 3, 22)
    assert doc.title == "Grain"
    assert doc.warnings and "2024-03-20" in doc.warnings[0] and "2024-03-22" in doc.warnings[0]
    assert doc.blocks[0].text == PARAGRAPHS[0]


def test_docx_without_metadata_date_uses_the_lead_then_the_name():
    with_lead = make_docx([("paragraph", f"date 2024-03-20 {PARAGRAPHS[0]}")])
    assert parse(with_lead, "2024-01-01-grain.docx").date == dt.date(2024, 3, 20)
    plain = make_docx([("paragraph", PARAGRAPHS[0])])
    assert parse(plain, "2024-01-01-grain.docx").date == dt.date(2024, 1, 1)
    assert parse(plain, "grain.docx").date is None


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"PK\x03\x04 this is no zip archive", "could not be read as a Word"),
        (make_docx([("paragraph", "")]), "no text"),
    ],
)
def test_unreadable_docx_say_why(data, reason):
    with pytest.raises(UnreadableFile, match=reason):
        parse(data, "broken.docx")


# --- all formats together -----------------------------------------------------------------------


def test_a_mixed_corpus_indexes_every_format_and_reports_undated_and_broken_files(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    files = {
        "2024-03-19-page.html": make_html("Harbour", PARAGRAPHS[:2]),
        "report.pdf": make_pdf(PDF_PAGES, created="D:20240321000000Z"),
        "grain.docx": make_docx([("paragraph", PARAGRAPHS[2])], created=dt.datetime(2024, 3, 22)),
        "undated.docx": make_docx([("paragraph", PARAGRAPHS[3])]),
        "undated.html": make_html("Undated", PARAGRAPHS[1:2]),
        "broken.pdf": b"%PDF-1.4\ngarbage",
        "broken.docx": b"not a zip",
        "notes.md": b"---\ndate: 2024-03-23\n---\n\nThe canal reopened.\n",
    }
    for name, data in files.items():
        (corpus / name).write_bytes(data)
    db = tmp_path / "index.db"
    report = reindex(corpus, db)
    assert report.counts["added"] == 6 and report.counts["failed"] == 2
    assert {f.path for f in report.undated} == {"undated.docx", "undated.html"}
    assert "undated" in report.summary()
    stats = Index(db).stats()
    assert stats.documents == 6 and stats.undated == 2
    assert (stats.first_date, stats.last_date) == (dt.date(2024, 3, 19), dt.date(2024, 3, 23))
    assert {p for p, _ in stats.failures} == {"broken.pdf", "broken.docx"}
    with sqlite3.connect(db) as conn:
        pages = dict(
            conn.execute(
                "SELECT d.path, max(p.page) FROM passages p JOIN documents d"
                " ON d.id = p.document_id GROUP BY d.path"
            )
        )
    assert pages["report.pdf"] == 2 and pages["grain.docx"] is None
