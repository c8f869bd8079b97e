"""Hostile corpus files, made on the spot: what a careless or malicious maintainer might drop
into the corpus folder. Shared by `tests/test_reliability_files.py` and
`bench/hostile_files.py`, which runs the same files at full size."""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from pathlib import Path

from briefing_files import make_docx, make_pdf

#: A file name with a line break, a right-to-left override and an Arabic word in it.
STRANGE_NAME = "2024-03-20 brief\nline two \u202etxt.exe\u202c \u0645\u0648\u062c\u0632.txt"


def text_file(path: Path, size: int, line: int | None = 80) -> Path:
    """`size` bytes of plain prose, written in chunks; `line=None` makes it one single line."""
    words = b"the freight tariff on grain rose while the ferry council met again "
    sep = b"\n" if line else b" "
    chunk = (words * (1 + (line or 4096) // len(words)))[: line or 4096] + sep
    block = chunk * max(1, (1 << 20) // len(chunk))
    with open(path, "wb") as f:
        left = size
        while left > 0:
            f.write(block[:left])
            left -= len(block)
    return path


def sparse_file(path: Path, size: int) -> Path:
    """A file that says it is `size` bytes without taking the disk space (all zeros)."""
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def zip_bomb_docx(unpacked: int) -> bytes:
    """A real Word file whose body unpacks to about `unpacked` bytes of paragraphs, a few
    hundred kilobytes packed."""
    source = zipfile.ZipFile(io.BytesIO(make_docx([("paragraph", "Railway talks in Rasht.")])))
    out = io.BytesIO()
    paragraph = b"<w:p><w:r><w:t>freight</w:t></w:r></w:p>" * 10_000
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename != "word/document.xml":
                archive.writestr(info, data)
                continue
            head, tail = data.split(b"<w:body>", 1)
            with archive.open(info.filename, "w", force_zip64=True) as member:
                member.write(head + b"<w:body>")
                for _ in range(max(1, unpacked // len(paragraph))):
                    member.write(paragraph)
                member.write(tail)
    return out.getvalue()


def malformed_pdfs() -> dict[str, bytes]:
    """PDFs broken in the ways real ones are: cut short, a wrong cross-reference table, a
    stream whose length lies, garbage after the header, a loop in the page tree."""
    good = make_pdf([["# Freight", "The freight tariff rose."]])
    xref = good.rindex(b"xref")
    return {
        "truncated.pdf": good[: len(good) // 2],
        "bad-xref.pdf": good[:xref] + b"xref\n0 9\nnonsense\ntrailer << >>\n%%EOF\n",
        "lying-length.pdf": good.replace(b"/Length ", b"/Length 9999", 1),
        "garbage.pdf": b"%PDF-1.7\n" + os.urandom(4096),
        "loop.pdf": good.replace(b"/Kids [", b"/Kids [2 0 R ", 1),
    }


def pdf_flate_bomb(unpacked: int) -> bytes:
    """A one-page PDF whose content stream inflates to about `unpacked` bytes."""
    ops = b"BT /F1 11 Tf 72 740 Td " + b"(freight) Tj " * (unpacked // 13) + b"ET"
    packed = zlib.compress(ops, 9)
    good = make_pdf([["x"]])
    start = good.index(b"<< /Length ")
    end = good.index(b"endstream", start) + len(b"endstream")
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(packed), packed)
    broken = good[:start] + stream + good[end:]
    return broken  # the cross-reference offsets are now wrong too, as in many real bombs
