"""Fair answering: each chat waits in its own small queue, and chats take turns.

Questions used to be answered in the order they arrived, with no limit per chat: one chat
sending as fast as Telegram lets it (a script behind an account, or a very busy group) filled
the answering process's queue, and every other chat waited behind it. Here:

- **Chats take turns.** At most `at_once` questions are answered at a time; when one is done,
  the next chat in the ring that has a question waiting gets the free place and goes to the
  back. A quiet chat's question therefore waits behind at most one question of each busy
  chat, not behind all of a noisy one's.
- **A chat's questions are answered one at a time, in the order sent**, so its replies come
  in order as well.
- **A chat that sends faster than a person can read is turned away.** Once a chat has sent
  more than `burst` questions within `seconds`, or has `burst` questions waiting, what it
  sends is dropped, never queued to be answered late and out of order. The first question
  dropped gets a notice (`Refused.tell`); the rest of the flood gets nothing more, so the
  bot does not answer a flood with a flood. The flood ends once the chat has gone `seconds`
  without a question dropped. Every question sent counts, dropped or not: a script that keeps
  sending keeps being turned away, while a person who pasted a few too many is answered
  again a few seconds later.
- **Everything else keeps moving.** Only questions wait here. Button presses, admin commands
  and inline queries run as they arrive, and since no more than `at_once` questions are in
  the answering process's queue or the bot's threads at any time, they wait behind at most
  that many, however many questions are waiting.

The times compared are when the questions were sent (the message's date, as Telegram gives
it) when the caller knows them: after the bot was down for a while, Telegram delivers a
chat's questions of the last minutes at once, and those were not a flood.

A `Turn` is handed out synchronously, as the update is read, so a chat's questions queue in
the order they came; it is then awaited in a task of its own (`async with turn:`), which
gives up its place when it ends or is cancelled. (A task cancelled before it ever ran, which
only happens as the event loop closes, would keep its place; nothing is answered then.)
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

#: Chats with nothing waiting are forgotten after this long (seconds) without a question.
FORGET_AFTER = 60.0


@dataclass(frozen=True)
class Refused:
    """A question turned away. `tell` is true for the first one of a flood: that one gets the
    notice, the rest nothing."""

    tell: bool


@dataclass
class _Chat:
    #: When its latest questions were sent (at most `burst` of them), oldest first.
    sent: deque[float]
    #: Questions waiting for their turn, oldest first.
    waiting: deque[asyncio.Future[None]] = field(default_factory=deque)
    #: Whether one of its questions is being answered.
    answering: bool = False
    #: Whether it was told it is going too fast, in this flood.
    told: bool = False
    #: When the last question dropped was sent.
    dropped_at: float = float("-inf")
    #: The clock when it last sent a question.
    seen: float = 0.0


class Turn:
    """One question's place in its chat's queue; `async with turn:` waits for it to come up
    and gives it back at the end."""

    def __init__(self, turns: Turns, chat_id: int, ticket: asyncio.Future[None]) -> None:
        self._turns = turns
        self.chat_id = chat_id
        self._ticket = ticket
        self._released = False

    async def __aenter__(self) -> Turn:
        try:
            await self._ticket
        except asyncio.CancelledError:
            self._give_up()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._give_up()

    def _give_up(self) -> None:
        """Leave the queue, or the answering, whichever this turn is in; once only."""
        if self._released:
            return
        self._released = True
        granted = self._ticket.done() and not self._ticket.cancelled()
        if not granted:
            self._ticket.cancel()
        self._turns._leave(self.chat_id, self._ticket, granted)


class Turns:
    """The questions of every chat, answered fairly; see the module's docstring."""

    def __init__(
        self,
        at_once: int,
        burst: int,
        seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if at_once < 1 or burst < 1 or seconds < 0:
            raise ValueError("at_once and burst must be at least 1, seconds not negative")
        self.at_once = at_once
        self.burst = burst
        self.seconds = seconds
        self._clock = clock
        self._chats: dict[int, _Chat] = {}
        #: Chats with a question waiting and none being answered, in the order they get turns.
        self._ready: deque[int] = deque()
        self._answering = 0
        self._swept = clock()

    # -- asking ------------------------------------------------------------------------------

    def admit(self, chat_id: int, sent_at: float | None = None) -> Turn | Refused:
        """A place in `chat_id`'s queue for a question sent at `sent_at` (seconds, on any
        clock the chat's questions share; now when not given), or why not."""
        now = self._clock()
        sent_at = now if sent_at is None else sent_at
        self._forget_idle(now)
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat(sent=deque(maxlen=self.burst))
        chat.seen = now
        too_fast = len(chat.sent) == self.burst and sent_at - chat.sent[0] < self.seconds
        chat.sent.append(sent_at)
        if too_fast or len(chat.waiting) + chat.answering >= self.burst:
            tell = not chat.told
            chat.told, chat.dropped_at = True, sent_at
            return Refused(tell)
        if sent_at - chat.dropped_at >= self.seconds:
            chat.told = False  # the flood is over
        ticket: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        chat.waiting.append(ticket)
        if not chat.answering and len(chat.waiting) == 1:
            self._ready.append(chat_id)
        self._next()
        return Turn(self, chat_id, ticket)

    # -- what is going on --------------------------------------------------------------------

    @property
    def answering(self) -> int:
        """Questions being answered now."""
        return self._answering

    @property
    def waiting(self) -> int:
        """Questions waiting for their turn, in all chats."""
        return sum(len(c.waiting) for c in self._chats.values())

    @property
    def chats(self) -> int:
        """Chats the bot is keeping count of (those that asked in the last minute or so)."""
        return len(self._chats)

    # -- turns -------------------------------------------------------------------------------

    def _next(self) -> None:
        """Give free places to the chats next in turn."""
        while self._answering < self.at_once and self._ready:
            chat_id = self._ready.popleft()
            chat = self._chats[chat_id]
            ticket = chat.waiting.popleft()
            if ticket.cancelled():  # its task was cancelled while waiting, and not told yet
                if chat.waiting:
                    self._ready.appendleft(chat_id)
                continue
            ticket.set_result(None)
            chat.answering = True
            self._answering += 1

    def _leave(self, chat_id: int, ticket: asyncio.Future[None], granted: bool) -> None:
        chat = self._chats[chat_id]
        if granted:
            chat.answering = False
            self._answering -= 1
            if chat.waiting:
                self._ready.append(chat_id)  # to the back of the ring
        elif ticket in chat.waiting:
            chat.waiting.remove(ticket)
            if not chat.waiting and not chat.answering:
                self._ready.remove(chat_id)
        self._next()

    def _forget_idle(self, now: float) -> None:
        """Drop what is kept about chats that have been quiet for a while, once a while, so
        that a bot seen by many chats keeps only the recent ones."""
        after = max(FORGET_AFTER, self.seconds)
        if now - self._swept < after:
            return
        self._swept = now
        for chat_id, chat in list(self._chats.items()):
            if not chat.waiting and not chat.answering and now - chat.seen >= after:
                del self._chats[chat_id]
