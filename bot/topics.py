"""Forum topics: where in a group the bot's reply to a message goes.

A large group may be a forum, its messages in topics. Telegram puts a message sent without
`message_thread_id` in the General topic, even one sent because of a message in another topic,
so everything the bot sends in reaction to a message or a button names that message's topic
(`thread_of`), and a subscription remembers the topic it was set in.

Two traps: a reply in the General topic, or any reply in a supergroup, carries a
`message_thread_id` too (the first message of its chain of replies), which is no topic and
which `sendMessage` refuses ("message thread not found"); only a message with
`is_topic_message` is in a topic. And a topic can be closed or deleted while the bot still
means to post there: Telegram then refuses the post (`topic_gone`), which the bot takes as it
takes a chat that removed it, for that topic only.
"""

from __future__ import annotations

from telegram import Update
from telegram.error import BadRequest, TelegramError

#: What Telegram says when a post goes to a topic that is closed or no longer there.
GONE = ("topic_closed", "topic_deleted", "message thread not found")


def thread_of(update: object) -> int | None:
    """The forum topic of the message an update is about (the message sent, or the one whose
    button was pressed), to send the bot's reply there; None outside topics, including the
    General topic, where a message is sent without one."""
    message = update.effective_message if isinstance(update, Update) else None
    if message is None or not getattr(message, "is_topic_message", False):
        return None
    return getattr(message, "message_thread_id", None)


def topic_gone(error: TelegramError) -> bool:
    """Whether Telegram refused a post because its topic was closed or deleted."""
    text = str(error).lower()
    return isinstance(error, BadRequest) and any(g in text for g in GONE)
