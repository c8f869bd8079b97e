"""Daily summaries as Telegram HTML, built from `bot.render`'s runs so every dynamic string is
escaped and no message passes 4,096 characters.

Each briefing is one block (title, date, its quotes in a blockquote), and messages are cut only
between blocks. A digest shows one page of stories; the "More" button under its last message
carries `dly:YYYYMMDD:PAGE` (17 bytes at most, well under Telegram's 64).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from index import Group, Story, Summary

from .days import day_name, iso_day
from .render import EXPANDABLE_OVER, LIMIT, Block, Run, pack

#: A quote is cut at a word (and marked "…") past this many characters; one sentence of a
#: wire table can run to thousands.
QUOTE_CHARS = 700
#: Characters of quotes under one digest story, so that a page of ten stays short.
DIGEST_QUOTE_CHARS = 450
#: Characters of the one quote under a late addition.
LATE_QUOTE_CHARS = 250
#: Related briefings named under a digest story; the rest are counted.
RELATED_SHOWN = 4
#: Late additions listed; the rest are counted.
LATE_SHOWN = 10
CALLBACK = "dly"


def nothing_new(day: dt.date) -> str:
    return f"No new briefings for {day_name(day)}."


def no_briefings(day: dt.date, nearest: Sequence[dt.date], command: str = "/summary") -> str:
    """What to say when `day` has no briefings: the nearest days that have, each as the
    `command` that sums it up (a command is a link in Telegram)."""
    text = f"No briefings are dated {day_name(day)}."
    if not nearest:
        return text
    days = " and ".join(day_name(d) for d in nearest)
    commands = " or ".join(f"{command} {d.isoformat()}" for d in nearest)
    return f"{text} The nearest are dated {days}: {commands}."


def _cut(text: str, limit: int = QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "…"


def _quote_runs(story: Story, budget: int | None = None) -> Block:
    """The story's quotes, word for word, in one blockquote: a space between sentences that
    follow each other in the briefing, " … " where sentences were skipped. With a `budget`
    (characters), the quotes that fit in it, the first one cut short if it alone does not."""
    quotes = list(zip(story.quotes, story.positions or range(len(story.quotes)), strict=False))
    texts, positions, used = [], [], 0
    for quote, position in quotes:
        text = _cut(quote)
        if budget is not None and texts and used + len(text) > budget:
            break
        if budget is not None and not texts:
            text = _cut(text, budget)
        texts.append(text)
        positions.append(position)
        used += len(text)
    if not texts:
        return []
    tag = "blockquote expandable" if used > EXPANDABLE_OVER else "blockquote"
    runs: Block = [Run("\n")]
    previous = None
    for text, position in zip(texts, positions, strict=True):
        if previous is not None:
            runs.append(Run(" " if position == previous + 1 else " … ", (tag,)))
        runs.append(Run(text, (tag,)))
        previous = position
    return runs


def _heading(story: Story, extra: str = "") -> Block:
    briefing = story.briefing
    date = iso_day(briefing.date)
    runs: Block = [Run(_cut(briefing.title, 200), ("b",)), Run(" · "), Run(date, ("i",))]
    if extra:
        runs.append(Run(f" · {extra}", ("i",)))
    return runs


def story_block(story: Story) -> Block:
    return [*_heading(story), *_quote_runs(story)]


def _titles(stories: Sequence[Story], shown: int, besides: str = "") -> list[str]:
    """Distinct titles (wire services repeat items), other than `besides`, the first `shown`."""
    seen: dict[str, None] = {}
    for s in stories:
        title = " ".join(s.briefing.title.split())
        if title != besides:
            seen.setdefault(title, None)
    return list(seen)[:shown]


def _subject_line(group: Group) -> Block:
    stories = [group.lead, *group.related]
    words = f" ({', '.join(group.subject)})" if group.subject else ""
    titles = _titles(stories, RELATED_SHOWN + 1)
    more = len(stories) - len(titles)
    runs: Block = [Run(f"{len(stories)} briefings share a subject{words}: ", ("i",))]
    for i, title in enumerate(titles):
        if i:
            runs.append(Run("; "))
        runs.append(Run(_cut(title, 120), ("b",)))
    runs.append(Run(f"; and {more} more." if more > 0 else "."))
    return runs


def digest_block(group: Group) -> Block:
    related = len(group.related)
    extra = f"and {related} related" if related else ""
    runs = [*_heading(group.lead, extra), *_quote_runs(group.lead, DIGEST_QUOTE_CHARS)]
    if related:
        lead_title = " ".join(group.lead.briefing.title.split())
        titles = _titles(group.related, RELATED_SHOWN, besides=lead_title)
        if not titles:
            times = "once more" if related == 1 else f"{related} more times"
            return [*runs, Run("\n"), Run(f"The same story came {times}.", ("i",))]
        runs += [Run("\n"), Run("Related: ", ("i",)), Run("; ".join(_cut(t, 120) for t in titles))]
        rest = related - len(titles)
        if rest > 0:
            runs.append(Run(f"; and {rest} more"))
    return runs


def _late_blocks(summary: Summary) -> list[Block]:
    if not summary.late:
        return []
    blocks: list[Block] = [
        [Run("Late additions", ("b",)), Run(" (dated earlier, new since the last summary)", ("i",))]
    ]
    for story in summary.late[:LATE_SHOWN]:
        blocks.append([*_heading(story), *_quote_runs(story, LATE_QUOTE_CHARS)])
    rest = len(summary.late) - LATE_SHOWN
    if rest > 0:
        blocks.append([Run(f"And {rest} more late additions.", ("i",))])
    return blocks


def summary_messages(
    summary: Summary, page: int = 0, late_total: int | None = None, limit: int = LIMIT
) -> list[str]:
    """A summary (or one page of a digest) as messages of at most `limit` characters, each
    cut between briefings. Empty when there is nothing to say."""
    return pack(summary_blocks(summary, page, late_total), limit)


def summary_blocks(summary: Summary, page: int = 0, late_total: int | None = None) -> list[Block]:
    """What `summary_messages` says, one block per briefing or story, before it is cut into
    messages: the console prints the same blocks as plain text."""
    if summary.empty:
        return []
    blocks: list[Block] = []
    day = day_name(summary.day) if summary.day else "the day"
    if summary.digest:
        groups = summary.page(page)
        if page == 0:
            header = (
                f"Briefings of {day}: {summary.briefings}, in {len(summary.groups)} stories."
                f" The {len(groups)} most central:"
            )
        else:
            first = page * summary.top + 1
            header = f"Briefings of {day}, stories {first}–{first + len(groups) - 1}:"
        blocks.append([Run(header, ("b",))])
        blocks += [digest_block(g) for g in groups]
        rest = summary.groups[(page + 1) * summary.top :]
        if rest:
            count = sum(g.size for g in rest)
            blocks.append([Run(f"And {len(rest)} more stories ({count} briefings).", ("i",))])
    elif summary.groups:
        count = summary.briefings
        noun = "briefing" if count == 1 else "briefings"
        blocks.append([Run(f"Briefings of {day}: {count} {noun}.", ("b",))])
        blocks += [story_block(s) for s in summary.stories]
        blocks += [_subject_line(g) for g in summary.shared]
    else:
        blocks.append([Run(f"No new briefings dated {day}.", ("b",))])
    if page == 0:
        late = _late_blocks(summary)
        if late and late_total is not None and late_total > len(summary.late):
            late.append([Run(f"({late_total} late additions in all.)", ("i",))])
        blocks += late
    return blocks


def more_keyboard(summary: Summary, page: int) -> InlineKeyboardMarkup | None:
    """ "More" under a digest page that has pages after it."""
    if not summary.digest or summary.day is None or page + 1 >= summary.pages:
        return None
    data = f"{CALLBACK}:{summary.day:%Y%m%d}:{page + 1}"
    return InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data=data)]])
