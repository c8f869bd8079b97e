"""Reading briefing files into documents: their title, date, and blocks of text.

A reader never guesses silently. A file it cannot read raises `UnreadableFile` with a reason a
maintainer can act on; a file it reads with doubts (a legacy encoding) says so in `warnings`.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from .model import (
    DATE_LEAD,
    Block,
    Document,
    UnreadableFile,
    date_from_name,
    is_heading,
    parse_date,
    title_for,
)

#: The file suffixes the corpus reader knows: plain text and Markdown here, the rest in
#: `index.files.formats`.
TEXT_SUFFIXES = (".txt", ".md")
SUFFIXES = (*TEXT_SUFFIXES, ".html", ".htm", ".pdf", ".docx")

#: Bumped whenever a change here, in `model` or in `formats` changes what is read from a file
#: (its title, its blocks):
#: an index built with another version reads every file again on its next reindex.
READER_VERSION = "2"
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_BLANK_LINES = re.compile(r"\n[ \t]*\n")


def decode(data: bytes, name: str) -> tuple[str, list[str]]:
    """Bytes to text: UTF-8 if it is, else a legacy Western encoding with a warning."""
    if not data.strip():
        raise UnreadableFile("the file is empty")
    if b"\x00" in data[:8192] or _looks_binary(data[:8192]):
        raise UnreadableFile("it looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        position = exc.start
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, [
            f"not valid UTF-8 (first bad byte at offset {position}); read as {encoding}. "
            f"Re-save {name} as UTF-8 to silence this."
        ]
    raise UnreadableFile("its text encoding could not be recognised")  # pragma: no cover


_NOT_CONTROL = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 12, 13))


def _looks_binary(head: bytes) -> bool:
    controls = len(head.translate(None, _NOT_CONTROL))  # counted in C: this runs on every file
    return controls > max(8, len(head) // 100)


def read(path: Path, root: Path) -> Document:
    """Read one corpus file. Raises `UnreadableFile` with the reason when it can't."""
    relative = path.relative_to(root).as_posix()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"it could not be opened: {exc.strerror or exc}") from exc
    return parse(data, relative)


def parse(data: bytes, relative: str) -> Document:
    """Parse a file's bytes by its suffix into a document."""
    suffix = Path(relative).suffix.lower()
    if suffix in SUFFIXES and suffix not in TEXT_SUFFIXES:
        if not data.strip():
            raise UnreadableFile("the file is empty")
        from .formats import read_rich  # its libraries load only for files that need them

        return read_rich(data, relative, suffix)
    text, warnings = decode(data, relative)
    if suffix == ".md":
        doc = _parse_markdown(text, relative)
    elif suffix == ".txt":
        doc = _parse_text(text, relative)
    else:
        raise UnreadableFile(f"files ending in {suffix or '(nothing)'} are not read")
    doc.warnings[:0] = warnings
    if not any(b.kind == "paragraph" for b in doc.blocks):
        if not doc.blocks:
            raise UnreadableFile("it has no paragraphs of text")
        # Only short lines (a table, a list of figures): they are the text, not headings.
        doc.blocks = [dataclasses.replace(b, kind="paragraph") for b in doc.blocks]
    if doc.date is None:
        doc.date = date_from_name(relative)
    return doc


def _parse_text(text: str, relative: str) -> Document:
    date = None
    body_start = 0
    lead = DATE_LEAD.match(text)
    if lead:
        date = parse_date(lead.group(1))
        body_start = lead.end()
    blocks = list(_blocks(text, body_start))
    return Document(relative, title_for(blocks, relative), date, text, blocks)


def _parse_markdown(text: str, relative: str) -> Document:
    meta: dict[str, str] = {}
    body_start = 0
    front = _FRONT_MATTER.match(text)
    if front:
        meta = _front_matter(front.group(1))
        body_start = front.end()
    date = parse_date(meta["date"]) if meta.get("date") else None
    if date is None:
        lead = DATE_LEAD.match(text, body_start)
        if lead:
            date = parse_date(lead.group(1))
            body_start = lead.end()
    blocks = list(_blocks(text, body_start, markdown=True))
    title = meta.get("title") or title_for(blocks, relative)
    return Document(relative, title, date, text, blocks, source=meta.get("source"))


def _front_matter(block: str) -> dict[str, str]:
    """The `key: value` lines of a front matter block; nested YAML is not needed here."""
    meta = {}
    for line in block.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta


def _blocks(text: str, start: int, markdown: bool = False):
    """Split the body into paragraphs and headings, keeping each span in `text`."""
    pos = start
    for sep in [*_BLANK_LINES.finditer(text, start), None]:
        end = sep.start() if sep else len(text)
        yield from _block(text, pos, end, markdown)
        pos = sep.end() if sep else end


def _block(text: str, start: int, end: int, markdown: bool):
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        return
    chunk = text[start:end]
    if markdown:
        heading = _MD_HEADING.match(chunk.split("\n", 1)[0])
        if heading:
            first_line_end = start + len(chunk.split("\n", 1)[0])
            hs = start + heading.start(2)
            yield Block("heading", heading.group(2), hs, hs + len(heading.group(2)))
            yield from _block(text, first_line_end, end, markdown)
            return
    if is_heading(chunk):
        yield Block("heading", chunk, start, end)
    else:
        yield Block("paragraph", chunk, start, end)
