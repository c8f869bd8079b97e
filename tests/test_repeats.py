"""The same story, told once: passages that repeat one shown before them are folded into it,
with "also in" naming their briefings, and the places they took go to passages that say
something else."""

from __future__ import annotations

import datetime as dt

from telegram_html import visible

from bot import render
from index.questions import repeats

STATEMENT = (
    "Mayor Lindqvist said the harbour tunnel would open in June after the final safety"
    " inspection of its ventilation shafts."
)
REPEATED = {
    "2024-05-02-tunnel.txt": f"date 2024-05-02 {STATEMENT} Work on the approach roads ended.",
    "2024-05-03-budget.txt": "date 2024-05-03 The city budget rose by four percent.\n\n"
    f"Background\n\n{STATEMENT}",
    "2024-05-04-ferries.txt": "date 2024-05-04 Ferry crossings to the harbour will stop when the"
    " tunnel opens, the operator said.",
    "2024-05-05-roads.txt": "date 2024-05-05 Drivers will pay no toll in the harbour tunnel in"
    " its first month, the mayor said.",
}


def test_a_statement_repeated_in_later_background_is_shown_once(index_of):
    ix = index_of(REPEATED)
    answer = ix.answer("what did Lindqvist say about the harbour tunnel?", k=3)
    statements = [h for h in answer.hits if "ventilation shafts" in h.hit.text]
    assert len(statements) == 1
    [told] = statements
    assert [h.document for h in told.also] == [
        d for d in ("2024-05-02-tunnel.txt", "2024-05-03-budget.txt") if d != told.hit.document
    ]
    # The place the repeat took goes to a passage that says something else.
    assert len(answer.hits) == 3 and len({h.hit.document for h in answer.hits}) == 3
    [message] = render.answer_messages(answer)
    assert "Also in " in visible(message) and " May 2024)." in visible(message)


def test_the_latest_never_shows_a_repeat_as_news(index_of):
    ix = index_of(REPEATED)
    answer = ix.answer("what's the latest on the harbour tunnel ventilation inspection?", k=3)
    told = next(h for h in answer.hits if "ventilation shafts" in h.hit.text)
    assert told.hit.date == dt.date(2024, 5, 2)  # first told on 2 May, not news on 3 May
    assert [h.date for h in told.also] == [dt.date(2024, 5, 3)]


def test_different_facts_in_the_same_words_are_not_repeats(index_of):
    ix = index_of(
        {
            "2024-06-01-a.txt": "date 2024-06-01 The Philippines was willing to pay a spread of"
            " seven eighths of a point over the London interbank offered rate, bankers said.",
            "2024-06-02-b.txt": "date 2024-06-02 The Philippines was seeking a spread of five"
            " eighths of a point over the London interbank offered rate, bankers said.",
        }
    )
    hits = ix.search("Philippines spread London interbank rate", k=2)
    assert len(hits) == 2 and not repeats.same(hits[0], hits[1])
    answer = ix.answer("Philippines spread London interbank rate", k=3)
    assert len(answer.hits) == 2 and not any(h.also for h in answer.hits)
