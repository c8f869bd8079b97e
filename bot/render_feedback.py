"""The feedback buttons under answers, what a press says back, `/privacy`, and the feedback part
of the admins' `/stats`, as Telegram HTML (every dynamic string escaped, as in `render`).

The vote row stays small: two buttons under an answer, one under "nothing answers". In a
private chat only one person votes, so the chosen button carries a check; in a group the
buttons carry how many chose each, the same for everyone who reads them.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from .feedback import Report, Tally, summary_lines
from .render import Block, Run, pack

UP_LABEL = "👍"
DOWN_LABEL = "👎"
MISS_LABEL = "I expected an answer"
#: Callback data: `vote:RECORD:+`, `vote:RECORD:-`, `miss:RECORD` (well under 64 bytes).
VOTE, MISS = "vote", "miss"
PREFIXES = (f"{VOTE}:", f"{MISS}:")

THANKS_UP = "Thanks! Glad it helped."
THANKS_DOWN = "Thanks for saying so. It helps make the answers better."
CHANGED = "Thanks, your vote is changed."
WITHDRAWN = "Your vote is taken back."
THANKS_MISS = "Thanks. Noted that you expected an answer to this."
MISS_WITHDRAWN = "Taken back."
TOO_OLD = "This answer is too old to rate now."
COLLECTION_OFF = (
    "<b>Feedback</b>\nCollection is off (BRIEFBOT_FEEDBACK_DAYS=0): no questions or votes are kept."
)


def vote_row(record_id: int, tally: Tally, private: bool) -> list[InlineKeyboardButton]:
    """👍 and 👎 for an answer: a check on the one chosen in a private chat, how many chose
    each in a group."""

    def label(text: str, n: int) -> str:
        if private:
            return f"{text} ✓" if n else text
        return f"{text} {n}" if n else text

    return [
        InlineKeyboardButton(label(UP_LABEL, tally.up), callback_data=f"{VOTE}:{record_id}:+"),
        InlineKeyboardButton(label(DOWN_LABEL, tally.down), callback_data=f"{VOTE}:{record_id}:-"),
    ]


def miss_row(record_id: int, tally: Tally, private: bool) -> list[InlineKeyboardButton]:
    """ "I expected an answer" under "nothing answers"; checked, or counted in a group."""
    if private:
        text = f"✓ {MISS_LABEL}" if tally.down else MISS_LABEL
    else:
        text = f"{MISS_LABEL} · {tally.down}" if tally.down else MISS_LABEL
    return [InlineKeyboardButton(text, callback_data=f"{MISS}:{record_id}")]


def feedback_row(
    record_id: int, tally: Tally, found: bool, private: bool
) -> list[InlineKeyboardButton]:
    return (vote_row if found else miss_row)(record_id, tally, private)


def _is_feedback(row: tuple[InlineKeyboardButton, ...] | list[InlineKeyboardButton]) -> bool:
    data = [b.callback_data for b in row]
    return any(isinstance(d, str) and d.startswith(PREFIXES) for d in data)


def with_row(
    markup: InlineKeyboardMarkup | None, row: list[InlineKeyboardButton]
) -> InlineKeyboardMarkup:
    """`markup` with `row` as its feedback row, last, in place of the one it had: the other
    buttons (Context, paging) stay as they are."""
    rows = [list(r) for r in (markup.inline_keyboard if markup else ()) if not _is_feedback(r)]
    return InlineKeyboardMarkup([*rows, row])


def thanks(before: int | None, after: int | None, found: bool) -> str:
    """What a press says back, in a toast that goes away by itself."""
    if not found:
        return THANKS_MISS if after is not None else MISS_WITHDRAWN
    if after is None:
        return WITHDRAWN
    if before is not None:
        return CHANGED
    return THANKS_UP if after > 0 else THANKS_DOWN


def _clip(text: str, n: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _span(days: float) -> str:
    if days >= 1:
        n = round(days)
        return f"{n} day{'s' if n != 1 else ''}"
    hours = max(round(days * 24), 1)
    return f"{hours} hour{'s' if hours != 1 else ''}"


def privacy_message(feedback_days: float, page_days: float) -> str:
    """One paragraph: what the bot keeps about the people who ask, and for how long."""
    pages = (
        f"To keep an answer's buttons working I remember the question and who asked it for"
        f" {_span(page_days)}."
    )
    chats = (
        " I also remember which chats use me, and a chat's daily summary time if it set one,"
        " until I am removed from the chat."
    )
    if feedback_days <= 0:
        kept = "I keep no record of the questions people ask me or of how they rate my answers. "
    else:
        kept = (
            f"To learn which answers help, I keep each question asked here for"
            f" {_span(feedback_days)}: the words as typed, how I read them, which passages I"
            " showed, any 👍/👎 or “I expected an answer”, whether it came from a private chat"
            " or a group, and when. Your name, username and Telegram id are not kept with it,"
            " only a scrambled code that lets each person vote once per answer and means"
            " nothing outside this bot. The bot's maintainers read these records to fix answers"
            " that went wrong and to find questions the briefings don't answer yet. "
        )
    return pack([[Run("What I keep", ("b",)), Run("\n"), Run(kept + pages + chats)]])[0]


def stats_feedback(rep: Report, days: float, limit: int = 5) -> str:
    """The feedback part of `/stats`: the figures, then the questions to look at first."""
    runs: Block = [Run(f"Feedback, last {_span(days)}", ("b",))]
    for line in summary_lines(rep):
        runs += [Run("\n"), Run(line)]
    down = rep.down_groups[:limit]
    if down:
        runs += [Run("\n\n"), Run("Voted down", ("i",))]
        for g in down:
            runs += [Run("\n"), Run(f"👎 {g.down} 👍 {g.up}  "), Run(_clip(g.typical.question))]
    missed = rep.unanswered_groups[:limit]
    if missed:
        runs += [Run("\n\n"), Run("Nothing answered, most asked first", ("i",))]
        for g in missed:
            expected = f" (expected: {g.down})" if g.down else ""
            runs += [Run("\n"), Run(f"{g.asked}×  "), Run(_clip(g.typical.question) + expected)]
    runs += [Run("\n\n"), Run("briefbot feedback", ("code",)), Run(" gives the full report.")]
    return pack([runs])[0]
