"""Word files: headings and paragraphs in document order, tables row by row.

python-docx reads the document body and its core properties without Word. A paragraph styled
Title or Heading N is a heading; every other non-empty paragraph is a paragraph; each table row
becomes one paragraph of its cells. The title and creation date come from the core properties.
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table

from ..documents import UnreadableFile
from . import Extracted


def extract(data: bytes, relative: str) -> Extracted:
    try:
        document = docx.Document(io.BytesIO(data))
        properties = document.core_properties
        blocks = list(_blocks(document))
        title, created = properties.title, properties.created
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableFile(f"it could not be read as a Word (.docx) file ({exc})") from exc
    if not title:
        title = next((text for kind, text, style in blocks if style == "Title"), None)
    return Extracted(
        blocks=[(kind, text, None) for kind, text, _ in blocks],
        title=title,
        date=created.date() if created else None,
        date_origin="its creation date in the Word file's properties",
    )


def _blocks(document):
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells = list(dict.fromkeys(c.text.strip() for c in row.cells))  # merged cells
                yield "paragraph", " | ".join(c for c in cells if c), ""
            continue
        style = item.style.name if item.style is not None else ""
        kind = "heading" if style == "Title" or style.startswith("Heading") else "paragraph"
        yield kind, item.text, style
