"""When a question's date says something happened, which briefings are likely to report it.

"Signed on 29 September", "inflation in February", "earned in 1986": the briefing that answers
is dated after the period, by a day or two for an event, weeks for a month's figures, months
for a year's results. A question's dates therefore rank the briefings of the period and of a
window after it first (`window`); they remove none. The lags are per length of period, read
off the development sets' tuning halves (`bench/quality/questions.py --lags`): for each dated
question, how many days after its period its answering briefings are dated.

What someone said on a day or in a week is news at once: reported that day or the next, after
a weekend on the Monday (the tuning halves' speakers: 0, 2 and 2 days). For "what did X say
last week?", a briefing of the week after is X speaking later, not the report of that week's
words, so a speaker's day or week has a window of `SAID_LAG` days; a month's or a year's
keeps the period's lag ("what did X say about last year's emissions" asks about the figures),
unless the period is all the question asks about: "what did Soetrisno say in September?" is
his words that month, reported within days as any day's are (`spoke`).
"""

from __future__ import annotations

import datetime as dt

from .dates import DateRange

#: (longest period in days, how many days after it its reports may come), shortest first.
LAGS: tuple[tuple[int, int], ...] = ((1, 14), (7, 14), (31, 45), (92, 100), (366, 300))
#: Days after a day or a week in which what was said then is reported.
SAID_LAG = 3
#: The longest period (in days) whose speakers' words get `SAID_LAG`.
SAID_PERIOD = 7


def lag(rng: DateRange, said: bool = False, spoke: bool = False) -> int:
    """Days after the end of `rng` in which its events are still being reported; `said`, for
    what a speaker said then; `spoke`, for what a speaker said then and nothing else asked."""
    if rng.since is None or rng.until is None:
        return LAGS[-1][1]
    days = (rng.until - rng.since).days + 1
    if spoke or said and days <= SAID_PERIOD:
        return SAID_LAG
    for longest, after in LAGS:
        if days <= longest:
            return after
    return LAGS[-1][1]


def window(rng: DateRange, said: bool = False, spoke: bool = False) -> DateRange:
    """The briefing dates that may report what happened in `rng` (`said`: what a speaker said
    then; `spoke`: that, with no subject asked about): the period and a window after it."""
    until = rng.until + dt.timedelta(days=lag(rng, said, spoke)) if rng.until else None
    return DateRange(rng.since, until, rng.said)
