"""Answers as Telegram HTML: every dynamic string escaped, quotes in blockquotes with the
matched words in bold, and no message over Telegram's 4,096 characters.

Text is built as runs (a piece of text and the tags around it) and only turned into HTML at
the end, so a message can be cut anywhere with its tags closed and reopened on the next one.
Answers are cut between passages; only a passage too long for one message on its own is cut
inside, at a space. Lengths are measured on the HTML itself in UTF-16 code units, which is
never less than what Telegram counts (the visible text, in UTF-16 code units).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
)
from telegram.constants import MessageLimit, ParseMode

from index import (
    Answer,
    Hit,
    QuotedHit,
    Stats,
    Unanswered,
    analysis,
    browse,
    highlight_spans,
    vocabulary,
)

from .console import whom
from .days import day_text, iso_day

LIMIT = MessageLimit.MAX_TEXT_LENGTH
#: A quote longer than this many characters is shown collapsed (`<blockquote expandable>`).
EXPANDABLE_OVER = 300
#: Briefings per page of /sources.
SOURCES_PER_PAGE = 10
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

NOTHING_FOUND = "Nothing in the briefings answers that."
#: The buttons under an answer that show its next and previous pages.
MORE_RESULTS = "More ▶"
BACK = "◀ Back"
SOMETHING_WENT_WRONG = "Sorry, something went wrong while answering that. Please try again."
EXPIRED = "These results have expired. Send the question again to page through them."
PASSAGE_CHANGED = (
    "This briefing has changed since this answer was sent; ask again for the current text."
)
BRIEFING_REMOVED = (
    "This briefing has been removed since this answer was sent; ask again for a current answer."
)
RESULTS_CHANGED = (
    "The briefings have changed since this answer was sent, so its pages no longer follow on;"
    " ask again for the current results."
)
NOT_YOURS = (
    "Only the person who asked can use these buttons. To page through results yourself, ask"
    " your own question with /ask."
)
ALREADY_SHOWN = "Already shown, just below this answer."
#: Characters of each neighbouring paragraph that "Context" shows around a passage.
NEIGHBOUR_CHARS = 280


@dataclass(frozen=True, slots=True)
class Run:
    """Text and the tags around it, outermost first, e.g. ("blockquote", "b")."""

    text: str
    tags: tuple[str, ...] = ()


Block = list[Run]


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def size(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts."""
    return len(text.encode("utf-16-le")) // 2


def _open(tag: str) -> str:
    return f"<{tag}>"


def _close(tag: str) -> str:
    return f"</{tag.split()[0]}>"


def to_html(runs: Sequence[Run]) -> str:
    out: list[str] = []
    stack: tuple[str, ...] = ()
    for run in runs:
        if not run.text:
            continue
        common = 0
        while common < min(len(stack), len(run.tags)) and stack[common] == run.tags[common]:
            common += 1
        out.extend(_close(t) for t in reversed(stack[common:]))
        out.extend(_open(t) for t in run.tags[common:])
        stack = run.tags
        out.append(esc(run.text))
    out.extend(_close(t) for t in reversed(stack))
    return "".join(out)


def plain(runs: Sequence[Run]) -> str:
    return "".join(r.text for r in runs)


# -- packing into messages -------------------------------------------------------------------

_PIECE = re.compile(r"\S+\s*|\s+")


def pack(blocks: Sequence[Block], limit: int = LIMIT, separator: str = "\n\n") -> list[str]:
    """Blocks into as few messages as fit, each block whole where it fits in one message.

    The separator carries no tags, so a message's HTML is its blocks' HTML joined by it: each
    block is rendered and measured once."""
    messages: list[str] = []
    current, current_size = "", 0
    joint = esc(separator)
    joint_size = size(joint)
    for block in blocks:
        if not block:
            continue
        html = to_html(block)
        html_size = size(html)
        if current and current_size + joint_size + html_size <= limit:
            current, current_size = current + joint + html, current_size + joint_size + html_size
            continue
        if current:
            messages.append(current)
        if html_size <= limit:
            current, current_size = html, html_size
            continue
        parts = _split(block, limit)
        messages.extend(to_html(p) for p in parts[:-1])
        current = to_html(parts[-1])
        current_size = size(current)
    if current:
        messages.append(current)
    return messages


def _split(block: Block, limit: int) -> list[Block]:
    """Cut one block too long for a message at spaces (inside a word only if a word alone
    is too long), closing its tags at the cut and reopening them after."""
    parts: list[Block] = []
    part: Block = []
    body = 0  # size of the part's HTML without its closing tags
    stack: tuple[str, ...] = ()

    def cost(run: Run) -> tuple[int, int]:
        common = 0
        while common < min(len(stack), len(run.tags)) and stack[common] == run.tags[common]:
            common += 1
        change = sum(size(_close(t)) for t in stack[common:])
        change += sum(size(_open(t)) for t in run.tags[common:])
        return change + size(esc(run.text)), sum(size(_close(t)) for t in run.tags)

    pieces = [Run(m.group(), r.tags) for r in block for m in _PIECE.finditer(r.text)]
    pieces.reverse()
    while pieces:
        piece = pieces.pop()
        added, closing = cost(piece)
        if body + added + closing <= limit:
            part.append(piece)
            body += added
            stack = piece.tags
            continue
        if part:
            parts.append(part)
            part, body, stack = [], 0, ()
            pieces.append(Run(piece.text.lstrip(), piece.tags))
            continue
        # A single word longer than a whole message: take as many characters as fit.
        fit = _longest_prefix(piece, limit)
        parts.append([Run(piece.text[:fit], piece.tags)])
        pieces.append(Run(piece.text[fit:], piece.tags))
    if part:
        parts.append(part)
    return parts


def _longest_prefix(run: Run, limit: int) -> int:
    lo, hi = 1, len(run.text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if size(to_html([Run(run.text[:mid], run.tags)])) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return lo


# -- answers ---------------------------------------------------------------------------------


_WEB = re.compile(r"https?://[^\s<>\"]+\Z", re.IGNORECASE)


def briefing_runs(hit: Hit, first_quote: str = "") -> Block:
    """A briefing's heading in a reply: its title in bold (unless the quote below starts with
    it, as when the title is the briefing's first sentence), its date, and its source,
    linked when it is a web address."""
    runs: Block = []
    title = hit.title.strip()
    if title and not first_quote.startswith(title.rstrip("…").rstrip()):
        runs += [Run(title, ("b",)), Run("\n")]
    runs.append(Run(day_text(hit.date), ("i",)))
    if hit.page:
        runs.append(Run(f" · p. {hit.page}", ("i",)))
    if hit.source:
        source = hit.source.strip()
        if _WEB.match(source):
            runs += [Run(" · "), Run("source", (f'a href="{html.escape(source, quote=True)}"',))]
        else:
            runs += [Run(" · "), Run(source, ("i",))]
    return runs


def _highlighted(
    text: str, start: int, end: int, highlights: Sequence[tuple[int, int]], tags: tuple[str, ...]
) -> Block:
    runs, pos = [], start
    for hs, he in sorted(highlights):
        if start <= hs and he <= end and hs >= pos:
            runs.append(Run(_one_line(text[pos:hs]), tags))
            runs.append(Run(_one_line(text[hs:he]), (*tags, "b")))
            pos = he
    runs.append(Run(_one_line(text[pos:end]), tags))
    return runs


_WRAPPED = re.compile(r"[ \t]*\n[ \t]*")


def _one_line(text: str) -> str:
    """A briefing's hard-wrapped lines joined, as a reader's screen wraps them itself: a
    quote that breaks mid-sentence on a phone reads as two."""
    return _WRAPPED.sub(" ", text)


def quote_runs(qh: QuotedHit, budget: int | None = None) -> Block:
    """The quoted sentences with the matched words in bold, in a blockquote that is collapsed
    when long; " … " where sentences were skipped. `budget` caps the characters shown."""
    hit, quote = qh.hit, qh.quote
    length = sum(e - s for s, e in quote.sentences)
    tag = "blockquote expandable" if length > EXPANDABLE_OVER else "blockquote"
    order = {span: i for i, span in enumerate(map(tuple, hit.sentences))}
    runs: Block = []
    previous = None
    for s, e in quote.sentences:
        index = order.get((s, e))
        if previous is not None:
            adjacent = index is not None and previous is not None and index == previous + 1
            runs.append(Run(" " if adjacent else " … ", (tag,)))
        runs.extend(_highlighted(hit.text, s, e, quote.highlights, (tag,)))
        previous = index
    return _trim(runs, budget) if budget is not None else runs


def _trim(runs: Block, budget: int) -> Block:
    """At most `budget` characters of the runs' text, cut at a space, with "…" after."""
    if len(plain(runs)) <= budget:
        return runs
    out: Block = []
    left = budget
    for run in runs:
        if len(run.text) <= left:
            out.append(run)
            left -= len(run.text)
            continue
        cut = run.text[:left]
        if " " in cut:
            cut = cut[: cut.rindex(" ")]
        out.append(Run(cut.rstrip(), run.tags))
        break
    tags = out[-1].tags if out else runs[0].tags
    out.append(Run("…", tuple(t for t in tags if t != "b")))
    return out


def passage_block(
    qh: QuotedHit, budget: int | None = None, briefing: bool = True, number: bool = True
) -> Block:
    """One quoted passage: its number and section, then the quote; with `briefing`, the
    briefing's heading above it (the first passage of a briefing in a reply). Without
    `number` (a message shared on its own), no "1." that refers to nothing."""
    hit = qh.hit
    runs: Block = []
    if briefing:
        runs += [*briefing_runs(hit, qh.quote_text), Run("\n")]
    label: Block = [Run(f"{qh.rank}.", ("b",))] if number else []
    if hit.heading:
        label += [Run(" ")] if label else []
        label.append(Run(hit.heading, ("i",)))
    if label:
        runs += [*label, Run("\n")]
    runs += quote_runs(qh, budget)
    if qh.also:
        runs += [Run("\n"), Run(also_line(qh.also), ("i",))]
    return runs


def also_line(also: Sequence[Hit], shown: int = 3) -> str:
    """Where else a passage is told, nearly word for word: "Also in Kelvale work begins
    (10 April 2024) and 1 more briefing." """
    places = list(dict.fromkeys((h.title, day_text(h.date)) for h in also))
    named = [f"{title} ({day})" for title, day in places[:shown]]
    rest = len(places) - len(named)
    if rest:
        named.append(f"{rest} more briefing{'s' if rest > 1 else ''}")
    joined = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    return f"Also in {joined}."


def passage_blocks(
    hits: Sequence[QuotedHit], budget: int | None = None, number: bool = True
) -> list[Block]:
    """The passages of a reply grouped by briefing, each briefing's heading once above its
    passages, briefings in the order of their best passage. Each passage keeps its number
    (its rank, which its button and the next page follow), so "1., 3." may stand above "2."."""
    by_document: dict[str, list[QuotedHit]] = {}
    for qh in hits:
        by_document.setdefault(qh.hit.document, []).append(qh)
    blocks, previous = [], None
    for qh in (qh for group in by_document.values() for qh in group):
        first = qh.hit.document != previous
        blocks.append(passage_block(qh, budget, briefing=first, number=number))
        previous = qh.hit.document
    return blocks


def _missing_line(missing: Sequence[vocabulary.Suggestion]) -> Block:
    """ "No briefing mentions zorblax (did you mean …?) or quux", without a full stop: the
    start of the one sentence a reply that found nothing is."""
    parts: Block = [Run("No briefing mentions ")] if missing else []
    for i, s in enumerate(missing):
        if i:
            parts.append(Run(" or " if i == len(missing) - 1 else ", "))
        parts.append(Run(s.word, ("i",)))
        if s.alternatives:
            parts.append(Run(" (did you mean "))
            for j, alt in enumerate(s.alternatives):
                if j:
                    parts.append(Run(" or " if j == len(s.alternatives) - 1 else ", "))
                parts.append(Run(alt, ("b",)))
            parts.append(Run("?)"))
    return parts


def answer_messages(answer: Answer, limit: int = LIMIT) -> list[str]:
    """A found answer, split between passages over as many messages as it needs; first, how
    the question was read when that was not word for word ("Showing results for Raeisi")."""
    blocks: list[Block] = []
    if answer.explanation:
        blocks.append([Run(answer.explanation, ("i",))])
    if answer.hits:
        blocks.append([Run(results_line(answer), ("i",))])
    blocks += passage_blocks(answer.hits)
    return pack(blocks, limit)


def results_line(answer: Answer) -> str:
    """Which results these are and of how many, as search engines say it: "Results 4–6 of
    12", or "of 12+" when the index looked only that deep, or "3 results" when they are all
    here. Nothing is claimed about a total the answer does not know."""
    first, last = answer.hits[0].rank, answer.hits[-1].rank
    shown = f"Results {first}–{last}" if last > first else f"Result {first}"
    if answer.total < last:  # not counted
        return shown
    if answer.exact and first == 1 and answer.total == last:
        return f"{last} result" if last == 1 else f"{last} results"
    return f"{shown} of {answer.total}{'' if answer.exact else '+'}"


def page_message(answer: Answer, offset: int, limit: int = LIMIT) -> str:
    """One page of results as a single message (it replaces the text of the message whose
    buttons were pressed), quotes shortened if all of them would not fit."""
    header = [Run(results_line(answer), ("i",))]
    budget: int | None = None
    while True:
        blocks = [header, *passage_blocks(answer.hits, budget)]
        messages = pack(blocks, limit)
        if len(messages) == 1:
            return messages[0]
        longest = max(len(plain(quote_runs(qh))) for qh in answer.hits)
        budget = int((budget or longest) * 0.7)
        if budget < 40:
            return messages[0]


def answer_keyboard(
    page_id: int | None, answer: Answer, offset: int, k: int
) -> InlineKeyboardMarkup | None:
    """The buttons under an answer: "Context n" for each passage, then "◀ Back", where this
    page is ("2/4", "2/4+" while the total is a lower bound) and "More ▶" when there are
    other pages.

    Buttons name a page of the state file and a rank on it, never an index row: the state
    file remembers which passage each rank showed (`State.remember_shown`), which a rebuild
    of the index does not change. Callback data stays well under Telegram's 64 bytes:
    `more:PAGE:OFFSET`, `ctx:PAGE:RANK`, all numbers, and `pos` for the page counter."""
    if page_id is None:
        return None
    rows = []
    if answer.hits:
        rows.append(
            [
                InlineKeyboardButton(f"Context {qh.rank}", callback_data=f"ctx:{page_id}:{qh.rank}")
                for qh in answer.hits
            ]
        )
    nav = []
    if offset > 0:
        nav.append(InlineKeyboardButton(BACK, callback_data=f"more:{page_id}:{max(offset - k, 0)}"))
    if offset > 0 or answer.more:
        nav.append(InlineKeyboardButton(page_counter(answer, offset, k), callback_data="pos"))
    if answer.more:
        nav.append(InlineKeyboardButton(MORE_RESULTS, callback_data=f"more:{page_id}:{offset + k}"))
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(rows) if rows else None


def page_counter(answer: Answer, offset: int, k: int) -> str:
    """ "2/4": this page and how many there are; "2/4+" when there may be more than that."""
    shown = offset + len(answer.hits)
    known = max(answer.total, shown + (1 if answer.more else 0))
    pages = max(math.ceil(known / k), 1)
    more = not answer.exact or (answer.more and answer.total <= shown)
    return f"{offset // k + 1}/{pages}{'+' if more else ''}"


def nothing_found(answer: Answer, missing: Sequence[vocabulary.Suggestion] = ()) -> str:
    """Say so plainly: why (the dates, or the words), the nearest words the briefings do
    have, and the briefings that came nearest."""
    if answer.why in (Unanswered.DATES, Unanswered.NO_BRIEFINGS) and answer.note:
        return pack([[Run(answer.note)]])[0]
    if answer.why is Unanswered.NO_WORDS:
        return to_html(
            [
                Run("That question has no words I can look up, only ones like "),
                Run("what", ("i",)),
                Run(" and "),
                Run("the", ("i",)),
                Run(". Ask with a name, a place or a topic."),
            ]
        )
    if answer.why is Unanswered.WHOM and answer.reading is not None:
        return pack([[Run(whom(answer.reading.unresolved))]])[0]
    if answer.why is Unanswered.NOT_GIVEN and answer.note and answer.nearest:
        where = answer.nearest[0]  # the briefing that says the figure is not given
        return pack(
            [
                [
                    Run(f"{answer.note} ("),
                    Run(_clip(where.title, 100), ("b",)),
                    Run(f", {day_text(where.date)})."),
                ]
            ]
        )[0]
    runs: Block = []
    if answer.explanation:
        runs += [Run(answer.explanation, ("i",)), Run("\n")]
    # One sentence: the words typed that no briefing holds (or that nothing answers), then
    # where to look instead.
    said = answer.note if answer.why is Unanswered.NOT_QUOTED and answer.note else NOTHING_FOUND
    runs += _missing_line(missing) or [Run(said.rstrip("."))]
    if answer.nearest:
        runs.append(Run("; the nearest briefings are "))
        for i, near in enumerate(answer.nearest):
            if i:
                runs.append(Run(" and " if i == len(answer.nearest) - 1 else ", "))
            date = day_text(near.date)
            runs += [Run(_clip(near.title, 100), ("b",)), Run(f" ({date})")]
        runs.append(Run("."))
    else:
        runs.append(Run("; try other words, or a name or place."))
    return pack([runs])[0]


# -- context, sources, help, stats -----------------------------------------------------------


def context_messages(hits: Sequence[Hit], focus: int, terms: Sequence[str]) -> list[str]:
    """A passage whole, in its place in its briefing: the end of the paragraph before it and
    the start of the one after, the passage itself marked with "▶" in a blockquote with the
    asked words in bold, and each section's heading where it begins."""
    wanted = set(terms)
    first = hits[0]
    blocks: list[Block] = [[Run(first.title, ("b",)), Run("\n"), Run(day_text(first.date), ("i",))]]
    heading = None
    for hit in hits:
        block: Block = []
        if hit.heading and hit.heading != heading:
            block += [Run(hit.heading, ("b", "i")), Run("\n")]
        heading = hit.heading
        if hit.ordinal == focus:
            spans = highlight_spans(analysis.tokens(hit.text), wanted)
            block.append(Run("▶ ", ("blockquote",)))
            block += _highlighted(hit.text, 0, len(hit.text), spans, ("blockquote",))
        else:
            block.append(Run(_neighbour(hit, before=hit.ordinal < focus)))
        blocks.append(block)
    return pack(blocks)


def _neighbour(hit: Hit, before: bool) -> str:
    """What a neighbouring paragraph shows beside a passage: its last sentences (before it) or
    its first (after it), whole sentences up to `NEIGHBOUR_CHARS`, "…" where text is left
    out. A single sentence too long for that is cut at a space."""
    text = hit.text.strip()
    if len(text) <= NEIGHBOUR_CHARS:
        return text
    spans = [(s, e) for s, e in hit.sentences if hit.text[s:e].strip()]
    if before:
        spans.reverse()
    start, end = (len(hit.text), len(hit.text)) if before else (0, 0)
    for s, e in spans:
        if max(end, e) - min(start, s) > NEIGHBOUR_CHARS:
            break
        start, end = min(start, s), max(end, e)
    if end > start:
        piece = hit.text[start:end].strip()
    elif before:  # the last sentence alone is too long: its end
        piece = hit.text[-NEIGHBOUR_CHARS:]
        piece = piece[piece.find(" ") + 1 :] if " " in piece else piece
    else:
        piece = hit.text[:NEIGHBOUR_CHARS]
        piece = piece[: piece.rfind(" ")] if " " in piece else piece
    return f"… {piece.strip()}" if before else f"{piece.strip()} …"


def sources_page(briefings: Sequence[browse.Briefing], offset: int, total: int) -> str:
    last = offset + len(briefings)
    runs: Block = [
        Run("Briefings", ("b",)),
        Run(f" {offset + 1}–{last} of {total}, newest first" if total else ": none yet"),
    ]
    for b in briefings:
        date = iso_day(b.date)
        runs += [Run("\n"), Run(date, ("b",)), Run(" " + _clip(b.title, 150))]
    return pack([runs])[0]


def sources_keyboard(offset: int, total: int) -> InlineKeyboardMarkup | None:
    nav = []
    if offset > 0:
        back = max(offset - SOURCES_PER_PAGE, 0)
        nav.append(InlineKeyboardButton("◀ Newer", callback_data=f"src:{back}"))
    if offset + SOURCES_PER_PAGE < total:
        nav.append(
            InlineKeyboardButton("Older ▶", callback_data=f"src:{offset + SOURCES_PER_PAGE}")
        )
    return InlineKeyboardMarkup([nav]) if nav else None


def _dates(first, last) -> str:
    if first is None:
        return "none of them dated"
    if first == last:
        return f"dated {first.isoformat()}"
    return f"dated {first.isoformat()} to {last.isoformat()}"


def help_message(overview: browse.Overview, username: str, group: bool) -> str:
    n = overview.documents
    runs: Block = [
        Run("I answer questions from "),
        Run(f"{n} briefing{'s' if n != 1 else ''}", ("b",)),
        Run(f" ({_dates(overview.first_date, overview.last_date)}) by quoting the passages"),
        Run(" that answer them, with the matching words in bold.\n\n"),
    ]
    if group:
        runs += [
            Run("In this group, ask with "),
            Run("/ask", ()),
            Run(" and your question, e.g. "),
            Run("/ask what was agreed on trade?", ("i",)),
            Run(", or mention me with it: "),
            Run(f"@{username} what was agreed on trade?", ("i",)),
            Run(". Reply to one of my answers to follow up.\n"),
        ]
    else:
        runs += [
            Run("Just send me a question, e.g. "),
            Run("what was agreed on trade?", ("i",)),
            Run(
                "\nReply to one of my answers to follow up; in a group, ask with /ask or"
                f" mention me (@{username}) with your question.\n"
            ),
        ]
    runs += [
        Run("Ask for a day's briefings too: "),
        Run("what happened yesterday?", ("i",)),
        Run("\n"),
    ]
    runs += [
        Run("/sources lists the briefings. "),
        Run("/summary", ()),
        Run(" sums up today's briefings (or "),
        Run("/summary yesterday", ()),
        Run(", "),
        Run("/summary 2024-03-19", ()),
        Run("); "),
        Run("/daily 08:00", ()),
        Run(" posts one here every day at that time. "),
        Run("/follow the railway deal", ()),
        Run(" posts its new passages here after each update, and "),
        Run("/timeline the railway deal", ()),
        Run(" shows how it developed, a line a day. In any chat, type "),
        Run(f"@{username} question", ("code",)),
        Run(" and pick a passage from the list to share it. "),
        Run("/privacy", ()),
        Run(" says what I keep about the questions asked."),
    ]
    return to_html(runs)


def stats_message(stats: Stats, counts: dict[str, int]) -> str:
    lines = [
        ("documents", f"{stats.documents} ({stats.undated} undated)"),
        ("passages", str(stats.passages)),
        ("terms", str(stats.terms)),
        ("dates", _dates(stats.first_date, stats.last_date)),
        ("index size", f"{stats.size_bytes / 1_000_000:.1f} MB"),
        ("last reindex", f"{stats.last_reindex or 'never'} {stats.last_summary or ''}".strip()),
        ("chats", f"{counts.get('active chats', 0)} active, {counts.get('chats', 0)} known"),
        ("pages kept", str(counts.get("pages", 0))),
    ]
    runs: Block = [Run("Index and bot", ("b",))]
    for name, value in lines:
        runs += [Run("\n"), Run(name, ("i",)), Run(f": {value}")]
    for path, reason in stats.failures[:10]:
        runs += [Run("\n"), Run("failed", ("i",)), Run(f": {path}: {reason}")]
    return pack([runs])[0]


def reindex_message(summary: str, failures: Sequence[tuple[str, str]]) -> str:
    runs: Block = [Run("Reindexed: ", ("b",)), Run(summary)]
    for path, reason in failures[:10]:
        runs += [Run("\n"), Run("failed", ("i",)), Run(f": {path}: {reason}")]
    if len(failures) > 10:
        runs.append(Run(f"\n… and {len(failures) - 10} more failures"))
    return pack([runs])[0]


# -- inline mode -----------------------------------------------------------------------------


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def inline_results(answer: Answer) -> list[InlineQueryResultArticle]:
    """One article per passage: the message it sends is the quote under its briefing's
    heading, standing on its own in any chat. Each result has a title of its own: the
    briefing's title and section, or, where another result already has that, the quote's
    first words."""
    results = []
    used: set[str] = set()
    for qh in answer.hits:
        hit = qh.hit
        budget = None
        while True:
            text = to_html(passage_block(qh, budget, number=False))
            if size(text) <= LIMIT:
                break
            budget = int((budget or len(qh.quote_text)) * 0.7)
        title = _clip(" · ".join(t for t in (hit.title, hit.heading) if t), 100)
        if title in used or not title:
            title = _clip(qh.quote_text, 60)
        used.add(title)
        results.append(
            InlineQueryResultArticle(
                id=str(hit.passage_id),
                title=title,
                description=_clip(f"{day_text(hit.date)}: {qh.quote_text}", 200),
                input_message_content=InputTextMessageContent(
                    text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
                ),
            )
        )
    return results
