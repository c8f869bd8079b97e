"""What a message to the bot is, before any of it is searched: a question, a greeting or a
call for help, thanks, or a request for more of the answer before.

People write to a bot as to a person: "hi", "thanks!", "hey, what happened on 19 March?",
"hello, any updates on the haze?". A greeting or thanks on its own is answered as such, never
searched (no briefing answers "hello", and a spelling correction would turn it into a word of
the briefings); one in front of a question is taken off, or its words would be searched and
count against every passage as words it lacks. The console chat, `briefbot ask` and the bot
all go through `classify`, so that each treats a message the same way.

Most of what people send after an answer is not a question at all: "ok", "👍", "lol",
"great, thanks", "got it". Searched, it found nothing ("No briefing mentions ok") or, in a
group, reposted a whole answer to a thumbs-up. Such chatter is read as such here, and the
bot leaves it alone; thanks on its own may get a friendly word in a private chat. A message
that holds anything more ("ok so what about Gaza?", "Gaza?") is a question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from .. import analysis
from . import english, framing

_GREETING = (
    r"(?:hi|hello|hey|hiya|howdy|yo|greetings|good\s+(?:morning|afternoon|evening|day)"
    r"|dear\s+bot)(?:\s+(?:there|bot|briefbot|all|everyone|folks|team))?"
)
_FILLER = r"(?:ok(?:ay)?|so|well|um+|uh+|please|pls|quick\s+question|question)"
#: Thanks and acknowledgements in front of a question: "great, thanks! and Gaza?".
_ACK = (
    r"(?:thanks?|thank\s+you|thx|cheers|great|cool|nice|perfect|got\s+it|i\s+see|alright"
    r"|interesting|l(?:o+l)+|(?:ha)+h?)"
)
_THIS = r"(?:this|it|you|the\s+bot|this\s+bot|briefbot)"
#: Asking what the bot does or how to use it: "help me", "how do I use this?".
_ASKS_HELP = (
    r"(?:(?:please\s+|pls\s+)?help(?:\s+me)?(?:\s+(?:please|pls))?"
    r"|(?:can|could)\s+you\s+help(?:\s+me)?|i\s+need\s+(?:some\s+)?help"
    r"|how\s+(?:do|can|should)\s+i\s+use\s+"
    + _THIS
    + r"|how\s+(?:to|do\s+you)\s+use\s+"
    + _THIS
    + r"|how\s+(?:does|do)\s+"
    + _THIS
    + r"\s+work|what\s+(?:can|do)\s+you\s+do"
    r"|what\s+(?:are\s+you|is\s+this(?:\s+bot)?)|who\s+are\s+you"
    r"|(?:is\s+)?any(?:one|body)\s+(?:there|here)|(?:are\s+)?you\s+there"
    r"|are\s+you\s+(?:a\s+)?(?:bot|human|real)"
    r"|how\s+are\s+you(?:\s+doing)?(?:\s+today)?|how(?:'s|’s|\s+is)\s+it\s+going"
    r"|what(?:'s|’s|\s+is)\s+your\s+name"
    r"|(?:what\s+are\s+)?(?:the\s+|your\s+)?commands|start)"
)
#: A whole message that greets or asks what the bot does.
_HELP = re.compile(
    r"^\s*(?:" + _GREETING + r"(?:[\s,!.?]+" + _ASKS_HELP + r")?|" + _ASKS_HELP + r"|\?)"
    r"[\W_]*$",
    re.IGNORECASE,
)
#: Each phrase comes before any shorter one it starts with ("thank you" before "thank"):
#: a word, once matched, is kept (see `_CHATTER`).
_THANKS_WORDS = (
    r"(?:thank\s+(?:you|u)(?:\s+(?:so\s+much|very\s+much|again))*"
    r"|thanks?(?:\s+(?:a\s+lot|so\s+much|very\s+much|a\s+bunch|a\s+ton|again|mate))*"
    r"|many\s+thanks|thx|thnx|tnx|ty(?:sm|vm)?|cheers|(?:much\s+)?appreciated"
    r"|(?:i\s+)?appreciate\s+it)"
)
#: Acknowledgements, praise, laughter and interjections: what people say back, not ask.
_ACK_WORDS = (
    r"(?:ok(?:ay|ey|ie|i)?|k+|alright|all\s+right|right|sure\s+thing|sure|fine|yes|yeah|yep"
    r"|yup|ya|no\s+(?:worries|problem)|no|nope|nah|got\s+it|gotcha|understood|noted|i\s+see"
    r"|makes\s+sense|fair(?:\s+enough)?|sounds\s+good|true|indeed|exactly|agreed|same|bye"
    r"|goodbye|later"
    r"|(?:(?:that['’]?s|this\s+is|that\s+is|it['’]?s|how|very|so|really|super|pretty)\s+)*"
    r"(?:good\s+(?:one|bot|to\s+know)|nice\s+one|well\s+done|love\s+it|great|good|perfect"
    r"|nice|cool|awesome|amazing|excellent|brilliant|lovely|neat|sweet|wonderful|fantastic"
    r"|superb|helpful|useful|interesting|impressive|funny|wild|crazy)"
    r"|wow+|whoa|woah|oh+|ooh+|aha|hm+|mm+|meh|oops|omg|yay|bravo|damn|dang"
    r"|l(?:o+l)+|lmf?ao+|rofl|(?:h[aeiou]|[ae]h){2,}h*|ha+h?|heh|bwa(?:ha)+|x+d+|(?<=\+)1)"
)
#: A whole message made of these (with punctuation, emoji and emoticons anywhere): "👍",
#: "ok", "lol", "great, thanks!", "haha 😂", "got it, cheers". Each word is matched once
#: and kept (an atomic group), so that a long message costs time in proportion to its length.
_CHATTER = re.compile(
    r"^[\W_]*+(?>(?:" + _THANKS_WORDS + "|" + _ACK_WORDS + r")(?![^\W_])[\W_]*+)*$",
    re.IGNORECASE,
)
_THANKS = re.compile(r"(?<![^\W_])" + _THANKS_WORDS + r"(?![^\W_])", re.IGNORECASE)
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
    + r"|"
    + _ACK
    + r")(?:\s*[,!.:;-]+\s*|\s+(?="
    + _OPENER
    + "|"
    + _FILLER
    + r")))+",
    re.IGNORECASE,
)
_TRAILING = re.compile(r"\s*[,;]?\s*(?:please|pls|thanks?|thank\s+you|thx)\s*[!.?]*\s*$", re.I)


#: Words a question is put in, never what it is about: a reply that names the words no
#: briefing holds ("No briefing mentions …") names none of these, nor stopwords.
ASKING_WORDS: frozenset[str] = frozenset(
    """
    say says said saying tell tells told telling talk talks talked talking speak speaks spoke
    mention mentions mentioned discuss discusses discussed use uses used using know knows knew
    think thinks thought explain explained happen happens happened happening go goes going
    went give gives show shows find search look looking latest newest new recent recently
    lately news update updates updated info information detail details anything something
    everything nothing anyone someone anybody somebody thing things stuff help please pls
    plz thanks thank thx ok okay yes yeah briefing briefings bot article articles
    document documents question questions ask asking asked answer like want need wonder
    wondering curious get got let make also else really actually maybe regarding concerning
    do does did done doing being been decide decides decided
    """.split()
)
#: An everyday word ending in -ed or -ing at least this common in English (Zipf) is a verb
#: form that says how something is asked about ("what was decided", "what is happening"),
#: not what: never named as missing.
VERB_ZIPF = 4.5


def content_word(word: str) -> bool:
    """Whether a typed word can be what a question asks about, rather than how it is asked:
    not a stopword ("what", "the") nor one of `ASKING_WORDS` ("say", "tell", "latest"), nor
    an everyday word ("still", "also"). A reply that says no briefing mentions "say" blames
    the person for the bot's reading."""
    spelt = analysis.spelling(word)
    if analysis.term(word) is None or spelt in ASKING_WORDS:
        return False
    if english.zipf(spelt) >= english.EVERYDAY_ZIPF:
        return False
    return not (spelt.endswith(("ed", "ing")) and english.zipf(spelt) >= VERB_ZIPF)


class Kind(Enum):
    QUESTION = "question"
    HELP = "help"  # a greeting, "help", "what can you do?"
    THANKS = "thanks"  # alone or with chatter: "thanks!", "great, thanks"
    CHATTER = "chatter"  # said back, not asked: "ok", "👍", "lol", "got it", "nice"
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
    return out if analysis.PLAIN_WORD.search(out) else text.strip()


def classify(text: str) -> Message:
    """What `text` is, and the question in it."""
    if not text.strip():
        return Message(Kind.EMPTY, "")
    if _HELP.match(text):
        return Message(Kind.HELP, text.strip())
    if _CHATTER.match(text):
        return Message(Kind.THANKS if _THANKS.search(text) else Kind.CHATTER, text.strip())
    question = strip(text)
    if framing.more(question):
        return Message(Kind.MORE, question)
    return Message(Kind.QUESTION, question)
