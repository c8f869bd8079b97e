"""Hostile questions through the whole answer path the bot runs (understanding, search,
quoting, suggestions, the state file, rendering, paging, inline results): it never raises,
and every message is Telegram HTML that Telegram accepts, within 4,096 characters.

How long each question takes is measured in `bench/fuzz_questions.py`, not asserted here."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram_html import visible

from bot import asking, buttons, render
from bot.services import Services
from bot.settings import Settings
from bot.state import State
from index.questions.answer import Index

LIMIT = 4096

# Direction marks and overrides, Arabic and Hebrew letters.
RTL = "\u200f\u202b\u202e\u2067\u0627\u0644\u0639\u0631\u0628\u064a\u0629\u05e2\u05d1\u05e8"
COMBINING = "\u0301\u0308\u0327\u20dd\u0489\u036f"
CONTROL = "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\u200b\u200d\u2028\u2029\ufeff\ufffe"
FRAGMENTS = [
    "NEAR(",
    "NEAR(railway gaza, 2)",
    " AND ",
    " OR ",
    " NOT ",
    '"',
    "*",
    "^",
    "-",
    ":",
    "{terms}",
    "terms:",
    "passages_fts",
    "rank",
    "'; DROP TABLE passages; --",
    "' OR 1=1 --",
    "UNION SELECT * FROM documents",
    "/*",
    "*/",
    "%",
    "_",
    "\\",
    "<b>",
    "</blockquote>",
    "&amp;",
    "&#0;",
    "<script>",
    "railway",
    "Raeisi",
    "Gaza",
    "tramway",
    "zeppelin",
    "yesterday",
    "2024-03-19",
    "in 2019",
    "what",
    "the",
    "@briefbot_test_bot",
    "/ask",
    "🚂",
    "👨‍👩‍👧",
]

pieces = st.one_of(
    st.text(max_size=40),  # any code point but lone surrogates, control characters included
    st.text(alphabet=RTL + COMBINING + CONTROL + "ab ", max_size=40),
    st.sampled_from(FRAGMENTS),
)
questions = st.one_of(
    st.lists(pieces, max_size=12).map(" ".join),
    # Long ones, up to 20,000 characters, made by repeating a short piece.
    st.builds(
        lambda piece, n: (piece * (20_000 // max(len(piece), 1) + 1))[:n],
        st.lists(pieces, min_size=1, max_size=4).map(" ".join).filter(bool),
        st.integers(2_000, 20_000),
    ),
)


def check_message(message: str) -> None:
    assert message.strip()
    assert render.size(message) <= LIMIT  # the HTML itself, so the visible text is too
    assert visible(message).strip(), "a message with nothing to see"


@pytest.fixture(scope="module")
def svc(tmp_path_factory):
    from bothelpers import build_index

    tmp = tmp_path_factory.mktemp("hostile-questions")
    corpus, db = build_index(tmp)
    index, state = Index(db), State(tmp / "state.db", dt.timedelta(days=1))
    settings = Settings(_env_file=None, corpus=corpus, db=db, state_db=tmp / "state.db")
    services = Services(settings, index, state)
    yield services
    services.executor.shutdown()
    index.close()
    state.close()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(question=questions)
def test_any_question_gets_well_formed_messages(svc, question: str) -> None:
    question = question.strip()
    if not question:  # the handler answers an empty question with a hint, before all this
        return
    reply = asyncio.run(asking.answer(svc, 42, question, None))
    assert reply.texts
    for text in reply.texts:
        check_message(text)
    if reply.page is None:
        return
    # The next page, as the "More" button shows it, and the same question inline.
    answer = asyncio.run(buttons.page_at(svc, reply.page, svc.settings.results))
    assert answer is not None  # nothing changed in between: the page goes on from the first
    if answer.hits:
        check_message(render.page_message(answer, svc.settings.results))
    for article in render.inline_results(svc.index.answer(question, k=5)):
        check_message(article.input_message_content.message_text)
    # A follow-up to it, read with the hostile question as its context.
    follow = asyncio.run(asking.answer(svc, 42, "and Gaza?", reply.page))
    for text in follow.texts:
        check_message(text)


@pytest.mark.parametrize(
    "question",
    [
        "x" * 20_000,
        "railway " * 2_500,
        "\u202e" * 5_000 + "railway",
        "e" + "\u0301" * 19_999,
        "NEAR(" * 4_000,
        "\x00" * 100 + "Gaza",
        "🚂" * 10_000,
        " ".join(FRAGMENTS) * 30,
    ],
    ids=["x", "railway", "rtl", "combining", "near", "nul", "emoji", "fragments"],
)
def test_worst_cases(svc, question: str) -> None:
    reply = asyncio.run(asking.answer(svc, 42, question, None))
    for text in reply.texts:
        check_message(text)
