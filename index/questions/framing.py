"""The words a question is put in, as opposed to what it asks about.

In "tell me about the railway", "is Gaza mentioned?", "what was discussed about the
railway", "anything on Palestine?" and "what do the briefings say about trade", the railway,
Gaza, Palestine and trade are what a passage should hold; "tell me", "mentioned",
"discussed", "anything" and "the briefings" only frame the question. Searched for, those words
find passages that merely use them ("Putin and Raeisi's discussions…"). They also make the
passage that answers look as if it held too little of the question to quote, since it lacks
them. `strip` takes them out before the question is read. What is left can be nothing
("what happened yesterday?", once the date is read, or "what's new?"): the question then asks
for the briefings themselves.

"How many", "how much", "how long" and the like go too: what they ask for is a number, not
the word "many" or "long". So do the ways of asking for the newest (`recent`), before the
subject or after it: "what's the latest on Gaza", "latest Gaza news", "Gaza latest", "Gaza:
any news?", "where do things stand on Gaza", "has anything changed on Gaza".

Only these set phrasings are taken out, never a word on its own: "who covered the game",
"what talk show" and "what did Luther say" keep every word.
"""

from __future__ import annotations

import re

from ..analysis import PLAIN_WORD

_BRIEFINGS = (
    r"(?:the\s+|these\s+|those\s+|our\s+|my\s+|your\s+)?"
    r"(?:briefings?|news|corpus|documents?|articles?|files?)"
)
#: Only these name the briefings wherever they stand: "the article's title" is content.
_THE_BRIEFINGS = r"(?:the\s+|these\s+|our\s+|my\s+|your\s+)?(?:briefings?|news|corpus)(?!['’])"
_ABOUT = r"(?:about|on|regarding|concerning|of)"
#: Participles that only ever frame: "was covered in steel" and "is said to be" are content.
_PARTICIPLE = r"(?:mentioned|discussed|talked\s+about|brought\s+up)"
_PARTICIPLE_ABOUT = r"(?:said|written|reported|spoken)\s+(?:about|of|on|regarding)"
_LATEST = (
    r"^\s*(?:what(?:'s|’s|s|\s+is|\s+are)\s+)?(?:the\s+)?(?:latest|newest|most\s+recent|new)"
    r"(?:\s+(?:news|updates?|developments?))?\s+(?:on|about|with|regarding|concerning|in)\b"
)
#: "The latest" said after the subject: "railway latest", "the railway, what's the latest?".
_LATEST_AFTER = (
    r"(?:^|[\s,:;–—-])\s*(?:so\s+)?(?:what(?:'s|’s|s|\s+is)\s+)?(?:the\s+)?(?:latest|newest)"
    r"(?:\s+(?:news|updates?|developments?))?\s*[?!.]*\s*$"
)
#: "the railway: any news?", "the railway, any updates?": after a mark, not "Fox News".
_NEWS_AFTER = (
    r"\s*[,:;–—-]\s*(?:(?:any|some)\s+)?(?:new\s+|recent\s+|fresh\s+)?"
    r"(?:news|updates?|developments?)\s*[?!.]*\s*$"
)
#: "latest railway news": "latest" opening the question without "on" or "about" (those are
#: `_LATEST`'s), and the "news" or "updates" that may close it: the subject between.
_LATEST_BEFORE = re.compile(
    r"^\s*(?:the\s+)?(?:latest|newest|most\s+recent)\s+"
    r"(?!(?:news|updates?|developments?)?\s*(?:on|about|with|regarding|concerning|in)\b)"
    r"(?P<topic>.+?)(?:\s+(?:news|updates?|developments?))?\s*[?!.]*\s*$",
    re.IGNORECASE,
)
#: The state of things now: "what's the status of …", "where do things stand on …", "has
#: anything changed on …".
_STATUS = (
    r"^\s*(?:what(?:'s|’s|s|\s+is)\s+)?(?:the\s+)?(?:current\s+|latest\s+)?"
    r"(?:status|state\s+of\s+play)\s+(?:of|on|with|regarding)\b"
    r"|^\s*where\s+(?:do|does)\s+(?:things|matters|we|it)\s+stand\s+(?:on|with|regarding)\b"
    r"|^\s*where\s+(?:are|is)\s+(?:we|things)\s+(?:on|with)\b"
    r"|^\s*(?:has|have)\s+(?:anything|something|much)\s+changed\s+"
    r"(?:on|with|about|regarding|in|for)\b"
)
#: "what did I miss on …": asked of the newest, and no word of the subject.
_MISSED = r"^\s*what\s+(?:did|have)\s+i\s+miss(?:ed)?\s+(?:on|about|with|regarding|in)\b"
_FRAMES = [
    re.compile(p, re.IGNORECASE)
    for p in (
        # tell me about …, can you tell me more about …, I'd like to know about …
        r"^\s*(?:please\s+)?(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?)?"
        r"(?:tell\s+me|show\s+me|give\s+me|remind\s+me(?:\s+of)?|explain|find(?:\s+me)?"
        r"|search\s+for|look\s+up|list(?=\s+(?:all|every|the|some)\b)(?:\s+(?:all|every))?"
        r"|i\s+(?:want|would\s+like|'d\s+like|need)\s+to\s+know|do\s+you\s+know"
        r"|what\s+do\s+(?:you|we|they)\s+know)"
        r"(?:\s+(?:more|anything|something|everything|all))?(?:\s+" + _ABOUT + r")?\b",
        # did anyone say anything about …, has anybody commented on …, did anyone criticise …:
        # nobody in particular is asked about, only what was said or done
        r"^\s*(?:did|has|have|had|does|do|will|would)\s+(?:anyone|anybody|someone|somebody"
        r"|everyone|everybody)(?:\s+else)?(?:\s+(?:say|said|mention|mentioned|comment|commented"
        r"|talk|talked|speak|spoke|spoken|write|wrote|written|report|reported)"
        r"(?:\s+(?:anything|something))?(?:\s+(?:about|on|of|regarding))?)?\b",
        # quote Raeisi on the railway, give me quotes from Raeisi about …
        r"^\s*(?:(?:give|show|find|send)\s+me\s+)?(?:a\s+|some\s+|any\s+)?quotes?"
        r"(?:\s+(?:from|by|of))?(?=\s+[^\W\d_])",
        # what's the reaction to …, what is the view on …: how it was received, by anyone
        r"^\s*what(?:'s|’s|s|\s+is|\s+was|\s+are|\s+were)\s+the\s+(?:reaction|reactions"
        r"|response|responses|view|views|position|stance|mood|verdict)\s+(?:on|to|about|over"
        r"|regarding)\b",
        # compare what Putin and Raeisi said about …, compare and contrast …: what each said
        r"^\s*(?:please\s+)?(?:compare|contrast)(?:\s+and\s+(?:compare|contrast))?\b",
        # (is there) anything on …, any news about …, an update on …, any mention of …
        # ("the development of" is content)
        r"^\s*(?:(?:is|are|was|were)\s+there\s+)?(?:(?:any|some|an?)\s+)?"
        r"(?:(?:new|recent|fresh|latest)\s+)?"
        r"(?:anything|something|any|news|info(?:rmation)?|details|updates?|developments?"
        r"|mentions?|stories)"
        r"(?:\s+(?:new|else|at\s+all))?\s+" + _ABOUT + r"\b",
        # what's going on with …, what is going on in …
        r"^\s*what(?:'s|’s|s|\s+is)\s+going\s+on(?:\s+(?:with|in|at|about))?\b",
        # what did I miss on …
        _MISSED,
        # a rundown of …, background on …, an overview of …, what are the main points of …,
        # what's the story with …, the nickel story, tl;dr …
        r"^\s*(?:(?:can|could|would)\s+you\s+)?(?:(?:please\s+)?(?:give|send|show)\s+me\s+)?"
        r"(?:what(?:'s|’s|s|\s+is|\s+are|\s+were|\s+was)\s+)?"
        r"(?:an?\s+|the\s+|some\s+)?(?:quick\s+|short\s+|brief\s+)?"
        r"(?:rundown|overview|background|gist|explainer|highlights|(?:key|main)\s+points)\s+"
        r"(?:of|on|about|for|in)\b",
        r"^\s*what(?:'s|’s|s|\s+is)\s+the\s+(?:story|deal)\s+(?:with|on|behind)\b",
        r"(?<=\w)\s+(?:story|saga)\s*[?!.]*\s*$",
        # what does CBAM stand for?
        r"(?<=\w)\s+stands?\s+for\s*[?!.]*\s*$",
        r"^\s*tl\s*;?\s*dr\b:?",
        # the latest, said around the subject: "the railway: any news?", "railway latest",
        # "the railway, what's the latest?"
        _LATEST_AFTER,
        _NEWS_AFTER,
        # what's the (current) status of …, where do things stand on …, has anything changed
        # on …
        _STATUS,
        # the briefings about …, news on … (at the start: "reports document that" is content)
        r"^\s*(?:the\s+)?(?:briefings?|news|articles?|passages?)\s+"
        r"(?:about|on|regarding|concerning|mentioning)\b",
        # what are the briefings saying about …
        r"^\s*(?:what\s+)?(?:is|are|was|were)\s+"
        + _BRIEFINGS
        + r"\s+(?:saying|reporting|telling(?:\s+us)?)(?:\s+"
        + _ABOUT
        + r")?\b",
        # what do the briefings say about …, did the news mention …
        r"^\s*(?:what\s+)?(?:do|does|did|have|has)\s+"
        + _BRIEFINGS
        + r"\s+(?:say|said|tell|told|mention|mentioned|report|reported|cover|covered|write"
        r"|written)(?:\s+(?:anything|something))?(?:\s+" + _ABOUT + r")?\b",
        # what's the latest on …, what's new with …
        _LATEST,
        # … recently, … lately
        r"\b(?:recently|lately)\b",
        # what was reported (on 19 March), what's been in the news
        r"^\s*what(?:'s|’s|\s+has|\s+have|\s+had|\s+is|\s+was|\s+were)?\s+(?:been\s+)?"
        r"(?:reported|covered|published|in\s+the\s+news)\b",
        # summary of 7 September, summarise yesterday, daily summary 2023-09-20
        r"^\s*(?:(?:give|show|send)\s+me\s+)?(?:the\s+|a\s+|today's\s+|today’s\s+)?"
        r"(?:daily\s+)?(?:summary|summari[sz]e|digest|recap|round-?up)(?:\s+(?:of|for|from))?\b",
        # what happened (on Tuesday), what's happening
        r"^\s*what(?:'s|’s|\s+has|\s+had|\s+is|\s+was)?\s+happen(?:ed|ing|s)?\b",
        # how many …, how much …, how long …: the answer is a number (the re-ranker reads
        # that from the question as asked), and "many" is no word for a passage to hold: "how
        # long is the cable" is answered by "700 kilometres", not by a talk that went on "too
        # long"
        r"\bhow\s+(?:many|much|long|far|fast|quickly|big|large|old|often|tall|high|wide|deep"
        r"|heavy|soon)\b",
        # … in the briefings, … in the news
        r"\b(?:in|from)\s+" + _THE_BRIEFINGS + r"\b",
        # what was discussed about …, which projects were mentioned, what was said about …
        r"(?:^\s*(?:what|who)\s+)?\b(?:is|are|was|were|been|being|be|get|gets|got)\s+"
        r"(?:(?:ever|also|even|actually|specifically|really)\s+)?"
        r"(?:" + _PARTICIPLE + r"(?:\s+(?:about|of|on|regarding))?|" + _PARTICIPLE_ABOUT + r")\b",
    )
]
# who said "patient capital"?, which minister spoke about the levy?: who is what is asked,
# and the speaking no word of the answer
_WHO_SAID = re.compile(
    r"^(?P<who>\s*who)\s+(?:has\s+)?(?:said|says)"
    r"(?:\s+(?:anything|something)(?:\s+(?:about|on|regarding))?)?\b"
    r"|^(?P<which>\s*(?:who|which\s+[\w'’-]+(?:\s+[\w'’-]+)?))\s+(?:has\s+)?"
    r"(?:spoke|speaks|spoken|talked|talks|commented|comments)\s+(?:about|on|regarding)\b",
    re.IGNORECASE,
)
#: "who else", "what else", "anything else": "else" asks for more, it is no subject.
_ELSE = re.compile(r"(?<=\bwho)\s+else\b|(?<=\bwhat)\s+else\b", re.IGNORECASE)
# is the railway mentioned?, has Gaza been discussed at all?
_ASKED_WHETHER = re.compile(
    r"^\s*(?:is|are|was|were|has|have|had)\s+(?P<topic>.+?)\s+(?:been\s+)?"
    + _PARTICIPLE
    + r"(?:\s+(?:anywhere|at\s+all))?\s*[?!.]*\s*$",
    re.IGNORECASE,
)
# the news, any briefings, a summary, what's new: asking for the briefings themselves
_BRIEFINGS_ASKED = re.compile(
    r"^\s*(?:(?:what|which)(?:'s|’s|\s+is|\s+are|\s+were)\s+)?"
    r"(?:(?:the|any|all|today's|today’s|this\s+morning's|the\s+day's)\s+)?"
    r"(?:(?:main|top|big|biggest|latest|key)\s+)?"
    r"(?:news|briefings?|headlines|stories|summary|overview|digest|updates?"
    r"|anything(?:\s+new)?|what(?:'s|’s|\s+is)\s+new|what\s+did\s+i\s+miss"
    r"|(?:catch|fill)\s+me\s+(?:up|in)|bring\s+me\s+up\s+to\s+(?:speed|date))"
    r"(?:\s+(?:of|from|for|on))?\s*[?!.]*\s*$",
    re.IGNORECASE,
)


# "more", "tell me more", "next", "go on": more of the answer before, not a new question
_MORE = re.compile(
    r"^\s*(?:(?:tell|show|give)\s+me\s+)?(?:some\s+)?(?:more|next)"
    r"(?:\s+(?:please|details|results?|on\s+that|of\s+(?:that|these|them)))?\s*[!.?]*\s*$"
    r"|^\s*go\s+on\s*[!.?]*\s*$"
    r"|^\s*(?:and\s+)?(?:is\s+there\s+)?anything\s+(?:else|more)\s*[!.?]*\s*$",
    re.IGNORECASE,
)
#: "any updates on …", "anything new on …", "is there any news about …": the newest too.
_UPDATES = (
    r"^\s*(?:(?:can|could|would)\s+you\s+)?(?:(?:please\s+)?(?:give|send|get)\s+me\s+)?"
    r"(?:(?:is|are)\s+there\s+)?(?:(?:any|some|an?|the)\s+)?(?:new\s+|recent\s+|fresh\s+)?"
    r"(?:updates?|news|developments?)\s+(?:on|about|with|regarding|concerning|in)\b"
    r"|^\s*(?:(?:is|was)\s+there\s+)?(?:anything|something)\s+new\s+"
    r"(?:on|about|with|regarding|concerning|in)\b"
)
#: "what is the discount rate now?", "what is the current jobless rate?": the value today,
#: that is the newest that answers.
_NOW = (
    r"\b(?:now|currently|at\s+present|at\s+the\s+moment|these\s+days)\s*[?!.]*\s*$"
    r"|^\s*(?:what|where|how)(?:'s|’s|\s+is|\s+are)\s+(?:the\s+)?current\b"
)
#: "how much gas is in storage?", "how full is storage?", "what is the jobless rate?": a
#: quantity asked for in the present tense is its value today, as with "now".
_PRESENT_FIGURE = (
    r"^\s*how\s+(?:much|many|full|big|high|large)\s+(?:[\w'’-]+\s+){0,3}?(?:is|are)\b"
    r"|^\s*what(?:'s|’s|\s+is|\s+are)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,5}?"
    r"(?:rate|level|price|share|total)\b"
)
#: "what's going on with …", "what is happening in …", "what did I miss on …": the state of
#: things now.
_GOING_ON = (
    r"^\s*what(?:'s|’s|s|\s+is|\s+are)\s+(?:going\s+on|happening)\b"
    r"|" + _MISSED
)
_RECENT = re.compile(
    "|".join(
        (_LATEST, _UPDATES, _NOW, _PRESENT_FIGURE, _LATEST_AFTER, _NEWS_AFTER, _STATUS)
        + (_GOING_ON, _LATEST_BEFORE.pattern, r"\b(?:recently|lately)\b")
    ),
    re.IGNORECASE,
)


def more(text: str) -> bool:
    """Whether the message asks for more of the answer before ("more please", "go on")."""
    return bool(_MORE.match(text))


def recent(text: str) -> bool:
    """Whether the question asks for the newest of what answers it ("what's the latest on
    Gaza?", "what did Putin say recently?")."""
    return bool(_RECENT.search(text))


#: How many framings one inside another are taken off a question.
NESTED = 3


def strip(text: str) -> str:
    """`text` without the phrasings that frame a question; "" when nothing else is left."""
    out = text
    m = _ASKED_WHETHER.match(out) or _LATEST_BEFORE.match(out)
    if m:
        out = m.group("topic")
    out = _ELSE.sub("", out)  # first: "who else said …" is then "who said …"
    out = _WHO_SAID.sub(lambda m: m.group("who") or m.group("which"), out)
    # Framings nest ("summarise the news on …", "can you give me a rundown of the latest
    # on …"): what one leaves at the start may be another's.
    for _ in range(NESTED):
        before = out
        for frame in _FRAMES:
            out = frame.sub(" ", out)
        if out == before:
            break
    out = _BRIEFINGS_ASKED.sub(" ", out)
    if out == text:
        return text
    out = " ".join(out.split())
    return out if PLAIN_WORD.search(out) else ""
