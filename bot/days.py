"""Days as the bot reads and writes them: what day it is where its users are, and how a date
is written in a reply. In one place, so that "yesterday" in a question, the day a summary
covers and the date under a quote agree in Telegram and in the console alike.

It loads nothing of Telegram's, so the command line uses it without loading the bot. (The
index writes the dates of its own notes, "in March 2024", in `index.questions`.)
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from index import date_in_words


def today(timezone: str, now: dt.datetime | None = None) -> dt.date:
    """The date it is in `timezone` (an IANA name; UTC when it names none) at the instant
    `now`, this moment when not given: the day "yesterday" and "this week" count from, and the
    day a summary covers."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    return (now or dt.datetime.now(dt.UTC)).astimezone(zone).date()


def day_text(date: dt.date | None) -> str:
    """A date as a person reads it: "19 March 2024" ("undated" for none), as `index` writes
    dates in what it says (`index.date_in_words`), so that a reply reads alike throughout."""
    return date_in_words(date) if date else "undated"


def day_name(day: dt.date) -> str:
    """A day with its weekday, as a summary names the day it covers: "Tuesday 19 March 2024"."""
    return f"{day:%A} {day_text(day)}"


def short_day(day: dt.date) -> str:
    """A day where there is little room, on a button: "19 Mar"."""
    return f"{day.day} {day:%b}"


def iso_day(date: dt.date | None) -> str:
    """A date in a list to scan or copy (the console, /sources): "2024-03-19", or "undated"."""
    return date.isoformat() if date else "undated"
