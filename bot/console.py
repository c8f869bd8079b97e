"""Answers as plain text for a terminal, and as JSON for scripts."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from index import Answer, QuotedHit, Unanswered, follow, timeline

from .days import iso_day

if TYPE_CHECKING:  # importing bot.render would load telegram for every `briefbot ask`
    from .render import Block

#: "more" past the last page of an answer, in the console and in Telegram alike.
NO_MORE = "There are no more results for that question."
NO_WORDS = (
    "That question has no words I can look up, only ones like “what” and “the”."
    " Ask with a name, a place or a topic."
)


def whom(pronoun: str) -> str:
    """What "what did they say?" gets with no question before it, in the console and in
    Telegram alike."""
    return f"Who do you mean by “{pronoun}”? Ask again with a name in its place."


#: What thanks gets, in the console and in Telegram alike.
WELCOME = "You're welcome. Ask again any time."


def source_line(qh: QuotedHit) -> str:
    """Where a passage comes from: title, date, section, page."""
    hit = qh.hit
    parts = [hit.title, iso_day(hit.date)]
    if hit.heading:
        parts.append(hit.heading)
    if hit.page:
        parts.append(f"p. {hit.page}")
    return " · ".join(parts)


def highlighted_quote(qh: QuotedHit, color: bool) -> str:
    """The quoted sentences, with the matched words in bold on a terminal."""
    text = qh.hit.text
    pieces = []
    for s, e in qh.quote.sentences:
        out, pos = [], s
        for hs, he in qh.quote.highlights:
            if s <= hs and he <= e:
                out.append(text[pos:hs])
                word = text[hs:he]
                out.append(click.style(word, bold=True) if color else word)
                pos = he
        out.append(text[pos:e])
        pieces.append("".join(out))
    return " ".join(pieces)


def nothing_found(answer: Answer) -> str:
    """Why nothing is quoted, as `index` decided it (`Answer.why`), in words: the dates, no
    words to look up, or no passage good enough (then the words no briefing holds and the
    nearest briefings)."""
    if answer.why in (Unanswered.DATES, Unanswered.NO_BRIEFINGS) and answer.note:
        return answer.note
    if answer.why is Unanswered.NO_WORDS:
        return NO_WORDS
    if answer.why is Unanswered.NO_MORE:
        return NO_MORE
    if answer.why is Unanswered.WHOM and answer.reading is not None:
        return whom(answer.reading.unresolved)
    if answer.why is Unanswered.NOT_GIVEN and answer.note and answer.nearest:
        where = answer.nearest[0]  # the briefing that says the figure is not given
        return f"{answer.note} ({where.title}, {iso_day(where.date)})."
    if answer.missing:
        why = f"No briefing mentions {', '.join(answer.missing)}."
    elif answer.why is Unanswered.NOT_QUOTED and answer.note:
        why = answer.note  # "The briefings do not quote Thatcher on Lawson's budget."
    else:
        why = "Nothing in the briefings answers that."
    if not answer.nearest:
        return f"{why} Try other words, or a name or place."
    near = "; ".join(f"{n.title} ({iso_day(n.date)})" for n in answer.nearest)
    return f"{why} The nearest briefings: {near}."


def render_text(answer: Answer, color: bool = False, width: int = 88) -> str:
    read = answer.explanation
    if read:
        read = click.style(read, italic=True) if color else textwrap.fill(read, width)
    if not answer.found:
        return "\n".join(filter(None, [read, nothing_found(answer)]))
    blocks = [read] if read else []
    for qh in answer.hits:
        head = f"{qh.rank}. {source_line(qh)}"
        quote = (
            _quoted(highlighted_quote(qh, color), width)
            if not color
            else "   > " + highlighted_quote(qh, color)
        )
        blocks.append(click.style(head, fg="cyan") if color else head)
        blocks.append(quote)
        if qh.also:
            dates = ", ".join(iso_day(h.date) for h in qh.also)
            blocks.append(f"     (also in the briefings of {dates})")
    return "\n".join(blocks)


def _quoted(text: str, width: int) -> str:
    # Quotes are word for word: "Rasht-Astara" is not cut at its hyphen.
    return textwrap.fill(
        text,
        width,
        initial_indent="   > ",
        subsequent_indent="     ",
        break_on_hyphens=False,
    )


def blocks_text(blocks: Sequence[Block], width: int = 88) -> str:
    """Blocks built for Telegram (`bot.render`'s runs, as a daily summary is) as plain text:
    what a blockquote holds is printed as an answer's quotes are, other tags are dropped."""
    out = []
    for block in blocks:
        parts: list[str] = []
        quote: list[str] = []
        for run in block:
            if any(tag.startswith("blockquote") for tag in run.tags):
                quote.append(run.text)
                continue
            if quote:
                parts.append(_quoted("".join(quote), width))
                quote = []
            parts.append(run.text)
        if quote:
            parts.append(_quoted("".join(quote), width))
        out.append("".join(parts))
    return "\n\n".join(out)


def to_json(answer: Answer) -> dict[str, Any]:
    return {
        "question": answer.question,
        "hits": [
            {
                "rank": qh.rank,
                "score": round(qh.hit.score, 6),
                "document": qh.hit.document,
                "title": qh.hit.title,
                "date": qh.hit.date.isoformat() if qh.hit.date else None,
                "heading": qh.hit.heading,
                "passage_id": qh.hit.passage_id,
                "quote": qh.quote_text,
                "text": qh.hit.text,
                "also": [
                    {
                        "document": h.document,
                        "title": h.title,
                        "date": h.date.isoformat() if h.date else None,
                    }
                    for h in qh.also
                ],
            }
            for qh in answer.hits
        ],
        # Why nothing is quoted, when nothing is, as `index` decided it, and what a reply says.
        "why": answer.why.value if answer.why else None,
        # What the reply says of it in words, where a sentence is needed: the dates, the
        # speaker not quoted, the figure not given (and where the briefings say so).
        "note": answer.note if not answer.found else None,
        "explanation": answer.explanation,
        "missing": answer.missing,
        "nearest": [
            {
                "document": n.document,
                "title": n.title,
                "date": n.date.isoformat() if n.date else None,
            }
            for n in answer.nearest
        ],
    }


def timeline_text(found: timeline.Timeline, color: bool = False, width: int = 88) -> str:
    """A timeline for a terminal: one entry a day, oldest first, the date then the sentence
    that says what was new that day (the subject's words in bold on a terminal)."""
    if not found.entries:
        if found.note:
            return found.note
        if found.missing:
            return f"No briefing mentions {', '.join(found.missing)}, so there is no timeline yet."
        return f"Nothing in the briefings answers “{found.subject}”, so there is no timeline of it."
    n = len(found.entries)
    head = f"{found.subject}: how it developed, {n} day{'s' if n != 1 else ''}, oldest first."
    if found.earlier:
        head += f" {found.earlier} earlier days are left out; add dates to see them."
    if found.missing:
        head += f" No briefing mentions {', '.join(found.missing)}."
    lines = [textwrap.fill(head, width)]
    for e in found.entries:
        start, end = e.sentence
        pieces, pos = [], start
        for hs, he in e.highlights:
            pieces += [
                e.hit.text[pos:hs],
                click.style(e.hit.text[hs:he], bold=True) if color else e.hit.text[hs:he],
            ]
            pos = he
        pieces.append(e.hit.text[pos:end])
        others = len(e.briefings) - 1
        more = f" (+{others} more briefing{'s' if others > 1 else ''})" if others > 0 else ""
        day = e.date.isoformat()
        text = "".join(pieces) + more
        if color:
            lines.append(f"{click.style(day, fg='cyan')}  {text}")
        else:
            lines.append(
                textwrap.fill(text, width, initial_indent=f"{day}  ", subsequent_indent=" " * 12)
            )
    return "\n".join(lines)


def matches_text(
    subject: str, matches: Sequence[follow.Match], color: bool = False, width: int = 88
) -> str:
    """What following `subject` would have sent, day by day: each passage under its
    briefing's title, date and section, quoted as an answer is."""
    if not matches:
        return f"Following “{subject}” would have sent nothing over these briefings."
    blocks = []
    total = 0
    for m in matches:
        previous = None
        for qh in m.hits:
            total += 1
            hit = qh.hit
            if hit.document != previous:  # one briefing, one heading
                head = f"{hit.title} · {iso_day(hit.date)}"
                blocks.append(click.style(head, fg="cyan") if color else head)
                previous = hit.document
            if hit.heading:
                blocks.append(f"   {hit.heading}")
            quote = highlighted_quote(qh, color)
            blocks.append("   > " + quote if color else _quoted(quote, width))
    briefings = len({qh.hit.document for m in matches for qh in m.hits})
    blocks.append(
        f"Following “{subject}” would have sent {_n(total, 'passage')} of"
        f" {_n(briefings, 'briefing')}, in {_n(len(matches), 'message')} (one a day)."
    )
    return "\n".join(blocks)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"
