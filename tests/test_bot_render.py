"""Rendering answers as Telegram HTML: escaping, blockquotes, bold matches, the 4,096 limit."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from telegram_html import visible

from bot import render
from index.answer import Answer, QuotedHit
from index.quote import Quote
from index.search import Hit


def quoted(text: str, rank: int = 1, title="A title", heading=None) -> QuotedHit:
    """A hit on `text` quoting its first two sentences that say "railway" (else its first)."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^.!?]*[^.!?\s][.!?]*", text)]
    sentences = spans or [(0, len(text))]
    hit = Hit(
        rank, 1.0, "doc.md", title, dt.date(2024, 3, 19), heading, 0, text, 0, len(text), sentences
    )
    words = [(m.start(), m.end()) for m in re.finditer(r"railway", text)]
    chosen = [(s, e) for s, e in sentences if any(s <= w < e for w, _ in words)][:2]
    return QuotedHit(hit, Quote(chosen or sentences[:1], words), rank)


def answer_of(*hits: QuotedHit) -> Answer:
    return Answer("q", ["railway"], list(hits))


def test_markup_in_titles_headings_and_text_is_escaped() -> None:
    qh = quoted(
        "The <b>railway</b> & the </b> road cost 5 < 6 dollars.",
        title="A <i>& B",
        heading="Roads & </blockquote>",
    )
    [message] = render.answer_messages(answer_of(qh))
    seen = visible(message)
    assert "The <b>railway</b> & the </b> road cost 5 < 6 dollars." in seen
    assert "A <i>& B\n19 March 2024\n1. Roads & </blockquote>\n" in seen
    assert "&lt;b&gt;<b>railway</b>&lt;/b&gt; &amp; the &lt;/b&gt;" in message


def test_matched_words_are_bold_inside_the_quote() -> None:
    [message] = render.answer_messages(answer_of(quoted("Build the railway. Then more.")))
    assert "<blockquote>Build the <b>railway</b>.</blockquote>" in message
    assert visible(message) == "A title\n19 March 2024\n1.\nBuild the railway."


def test_long_quotes_are_expandable() -> None:
    long = "The railway " + "goes on and on " * 40 + "."
    [message] = render.answer_messages(answer_of(quoted(long)))
    assert message.count("<blockquote expandable>") == 1


def test_an_answer_too_long_for_one_message_is_cut_between_passages() -> None:
    hits = [quoted("The railway " + "x" * 1500 + ".", rank=n + 1) for n in range(5)]
    messages = render.answer_messages(answer_of(*hits))
    assert len(messages) > 1
    assert all(render.size(m) <= render.LIMIT for m in messages)
    texts = [visible(m) for m in messages]
    # Every passage is whole in one message, numbered in order across them.
    numbers = [int(n) for t in texts for n in re.findall(r"^(\d+)\.$", t, re.M)]
    assert numbers == [1, 2, 3, 4, 5]
    assert all(t.count("x" * 1500) == len(re.findall(r"^\d+\.$", t, re.M)) for t in texts)
    assert texts[0].startswith("A title\n19 March 2024\n1.\n")  # one briefing, one heading
    assert sum(t.count("A title") for t in texts) == 1


def test_a_passage_longer_than_a_message_is_cut_with_tags_reopened() -> None:
    words = " ".join(f"railway{i % 3 and 'x' or ''} & <w{i}>" for i in range(1500))
    qh = quoted(words + ".")
    messages = render.answer_messages(answer_of(qh))
    assert len(messages) >= 3
    assert all(render.size(m) <= render.LIMIT for m in messages)
    assert all(m.count("<blockquote") == m.count("</blockquote>") == 1 for m in messages[1:])
    joined = " ".join(visible(m) for m in messages)
    assert " ".join(joined.split()).count("<w1499>") == 1
    assert "<w0>" in joined and "<w749>" in joined


def test_a_single_enormous_word_is_cut_too() -> None:
    messages = render.pack([[render.Run("€" * 9000, ("blockquote", "b"))]])
    assert len(messages) == 3
    assert all(render.size(m) <= render.LIMIT for m in messages)
    assert "".join(visible(m) for m in messages) == "€" * 9000


def test_characters_outside_the_basic_plane_count_twice() -> None:
    # Telegram counts UTF-16 code units: 3,000 emoji are 6,000 of them.
    messages = render.pack([[render.Run("😀" * 3000)]])
    assert len(messages) == 2
    assert all(len(m.encode("utf-16-le")) // 2 <= render.LIMIT for m in messages)


def test_a_page_of_results_always_fits_one_message() -> None:
    hits = [quoted("The railway " + "y " * 1500 + ".", rank=n + 4) for n in range(3)]
    message = render.page_message(answer_of(*hits), offset=3)
    assert render.size(message) <= render.LIMIT
    seen = visible(message)
    assert seen.startswith("Results 4–6")
    assert all(f"\n{n}.\n" in seen for n in (4, 5, 6))
    assert seen.count("…") >= 3


def test_keyboard_callback_data_stays_under_64_bytes() -> None:
    hits = [quoted("The railway.", rank=n) for n in (58, 59, 60)]
    for qh in hits:
        qh.hit.passage_id = 10**17 + qh.rank
    keyboard = render.answer_keyboard(10**17, hits, offset=57, k=3, has_more=True)
    buttons = [b for row in keyboard.inline_keyboard for b in row]
    assert [b.text for b in buttons] == [
        "Context 58",
        "Context 59",
        "Context 60",
        "◀ Back",
        "More results ▶",
    ]
    assert all(len(b.callback_data.encode()) < 64 for b in buttons)
    assert render.answer_keyboard(None, [], 0, 3, False) is None


def test_inline_results_carry_title_date_quote_and_source() -> None:
    hits = [
        quoted("The railway & <more>.", heading="Rail"),
        quoted("The railway again.", rank=2, heading="Rail"),
    ]
    first, second = render.inline_results(answer_of(*hits))
    assert first.id == "1"
    assert first.title == "A title · Rail"
    assert second.title == "The railway again."  # a title of its own, not a second "A title · Rail"
    assert first.description.startswith("19 March 2024: The railway & <more>.")
    content = first.input_message_content
    assert content.parse_mode == "HTML"
    assert content.link_preview_options.is_disabled
    assert "The <b>railway</b> &amp; &lt;more&gt;." in content.message_text
    shared = visible(content.message_text)
    assert shared.startswith("A title\n19 March 2024\nRail\n")  # no "1." that refers to nothing


def test_a_source_address_is_linked_and_a_repeated_title_is_not_printed() -> None:
    qh = quoted("Build the railway. Then more.", title="Build the railway.")
    qh.hit.source = "https://example.org/briefing?id=1&x=2"
    [message] = render.answer_messages(answer_of(qh))
    assert '<a href="https://example.org/briefing?id=1&amp;x=2">source</a>' in message
    assert visible(message).startswith("19 March 2024 · source\n1.\nBuild the railway.")
    qh.hit.source = "Reuters"
    [message] = render.answer_messages(answer_of(qh))
    assert visible(message).startswith("19 March 2024 · Reuters\n")


_TEXT = st.lists(
    st.sampled_from(list("ab <>&/\"'.;\n") + ["railway", "é", "😀", "</b>", "&amp;"]),
    max_size=1500,
).map("".join)


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(_TEXT.filter(lambda t: t.strip()), min_size=1, max_size=4),
    title=_TEXT,
    limit=st.integers(min_value=200, max_value=render.LIMIT),
)
def test_any_text_renders_as_valid_messages_within_the_limit(texts, title, limit) -> None:
    hits = [quoted(t, rank=n + 1, title=title or "t") for n, t in enumerate(texts)]
    messages = render.answer_messages(answer_of(*hits), limit=limit)
    assert messages
    for message in messages:
        assert render.size(message) <= limit
        visible(message)
    shown = "".join("".join(visible(m) for m in messages).split()).replace("…", "")
    for qh in hits:  # every word of every quote is shown, in order (skips marked "…")
        assert "".join(qh.quote_text.split()) in shown
