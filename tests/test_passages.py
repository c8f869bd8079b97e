"""Passages are paragraphs under their heading, cut at sentence boundaries when long."""

from index.files.documents import parse
from index.files.passages import passages


def test_bundled_passages_carry_headings_and_spans(index):
    conn = index.connection()
    rows = conn.execute(
        "SELECT ordinal, heading, text, start, end FROM passages ORDER BY ordinal"
    ).fetchall()
    assert len(rows) == 5
    assert rows[0][1] is None
    assert rows[3][1] == "Railway Project as a Catalyst for Cooperation"
    assert "suitable groundwork" in rows[3][2]


def test_long_paragraph_is_cut_at_sentence_boundaries():
    body = " ".join(f"Sentence {i} has exactly seven words here." for i in range(60))
    doc = parse(f"date 2024-01-01 {body}".encode(), "long.txt")
    parts = passages(doc)
    assert len(parts) == 4
    for p in parts:
        assert doc.text[p.start : p.end] == p.text
        assert p.text.startswith("Sentence") and p.text.endswith("here.")
        assert len(p.text.split()) <= 130
        assert [p.text[s:e] for s, e in p.sentences][0].startswith("Sentence")
    assert " ".join(p.text for p in parts) == body
