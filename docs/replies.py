"""Write docs/replies.md: the bot's typical replies, exactly as it sends them, as a reader on a
phone would see them.

Tests check what a reply holds; nobody reads a whole reply there. This script shows them
whole, so that a reply that reads badly is seen, and it is generated so that it never drifts
from what the bot does. It runs the real bot against the Bot API stand-in of the end-to-end
tests (real HTTP on 127.0.0.1; no internet, no token), over an index of the bundled briefing
and a few small briefings of its own, says what a person would say, and turns each message
the bot sends (Telegram HTML and inline keyboard) into Markdown.

    .venv/bin/python docs/replies.py            # or: make replies
    .venv/bin/python docs/replies.py OUT.md     # somewhere else

Buttons are found by the start of their labels ("Context", "More"), so that new wording on
the buttons changes the page, not whether it can be made. Every question names its dates or
none, and the summary asks for a fixed day, so the page is the same on every run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from botapi import BOT_USERNAME, BotAPIStandIn, SentMessage  # noqa: E402
from bothelpers import GROUP, PRIVATE, RAILWAY_QUESTION, bot_settings, running_bot  # noqa: E402

from bot.render import EXPANDABLE_OVER  # noqa: E402
from index.storage.reindex import reindex  # noqa: E402

OUTPUT = ROOT / "docs" / "replies.md"
COMMAND = ".venv/bin/python docs/replies.py"


def _briefing(title: str, date: str, source: str | None, *sections: tuple[str, list[str]]) -> str:
    """A Markdown briefing: front matter, then each section's heading (if any) and paragraphs,
    a paragraph to a line."""
    front = [f"title: {title}", f"date: {date}"] + ([f"source: {source}"] if source else [])
    body = []
    for heading, paragraphs in sections:
        body += [f"# {heading}"] if heading else []
        body += paragraphs
    return "---\n" + "\n".join(front) + "\n---\n\n" + "\n\n".join(body) + "\n"


#: A recurring local subject, so that an answer spans several briefings and pages, and a day
#: has briefings to sum up. The town, its reservoir and its ferry are made up.
BRIEFINGS = {
    "2024-04-08-kelvale-repairs.md": _briefing(
        "Kelvale reservoir repairs approved",
        "2024-04-08",
        "https://example.org/briefings/kelvale-repairs",
        (
            "Repairs",
            [
                "The Kelvale district council approved repairs to the dam of the Kelvale"
                " reservoir on Monday, after an inspection found cracks in its concrete"
                " spillway. The work is expected to take eleven weeks and will be paid for from"
                " the district's water fund."
            ],
        ),
        (
            "Water supply",
            [
                "Households supplied from the Kelvale reservoir should see no change to their"
                " water while the repairs go on. The water company will draw more from its"
                " river intake at Marrow Bridge during the work."
            ],
        ),
    ),
    "2024-04-09-kelvale-levels.md": _briefing(
        "Kelvale reservoir level falls after a dry March",
        "2024-04-09",
        "https://example.org/briefings/kelvale-levels",
        (
            "Levels",
            [
                "The Kelvale reservoir stood at 61 per cent of its capacity at the start of"
                " April, its lowest level for the time of year since 2018, after the driest"
                " March on the district's records."
            ],
        ),
        (
            "Restrictions",
            [
                "No hosepipe restrictions are planned for now. The council will review the"
                " reservoir level again at the end of April, when the repairs to the dam are"
                " under way."
            ],
        ),
    ),
    "2024-04-09-kelvale-anglers.md": _briefing(
        "Anglers asked to keep off the Kelvale reservoir banks",
        "2024-04-09",
        None,
        (
            "",
            [
                "Anglers have been asked to keep off the eastern banks of the Kelvale reservoir"
                " while repairs to the dam go on, as heavy vehicles will use the track along"
                " the shore. The angling club's spring competition moves to Dunmore lake on"
                " 20 April."
            ],
        ),
    ),
    "2024-04-09-dunmore-ferry.md": _briefing(
        "Dunmore ferry moves to its summer timetable",
        "2024-04-09",
        None,
        (
            "",
            [
                "The ferry between Dunmore harbour and the island of Ness moves to its summer"
                " timetable on 15 April, with a crossing every forty minutes from seven in the"
                " morning until nine at night. Fares are unchanged."
            ],
        ),
    ),
    "2024-04-10-kelvale-work-begins.md": _briefing(
        "Work begins on the Kelvale dam",
        "2024-04-10",
        "https://example.org/briefings/kelvale-work-begins",
        (
            "",
            [
                "Contractors began work on the dam of the Kelvale reservoir on Wednesday. The"
                " footpath across the dam is closed until the end of June, and walkers are"
                " asked to use the path through Hollin Wood instead."
            ],
        ),
    ),
}

#: What a person asks for each screen.
SEVERAL = "what is happening at the Kelvale reservoir?"
NOTHING = "what was decided about the volcano observatory?"
GROUP_QUESTION = "what did Putin and Raeisi say about Gaza?"
INLINE_QUERY = "Kelvale dam"
SUMMARY_DAY = "2024-04-09"


# -- Telegram HTML into Markdown -----------------------------------------------------------------


@dataclass
class _Piece:
    """A stretch of a message's visible text and how it is shown."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    quote: bool = False
    href: str | None = None


class _Reader(HTMLParser):
    """Telegram's HTML (the tags the Bot API takes) into pieces of text with their styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[_Piece] = []
        self.open: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                del self.open[i]
                break

    def handle_data(self, data: str) -> None:
        tags = {t for t, _ in self.open}
        href = next((a.get("href") for t, a in self.open if t == "a"), None)
        self.pieces.append(
            _Piece(
                data,
                bold=bool(tags & {"b", "strong"}),
                italic=bool(tags & {"i", "em"}),
                code=bool(tags & {"code", "pre"}),
                quote="blockquote" in tags,
                href=href,
            )
        )


_ESCAPE = re.compile(r"([\\`*\[\]<>|]|&(?=#?\w+;))")
#: What would start a heading or a list at the start of a line; the mark to escape is group 2.
_LINE_START = re.compile(r"^(\s*\d*)([#+=-]|(?<=\d)[.)])")


def _escape(text: str) -> str:
    """Text as Markdown shows it literally; "_" only where it could start or end emphasis."""
    text = _ESCAPE.sub(r"\\\1", text)
    return re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)


def _styled(piece: _Piece, before: str, after: str) -> str:
    """One piece in Markdown: spaces kept outside the markers, which Markdown needs."""
    core = piece.text.strip(" ")
    if not core:
        return piece.text
    lead = piece.text[: len(piece.text) - len(piece.text.lstrip(" "))]
    trail = piece.text[len(piece.text.rstrip(" ")) :]
    if piece.code:
        return f"{lead}`{core}`{trail}"
    out = _escape(core)
    if piece.italic:
        # "_" does not work inside a word in Markdown; "*" does.
        inside = (lead == "" and before[-1:].isalnum()) or (trail == "" and after[:1].isalnum())
        mark = "*" if inside else "_"
        out = f"{mark}{out}{mark}"
    if piece.bold:
        out = f"**{out}**"
    if piece.href:
        out = f"[{out}]({piece.href})"
    return f"{lead}{out}{trail}"


def _style(piece: _Piece) -> tuple:
    return piece.bold, piece.italic, piece.code, piece.quote, piece.href


def _lines(pieces: list[_Piece]) -> list[tuple[bool, str]]:
    """The message's lines, each in Markdown and marked whether it is inside a quote. A quote
    that begins or ends within a line starts a line of its own, as Telegram shows it."""
    split: list[list[_Piece]] = [[]]
    for piece in pieces:
        for n, part in enumerate(piece.text.split("\n")):
            if n:
                split.append([])
            if part:
                split[-1].append(replace(piece, text=part))
    lines: list[tuple[bool, list[_Piece]]] = []
    for line in split:
        current: list[_Piece] = []
        for p in line:
            if current and current[-1].quote != p.quote and p.text.strip():
                lines.append((current[-1].quote, current))
                current = []
            if current and _style(current[-1]) == _style(p):
                current[-1] = replace(current[-1], text=current[-1].text + p.text)
            else:
                current.append(p)
        lines.append((current[-1].quote if current else False, current))
    out: list[tuple[bool, str]] = []
    for quote, line in lines:
        text = "".join(
            _styled(p, line[i - 1].text if i else "", line[i + 1].text if i + 1 < len(line) else "")
            for i, p in enumerate(line)
        ).rstrip()
        match = _LINE_START.match(text)
        if match:  # "1." or "-" at the start of a line is text here, not a list
            text = f"{text[: match.start(2)]}\\{text[match.start(2) :]}"
        out.append((quote, text))
    return out


def to_markdown(telegram_html: str) -> str:
    """A message in Telegram HTML as Markdown: **bold**, _italic_, `code`, [links](url),
    quotes as "> " lines, its line breaks kept (a trailing backslash) and its blank lines."""
    reader = _Reader()
    reader.feed(telegram_html)
    reader.close()
    lines = _lines(reader.pieces)
    while lines and not lines[-1][1]:
        lines.pop()
    while lines and not lines[0][1]:
        lines.pop(0)
    out: list[str] = []
    for i, (quote, text) in enumerate(lines):
        if not text:
            if out and out[-1] != "":
                out.append("")
            continue
        if out and out[-1] != "" and (quote != lines[i - 1][0]):
            out.append("")  # a quote is a block: set off from the text around it
        following = lines[i + 1] if i + 1 < len(lines) else None
        breaks = following is not None and following[1] != "" and following[0] == quote
        out.append(("> " if quote else "") + text + ("\\" if breaks else ""))
    return "\n".join(out)


def keyboard_line(message: SentMessage) -> str:
    """The inline keyboard, a row per line: `[ Context 1 ] [ Context 2 ]`."""
    rows = (message.reply_markup or {}).get("inline_keyboard") or []
    return "\n\n".join("`" + " ".join(f"[ {b['text']} ]" for b in row) + "`" for row in rows if row)


# -- the screens -----------------------------------------------------------------------------


@dataclass
class Screen:
    """One exchange: what the person did, and what the bot sent back."""

    title: str
    said: str  # Markdown
    messages: list[SentMessage] = field(default_factory=list)
    #: The short notice a button press shows at the top of the screen, if any.
    notice: str | None = None
    #: Inline mode: the results offered (the Bot API's InlineQueryResultArticle as sent).
    results: list[dict] = field(default_factory=list)
    note: str = ""


def _message_markdown(message: SentMessage, n: int, of: int, bot_ids: set[int]) -> str:
    """One message under a line saying who sent it and, as a phone shows above a reply, what
    it replies to."""
    if message.method == "editMessageText":
        who = "**briefbot** (the same message, now reading):"
    else:
        who = "**briefbot**" + (f" (message {n} of {of})" if of > 1 else "")
        if message.reply_to_message_id is not None:
            mine = message.reply_to_message_id in bot_ids
            who += ", replying to its answer" if mine else ", replying to your message"
        who += ":"
    parts = [who, to_markdown(message.text or "")]
    keys = keyboard_line(message)
    if keys:
        parts.append(keys)
    return "\n\n".join(parts)


def _result_markdown(result: dict) -> str:
    title = _escape(result.get("title", ""))
    description = _escape(result.get("description", ""))
    return f"- **{title}**\\\n  {description}"


def render_page(screens: list[Screen]) -> str:
    """The whole of docs/replies.md."""
    out = [
        "# Replies as the bot sends them",
        "",
        f"Regenerate this file with `{COMMAND}` (or `make replies`); it runs the real bot"
        " against the Bot API stand-in of the tests, over `corpus/` and a few made-up"
        " briefings about a Kelvale reservoir, and writes down every message the bot sends.",
        "",
        "Bold, italic, links and quotes are as Telegram shows them; a line of `[ … ]` is the"
        f" row of buttons under a message. A quote longer than {EXPANDABLE_OVER} characters"
        " arrives collapsed, and a phone shows its first lines until it is tapped. The bot is"
        f" called @{BOT_USERNAME} here.",
    ]
    bot_ids = {m.message_id for s in screens for m in s.messages if m.message_id is not None}
    for n, screen in enumerate(screens, 1):
        out += ["", f"## {n}. {screen.title}", ""]
        if screen.note:
            out += [screen.note, ""]
        out.append(screen.said)
        if screen.results:
            out += ["", "Telegram lists, above the keyboard (title, then description):", ""]
            out += [_result_markdown(r) for r in screen.results]
            first = screen.results[0]["input_message_content"]
            out += [
                "",
                "Picking the first one sends this message, from the person, via the bot:",
                "",
                to_markdown(first["message_text"]),
            ]
        if screen.notice:
            out += ["", f"Telegram shows the notice: _{_escape(screen.notice)}_"]
        for i, message in enumerate(screen.messages, 1):
            out += ["", _message_markdown(message, i, len(screen.messages), bot_ids)]
    return "\n".join(out) + "\n"


# -- driving the bot -------------------------------------------------------------------------

#: A reply is whole once no message has followed it for this long.
QUIET = 0.3


async def _replies(standin: BotAPIStandIn, chat_id: int, act: Callable[[], object]) -> list:
    """Do something in a chat and return the messages the bot sends (or edits) in reply."""
    before = len(standin.messages_to(chat_id))
    act()
    await standin.wait_for_messages_async(before + 1, chat_id=chat_id)
    count, last = len(standin.messages_to(chat_id)), time.monotonic()
    while time.monotonic() - last < QUIET:
        await asyncio.sleep(0.02)
        now = len(standin.messages_to(chat_id))
        if now != count:
            count, last = now, time.monotonic()
    return standin.messages_to(chat_id)[before:]


def _button(message: SentMessage, prefix: str) -> tuple[str, str]:
    """The label and data of the first button whose label starts with `prefix`."""
    for b in message.buttons:
        if b["text"].startswith(prefix):
            return b["text"], b["callback_data"]
    labels = [b["text"] for b in message.buttons]
    raise LookupError(f"no button starting with {prefix!r} under the message; there are {labels}")


async def _press(
    standin: BotAPIStandIn, chat_id: int, message: SentMessage, prefix: str
) -> tuple[str, list[SentMessage], str | None]:
    """Press a button: its label, the messages sent or edited, and any notice shown."""
    label, data = _button(message, prefix)
    answered = len(standin.calls_to("answerCallbackQuery"))
    sent = await _replies(
        standin, chat_id, lambda: standin.push_callback(chat_id, message.message_id, data)
    )
    calls = standin.calls_to("answerCallbackQuery")[answered:]
    notice = next((c.params.get("text") for c in calls if c.params.get("text")), None)
    return label, sent, notice


def _you(text: str, where: str = "") -> str:
    return f"**You{where}:** {_escape(text)}"


async def _screens(standin: BotAPIStandIn) -> list[Screen]:
    def say(chat_id: int, text: str, **kwargs) -> Callable[[], object]:
        return lambda: standin.push_text(chat_id, text, **kwargs)

    screens: list[Screen] = []

    answer = await _replies(standin, PRIVATE, say(PRIVATE, RAILWAY_QUESTION))
    screens.append(Screen("A question in a private chat", _you(RAILWAY_QUESTION), answer))

    several = await _replies(standin, PRIVATE, say(PRIVATE, SEVERAL))
    screens.append(Screen("An answer from several briefings", _you(SEVERAL), several))
    label, page2, notice = await _press(standin, PRIVATE, several[-1], "More")
    pressed = f"**You** press `[ {label} ]` under that answer."
    screens.append(Screen("The next page of an answer", pressed, page2, notice))

    label, context, notice = await _press(standin, PRIVATE, answer[-1], "Context")
    pressed = f"**You** press `[ {label} ]` under the answer to “{_escape(RAILWAY_QUESTION)}”."
    screens.append(Screen("A passage in its context", pressed, context, notice))

    nothing = await _replies(standin, PRIVATE, say(PRIVATE, NOTHING))
    screens.append(Screen("Nothing found", _you(NOTHING), nothing))

    ask = f"/ask {GROUP_QUESTION}"
    in_group = say(GROUP, ask, chat_type="supergroup", chat_title="Briefings desk")
    group = await _replies(standin, GROUP, in_group)
    screens.append(Screen("A question in a group", _you(ask, ", in a group"), group))

    calls = len(standin.calls_to("answerInlineQuery"))
    standin.push_inline_query(PRIVATE, INLINE_QUERY)
    [call] = (await standin.wait_for_calls_async("answerInlineQuery", calls + 1))[calls:]
    typed = f"**You** type `@{BOT_USERNAME} {INLINE_QUERY}` in any chat."
    screens.append(Screen("Inline mode", typed, results=call.params.get("results") or []))

    summary = f"/summary {SUMMARY_DAY}"
    posted = await _replies(standin, GROUP, say(GROUP, summary))
    note = (
        "A daily summary (`/daily 08:00`) is the same message, posted at that time without"
        " being asked."
    )
    screens.append(Screen("A day's summary", _you(summary, ", in a group"), posted, note=note))

    shown = await _replies(standin, PRIVATE, say(PRIVATE, "/help"))
    screens.append(Screen("Help in a private chat", _you("/help"), shown))
    return screens


def _corpus(folder: Path) -> Path:
    """The bundled briefing and the made-up ones, in a folder of their own."""
    shutil.copytree(ROOT / "corpus", folder)
    for name, text in BRIEFINGS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


async def _run(work: Path) -> list[Screen]:
    corpus = _corpus(work / "corpus")
    db = work / "index.db"
    report = await asyncio.to_thread(reindex, corpus, db)
    if report.failed:
        raise RuntimeError(f"briefings that could not be read: {report.failed}")
    async with BotAPIStandIn() as standin:
        # Answered in the bot's threads: the replies are the same, and no process starts.
        settings = bot_settings(standin, corpus, db, search_processes=0)
        async with running_bot(settings):
            return await _screens(standin)


def generate(output: Path = OUTPUT) -> Path:
    """Run the bot through every screen and write the page to `output`."""
    # The stand-in is on this machine: a proxy set for the internet must not stand in between.
    for name in ("NO_PROXY", "no_proxy"):
        os.environ[name] = ",".join(filter(None, [os.environ.get(name), "127.0.0.1,localhost"]))
    with tempfile.TemporaryDirectory(prefix="briefbot-replies-") as work:
        screens = asyncio.run(_run(Path(work)))
    output.write_text(render_page(screens), encoding="utf-8")
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", nargs="?", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    print(f"wrote {generate(args.output)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
