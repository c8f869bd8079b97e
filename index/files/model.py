"""The document model every reader fills, and the rules every format shares.

A briefing read from plain text, Markdown, a web page, a PDF or a Word file is one `Document`
of `Block`s, and gets its date and title by the same rules whatever its format: a `date
YYYY-MM-DD` lead, a date in its file's name, a heading told from a paragraph by its shape, a
title from a headline, the file's name or the first sentence. `documents` (plain text and
Markdown) and the readers in `formats` both use these, so neither imports the other's
private names.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from .sentences import split

_TITLE_CHARS = 80
_HEADING_MAX_WORDS = 12
#: A `date YYYY-MM-DD` line opening a briefing's text: the date it is filed under.
DATE_LEAD = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})\b[ \t]*", re.IGNORECASE)
_FILE_DATE = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")
_FINAL_PUNCTUATION = ".!?,;:…\"'”’)"


class UnreadableFile(Exception):
    """A corpus file that cannot be indexed; the message says why, for the maintainer."""


@dataclass(frozen=True, slots=True)
class Block:
    """A heading or a paragraph, with its span in the document's text."""

    kind: str  # "heading" or "paragraph"
    text: str
    start: int
    end: int
    page: int | None = None  # from 1, for formats that have pages (PDF)


@dataclass(slots=True)
class Document:
    """One file as read: its text whole (block spans point into it), what it is called and
    dated, and what the reader doubted on the way (`warnings`, shown in the reindex report)."""

    path: str  # relative to the corpus folder, with forward slashes
    title: str
    date: dt.date | None
    text: str  # the decoded file; block spans point into it
    blocks: list[Block]
    source: str | None = None
    warnings: list[str] = field(default_factory=list)


def parse_date(value: str) -> dt.date | None:
    """An ISO date at the start of `value` ("2024-03-19", "2024-03-19T08:00"), else None."""
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def date_from_name(relative: str) -> dt.date | None:
    """The date a file's name holds ("2024-03-19-gaza.txt"), else None."""
    match = _FILE_DATE.search(Path(relative).name)
    return parse_date(match.group(1)) if match else None


def is_heading(chunk: str) -> bool:
    """A short, single line, starting with a capital and ending without punctuation."""
    if "\n" in chunk or chunk.endswith(tuple(_FINAL_PUNCTUATION)):
        return False
    words = chunk.split()
    return 0 < len(words) <= _HEADING_MAX_WORDS and (chunk[0].isupper() or chunk[0].isdigit())


def title_for(blocks: list[Block], relative: str = "") -> str:
    """What a person would call the briefing, from what the file has: a headline that opens
    it; else its file's name ("2023-09-20-japan-august-exports.txt" → "Japan August
    exports", each word written as the briefing writes it); else its first heading; else its
    first sentence, cut at a clause where it is too long. A first sentence cut off mid-clause
    and printed above every passage, the lead's own quote repeating it, is what a reader
    should not see where the file has something better."""
    if not blocks:
        return ""
    first = blocks[0]
    if first.kind == "heading":
        return first.text
    named = title_from_name(relative, "\n\n".join(b.text for b in blocks if b.kind == "paragraph"))
    if named:
        return named
    heading = next((b.text for b in blocks if b.kind == "heading"), None)
    if heading:
        return heading
    spans = split(first.text)
    sentence = " ".join((first.text[spans[0][0] : spans[0][1]] if spans else first.text).split())
    if len(sentence) <= _TITLE_CHARS:
        return sentence
    # Cut at the end of a clause where one ends far enough in, else at a word.
    clause = max(sentence.rfind(mark, 0, _TITLE_CHARS) for mark in (", ", "; ", " – ", " — "))
    if clause >= _TITLE_CHARS // 2:
        return sentence[:clause] + "…"
    return shorten(sentence, _TITLE_CHARS)


_NAME_WORD = re.compile(r"[^\W_]+", re.UNICODE)
#: File names that say nothing of what a briefing holds.
#: How much of a briefing is read for how it writes the words of its file's name.
_CASING_CHARS = 20_000
_PLAIN_NAMES = frozenset(
    "briefing briefings brief daily news notes note doc document file text untitled new copy"
    " final draft summary report today".split()
)


def title_from_name(relative: str, text: str = "") -> str | None:
    """A title from a file's name, when the name is words (at least two, not only "daily
    briefing"): its date left out, each word written as `text` mostly writes it where it is
    not a sentence's first word ("eu" → "EU", "japan" → "Japan", "exports" → "exports")."""
    stem = _FILE_DATE.sub(" ", Path(relative).stem)
    words = _NAME_WORD.findall(stem)
    alphabetic = [w for w in words if w.isalpha() and len(w) > 1]
    if len(alphabetic) < 2 or len(words) > _HEADING_MAX_WORDS:
        return None
    if all(w.lower() in _PLAIN_NAMES for w in alphabetic):
        return None
    text = text[:_CASING_CHARS]
    forms = _written_forms(text) if text else {}
    out: list[str] = []
    i = 0
    while i < len(words):
        # The longest run of the name's words that the text writes together ("Baltic Wind
        # Interconnector"), else the word as the text mostly writes it.
        for j in range(len(words), i + 1, -1):
            phrase = _written_phrase(words[i:j], text) if text else None
            if phrase:
                out.append(phrase)
                i = j
                break
        else:
            out.append(forms.get(words[i].lower(), words[i].lower()))
            i += 1
    title = " ".join(out)
    return title[:1].upper() + title[1:]


def _written_phrase(words: list[str], text: str) -> str | None:
    """How `text` most often writes these words one after another, if it does."""
    pattern = r"(?<![^\W_])" + r"[\s-]+".join(map(re.escape, words)) + r"(?![^\W_])"
    found: dict[str, int] = {}
    for m in re.finditer(pattern, text, re.IGNORECASE):
        phrase = " ".join(m.group().split())
        found[phrase] = found.get(phrase, 0) + 1
    return max(found, key=found.__getitem__) if found else None


def _written_forms(text: str) -> dict[str, str]:
    """Each word's most frequent spelling in `text` (paragraphs: headings are in title
    case) where it does not open a sentence."""
    counts: dict[str, dict[str, int]] = {}
    for m in _NAME_WORD.finditer(text):
        before = text[: m.start()].rstrip()[-1:]
        if not before or before in '.!?"“:':
            continue
        word = m.group()
        seen = counts.setdefault(word.lower(), {})
        seen[word] = seen.get(word, 0) + 1
    return {low: max(seen, key=seen.__getitem__) for low, seen in counts.items()}


def shorten(text: str, limit: int) -> str:
    """Cut `text` at a word boundary to at most `limit` characters, marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-–—") + "…"
