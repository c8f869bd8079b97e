"""Faults from Telegram at random, and the tally of questions answered exactly once.

`FaultyStandIn` is the Bot API stand-in with a share of its calls failing the ways Telegram's
do: flood control (429 with retry_after), server errors (500), connections dropped without an
answer, and answers slower than the client waits for. Shared by
`tests/test_reliability_telegram.py` (a bounded run) and `bench/soak.py` (10,000 questions).

A question is answered when a message replying to it arrives; the first message of an answer
replies to the question (`reply_parameters`), so counting the replies to each question says
whether it was answered not at all, once, or more than once. An apology ("something went
wrong") replies to nothing and counts as no answer.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web
from botapi import BotAPIStandIn

from bot import render

#: What a fault can be, per method. getUpdates is a long poll that the client waits on for
#: its own timeout, so it is not slowed, only failed or cut off.
KINDS = {
    "sendMessage": ("429", "500", "drop", "timeout"),
    "editMessageText": ("429", "500", "drop", "timeout"),
    "answerCallbackQuery": ("429", "500", "drop"),
    "getUpdates": ("429", "500", "drop"),
}
#: How long a "timeout" keeps a call waiting: far past python-telegram-bot's read timeout
#: (`CLIENT_TIMEOUT`), so the client always gives up first, and the stand-in drops a request
#: whose client went away without acting on it: Telegram that never answered. (Telegram that
#: acted and answered too late is a different fault: see docs/reliability.md.)
TIMEOUT_SECONDS = 30.0
CLIENT_TIMEOUT = 5.0

_METHOD = re.compile(r"/bot[^/]+/([^/]+)/?")


class FaultyStandIn(BotAPIStandIn):
    """The stand-in, with each call of a method in `KINDS` failing with chance `rate` (one
    of that method's kinds, picked at random with a seeded generator)."""

    def __init__(self, rate: float, seed: int = 1, *, lost: float = 0.0, **kwargs) -> None:
        """`lost`: the chance that a sendMessage is acted on and its answer then lost (the
        connection cut after the message was sent), which no client can tell from a call
        that never arrived; not one of the faults at `rate`."""
        super().__init__(**kwargs)
        self.rate = rate
        self.lost = lost
        self.injected: Counter[str] = Counter()
        self._rng = random.Random(seed)

    def inject(self, method: str, kind: str) -> None:
        """Make the next call of `method` fail as `kind`."""
        if kind == "429":
            self.fail_next(method, status=429, retry_after=1)
        elif kind == "500":
            self.fail_next(method, status=500)
        elif kind == "drop":
            self.drop_next(method)
        elif kind == "timeout":
            self.delay_next(method, TIMEOUT_SECONDS)
        else:
            raise ValueError(kind)
        self.injected[f"{method} {kind}"] += 1

    async def _route(self, request: web.Request) -> web.StreamResponse:
        match = _METHOD.fullmatch(request.path)
        if match and (self.rate or self.lost):
            method = self._canonical(match.group(1))
            kinds = KINDS.get(method)
            if kinds and self._rng.random() < self.rate:
                self.inject(method, self._rng.choice(kinds))
            elif method == "sendMessage" and self.lost and self._rng.random() < self.lost:
                response = await super()._route(request)
                if response.status == 200 and request.transport is not None:
                    self.injected["sendMessage lost"] += 1
                    request.transport.abort()
                    raise asyncio.CancelledError
                return response
        return await super()._route(request)


@dataclass
class Tally:
    asked: int = 0
    once: int = 0  # questions with exactly one reply
    twice: int = 0  # questions with more than one
    unanswered: int = 0
    apologies: int = 0  # "something went wrong" messages
    by_chat: dict[int, Counter] = field(default_factory=dict, repr=False)

    @property
    def lost(self) -> int:
        return self.unanswered + self.twice


def tally(standin: BotAPIStandIn, asked: Counter[int]) -> Tally:
    """How the questions asked in each chat (`asked[chat] = count`) were answered."""
    replies: dict[int, Counter] = {chat: Counter() for chat in asked}
    out = Tally(asked=sum(asked.values()), by_chat=replies)
    for m in list(standin.sent):
        if m.method != "sendMessage" or m.chat_id not in asked:
            continue
        if m.plain_text == render.SOMETHING_WENT_WRONG:
            out.apologies += 1
        elif m.reply_to_message_id is not None:
            replies[m.chat_id][m.reply_to_message_id] += 1
    for chat, count in asked.items():
        counts = replies[chat]
        out.once += sum(1 for n in counts.values() if n == 1)
        out.twice += sum(1 for n in counts.values() if n > 1)
        out.unanswered += max(count - len(counts), 0)
    return out


#: Questions of every kind the bot answers: found, misspelt, nothing found, stopwords only,
#: dated, long, and with markup in the answer.
QUESTIONS = [
    "what did Raeisi say about the railway?",
    "Gaza",
    "Lisbon tramway stage",
    "Raisi railwey",
    "zorblax",
    "what is it?",
    "Gaza in 2019",
    "tariff on steel",
    "zeppelin airship clause report",
    "Putin Nowruz",
]
