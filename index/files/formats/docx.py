"""Word files: headings and paragraphs in document order, tables row by row.

python-docx reads the document body and its core properties without Word. A paragraph styled
Title or Heading N is a heading; every other non-empty paragraph is a paragraph; each table row
becomes one paragraph of its cells. The title and creation date come from the core properties.
"""

from __future__ import annotations

import io
import zipfile
import zlib

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table

from ..model import UnreadableFile
from . import Extracted

#: A Word file's parts may unpack to this much in all (images included) …
MAX_UNPACKED_BYTES = 256 * 2**20
#: … and its XML (the text and its markup) to this much: some hundreds of pages of text.
MAX_XML_BYTES = 8 * 2**20


def extract(data: bytes, relative: str) -> Extracted:
    try:
        _check_unpacked(data)
        document = docx.Document(io.BytesIO(data))
        properties = document.core_properties
        blocks = list(_blocks(document))
        title, created = properties.title, properties.created
    except (PackageNotFoundError, zipfile.BadZipFile, zlib.error, KeyError, ValueError) as exc:
        raise UnreadableFile(f"it could not be read as a Word (.docx) file ({exc})") from exc
    if not title:
        title = next((text for kind, text, style in blocks if style == "Title"), None)
    return Extracted(
        blocks=[(kind, text, None) for kind, text, _ in blocks],
        title=title,
        date=created.date() if created else None,
        date_origin="its creation date in the Word file's properties",
    )


def _check_unpacked(data: bytes) -> None:
    """Refuse a file that unpacks to far more than any briefing (a zip bomb, say) before its
    parts are read: python-docx reads every part whole and parses the body as one tree. The
    sizes are the ones the zip declares, and zipfile never unpacks more than that."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
    total = sum(m.file_size for m in members)
    xml = sum(m.file_size for m in members if m.filename.endswith((".xml", ".rels")))
    if total > MAX_UNPACKED_BYTES or xml > MAX_XML_BYTES:
        raise UnreadableFile(
            f"it unpacks to {total / 2**20:,.0f} MB ({xml / 2**20:,.0f} MB of text and markup),"
            f" more than a briefing holds ({MAX_XML_BYTES // 2**20} MB of markup at most);"
            " it was not read"
        )


def _blocks(document):
    # python-docx looks up the default style anew for every paragraph without one (scanning
    # every style: 2 ms a paragraph), so style names are read from the paragraph's own style
    # id through a table made once.
    names = {style.style_id: style.name for style in document.styles}
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells = list(dict.fromkeys(c.text.strip() for c in row.cells))  # merged cells
                yield "paragraph", " | ".join(c for c in cells if c), ""
            continue
        style_id = item._p.style  # the w:pStyle id, or None for the default style
        style = (names.get(style_id) or "") if style_id else ""
        kind = "heading" if style == "Title" or style.startswith("Heading") else "paragraph"
        yield kind, item.text, style
