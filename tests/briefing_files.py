"""Small briefing files in every format, made in the test from text written for the tests.

The PDF writer is a minimal hand-written PDF 1.4 (one Helvetica font, one text object per
page), so no PDF library's writer is needed and the bytes are exactly what the test says.
"""

from __future__ import annotations

import datetime as dt
import io
import random

import docx

_WORDS = (
    "harbour council ferry grain wheat barley tariff railway budget pension reservoir drought "
    "vaccine clinic teacher school bridge tunnel election ballot treaty border customs export "
    "import freight shipping pipeline turbine solar battery copper nickel lithium mine quarry "
    "forest timber fishery quota river canal dredging levee flood storm winter harvest market"
).split()


def sentences(seed: int, count: int) -> str:
    """`count` plain sentences of invented news prose, the same for the same seed."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 16))]
        out.append(f"The {' '.join(words)} said officials on day {rng.randint(1, 28)}.")
    return " ".join(out)


def briefing_text(seed: int, paragraphs: int = 3, date: str | None = "2024-03-19") -> str:
    """A plain-text briefing: a date lead, a heading, and a few paragraphs."""
    body = "\n\n".join(sentences(seed * 100 + i, 3) for i in range(paragraphs))
    lead = f"date {date} " if date else ""
    return f"{lead}{sentences(seed * 100 + 99, 1)}\n\nSection {seed}\n\n{body}\n"


def make_html(
    title: str,
    paragraphs: list[str],
    *,
    published: str | None = None,
    charset: str = "utf-8",
    heading: str | None = None,
) -> bytes:
    """An article page wrapped in the menus, scripts and footers a real page has."""
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    if heading:
        half = len(paragraphs) // 2
        body = (
            "".join(f"<p>{p}</p>" for p in paragraphs[:half])
            + f"<h2>{heading}</h2>"
            + "".join(f"<p>{p}</p>" for p in paragraphs[half:])
        )
    page = f"""<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>{title} | The Example Courier</title>{meta}
<script>var analytics = "tracking pixel loaded from the script";</script>
<style>.menu {{ color: navy }}</style></head>
<body>
<nav class="menu"><ul><li><a href="/">Home</a></li><li><a href="/world">Worldwide menu</a></li>
<li><a href="/subscribe">Subscribe today</a></li></ul></nav>
<article><h1>{title}</h1>{body}</article>
<aside>Most popular: weekend crossword answers</aside>
<footer>Copyright The Example Courier. Cookie settings. Privacy policy.</footer>
<script>document.write("late script text");</script>
</body></html>"""
    return page.encode(charset)


def make_pdf(
    pages: list[list[str]], *, title: str | None = None, created: str | None = None
) -> bytes:
    """A PDF whose pages hold these lines; "# text" is a larger heading, "" a gap.

    `created` is a PDF date such as "D:20240321080000Z".
    """

    def escape(text: str) -> bytes:
        text = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return text.encode("cp1252")

    objects: list[bytes] = [b"", b""]  # catalog and page tree, filled in below
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    font = len(objects)
    kids = []
    for lines in pages:
        ops = [b"BT", b"/F1 11 Tf", b"14 TL", b"72 740 Td"]
        for line in lines:
            if line.startswith("# "):
                ops += [b"/F1 16 Tf", b"(" + escape(line[2:]) + b") Tj", b"T*", b"/F1 11 Tf"]
            elif line:
                ops += [b"(" + escape(line) + b") Tj", b"T*"]
            else:
                ops.append(b"T*")
        ops.append(b"ET")
        content = b"\n".join(ops)
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (len(objects), font)
        )
        kids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    info = {"Title": title, "CreationDate": created}
    entries = b" ".join(b"/%s (%s)" % (k.encode(), escape(v)) for k, v in info.items() if v)
    if entries:
        objects.append(b"<< " + entries + b" >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"<< /Size %d /Root 1 0 R" % (len(objects) + 1)
    if entries:
        trailer += b" /Info %d 0 R" % len(objects)
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def make_docx(
    blocks: list[tuple[str, str]],
    *,
    title: str | None = None,
    created: dt.datetime | None = None,
    table: list[list[str]] | None = None,
) -> bytes:
    """A Word file of ("title" | "heading" | "paragraph", text) blocks, then a table."""
    document = docx.Document()
    # python-docx's template carries dates of its own (2013): set ours, or leave none.
    if created:
        document.core_properties.created = created
    else:
        properties = document.core_properties._element
        for child in list(properties):
            if child.tag.rsplit("}", 1)[-1] in ("created", "modified"):
                properties.remove(child)
    if title:
        document.core_properties.title = title
    for kind, text in blocks:
        if kind == "title":
            document.add_heading(text, level=0)
        elif kind == "heading":
            document.add_heading(text, level=1)
        else:
            document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
