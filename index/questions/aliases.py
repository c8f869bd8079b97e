"""Other names for the names in the briefings, from a small file the maintainer edits.

Spelling distance finds "Raisi" for "Raeisi", but nothing finds Putin from "the Russian
president", or Raeisi from "رئیسی": those take a list. The list lives beside the briefings
(`corpus/aliases.toml`, which the reindex does not read, since it indexes only documents) and
is applied when a question is read, so an edit takes effect on the next question, with no
reindex. Its form, one line per name:

    # The name as the briefings spell it = the other names people use for it.
    "Putin" = ["the Russian president", "Путин", "پوتین"]
    "Raeisi" = ["the Iranian president", "Раиси", "رئیسی"]

Matching ignores case, accents, a possessive "'s" and a leading "the", and treats the Arabic
and Persian forms of yeh and kaf as one letter.
"""

from __future__ import annotations

import os
import re
import threading
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..analysis import PLAIN_WORD, fold

#: The alias file's name in the corpus folder.
FILE_NAME = "aliases.toml"

_POSSESSIVE = re.compile(r"['’]s$")
_ARTICLES = frozenset({"the", "a", "an"})
_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ـ": None, "’": "'"})


class AliasFileError(ValueError):
    """The alias file cannot be read; the message says where and why."""


@dataclass(frozen=True, slots=True)
class AliasMatch:
    """Where a question used another name, and the name the briefings use."""

    start: int
    end: int
    typed: str
    name: str


@lru_cache(maxsize=1 << 16)
def normal(word: str) -> str:
    """A word as alias matching compares it; remembered, since the same words come back in
    passage after passage (who speaks in them is read word by word)."""
    return _POSSESSIVE.sub("", fold(word).translate(_LETTERS))


def spans(text: str) -> list[tuple[str, int, int]]:
    """The words of `text` as alias matching sees them, with their spans."""
    return [(normal(m.group()), m.start(), m.end()) for m in PLAIN_WORD.finditer(text)]


class Aliases:
    """A set of other names, each leading to the name the briefings use."""

    def __init__(self, entries: dict[str, list[str]] | None = None):
        self.entries = dict(entries or {})
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for name, others in self.entries.items():
            for other in others:
                words = tuple(w for w, _, _ in spans(other))
                while len(words) > 1 and words[0] in _ARTICLES:
                    words = words[1:]
                if words:
                    self._by_first.setdefault(words[0], []).append((words, name))
        for options in self._by_first.values():
            options.sort(key=lambda o: -len(o[0]))

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, text: str) -> list[AliasMatch]:
        """The other names used in `text`, longest first at each place, left to right."""
        words = spans(text)
        out = []
        i = 0
        while i < len(words):
            for option, name in self._by_first.get(words[i][0], ()):
                n = len(option)
                if tuple(w for w, _, _ in words[i : i + n]) == option:
                    start = words[i][1]
                    if i > 0 and words[i - 1][0] in _ARTICLES:
                        start = words[i - 1][1]
                    end = words[i + n - 1][2]
                    out.append(AliasMatch(start, end, text[start:end], name))
                    i += n
                    break
            else:
                i += 1
        return out

    def apply(self, text: str) -> tuple[str, list[AliasMatch]]:
        """`text` with every other name replaced by the briefings' name."""
        matches = self.find(text)
        for m in reversed(matches):
            end = m.end
            if text[end : end + 2] in ("'s", "’s"):
                end += 2
            text = text[: m.start] + m.name + text[end:]
        return text, matches


def load(path: str | Path) -> Aliases:
    """Read an alias file; a missing file means no aliases."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Aliases()
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AliasFileError(f"{path} cannot be read: {exc}") from exc
    entries: dict[str, list[str]] = {}
    for name, others in data.items():
        if isinstance(others, str):
            others = [others]
        if not isinstance(others, list) or not all(isinstance(o, str) for o in others):
            raise AliasFileError(
                f'{path}: the names for "{name}" must be a list of quoted names, '
                f'e.g. "{name}" = ["another name"]'
            )
        entries[name] = others
    return Aliases(entries)


class AliasFile:
    """An alias file read again whenever it changes on disk, so an edit needs no restart.

    A file that stops parsing keeps the last good aliases in use, with `error` saying why.
    """

    def __init__(self, path: str | Path | None):
        self.path = Path(path) if path is not None else None
        self.error: str | None = None
        self._stamp: tuple[int, int] | None = None
        self._aliases = Aliases()
        self._lock = threading.Lock()

    def current(self) -> Aliases:
        if self.path is None:
            return self._aliases
        try:
            st = os.stat(self.path)
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        if stamp == self._stamp:
            return self._aliases
        with self._lock:
            if stamp != self._stamp:
                try:
                    self._aliases = load(self.path) if stamp else Aliases()
                    self.error = None
                except AliasFileError as exc:
                    self.error = str(exc)
                self._stamp = stamp
        return self._aliases
