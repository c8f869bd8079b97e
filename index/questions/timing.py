"""When a question's date says something happened, which briefings are likely to report it.

"Signed on 29 September", "inflation in February", "earned in 1986": the briefing that answers
is dated after the period, by a day or two for an event, weeks for a month's figures, months
for a year's results. A question's dates therefore rank the briefings of the period and of a
window after it first (`window`); they remove none. The lags are per length of period, read
off the development sets' tuning halves (`bench/quality/questions.py --lags`): for each dated
question, how many days after its period its answering briefings are dated.
"""

from __future__ import annotations

import datetime as dt

from .dates import DateRange

#: (longest period in days, how many days after it its reports may come), shortest first.
LAGS: tuple[tuple[int, int], ...] = ((1, 14), (7, 14), (31, 45), (92, 100), (366, 300))


def lag(rng: DateRange) -> int:
    """Days after the end of `rng` in which its events are still being reported."""
    if rng.since is None or rng.until is None:
        return LAGS[-1][1]
    days = (rng.until - rng.since).days + 1
    for longest, after in LAGS:
        if days <= longest:
            return after
    return LAGS[-1][1]


def window(rng: DateRange) -> DateRange:
    """The briefing dates that may report what happened in `rng`: the period and a window
    after it."""
    until = rng.until + dt.timedelta(days=lag(rng)) if rng.until else None
    return DateRange(rng.since, until, rng.said)
