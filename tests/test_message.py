"""What a message to the bot is (`index.questions.message`): chatter and thanks said back after an
answer are not questions, while real short questions, however casual, still are."""

from __future__ import annotations

import time

import pytest

from index.questions import message
from index.questions.message import Kind

CHATTER = [
    "ok",
    "Ok.",
    "okay 👍",
    "👍",
    "👍🏻👍🏻",
    "😂",
    "🔥🔥🔥",
    "lol",
    "LOL!!",
    "lmao",
    "haha",
    "hahaha 😂",
    "great",
    "nice",
    "cool",
    "got it",
    "I see",
    "makes sense",
    "that's great",
    "very interesting",
    "wow",
    "hmm...",
    "+1",
    ":)",
    "...",
    "k",
    "sure thing",
    "no worries",
]
THANKS = [
    "thanks!",
    "thanks a lot!",
    "thank you so much!",
    "great, thanks",
    "cool, thanks",
    "ok thanks 👍",
    "very helpful, thank you",
    "ty",
    "cheers",
    "much appreciated",
]
QUESTIONS = {
    # the message: the question searched
    "Gaza?": "Gaza?",
    "ok so what about Gaza?": "what about Gaza?",
    "great, thanks! and what about Gaza?": "and what about Gaza?",
    "lol what about the railway?": "what about the railway?",
    "thanks, what did Putin say?": "what did Putin say?",
    "good news?": "good news?",
    "great wall": "great wall",
    "right to repair": "right to repair",
    "no deal?": "no deal?",
    "nice weather in Tehran?": "nice weather in Tehran?",
    "Raeisi": "Raeisi",
    "hello kitty": "hello kitty",
    "help me with Gaza": "help me with Gaza",
    "hey bot, what did Putin say about Gaza?": "what did Putin say about Gaza?",
    "is anyone here from Gaza?": "is anyone here from Gaza?",
    "how are you going to fund the railway?": "how are you going to fund the railway?",
}
HELP = [
    "help",
    "help me",
    "Help me please!",
    "how do I use this?",
    "how does this bot work?",
    "what can you do?",
    "hi, help me",
    "hi 👋",
    "Hello!",
    "?",
    "hey bot",
    "hi all",
    "hello? anyone there?",
    "you there?",
    "are you a bot?",
    "how are you?",
    "hi, how's it going?",
    "what's your name?",
]


@pytest.mark.parametrize("text", CHATTER)
def test_chatter_is_not_a_question(text: str) -> None:
    assert message.classify(text).kind is Kind.CHATTER


@pytest.mark.parametrize("text", THANKS)
def test_thanks_is_not_a_question(text: str) -> None:
    assert message.classify(text).kind is Kind.THANKS


@pytest.mark.parametrize("text", sorted(QUESTIONS))
def test_a_short_question_is_still_a_question(text: str) -> None:
    said = message.classify(text)
    assert said.kind is Kind.QUESTION
    assert said.text == QUESTIONS[text]


@pytest.mark.parametrize("text", HELP)
def test_asking_how_to_use_the_bot_gets_the_help(text: str) -> None:
    assert message.classify(text).kind is Kind.HELP


def test_a_long_message_is_read_in_time_proportional_to_its_length() -> None:
    """Each word is matched once: chatter that turns out to hold a question at its very end
    costs no more than reading it (a regular expression that tried every way to split it
    into words would take longer than the age of the universe)."""
    started = time.perf_counter()
    assert message.classify("ok lol 👍 " * 3000).kind is Kind.CHATTER
    for text in ("ha ah " * 3000 + "Gaza", "ok lol " * 3000 + "Gaza", "haha" * 2000 + "z"):
        assert message.classify(text).kind is Kind.QUESTION
    assert time.perf_counter() - started < 1.0


def test_only_content_words_are_named_as_missing() -> None:
    for word in ("what", "the", "say", "said", "use", "using", "tell", "latest", "news", "help"):
        assert not message.content_word(word), word
    # How something is asked about: "what was decided", "what is being done", "planning".
    for word in ("decided", "done", "planning", "agreed"):
        assert not message.content_word(word), word
    for word in ("Gaza", "zorblax", "railway", "Raeisi's", "bitcoin", "oil", "volcano", "tested"):
        assert message.content_word(word), word


@pytest.mark.parametrize("text", ["more", "go on", "anything else?", "and anything more?"])
def test_asking_for_anything_else_is_more_of_the_answer(text):
    assert message.classify(text).kind is Kind.MORE


def test_anything_else_on_a_subject_is_a_question():
    assert message.classify("anything else on Gaza?").kind is Kind.QUESTION
