"""The figure a question asks for ("how many products", "how long", "what share") is evidence:
the passage and the sentence that say a figure of that kind come first, and nothing is
removed for lacking one."""

from __future__ import annotations

import pytest

from index.questions import figures
from index.questions.figures import asked, says
from index.questions.quote import choose


@pytest.mark.parametrize(
    ("question", "sentence", "said"),
    [
        ("how many products are traded?", "Traders have shipped 96 products so far.", True),
        ("how many products are traded?", "The scheme grew from seven to 30 countries.", False),
        ("how many fire hotspots were seen?", "Satellites saw more than 1,200 hotspots.", True),
        ("how long is the cable?", "The cable would run for about 700 kilometres.", True),
        ("how long is the cable?", "The cable will cost 2.3 billion euros.", False),
        ("how long did the talks take?", "The talks took 13 months.", True),
        ("what share does Latvia pay?", "Latvia pays 18 percent and Lithuania 22%.", True),
        ("how much did trade grow?", "Trade grew by 3.2 percent last year.", True),
        ("how much did trade grow?", "South Africa remained the largest trader.", False),
        ("how much did the airline lose?", "It lost 181.7 mln dlrs last year.", True),
        ("how much did it earn?", "Net profit was $45.6 million.", True),
        ("how much did it earn?", "Its load factor was 64.91 in 1986.", False),
        ("when was the pact signed?", "It was signed in Tallinn on 29 September.", True),
        ("when was the pact signed?", "It was signed in Tallinn after long talks.", False),
        # A measure named after "what is/was": its value is the figure asked for.
        ("what is the central bank's discount rate now?", "It stays at 2.5 pct.", True),
        ("what is the central bank's discount rate now?", "It met on Tuesday.", False),
        ("what was the group's turnover last year?", "It was 38 billion marks.", True),
        ("what was Saudi crude output in February?", "It was 3.5 mln barrels a day.", True),
        # "what number of", "the size of", "the value of", "the figure for".
        ("what number of products were traded?", "Traders have shipped 96 products.", True),
        ("what number of products were traded?", "It grew to 30 countries.", False),
        ("what is the size of the loan?", "The loan is 800 million euros.", True),
        ("what was the value of the deal?", "The deal was worth $2 billion.", True),
        ("what is the figure for storage?", "Storage stood at 97.8 percent.", True),
        ("what is the dividend of CRA?", "It will pay 10 cents a share.", True),
        ("what is the dividend of CRA?", "It deferred the decision to July.", False),
        ("what was the group's net income?", "Net income was 4.8 billion dlrs.", True),
        ("what is the government's stake in the bank?", "It holds 51 pct.", True),
        # The question's own numbers are not the answer.
        ("how full was storage past the 90% mark?", "Storage was over 90 percent full.", False),
        ("how full was storage past the 90% mark?", "Stocks reached 90.1 percent.", True),
    ],
)
def test_a_sentence_says_the_kind_of_figure_asked_for(question, sentence, said):
    figure = asked(question)
    assert figure is not None
    assert says(figure, sentence) is said


@pytest.mark.parametrize(
    "question",
    [
        "what did the minister say about the cable?",
        "who signed the pact?",
        "what did the minister say about the exchange rate?",
    ],
)
def test_a_question_that_asks_for_no_figure_reads_none(question):
    assert asked(question) is None


PRODUCTS = {
    "2024-03-18-scheme.txt": "date 2024-03-18 Products traded under the scheme, and products"
    " traded beside it, reached 30 countries in 2025, the secretariat said.\n\n"
    "Results So Far\n\nUnder the scheme, 96 products were traded in all. Tea led.",
}


def test_the_passage_and_sentence_with_the_figure_asked_for_come_first(index_of):
    answer = index_of(PRODUCTS).answer("how many products have been traded under the scheme?")
    assert answer.found
    assert "96 products" in answer.hits[0].quote_text


def test_the_quote_leads_with_the_sentence_that_says_the_figure():
    first = "Products traded under the scheme, and products traded beside it, reached 30 countries."
    second = "Border posts cleared 96 products."
    text = f"{first} {second}"
    spans = [(0, len(first)), (len(first) + 1, len(text))]
    terms = ["product", "trade", "scheme"]
    question = "how many products have been traded under the scheme?"
    quote = choose(text, spans, terms, max_sentences=1, figure=asked(question))
    assert quote.text(text) == second
    assert choose(text, spans, terms, max_sentences=1).text(text) == first


def test_every_measure_named_after_what_is_reads_as_a_kind_of_figure():
    """ "What was the group's turnover" finds "turnover" and looks up its kind: each measure
    the pattern names is one the table holds."""
    assert set(figures._MEASURES) <= set(figures._BY_WHAT)


def test_a_sentence_that_says_a_figure_is_not_given():
    for text in (
        "The bank did not disclose the interest rate.",
        "Terms were not disclosed.",
        "The rate would be set by the finance ministry.",
        "A ceiling on emissions is to be set within a year.",
        "The price has not yet been decided.",
    ):
        assert figures.withheld(text), text
    for text in ("The rate is 3.1 percent.", "He said it would be a success."):
        assert not figures.withheld(text), text
