"""The daily summary library: reading a day from a real index, choosing sentences, removing
repeats, grouping briefings that share a subject, and the digest for busy days."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from bothelpers import write
from rank_bm25 import BM25Okapi

from index.storage import browse, store
from index.storage.reindex import reindex
from index.summary import (
    DIGEST_OVER,
    BriefingText,
    _Corpus,
    count_late,
    day_briefings,
    late_briefings,
    sentence_scores,
    summarise,
    watermark,
)

DAY = dt.date(2024, 3, 19)

RAIL = (
    "Russia and Iran signed an agreement to finish the Rasht-Astara railway by 2028. "
    "The railway will link the Caspian port of Astara with the city of Rasht. "
    "Russia will lend 1.3 billion euros for the construction of the railway line. "
    "Officials said the first trains could run within four years."
)
RAIL_AGAIN = (
    "The Rasht-Astara railway agreement was signed in Tehran on Tuesday by both ministers. "
    "Russia will lend 1.3 billion euros for the construction of the railway line. "
    "Freight on the railway is expected to reach fifteen million tonnes a year."
)
RAIL_THIRD = (
    "Azerbaijan welcomed the agreement between Russia and Iran on the Rasht-Astara railway, "
    "a link in the North-South corridor. "
    "The railway would carry freight from Russia through Azerbaijan to Iran. "
    "Construction of the railway line is to start this summer."
)
WHEAT = (
    "Egypt bought 240,000 tonnes of wheat in a tender on Tuesday. "
    "Traders said prices were slightly lower than in the previous purchase. "
    "The grain is due to be shipped in April."
)
SHARES_A = "Acme said it has about 9.1 mln shares outstanding after the offer."
SHARES_B = "Bolt said it has about 9.2 mln shares outstanding after the offer."


def briefing(key: str, text: str, title: str | None = None) -> BriefingText:
    from index.files.sentences import sentences

    parts = tuple(sentences(text))
    return BriefingText(key, title or key, DAY, parts)


@pytest.fixture
def day_index(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    write(corpus, "rail.md", "2024-03-19", "Railway deal", RAIL)
    write(corpus, "rail-2.md", "2024-03-19", "Railway signed", RAIL_AGAIN)
    write(corpus, "wheat.md", "2024-03-18", "Egypt buys wheat", WHEAT)
    path = tmp_path / "index.db"
    assert not reindex(corpus, path).failed
    return path


def test_day_briefings_reads_that_day_with_its_sentences(day_index: Path) -> None:
    conn = store.connect(day_index)
    found = day_briefings(conn, DAY)
    assert [b.key for b in found] == ["rail-2.md", "rail.md"]
    rail = found[1]
    assert rail.title == "Railway deal"
    assert rail.date == DAY
    assert rail.sentences[0].startswith("Russia and Iran signed")
    assert len(rail.sentences) == 4
    assert day_briefings(conn, dt.date(2024, 3, 17)) == []


def test_a_day_without_briefings_finds_the_nearest_days_that_have_them(day_index: Path) -> None:
    conn = store.connect(day_index)
    assert browse.nearest_dates(conn, dt.date(2024, 3, 17)) == [dt.date(2024, 3, 18)]
    assert browse.nearest_dates(conn, dt.date(2024, 3, 18)) == [DAY]
    assert browse.nearest_dates(conn, dt.date(2026, 1, 1)) == [DAY]
    conn.execute("UPDATE documents SET date = '2024-03-21' WHERE path = 'rail-2.md'")
    assert browse.nearest_dates(conn, dt.date(2024, 3, 20)) == [DAY, dt.date(2024, 3, 21)]
    conn.execute("UPDATE documents SET date = NULL")
    assert browse.nearest_dates(conn, DAY) == []


def test_leads_are_each_briefings_opening_newest_first(day_index: Path) -> None:
    conn = store.connect(day_index)
    everything = browse.leads(conn, None, None, 10)
    assert [(h.title, h.ordinal) for h in everything] == [
        ("Railway deal", 0),
        ("Railway signed", 0),
        ("Egypt buys wheat", 0),
    ]
    assert [h.title for h in browse.leads(conn, None, None, 2, offset=1)] == [
        "Railway signed",
        "Egypt buys wheat",
    ]
    the_18th = dt.date(2024, 3, 18)
    assert [h.title for h in browse.leads(conn, the_18th, the_18th, 10)] == ["Egypt buys wheat"]
    assert browse.leads(conn, dt.date(2024, 3, 20), None, 10) == []


def test_late_briefings_are_dated_earlier_and_indexed_after_the_watermark(
    day_index: Path,
) -> None:
    conn = store.connect(day_index)
    seen = watermark(conn)
    assert seen is not None
    assert late_briefings(conn, DAY, seen) == []
    assert count_late(conn, DAY, seen) == 0
    # Never summarised: everything dated earlier is late.
    assert [b.key for b in late_briefings(conn, DAY, None)] == ["wheat.md"]
    # Reindexed after the watermark, it is late again.
    conn.execute("UPDATE documents SET indexed_at = '2999-01-01T00:00:00+00:00'")
    late = late_briefings(conn, DAY, seen)
    assert [b.key for b in late] == ["wheat.md"]  # the railway ones are dated that day
    assert late[0].date == dt.date(2024, 3, 18)
    assert count_late(conn, DAY, seen) == 1
    assert late_briefings(conn, dt.date(2024, 3, 18), seen) == []


def test_quotes_are_word_for_word_in_reading_order_and_name_their_briefing() -> None:
    day = [briefing("rail", RAIL), briefing("wheat", WHEAT)]
    summary = summarise(day, day=DAY)
    assert not summary.digest
    assert summary.briefings == 2
    for story in summary.stories:
        assert 2 <= len(story.quotes) <= 3
        positions = [story.briefing.sentences.index(q) for q in story.quotes]
        assert positions == sorted(positions)


def test_a_fact_is_not_quoted_twice_across_briefings() -> None:
    shared = "Russia will lend 1.3 billion euros for the construction of the railway line."
    summary = summarise([briefing("rail", RAIL), briefing("rail-2", RAIL_AGAIN)])
    quoted = [q for s in summary.stories for q in s.quotes]
    assert shared in quoted
    assert quoted.count(shared) == 1


def test_alike_sentences_with_different_numbers_are_both_quoted() -> None:
    a = BriefingText("a", "Acme", DAY, (SHARES_A,))
    b = BriefingText("b", "Bolt", DAY, (SHARES_B,))
    quoted = [q for s in summarise([a, b]).stories for q in s.quotes]
    assert sorted(quoted) == sorted([SHARES_A, SHARES_B])


def test_briefings_on_one_subject_are_grouped_and_named() -> None:
    day = [
        briefing("rail", RAIL),
        briefing("wheat", WHEAT),
        briefing("rail-2", RAIL_AGAIN),
        briefing("rail-3", RAIL_THIRD),
    ]
    summary = summarise(day, day=DAY)
    assert len(summary.shared) == 1
    group = summary.shared[0]
    keys = {group.lead.briefing.key, *(s.briefing.key for s in group.related)}
    assert keys == {"rail", "rail-2", "rail-3"}
    assert "railway" in group.subject
    assert {"Rasht", "Astara", "Russia"} & set(group.subject)  # names keep their capitals
    # The larger subject is the more central story; wheat stands alone after it.
    assert summary.groups[0] is group
    assert [g.lead.briefing.key for g in summary.groups[1:]] == ["wheat"]


def test_centrality_is_rank_bm25_both_ways() -> None:
    """Our per-term sums give what rank-bm25 gives scoring each sentence as a query."""
    day = [briefing("rail", RAIL), briefing("rail-2", RAIL_AGAIN), briefing("wheat", WHEAT)]
    corpus = _Corpus(day)
    model = BM25Okapi(corpus.terms)
    scores = np.vstack([model.get_scores(t) for t in corpus.terms])  # [query, document]
    owner = np.asarray(corpus.owner)
    same = owner[:, None] == owner[None, :]
    np.fill_diagonal(same, False)
    other = owner[:, None] != owner[None, :]
    both = scores + scores.T
    own, day_like = corpus.centrality()
    assert np.allclose(own, (both * same).sum(axis=1))
    assert np.allclose(day_like, (both * other).sum(axis=1))
    assert day_like.max() > 0


def test_lead_prior_breaks_ties_and_centrality_wins_over_it() -> None:
    # Two sentences alike in every way: the earlier one carries the briefing.
    twins = ["Gold prices rose on Tuesday.", "Gold prices rose on Tuesday."]
    scores = sentence_scores(twins)
    assert scores[0] > scores[1]
    # A first sentence about nothing else in the briefing loses to the central one.
    text = [
        "Weather was mild in the morning.",
        "The central bank raised interest rates to curb inflation.",
        "Interest rates at the central bank now stand at five percent.",
        "Higher interest rates should slow inflation, the central bank said.",
    ]
    scores = sentence_scores(text)
    assert max(range(4), key=scores.__getitem__) != 0


def test_no_briefings_is_an_empty_summary() -> None:
    summary = summarise([], day=DAY)
    assert summary.empty
    assert summary.groups == [] and summary.late == []
    assert summary.pages == 1


def test_late_additions_come_after_the_day() -> None:
    late = [BriefingText("old", "Old news", dt.date(2024, 3, 1), tuple(WHEAT.split(". ")))]
    summary = summarise([briefing("rail", RAIL)], late=late)
    assert [s.briefing.key for s in summary.stories] == ["rail"]
    assert [s.briefing.key for s in summary.late] == ["old"]
    assert summary.late[0].quotes
    only_late = summarise([], late=late)
    assert not only_late.empty and only_late.groups == []


TOPICS = [
    "Coffee growers in {place} expect a harvest {n} pct smaller after the drought.",
    "Copper smelters in {place} cut output by {n} pct as ore shipments were delayed by floods.",
    "The central bank of {place} left its discount rate at {n} pct at the weekly meeting.",
    "Striking dock workers in {place} blocked grain loading for {n} hours.",
    "Oil refiners in {place} raised gasoline prices by {n} cents a gallon.",
    "Airline pilots in {place} voted {n} to one to accept the new wage contract.",
]
PLACES = ["Brazil", "Chile", "Kenya", "Peru", "Ghana", "Norway", "Japan", "Spain", "India"]


def test_a_busy_day_becomes_a_paged_digest() -> None:
    day = []
    for n in range(DIGEST_OVER + 24):
        topic = TOPICS[n % len(TOPICS)]
        place = PLACES[n % len(PLACES)]
        text = topic.format(place=place, n=n + 2)
        day.append(briefing(f"item-{n:03d}", text, f"ITEM {n}"))
    summary = summarise(day, day=DAY, top=4)
    assert summary.digest
    assert summary.briefings == len(day)
    assert len(summary.page(0)) == 4
    assert summary.pages == -(-len(summary.groups) // 4)
    seen = [g for p in range(summary.pages) for g in summary.page(p)]
    assert seen == summary.groups
    assert summary.page(summary.pages) == []
    # Items on one topic group together: one story per topic.
    assert len(summary.groups) == len(TOPICS)
    for group in summary.groups:
        keys = [group.lead.briefing.key, *(s.briefing.key for s in group.related)]
        topics = {int(k.split("-")[1]) % len(TOPICS) for k in keys}
        assert len(topics) == 1


def test_briefing_with_stub_sentences_still_quotes_them_when_nothing_else() -> None:
    stub = BriefingText("stub", "Stub", DAY, ("More follows.",))
    summary = summarise([stub])
    assert summary.stories[0].quotes == ("More follows.",)
