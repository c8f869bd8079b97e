"""What a message to the bot is, before any of it is searched: a question, a greeting or a
call for help, thanks, or a request for more of the answer before.

People write to a bot as to a person: "hi", "thanks!", "hey, what happened on 19 March?",
"hello, any updates on the haze?". A greeting or thanks on its own is answered as such, never
searched (no briefing answers "hello", and a spelling correction would turn it into a word of
the briefings); one in front of a question is taken off, or its words would be searched and
count against every passage as words it lacks. The console chat, `briefbot ask` and the bot
all go through `read`, so that each treats a message the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from . import framing

_GREETING = (
    r"(?:hi|hello|hey|hiya|howdy|yo|greetings|good\s+(?:morning|afternoon|evening|day)"
    r"|dear\s+bot)(?:\s+there)?"
)
_FILLER = r"(?:ok(?:ay)?|so|well|um+|uh+|please|pls|quick\s+question|question)"
#: A whole message that greets or asks what the bot does.
_HELP = re.compile(
    r"^\s*(?:" + _GREETING + r"|help|\?|what\s+can\s+you\s+do|how\s+does\s+this\s+work"
    r"|who\s+are\s+you|start)\s*[!.?]*\s*$",
    re.IGNORECASE,
)
_THANKS = re.compile(
    r"^\s*(?:thanks?|thank\s+you|thx|ty|cheers|great|perfect|nice|ok(?:ay)?|cool|got\s+it)"
    r"(?:\s*,?\s*(?:thanks?|thank\s+you|a\s+lot|so\s+much|very\s+much))*\s*[!.]*\s*$",
    re.IGNORECASE,
)
_OPENER = (
    r"(?:what|whats|what's|who|how|when|where|why|which|did|does|do|is|are|was|were|has|have"
    r"|any|anything|can|could|would|tell|show|give|summary|summari[sz]e|news|latest)\b"
)
#: Greetings and filler in front of a question: "hi, …", "hello there! what …", "ok so what
#: …"; without a comma only before a question's first word ("hello kitty" is a question).
_LEADING = re.compile(
    r"^\s*(?:(?:"
    + _GREETING
    + r"|"
    + _FILLER
    + r")(?:\s*[,!.:;-]+\s*|\s+(?="
    + _OPENER
    + "|"
    + _FILLER
    + r")))+",
    re.IGNORECASE,
)
_TRAILING = re.compile(r"\s*[,;]?\s*(?:please|pls|thanks?|thank\s+you|thx)\s*[!.?]*\s*$", re.I)


class Kind(Enum):
    QUESTION = "question"
    HELP = "help"  # a greeting, "help", "what can you do?"
    THANKS = "thanks"
    MORE = "more"  # more of the answer before: "more", "go on"
    EMPTY = "empty"


@dataclass(frozen=True, slots=True)
class Message:
    kind: Kind
    text: str  # the question without greetings and filler around it


def strip(text: str) -> str:
    """`text` without a greeting or filler in front ("hi, ", "ok so ") or politeness behind
    (", please", " thanks"); the text itself when nothing would be left."""
    out = _TRAILING.sub("", _LEADING.sub("", text, count=1), count=1).strip()
    return out if re.search(r"[^\W_]", out) else text.strip()


def read(text: str) -> Message:
    """What `text` is, and the question in it."""
    if not text.strip():
        return Message(Kind.EMPTY, "")
    if _HELP.match(text):
        return Message(Kind.HELP, text.strip())
    if _THANKS.match(text):
        return Message(Kind.THANKS, text.strip())
    question = strip(text)
    if framing.more(question):
        return Message(Kind.MORE, question)
    return Message(Kind.QUESTION, question)
