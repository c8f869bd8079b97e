"""A question word that news writes otherwise ("earn" for "net profit", "inflation" for
"consumer prices") also finds the passages that use the other word, as evidence."""

from __future__ import annotations

from index.questions.related import related_terms

BRIEFINGS = {
    "2024-03-17-plant.txt": "date 2024-03-17 Acme Corp opened a plant in Ohio last year, and"
    " Acme said the plant would hire 200 workers.",
    "2024-03-18-results.txt": "date 2024-03-18 Acme Corp said net profit last year was a fifth"
    " higher.",
    "2024-03-19-bank.txt": "date 2024-03-19 The central bank raised reserve requirements in"
    " February, after a February of strong lending.",
    "2024-03-20-prices.txt": "date 2024-03-20 Consumer prices rose 0.4 pct in February.",
}


def test_related_words_stand_for_each_other():
    assert "profit" in related_terms("earn")
    assert "earn" in related_terms("profit")
    assert "consum" in related_terms("inflat")
    assert related_terms("railway") == ()


def test_earn_finds_net_profit_and_inflation_finds_consumer_prices(index_of):
    ix = index_of(BRIEFINGS)
    earned = ix.answer("what did Acme earn last year?")
    assert earned.found and earned.hits[0].hit.document == "2024-03-18-results.txt"
    inflation = ix.answer("what was inflation in February?")
    assert inflation.found and inflation.hits[0].hit.document == "2024-03-20-prices.txt"
