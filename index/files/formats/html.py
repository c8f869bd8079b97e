"""Web pages: the article's title, date and main text, without menus, scripts or footers.

trafilatura finds the main content (it leads published comparisons of boilerplate removal),
keeps its structure as headings, paragraphs, lists and tables, reads the title from the page's
metadata, and finds the publication date in the page's markup with htmldate. It decodes the
bytes itself, honouring the page's declared character set. The date search is kept to the
markup (no guessing from dates mentioned in the text), and precision is favoured over recall
so that a short page does not pick up its navigation.
"""

from __future__ import annotations

import logging

import trafilatura
from lxml import etree

from ..model import UnreadableFile, parse_date
from . import Extracted

# trafilatura logs each page it finds little in; the reindex report says so once instead.
logging.getLogger("trafilatura").setLevel(logging.ERROR)
logging.getLogger("htmldate").setLevel(logging.ERROR)

_DATE_SEARCH = {"extensive_search": False, "original_date": True}


def extract(data: bytes, relative: str) -> Extracted:
    try:
        found = trafilatura.bare_extraction(
            data,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            favor_precision=True,
            date_extraction_params=_DATE_SEARCH,
        )
    except (ValueError, etree.LxmlError) as exc:
        raise UnreadableFile(f"it could not be parsed as HTML ({exc})") from exc
    if found is None or found.body is None:
        raise UnreadableFile("no article text was found in the page")
    return Extracted(
        blocks=list(_blocks(found.body)),
        title=found.title,
        date=parse_date(found.date) if found.date else None,
        date_origin="its publication date in the page's metadata",
        source=found.url,
    )


def _blocks(body):
    """trafilatura's output elements as headings and paragraphs, in reading order."""
    for element in body:
        tag = element.tag
        if tag == "head":
            yield "heading", _text(element), None
        elif tag == "list":
            for item in element.iter("item"):
                yield "paragraph", _text(item), None
        elif tag == "table":
            for row in element.iter("row"):
                cells = [_text(cell) for cell in row.iter("cell")]
                yield "paragraph", " | ".join(c for c in cells if c), None
        else:  # p, quote, code and anything newer
            yield "paragraph", _text(element), None


def _text(element) -> str:
    for line_break in element.iter("lb"):  # a <br>: keep the words on either side apart
        line_break.tail = "\n" + (line_break.tail or "")
    return "".join(element.itertext())
