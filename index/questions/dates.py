"""Dates in questions: "on 19 March", "March 2024", "yesterday", "last week", "since
2024-03-01", "before April", `since:` and `until:`, turned into a range of briefing dates.

"Today" comes in as an argument, already in the asking chat's time zone: this module reads no
clock. A date without a year means the most recent such date that the briefings cover (a
corpus of 1987 newswire asked about "March 20" means 20 March 1987), so the year is chosen
by the corpus's own dates, not by today's. A bare month or year counts as a date only after a
word such as "in", "on", "since" or "before", since "May" and "2024" are often just words.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
_NUMBERS = {
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}

_M = r"(?P<{}>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_D = r"(?P<{}>[0-3]?\d)(?:st|nd|rd|th)?"
_Y = r"(?P<{}>(?:1[6-9]|20)\d\d)"
_N = r"(?P<{}>\d{{1,3}}|" + "|".join(_NUMBERS) + ")"


def _f(pattern: str, *names: str) -> str:
    return pattern.format(*names)


# One date, a month, a year or a span of days, each an alternative with named groups.
_ATOMS = [
    ("iso", r"(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})\b"),
    ("isomonth", r"(?P<jy>\d{4})-(?P<jm>\d{2})\b(?!-)"),
    (
        "dayspan",
        _f(_D, "s1")
        + r"\s*(?:-|–|to|until|till)\s*"
        + _f(_D, "s2")
        + r"(?:\s+of)?\s+"
        + _f(_M, "sm")
        + r"(?:,?\s+"
        + _f(_Y, "sy")
        + r")?\b",
    ),
    (
        "daymonth",
        _f(_D, "dd") + r"(?:\s+of)?\s+" + _f(_M, "dm") + r"(?:,?\s+" + _f(_Y, "dy") + r")?\b",
    ),
    (
        "monthday",
        _f(_M, "md") + r"\s+" + _f(_D, "mdd") + r"\b(?!:)(?:,?\s+" + _f(_Y, "mdy") + r"\b)?",
    ),
    ("monthyear", _f(_M, "my") + r",?\s+" + _f(_Y, "myy") + r"\b"),
    (
        "monthpart",
        r"(?P<pp>early|mid|late|(?:the\s+)?(?:start|beginning|middle|end"
        r"|(?:first|second|third|fourth|last)\s+(?:week|half))\s+of)[\s-]+"
        + _f(_M, "pm")
        + r"(?:,?\s+"
        + _f(_Y, "py")
        + r")?\b",
    ),
    ("dayword", r"(?P<dw>today|tonight|this morning|the day before yesterday|yesterday)\b"),
    ("weekend", r"(?:over\s+)?(?P<wk>this|last|past|the)\s+weekend\b"),
    ("recent", r"(?:the\s+)?(?P<rc>past\s+fortnight|last\s+fortnight|recent\s+days)\b"),
    (
        "period",
        r"(?:(?:earlier|later)\s+)?(?P<pw>this|last|past|previous)\s+(?P<pu>week|month|year)\b",
    ),
    (
        "lastn",
        r"(?:the\s+)?(?:last|past|previous)\s+"
        + _f(_N, "ln")
        + r"\s+(?P<lu>days?|weeks?|months?)\b",
    ),
    ("ago", _f(_N, "an") + r"\s+(?P<au>days?|weeks?)\s+ago\b"),
    ("weekday", r"(?:(?P<wl>last|this)\s+)?(?P<wd>" + "|".join(_WEEKDAYS) + r")\b"),
    ("month", _f(_M, "mo") + r"\b"),
    ("year", _f(_Y, "yr") + r"\b"),
]
#: The groups of a day-and-month atom's month, day and year, for each order of writing it.
_DAY_AND_MONTH = {"daymonth": ("dm", "dd", "dy"), "monthday": ("md", "mdd", "mdy")}
_ATOM = "|".join(f"(?P<{name}>{pattern})" for name, pattern in _ATOMS)
#: Prepositions that make a date one end of a range, which may lie ahead ("before April").
#: "From 1 March on": from then on, where "briefings from last week" keeps to the week.
_ONWARDS = re.compile(r"\s+(?:on|onwards?|forwards?)\b", re.IGNORECASE)
_BOUNDARIES = {"since", "from", "after", "before", "until", "till", "up", "through"}
#: Atoms that need a preposition before them to count as a date.
_NEEDS_PREPOSITION = {"month", "year", "weekday"}
#: Atoms that name a month, which "October-December" and "March to May" join into a span.
_MONTHS_ATOMS = {"month", "monthyear", "isomonth"}
#: "The weekend" without "over", "on" or "during" before it is often a word of a name.
_BARE_WEEKEND = re.compile(r"the\s", re.IGNORECASE)

_PREPOSITION = r"(?P<prep>since|from|after|before|until|till|up\s+to|through|on|in|during|between)"
_PHRASE = re.compile(
    r"(?<![\w-])(?:"
    + _PREPOSITION
    + r"\s+(?:the\s+)?)?(?P<a>"
    + _ATOM.replace("(?P<", "(?P<a_")
    + r")(?:(?:\s+(?P<joint>and|to|until|till|through|-|–)\s+|(?P<dash>[-–]))(?P<b>"
    + _ATOM.replace("(?P<", "(?P<b_")
    + r"))?",
    re.IGNORECASE,
)
_EXPLICIT = re.compile(
    r"(?<![\w-])(?P<key>since|until|before|after|on|from|to):\s*(?P<value>\S+)", re.IGNORECASE
)
_SHIFT = re.compile(
    r"(?:the|a|an|one|(?P<n>\d{1,2}|" + "|".join(_NUMBERS) + r"))\s+(?P<unit>day|week|month)s?"
    r"\s+(?P<dir>before|earlier|after|later)\b"
    r"|(?:the\s+)?(?P<dir2>previous|next|following)\s+(?P<unit2>day|week|month)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class DateRange:
    """Inclusive briefing dates a question asks about; `said` is how the question put it."""

    since: dt.date | None
    until: dt.date | None
    said: str = ""

    def describe(self) -> str:
        """The range in words, as a reply states it: "from 11 to 17 March 2024"."""
        s, u = self.since, self.until
        if s and u:
            if s == u:
                text = f"on {in_words(s)}"
            elif s.year == u.year and s.month == u.month:
                first, last = calendar.monthrange(s.year, s.month)
                if s.day == 1 and u.day == last:
                    text = f"in {s:%B} {s.year}"
                else:
                    text = f"from {s.day} to {in_words(u)}"
            elif s.year == u.year:
                if (s.month, s.day, u.month, u.day) == (1, 1, 12, 31):
                    text = f"in {s.year}"
                else:
                    text = f"from {s.day} {s:%B} to {in_words(u)}"
            else:
                text = f"from {in_words(s)} to {in_words(u)}"
        elif s:
            text = f"since {in_words(s)}"
        elif u:
            text = f"until {in_words(u)}"
        else:
            text = "at any date"
        words = re.findall(r"[a-z]+", self.said.lower())
        relative = bool(words) and not any(c.isdigit() for c in self.said)
        relative = relative and not any(w in _MONTHS for w in words)
        return f"{text} ({self.said})" if relative else text

    def contains(self, day: dt.date) -> bool:
        return (self.since is None or self.since <= day) and (
            self.until is None or day <= self.until
        )

    def overlaps(self, first: dt.date, last: dt.date) -> bool:
        return (self.since is None or self.since <= last) and (
            self.until is None or first <= self.until
        )

    def to_json(self) -> dict:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "said": self.said,
        }

    @classmethod
    def from_json(cls, data: dict) -> DateRange:
        return cls(
            dt.date.fromisoformat(data["since"]) if data.get("since") else None,
            dt.date.fromisoformat(data["until"]) if data.get("until") else None,
            data.get("said", ""),
        )


def in_words(d: dt.date) -> str:
    """A date as every reply of `index` writes it: "19 March 2024" (no weekday, no leading
    zero, the month named, as a briefing writes a date), so that a date range, a note on the
    briefings' span and the nearest dates all read alike."""
    return f"{d.day} {d:%B} {d.year}"


@dataclass(frozen=True, slots=True)
class Found:
    """The dates a question gave, and the question with those words taken out."""

    range: DateRange | None
    rest: str
    spans: list[tuple[int, int]]


# A yearless atom is a function of the year; everything else is fixed.
_Resolver = Callable[[int], tuple[dt.date, dt.date]]


def find(text: str, today: dt.date, covered: Sequence[dt.date] = (), natural: bool = True) -> Found:
    """The briefing dates `text` asks about, relative to `today` and, for dates without a
    year, to the dates the briefings cover (`covered`, sorted). With `natural` off only the
    explicit `since:` and `until:` count (for briefings that carry no dates, where "in 2016"
    is part of what is asked, not when)."""
    span = (covered[0], covered[-1]) if covered else None
    since: dt.date | None = None
    until: dt.date | None = None
    said: list[str] = []
    spans: list[tuple[int, int]] = []

    def bound(lo: dt.date | None, hi: dt.date | None) -> None:
        nonlocal since, until
        if lo is not None:
            since = lo if since is None else max(since, lo)
        if hi is not None:
            until = hi if until is None else min(until, hi)

    for m in _EXPLICIT.finditer(text):
        value = _single(m.group("value").rstrip("?.,;"), today, span)  # a boundary
        if value is None:
            continue
        key = m.group("key").lower()
        lo, hi = value
        if key in ("since", "from"):
            bound(lo, None)
        elif key == "after":
            bound(hi + dt.timedelta(days=1), None)
        elif key in ("until", "to"):
            bound(None, hi)
        elif key == "before":
            bound(None, lo - dt.timedelta(days=1))
        else:
            bound(lo, hi)
        said.append(m.group())
        spans.append(m.span())

    for m in _PHRASE.finditer(text) if natural else ():
        if any(s < m.end() and m.start() < e for s, e in spans):
            continue
        prep = (m.group("prep") or "").lower().split()[0] if m.group("prep") else ""
        boundary = prep in _BOUNDARIES
        a = _resolve(m, "a_", today, span, boundary)
        if a is None:
            continue
        kind = _atom_kind(m, "a_")
        if kind in _NEEDS_PREPOSITION and not prep and not m.group("a_wl"):
            continue
        if kind == "weekend" and _BARE_WEEKEND.match(m.group("a")) and not prep:
            continue  # "the weekend talks"; "over the weekend", "during the weekend" are dates
        b = _resolve(m, "b_", today, span, boundary) if m.group("b") else None
        joint = (m.group("joint") or m.group("dash") or "").lower()
        months = kind in _MONTHS_ATOMS and _atom_kind(m, "b_") in _MONTHS_ATOMS
        if months and b is not None and b[1] < a[0]:  # "October-December": one year's, the
            a = _month(b[0].year, a[0].month)  # latest (a whole month: no 29 February to move)
            if b[1] < a[0]:
                a = _month(b[0].year - 1, a[0].month)
        if b is not None and (
            (prep == "between" and joint == "and")
            or (prep == "from" and joint != "and")
            or (months and joint in ("-", "–", "to", "through"))  # the October-December quarter
        ):
            bound(a[0], b[1])
            end = m.end()
        elif kind == "dayspan" and prep in ("from", "between", "on", "in", "during", ""):
            bound(a[0], a[1])
            end = m.end("a")
        else:
            end = m.end("a")
            if prep == "between":
                continue
            onwards = prep == "from" and _ONWARDS.match(text, end)
            if prep == "from" and not onwards:  # "news from Tuesday", "briefings from last
                bound(a[0], a[1])  # week": that day, that week
            elif prep in ("since", "from"):
                bound(a[0], None)
                end = onwards.end() if onwards else end
            elif prep == "after":
                bound(a[1] + dt.timedelta(days=1), None)
            elif prep == "before":
                bound(None, a[0] - dt.timedelta(days=1))
            elif prep in ("until", "till", "up", "through", "by"):
                bound(None, a[1])
            else:
                bound(a[0], a[1])
        said.append(text[m.start() : end])
        spans.append((m.start(), end))

    if not spans:
        return Found(None, text, [])
    rest = text
    for s, e in sorted(spans, reverse=True):
        tail = rest[e:]
        if tail[:2] in ("'s", "’s"):  # "yesterday's news"
            tail = tail[2:]
        rest = rest[:s] + " " + tail
    phrase = " and ".join(s.strip() for s in said)
    return Found(DateRange(since, until, phrase), " ".join(rest.split()), sorted(spans))


def explicit(text: str) -> bool:
    """Whether `text` names its dates with `since:`, `until:` and the like: a filter."""
    return _EXPLICIT.search(text) is not None


def month_names(month: int) -> tuple[str, ...]:
    """The ways a month is written, lower case: ("february", "feb")."""
    return tuple(name for name, i in _MONTHS.items() if i == month)


def one_month(rng: DateRange) -> int | None:
    """The month `rng` covers when it is exactly one calendar month ("in February")."""
    s, u = rng.since, rng.until
    if s is None or u is None or s.day != 1 or (s.year, s.month) != (u.year, u.month):
        return None
    return s.month if u.day == calendar.monthrange(u.year, u.month)[1] else None


def is_month(word: str) -> bool:
    """Whether `word` (lower case) names a month: "february", "feb"."""
    return word in _MONTHS


def _single(value: str, today: dt.date, span) -> tuple[dt.date, dt.date] | None:
    """One atom written after `since:` and the like, e.g. `2024-03-01` or `yesterday`."""
    m = re.fullmatch(_ATOM.replace("(?P<", "(?P<a_"), value.replace("_", " "), re.IGNORECASE)
    if m is None:
        return None
    return _resolve(m, "a_", today, span, True)


def _atom_kind(m: re.Match, prefix: str) -> str | None:
    for name, _ in _ATOMS:
        if m.group(prefix + name):
            return name
    return None


def _resolve(m: re.Match, p: str, today: dt.date, span, boundary: bool):
    """The first and last day an atom names; `boundary` when it bounds a range ("before
    April"), which may lie ahead of today, unlike a date asked about ("in May")."""
    kind = _atom_kind(m, p)
    g = m.group

    def month_of(group: str) -> int | None:
        word = g(p + group)
        if word.lower() == "may" and not word[0].isupper():
            return None  # "may" the verb
        return _MONTHS[word.lower().rstrip(".")]

    try:
        if kind == "iso":
            d = dt.date(int(g(p + "iy")), int(g(p + "im")), int(g(p + "id")))
            return d, d
        if kind == "isomonth":
            return _month(int(g(p + "jy")), int(g(p + "jm")))
        if kind == "dayspan":
            month = month_of("sm")
            if month is None:
                return None
            d1, d2 = int(g(p + "s1")), int(g(p + "s2"))
            return _with_year(
                g(p + "sy"),
                lambda y: (dt.date(y, month, d1), dt.date(y, month, d2)),
                today,
                span,
                boundary,
            )
        if kind in _DAY_AND_MONTH:  # "5 March" or "March 5": the same date, groups apart
            month_group, day_group, year_group = _DAY_AND_MONTH[kind]
            month, day = month_of(month_group), int(g(p + day_group))
            if month is None:
                return None
            return _with_year(
                g(p + year_group), lambda y: (dt.date(y, month, day),) * 2, today, span, boundary
            )
        if kind == "monthyear":
            month = month_of("my")
            return None if month is None else _month(int(g(p + "myy")), month)
        if kind == "month":
            month = month_of("mo")
            if month is None:
                return None
            return _with_year(None, lambda y: _month(y, month), today, span, boundary)
        if kind == "year":
            y = int(g(p + "yr"))
            return dt.date(y, 1, 1), dt.date(y, 12, 31)
        if kind == "monthpart":
            month = month_of("pm")
            if month is None:
                return None
            words = g(p + "pp").lower().split()
            part = " ".join(w for w in words if w not in ("the", "of"))
            first, last = _PARTS[part]
            return _with_year(
                g(p + "py"),
                lambda y: (
                    dt.date(y, month, first),
                    dt.date(y, month, min(last, calendar.monthrange(y, month)[1])),
                ),
                today,
                span,
                boundary,
            )
        if kind == "recent":
            days = 6 if g(p + "rc").lower().startswith("recent") else 13
            return today - dt.timedelta(days=days), today
        if kind == "weekend":
            which = g(p + "wk").lower()
            saturday = today - dt.timedelta(days=(today.weekday() - 5) % 7)
            if which in ("last", "past") and today.weekday() >= 5:
                saturday -= dt.timedelta(days=7)  # "last weekend" on a Sunday: the one before
            elif which == "this" and today.weekday() < 5:
                saturday += dt.timedelta(days=7)  # "this weekend" on a Wednesday: the next
            sunday = saturday + dt.timedelta(days=1)
            return saturday, sunday if saturday > today else min(sunday, today)
        if kind == "dayword":
            word = " ".join(g(p + "dw").lower().split())
            back = {"yesterday": 1, "the day before yesterday": 2}.get(word, 0)
            d = today - dt.timedelta(days=back)
            return d, d
        if kind == "period":
            which, unit = g(p + "pw").lower(), g(p + "pu").lower()
            back = 0 if which == "this" else 1
            if unit == "week":
                monday = today - dt.timedelta(days=today.weekday() + 7 * back)
                end = monday + dt.timedelta(days=6)
                return monday, min(end, today) if back == 0 else end
            if unit == "month":
                y, mo = today.year, today.month - back
                if mo == 0:
                    y, mo = y - 1, 12
                first, last = _month(y, mo)
                return first, min(last, today) if back == 0 else last
            y = today.year - back
            return dt.date(y, 1, 1), dt.date(y, 12, 31) if back else today
        if kind in ("lastn", "ago"):
            n = _number(g(p + "ln") or g(p + "an"))
            unit = (g(p + "lu") or g(p + "au")).lower().rstrip("s")
            days = n * {"day": 1, "week": 7, "month": 30}[unit]
            if kind == "ago":
                d = today - dt.timedelta(days=days)
                return (d, d) if unit == "day" else (d - dt.timedelta(days=6), d)
            return today - dt.timedelta(days=days - 1), today
        if kind == "weekday":
            target = _WEEKDAYS[g(p + "wd").lower()]
            back = (today.weekday() - target) % 7
            if back == 0 and (g(p + "wl") or "").lower() == "last":
                back = 7
            d = today - dt.timedelta(days=back)
            return d, d
    except ValueError:  # 31 February and the like: not a date
        return None
    return None


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word.lower()]


#: The days of a month that "early", "mid" and "late" (and "the start/middle/end of") name.
_PARTS = {
    "early": (1, 10),
    "start": (1, 10),
    "beginning": (1, 10),
    "mid": (11, 20),
    "middle": (11, 20),
    "late": (21, 31),
    "end": (21, 31),
    "first week": (1, 7),
    "second week": (8, 14),
    "third week": (15, 21),
    "fourth week": (22, 28),
    "last week": (25, 31),
    "first half": (1, 15),
    "second half": (16, 31),
}


def _month(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _with_year(
    year: str | None, make, today: dt.date, span, boundary: bool = False
) -> tuple[dt.date, dt.date] | None:
    """A date the question may give without its year: with no year, the most recent one the
    briefings cover, else the one nearest to what they cover, else the last before today."""
    if year:
        return make(int(year))
    options = []
    if span is not None:
        first, last = span
        latest = max(last, today)
        for y in range(last.year + 1, first.year - 2, -1):
            try:
                lo, hi = make(y)
            except ValueError:  # 29 February
                continue
            if lo > latest and not boundary:
                continue  # not yet: "in May" asked in March means last May
            gap = (
                0
                if lo <= last and first <= hi
                else min(abs((lo - last).days), abs((first - hi).days))
            )
            options.append((gap, -y, (lo, hi)))
        if options:
            return min(options)[2]
    for y in range(today.year, today.year - 5, -1):
        try:
            lo, hi = make(y)
        except ValueError:
            continue
        if lo <= today:
            return lo, hi
    return None


@dataclass(frozen=True, slots=True)
class Shift:
    """A move relative to the previous answer's dates: "the day before", "the next week"."""

    unit: str  # day, week or month
    steps: int  # negative: earlier
    start: int
    end: int

    def apply(self, previous: DateRange) -> DateRange:
        since, until = previous.since or previous.until, previous.until or previous.since
        if since is None or until is None:
            return previous
        said = f"{'the ' if abs(self.steps) == 1 else ''}{self._said()}"
        if self.unit == "day":
            if self.steps < 0:
                d = since + dt.timedelta(days=self.steps)
            else:
                d = until + dt.timedelta(days=self.steps)
            return DateRange(d, d, said)
        if self.unit == "week":
            if self.steps < 0:
                end = since - dt.timedelta(days=1 + 7 * (-self.steps - 1))
                return DateRange(end - dt.timedelta(days=6), end, said)
            start = until + dt.timedelta(days=1 + 7 * (self.steps - 1))
            return DateRange(start, start + dt.timedelta(days=6), said)
        anchor = since if self.steps < 0 else until
        y, mo = anchor.year, anchor.month + self.steps
        y, mo = y + (mo - 1) // 12, (mo - 1) % 12 + 1
        lo, hi = _month(y, mo)
        return DateRange(lo, hi, said)

    def _said(self) -> str:
        n = abs(self.steps)
        unit = self.unit if n == 1 else f"{n} {self.unit}s"
        return f"{unit} {'before' if self.steps < 0 else 'after'}"


def find_shift(text: str) -> Shift | None:
    """A date relative to the previous answer's: "the day before", "a week later"."""
    m = _SHIFT.search(text)
    if m is None:
        return None
    if m.group("unit"):
        n = _number(m.group("n")) if m.group("n") else 1
        unit, direction = m.group("unit").lower(), m.group("dir").lower()
        steps = -n if direction in ("before", "earlier") else n
    else:
        unit, direction = m.group("unit2").lower(), m.group("dir2").lower()
        steps = -1 if direction == "previous" else 1
    return Shift(unit, steps, m.start(), m.end())
