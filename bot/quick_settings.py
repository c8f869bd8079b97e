"""The four settings `briefbot ask` needs (and `reindex`, two of them), read without pydantic.

Importing pydantic-settings (pydantic, its sources, python-dotenv) takes 0.15 to 0.18 s
(`python -X importtime`), paid by every `briefbot ask` before it reads a question; the target
from start to answer is 0.5 s. `ask` needs only the corpus folder (for its alias file), the index,
how many passages to show and the time zone, and these are read here as `Settings` reads them:
the environment first (names case-insensitive, `BRIEFBOT_` before each), then `.env`, then
the defaults of `Settings` (tests/test_quick_settings.py holds the two to the same values).

Whatever is not written in the plainest way (a quoted or interpolated value in `.env`, a line
this reader does not understand, a number out of range, an empty value) is not guessed at:
`read` returns None and the caller builds the full `Settings`, which reads it, or says what is
wrong with it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

PREFIX = "briefbot_"
ENV_FILE = ".env"
#: A line of `.env` read here: `[export ]NAME=value`, the value plain (no quote, no `#`, no
#: `$`, no backslash).
_LINE = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([^'\"#$\\]*?)\s*")
_SKIP = re.compile(r"\s*(?:#.*)?")


@dataclass(frozen=True, slots=True)
class AskSettings:
    corpus: Path = Path("corpus")
    db: Path = Path("data/index.db")
    results: int = 3
    timezone: str = "UTC"


def read(env_file: str | Path = ENV_FILE) -> AskSettings | None:
    """The settings `ask` needs, or None when only `Settings` can read them faithfully."""
    names = {f"{PREFIX}{field}" for field in AskSettings.__dataclass_fields__}
    values: dict[str, str] = {}
    try:
        with open(env_file, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        lines = []
    except (OSError, UnicodeDecodeError):
        return None
    for line in lines:
        if _SKIP.fullmatch(line):
            continue
        found = _LINE.fullmatch(line)
        if found is None:
            return None
        name = found.group(1).lower()
        if name in names:
            values[name] = found.group(2)
    seen: set[str] = set()
    for name, value in os.environ.items():
        lowered = name.lower()
        if lowered in names:
            if lowered in seen:  # two spellings of one name: which wins is Settings' call
                return None
            seen.add(lowered)
            values[lowered] = value
    out = {}
    for name, value in values.items():
        if not value.strip() or value != value.strip():
            return None
        field = name[len(PREFIX) :]
        if field == "results":
            if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= 10:
                return None
            out[field] = int(value)
        elif field == "timezone":
            out[field] = value
        else:
            out[field] = Path(value)
    return AskSettings(**out)
