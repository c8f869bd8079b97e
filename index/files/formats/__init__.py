"""Readers for briefings that arrive as web pages, PDFs and Word files.

Each format module turns a file's bytes into `Extracted`: blocks of text in reading order,
with whatever title and date the file's own metadata states. `assemble` then gives every
format the same rules as plain text: a `date YYYY-MM-DD` lead, a title taken from the first
heading or sentence, and a warning whenever two sources of a date disagree, so a wrong date is
seen rather than silently used. The libraries behind these readers load only when a file of
their kind is read.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from dataclasses import dataclass, field

from ..model import (
    DATE_LEAD,
    Block,
    Document,
    UnreadableFile,
    date_from_name,
    parse_date,
    title_for,
)

#: Suffix → module in this package that reads it.
READERS = {".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx"}
SUFFIXES = tuple(READERS)

_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_PARAGRAPH_BREAK = "\n\n"


@dataclass(slots=True)
class Extracted:
    """What a format reader found, before the shared rules are applied."""

    blocks: list[tuple[str, str, int | None]]  # (kind, text, page)
    title: str | None = None
    date: dt.date | None = None  # as the file's metadata states it
    date_origin: str = "its metadata"  # where `date` came from, for warnings
    source: str | None = None
    warnings: list[str] = field(default_factory=list)


def read_rich(data: bytes, relative: str, suffix: str) -> Document:
    """Read a web page, PDF or Word file into a document."""
    module = importlib.import_module(f"{__name__}.{READERS[suffix]}")
    return assemble(module.extract(data, relative), relative)


def clean(text: str) -> str:
    """One paragraph's text with runs of spaces collapsed and line ends kept."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def assemble(found: Extracted, relative: str) -> Document:
    """Lay the blocks out as one text with spans, and settle the title and date."""
    blocks = [(kind, clean(text), page) for kind, text, page in found.blocks]
    blocks = [b for b in blocks if b[1]]
    candidates: list[tuple[str, dt.date]] = []
    if found.date:
        candidates.append((found.date_origin, found.date))
    blocks, lead_date = _take_date_lead(blocks)
    if lead_date:
        candidates.append((f"its text begins with date {lead_date}", lead_date))
    name_date = date_from_name(relative)
    if name_date:
        candidates.append((f"its file name has {name_date}", name_date))
    text, laid_out = _lay_out(blocks)
    if not any(b.kind == "paragraph" for b in laid_out):
        raise UnreadableFile("no text was found in it")
    warnings = list(found.warnings)
    date = candidates[0][1] if candidates else None
    for origin, other in candidates[1:]:
        if other != date:
            warnings.append(
                f"{candidates[0][0]} dates it {date} but {origin}; {date} is used. "
                "Correct whichever is wrong."
            )
    title = found.title.strip() if found.title and found.title.strip() else title_for(laid_out)
    return Document(relative, title, date, text, laid_out, found.source, warnings)


def _take_date_lead(
    blocks: list[tuple[str, str, int | None]],
) -> tuple[list[tuple[str, str, int | None]], dt.date | None]:
    """Find a `date YYYY-MM-DD` lead in the first block, or the first after a title heading."""
    for i in range(min(2, len(blocks))):
        kind, text, page = blocks[i]
        lead = DATE_LEAD.match(text)
        if lead:
            rest = text[lead.end() :].strip()
            return blocks[:i] + ([(kind, rest, page)] if rest else []) + blocks[i + 1 :], (
                parse_date(lead.group(1))
            )
        if kind != "heading":
            break
    return blocks, None


def _lay_out(blocks: list[tuple[str, str, int | None]]) -> tuple[str, list[Block]]:
    parts: list[str] = []
    laid_out: list[Block] = []
    pos = 0
    for kind, text, page in blocks:
        if parts:
            parts.append(_PARAGRAPH_BREAK)
            pos += len(_PARAGRAPH_BREAK)
        parts.append(text)
        laid_out.append(Block(kind, text, pos, pos + len(text), page))
        pos += len(text)
    return "".join(parts), laid_out
