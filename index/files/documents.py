"""Reading briefing files into documents: their title, date, and blocks of text.

A reader never guesses silently. A file it cannot read raises `UnreadableFile` with a reason a
maintainer can act on; a file it reads with doubts (a legacy encoding) says so in `warnings`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from .sentences import split

#: The file suffixes the corpus reader knows: plain text and Markdown here, the rest in
#: `index.files.formats`.
TEXT_SUFFIXES = (".txt", ".md")
SUFFIXES = (*TEXT_SUFFIXES, ".html", ".htm", ".pdf", ".docx")

#: Bumped whenever a change here changes what is read from a file (its title, its blocks):
#: an index built with another version reads every file again on its next reindex.
READER_VERSION = "2"
_TITLE_CHARS = 80
_HEADING_MAX_WORDS = 12
_DATE_LEAD = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})\b[ \t]*", re.IGNORECASE)
_FILE_DATE = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
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
    path: str  # relative to the corpus folder, with forward slashes
    title: str
    date: dt.date | None
    text: str  # the decoded file; block spans point into it
    blocks: list[Block]
    source: str | None = None
    warnings: list[str] = field(default_factory=list)


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
        doc.date = _date_from_name(relative)
    return doc


def _parse_text(text: str, relative: str) -> Document:
    date = None
    body_start = 0
    lead = _DATE_LEAD.match(text)
    if lead:
        date = _parse_date(lead.group(1))
        body_start = lead.end()
    blocks = list(_blocks(text, body_start))
    return Document(relative, _title(blocks, relative), date, text, blocks)


def _parse_markdown(text: str, relative: str) -> Document:
    meta: dict[str, str] = {}
    body_start = 0
    front = _FRONT_MATTER.match(text)
    if front:
        meta = _front_matter(front.group(1))
        body_start = front.end()
    date = _parse_date(meta["date"]) if meta.get("date") else None
    if date is None:
        lead = _DATE_LEAD.match(text, body_start)
        if lead:
            date = _parse_date(lead.group(1))
            body_start = lead.end()
    blocks = list(_blocks(text, body_start, markdown=True))
    title = meta.get("title") or _title(blocks, relative)
    return Document(relative, title, date, text, blocks, source=meta.get("source"))


def _front_matter(block: str) -> dict[str, str]:
    """The `key: value` lines of a front matter block; nested YAML is not needed here."""
    meta = {}
    for line in block.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _date_from_name(relative: str) -> dt.date | None:
    match = _FILE_DATE.search(Path(relative).name)
    return _parse_date(match.group(1)) if match else None


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
    if _is_heading(chunk):
        yield Block("heading", chunk, start, end)
    else:
        yield Block("paragraph", chunk, start, end)


def _is_heading(chunk: str) -> bool:
    """A short, single line, starting with a capital and ending without punctuation."""
    if "\n" in chunk or chunk.endswith(tuple(_FINAL_PUNCTUATION)):
        return False
    words = chunk.split()
    return 0 < len(words) <= _HEADING_MAX_WORDS and (chunk[0].isupper() or chunk[0].isdigit())


def _title(blocks: list[Block], relative: str = "") -> str:
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
