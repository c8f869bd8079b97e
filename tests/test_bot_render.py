"""Rendering answers as Telegram HTML: escaping, blockquotes, bold matches, the 4,096 limit."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from telegram_html import visible

from bot import render
from index.questions.answer import Answer, QuotedHit
from index.questions.quote import Quote
from index.storage.search import Hit


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


def answer_of(*hits: QuotedHit, more: bool = False, total: int = 0, exact: bool = True) -> Answer:
    return Answer("q", ["railway"], list(hits), more=more, total=total, exact=exact)


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
    assert visible(message).endswith("A title\n19 March 2024\n1.\nBuild the railway.")


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
    assert texts[0].startswith("Results 1–5\n\nA title\n19 March 2024\n1.\n")  # one heading
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
    message = render.page_message(answer_of(*hits, total=12, exact=False), offset=3)
    assert render.size(message) <= render.LIMIT
    seen = visible(message)
    assert seen.startswith("Results 4–6 of 12+")
    assert all(f"\n{n}.\n" in seen for n in (4, 5, 6))
    assert seen.count("…") >= 3


def test_keyboard_callback_data_stays_under_64_bytes() -> None:
    hits = [quoted("The railway.", rank=n) for n in (58, 59, 60)]
    answer = answer_of(*hits, more=True, total=900, exact=False)
    keyboard = render.answer_keyboard(10**17, answer, offset=57, k=3)
    buttons = [b for row in keyboard.inline_keyboard for b in row]
    assert [b.text for b in buttons] == [
        "Context 58",
        "Context 59",
        "Context 60",
        "◀ Back",
        "20/300+",
        "More ▶",
    ]
    assert all(len(b.callback_data.encode()) < 64 for b in buttons)
    assert render.answer_keyboard(None, answer_of(), 0, 3) is None


def test_the_results_line_claims_no_more_than_is_known() -> None:
    """ "of 12" only when 12 is all there are, "of 12+" when the index looked no deeper, and
    no total when none was counted; the page counter says the same."""
    three = [quoted("The railway.", rank=n) for n in (1, 2, 3)]
    cases = [
        (answer_of(*three, total=3), "3 results", None),
        (answer_of(*three[:1], total=1), "1 result", None),
        (answer_of(*three, more=True, total=12), "Results 1–3 of 12", "1/4"),
        (answer_of(*three, more=True, total=10, exact=False), "Results 1–3 of 10+", "1/4+"),
        (answer_of(*three, more=True), "Results 1–3", "1/2+"),
    ]
    for answer, line, counter in cases:
        [message] = render.answer_messages(answer)
        assert visible(message).startswith(line + "\n\nA title\n19 March 2024\n1.\n")
        rows = render.answer_keyboard(7, answer, 0, 3).inline_keyboard
        assert [[b.text for b in row] for row in rows[1:]] == (
            [[counter, "More ▶"]] if counter else []
        )
    last = answer_of(*[quoted("The railway.", rank=n) for n in (10, 11)], total=11)
    assert visible(render.page_message(last, offset=9)).startswith("Results 10–11 of 11")
    nav = render.answer_keyboard(7, last, 9, 3).inline_keyboard[-1]
    assert [(b.text, b.callback_data) for b in nav] == [("◀ Back", "more:7:6"), ("4/4", "pos")]


def test_context_shows_the_passage_whole_between_the_edges_of_its_neighbours() -> None:
    before = "First words of the one before. " + "Its middle goes on. " * 30 + "Its last line."
    after = "The next one starts here. " + "And goes on. " * 40
    focus = "The railway was built. It took a decade."
    hits = [quoted(t).hit for t in (before, focus, after)]
    for ordinal, hit in enumerate(hits):
        hit.ordinal = ordinal
    [message] = render.context_messages(hits, 1, ["railway"])
    seen = visible(message)
    assert seen.startswith("A title\n19 March 2024\n\n… ")
    assert "First words" not in seen and "Its middle goes on. Its last line.\n\n▶ The" in seen
    assert "<blockquote>▶ The <b>railway</b> was built. It took a decade.</blockquote>" in message
    assert "\n\nThe next one starts here. And goes on." in seen and seen.endswith(" …")
    assert len(seen) < len(focus) + 2 * render.NEIGHBOUR_CHARS + 60


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
    assert (
        visible(message)
        .split("\n\n", 1)[1]
        .startswith("19 March 2024 · source\n1.\nBuild the railway.")
    )
    qh.hit.source = "Reuters"
    [message] = render.answer_messages(answer_of(qh))
    assert visible(message).split("\n\n", 1)[1].startswith("19 March 2024 · Reuters\n")


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


def test_a_hard_wrapped_briefing_is_quoted_as_one_line() -> None:
    [message] = render.answer_messages(answer_of(quoted("The new railway\nline opens\n  in May.")))
    assert "<blockquote>The new <b>railway</b> line opens in May.</blockquote>" in message


def test_a_pronoun_nobody_was_named_for_is_asked_about() -> None:
    """ "what did she say?" with no question before it: the bot asks whom "she" means, in the
    words the console uses."""
    from index.questions.respond import Unanswered
    from index.questions.understand import Reading

    reading = Reading("what did she say?", unresolved="she")
    answer = Answer("what did she say?", [], reading=reading, why=Unanswered.WHOM)
    assert visible(render.nothing_found(answer)) == (
        "Who do you mean by “she”? Ask again with a name in its place."
    )


def test_a_speaker_not_quoted_is_said_plainly_with_the_nearest_briefings() -> None:
    """The bot and the console word it alike: the speaker and subject, then where to look."""
    import datetime as dt

    from bot.console import nothing_found as console_text
    from index.questions.respond import Nearest, Unanswered

    note = "The briefings do not quote Kallas on the rail link."
    near = [Nearest("Rail link", dt.date(2024, 6, 4), "2024-06-04-rail.txt")]
    answer = Answer(
        "what did Kallas say about the rail link?",
        [],
        nearest=near,
        note=note,
        why=Unanswered.NOT_QUOTED,
    )
    assert visible(render.nothing_found(answer)).startswith(
        "The briefings do not quote Kallas on the rail link; the nearest briefings are Rail link"
    )
    assert console_text(answer).startswith(note + " The nearest briefings: Rail link")


def test_a_figure_not_given_is_said_with_where_the_briefings_say_so() -> None:
    import datetime as dt

    from bot.console import nothing_found as console_text
    from index.questions.respond import Nearest, Unanswered

    note = "The briefings do not give that figure: “The bank did not disclose the rate.”"
    near = [Nearest("Cable loan", dt.date(2024, 5, 2), "2024-05-02-loan.txt")]
    answer = Answer("what rate?", [], nearest=near, note=note, why=Unanswered.NOT_GIVEN)
    assert visible(render.nothing_found(answer)) == f"{note} (Cable loan, 2 May 2024)."
    assert console_text(answer) == f"{note} (Cable loan, 2024-05-02)."
