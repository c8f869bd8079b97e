"""PDF files: the text layer, page by page, so that a quote can name its page.

pypdf is pure Python and well kept. It gives each page's text as lines, so paragraphs and
headings are recovered from the lines: a blank line or a short line that ends a sentence closes
a paragraph, a short line without final punctuation at the start of one is a heading, bare page
numbers are dropped, words hyphenated across lines are joined, and a paragraph cut by a page
break is joined again and keeps the page it starts on.
"""

from __future__ import annotations

import io
import re
import statistics

import pypdf
from pypdf.errors import PyPdfError

from ..model import UnreadableFile, is_heading
from . import Extracted

_FINAL = (".", "!", "?", ":", '"', "”", "’", ")", "…")
#: Titles that PDF makers fill in from the source file rather than from the document.
_MADE_UP_TITLE = re.compile(
    r"^(?:microsoft \w+ - |untitled\b)|\.(?:docx?|odt|rtf|txt|pdf|html?)$", re.IGNORECASE
)
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)
#: A line this much shorter than the page's usual line ends its paragraph, if it ends a sentence.
_SHORT_LINE = 0.85
#: A heading is at most this fraction of the usual line.
_HEADING_LINE = 0.7
#: Text extraction walks every drawing instruction (about 10 s a megabyte of them), so a
#: page with more than this is skipped with a warning (a page of text needs tens of kilobytes)
#: and a file with more than `MAX_CONTENT_BYTES` in all is not read: a 10 KB PDF can inflate
#: to many megabytes of them.
MAX_PAGE_CONTENT_BYTES = 2 * 2**20
MAX_CONTENT_BYTES = 16 * 2**20


def extract(data: bytes, relative: str) -> Extracted:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFile("it is protected by a password")
        title, created = _metadata(reader)
        blocks: list[tuple[str, str, int | None]] = []
        warnings: list[str] = []
        total = 0
        for number, page in enumerate(reader.pages, start=1):
            size = _content_size(page)
            total += size
            if total > MAX_CONTENT_BYTES:
                raise UnreadableFile(
                    f"its pages hold over {MAX_CONTENT_BYTES // 2**20} MB of drawing instructions,"
                    " far more than text needs; it was not read"
                )
            if size > MAX_PAGE_CONTENT_BYTES:
                warnings.append(
                    f"page {number} was skipped: it holds {size / 2**20:.0f} MB of drawing"
                    " instructions, far more than a page of text needs"
                )
                continue
            _append_page(blocks, _page_blocks(page.extract_text() or "", number))
    except UnreadableFile:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, AssertionError) as exc:
        raise UnreadableFile(f"it could not be read as a PDF ({exc})") from exc
    if not blocks and warnings:
        raise UnreadableFile("no text was read from it: " + "; ".join(warnings[:3]))
    if not blocks:
        raise UnreadableFile("it has no text layer (a scanned PDF?); run it through OCR first")
    return Extracted(
        blocks=blocks,
        title=title,
        date=created,
        date_origin="its creation date in the PDF",
        warnings=warnings,
    )


def _content_size(page: pypdf.PageObject) -> int:
    """Bytes of a page's content stream, unpacked (pypdf caps what it inflates)."""
    contents = page.get_contents()
    return len(contents.get_data()) if contents is not None else 0


def _metadata(reader: pypdf.PdfReader):
    info = reader.metadata
    if info is None:
        return None, None
    try:
        created = info.creation_date
    except ValueError:  # a malformed date string: no date rather than no document
        created = None
    title = info.title if isinstance(info.title, str) else None
    if title and _MADE_UP_TITLE.search(title.strip()):
        title = None  # the first heading says more than "Microsoft Word - brief.docx"
    return title, created.date() if created else None


def _page_blocks(text: str, page: int) -> list[tuple[str, str, int | None]]:
    lines = [line.strip() for line in text.splitlines()]
    while lines and (not lines[-1] or _PAGE_NUMBER.match(lines[-1])):
        lines.pop()
    while lines and (not lines[0] or _PAGE_NUMBER.match(lines[0])):
        lines.pop(0)
    body = [len(line) for line in lines if len(line.split()) >= 5]
    usual = statistics.median(body) if body else max((len(line) for line in lines), default=0)
    blocks: list[tuple[str, str, int | None]] = []
    current: list[str] = []

    def close() -> None:
        if current:
            blocks.append(("paragraph", _join(current), page))
            current.clear()

    for line in lines:
        if not line:
            close()
        elif not current and is_heading(line) and len(line) <= _HEADING_LINE * usual:
            blocks.append(("heading", line, page))
        else:
            current.append(line)
            if line.endswith(_FINAL) and len(line) < _SHORT_LINE * usual:
                close()
    close()
    return blocks


def _join(lines: list[str]) -> str:
    text = lines[0]
    for line in lines[1:]:
        if text.endswith("-") and text[-2:-1].isalpha() and line[:1].islower():
            text = text[:-1] + line
        else:
            text += " " + line
    return text


def _append_page(blocks: list, page_blocks: list) -> None:
    """Add a page's blocks, joining a paragraph that the page break cut in two."""
    if (
        blocks
        and page_blocks
        and blocks[-1][0] == "paragraph"
        and page_blocks[0][0] == "paragraph"
        and not blocks[-1][1].endswith(_FINAL)
    ):
        kind, text, page = blocks.pop()
        blocks.append((kind, _join([text, page_blocks.pop(0)[1]]), page))
    blocks.extend(page_blocks)
