"""Dates in questions, relative to the asking chat's today and to the briefings' own dates."""

from __future__ import annotations

import datetime as dt

import pytest

from index.questions.dates import DateRange, find, find_shift

D = dt.date
TODAY = D(2024, 3, 22)  # a Friday
BRIEFINGS = [D(2024, 3, 19)]
NEWSWIRE = [D(1987, 2, 26), D(1987, 3, 26)]  # Reuters-21578's first ten files


@pytest.mark.parametrize(
    ("question", "since", "until", "rest"),
    [
        ("what did Putin say on 19 March?", D(2024, 3, 19), D(2024, 3, 19), "what did Putin say ?"),
        ("Gaza in March 2024", D(2024, 3, 1), D(2024, 3, 31), "Gaza"),
        ("what happened yesterday", D(2024, 3, 21), D(2024, 3, 21), "what happened"),
        ("yesterday's news on Gaza", D(2024, 3, 21), D(2024, 3, 21), "news on Gaza"),
        ("railway last week", D(2024, 3, 11), D(2024, 3, 17), "railway"),
        ("railway this week", D(2024, 3, 18), D(2024, 3, 22), "railway"),
        ("since 2024-03-01 railway", D(2024, 3, 1), None, "railway"),
        ("railway since:2024-03-01 until:2024-03-19", D(2024, 3, 1), D(2024, 3, 19), "railway"),
        ("Gaza before April", None, D(2024, 3, 31), "Gaza"),
        ("Gaza after 18 March", D(2024, 3, 19), None, "Gaza"),
        ("talks from 1 to 15 March", D(2024, 3, 1), D(2024, 3, 15), "talks"),
        ("briefings from last week", D(2024, 3, 11), D(2024, 3, 17), "briefings"),
        ("Gaza from March 2024", D(2024, 3, 1), D(2024, 3, 31), "Gaza"),
        ("Gaza from 1 March onwards", D(2024, 3, 1), None, "Gaza"),
        ("between 1 March and 10 March", D(2024, 3, 1), D(2024, 3, 10), ""),
        ("what did Raeisi say on March 19th, 2024?", D(2024, 3, 19), D(2024, 3, 19), None),
        ("news last Monday", D(2024, 3, 18), D(2024, 3, 18), "news"),
        ("the last 3 days", D(2024, 3, 20), D(2024, 3, 22), ""),
        ("in 2023", D(2023, 1, 1), D(2023, 12, 31), ""),
        ("the railway in early March", D(2024, 3, 1), D(2024, 3, 10), "the railway"),
        ("mid-March talks", D(2024, 3, 11), D(2024, 3, 20), "talks"),
        ("Gaza in late February 2024", D(2024, 2, 21), D(2024, 2, 29), "Gaza"),
        ("the end of February", D(2024, 2, 21), D(2024, 2, 29), ""),
        ("what happened over the weekend", D(2024, 3, 16), D(2024, 3, 17), "what happened"),
        ("Gaza earlier this month", D(2024, 3, 1), D(2024, 3, 22), "Gaza"),
        ("talks in the first week of March", D(2024, 3, 1), D(2024, 3, 7), "talks"),
        ("the second half of February", D(2024, 2, 16), D(2024, 2, 29), ""),
        ("Gaza over the past fortnight", D(2024, 3, 9), D(2024, 3, 22), "Gaza over"),
        ("Gaza in recent days", D(2024, 3, 16), D(2024, 3, 22), "Gaza"),
        ("growth in the October-December quarter", D(2023, 10, 1), D(2023, 12, 31), None),
        ("exports in January-February", D(2024, 1, 1), D(2024, 2, 29), "exports"),
    ],
)
def test_dates_people_write(question, since, until, rest):
    found = find(question, TODAY, BRIEFINGS)
    assert (found.range.since, found.range.until) == (since, until)
    if rest is not None:
        assert found.rest == rest


@pytest.mark.parametrize(
    "question",
    [
        "What May happen next?",
        "plans for 2025",
        "the 77% growth",
        "a march on the capital",
        "early may be too soon",
        "the end of the weekend talks",
    ],
)
def test_words_that_only_look_like_dates(question):
    found = find(question, TODAY, BRIEFINGS)
    assert found.range is None and found.rest == question


def test_a_span_of_months_ending_before_it_starts_moves_a_leap_february_back_whole():
    """ "February-January" asked of briefings of February 2024: February is moved to the year
    before January's, whole, and its 29th day is no error."""
    found = find("in February-January", D(2024, 3, 5), [D(2024, 2, 1), D(2024, 2, 29)])
    assert (found.range.since, found.range.until) == (D(2023, 2, 1), D(2024, 1, 31))


def test_the_weekend_is_the_last_one_before_a_weekday_and_the_one_under_way_on_it():
    saturday, sunday, wednesday = D(2024, 3, 23), D(2024, 3, 24), D(2024, 3, 20)
    assert _days("over the weekend", wednesday) == (D(2024, 3, 16), D(2024, 3, 17))
    assert _days("over the weekend", saturday) == (saturday, saturday)  # not tomorrow
    assert _days("during the weekend", sunday) == (saturday, sunday)
    assert _days("last weekend", sunday) == (D(2024, 3, 16), D(2024, 3, 17))
    assert _days("this weekend", wednesday) == (saturday, sunday)  # ahead: none yet


def _days(question: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    found = find(question, today, BRIEFINGS)
    return found.range.since, found.range.until


def test_a_date_without_a_year_is_the_most_recent_the_briefings_cover():
    assert find("oil on March 20", D(2026, 11, 29), NEWSWIRE).range.since == D(1987, 3, 20)
    assert find("oil before April", D(2026, 11, 29), NEWSWIRE).range.until == D(1987, 3, 31)
    assert find("oil in March", D(2026, 11, 29), NEWSWIRE).range.since == D(1987, 3, 1)
    # nothing covered in May: not a future May, but the last one before today
    assert find("Gaza in May", TODAY, BRIEFINGS).range.since == D(2023, 5, 1)


def test_briefings_without_dates_keep_years_as_words():
    found = find("Who won Super Bowl 50 in 2016?", TODAY, [], natural=False)
    assert found.range is None
    assert find("Gaza since:2016-01-01", TODAY, [], natural=False).range.since == D(2016, 1, 1)


def test_the_range_in_words():
    assert DateRange(D(2024, 3, 19), D(2024, 3, 19)).describe() == "on 19 March 2024"
    assert DateRange(D(2024, 3, 11), D(2024, 3, 17), "last week").describe() == (
        "from 11 to 17 March 2024 (last week)"
    )
    assert DateRange(D(2024, 3, 1), D(2024, 3, 31), "in March").describe() == "in March 2024"
    assert DateRange(D(2023, 12, 28), D(2024, 1, 3)).describe() == (
        "from 28 December 2023 to 3 January 2024"
    )
    assert DateRange(D(2024, 3, 1), None).describe() == "since 1 March 2024"


def test_shifts_relative_to_the_previous_answer():
    day = DateRange(D(2024, 3, 19), D(2024, 3, 19))
    assert find_shift("what about the day before?").apply(day).since == D(2024, 3, 18)
    assert find_shift("and the next day?").apply(day).until == D(2024, 3, 20)
    week = find_shift("and the week before?").apply(day)
    assert (week.since, week.until) == (D(2024, 3, 12), D(2024, 3, 18))
    assert find_shift("what about Gaza?") is None
