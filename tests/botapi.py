"""An offline stand-in for the Telegram Bot API, for end-to-end tests of briefbot.

The real python-telegram-bot (PTB) client talks HTTP to this server exactly as it would to
``https://api.telegram.org``, so tests exercise the bot's real request and update plumbing
(long polling, offsets, JSON decoding, error mapping, rate-limit retries) without a network.

Typical use from a synchronous pytest test::

    from botapi import standin_fixture  # noqa: F401  (registers the ``standin`` fixture)

    def test_echo(standin):
        async def main():
            app = standin.application_builder().build()
            ...
            async with app:
                await app.start()
                await app.updater.start_polling(poll_interval=0.0, timeout=1)
                standin.push_text(42, "hello")
                [reply] = await standin.wait_for_messages_async(1)
                await app.updater.stop()
                await app.stop()

        asyncio.run(main())

The server always runs in its own thread with its own event loop. That keeps it independent of
whatever loop the bot under test uses, so the same object works from sync tests, from
``asyncio.run`` inside a test, and from ``async with BotAPIStandIn() as standin``.

It deliberately behaves like Telegram where bots commonly get things wrong: HTML/MarkdownV2
markup is validated, ``message is not modified`` is returned for no-op edits, group privacy
mode hides ordinary group chatter, migrated groups answer with ``migrate_to_chat_id``, and
blocked/kicked chats answer 403. Each of these can be relaxed through an attribute.

Forum groups (``make_forum``) have topics (``open_topic``), which an administrator may close
or delete (``close_topic``, ``delete_topic``, ``close_general_topic``). As in Telegram, a
message in a topic carries ``message_thread_id`` and ``is_topic_message``, and replies to the
topic's first (service) message unless it replies to another; a reply in the General topic
carries a ``message_thread_id`` too (the first message of its chain of replies) but no
``is_topic_message``, and that id is no topic. A message sent without ``message_thread_id``
goes to the topic of the message it replies to, if that is still there, else to the General
topic. Posting to a closed topic answers 400 ``TOPIC_CLOSED`` (unless the bot is an
administrator), to a deleted topic or to a thread id that is no topic 400 ``message thread
not found``. ``SentMessage.message_thread_id`` is the topic a message landed in.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

try:  # Only needed for the convenience constructors; the server itself does not use PTB.
    from telegram import Bot
    from telegram.ext import ApplicationBuilder
except ImportError:  # pragma: no cover - PTB is a hard dependency of the project
    Bot = None  # type: ignore[assignment,misc]
    ApplicationBuilder = None  # type: ignore[assignment,misc]

__all__ = [
    "BOT_FIRST_NAME",
    "BOT_ID",
    "BOT_USERNAME",
    "DEFAULT_TOKEN",
    "DEFAULT_USER_ID",
    "BotAPIStandIn",
    "Call",
    "SentMessage",
    "standin_fixture",
]

_LOGGER = logging.getLogger(__name__)

JSONDict = dict[str, Any]

BOT_ID = 123456
BOT_USERNAME = "briefbot_test_bot"
BOT_FIRST_NAME = "briefbot"
#: A syntactically valid token whose bot id matches BOT_ID. It is fake, so printing it is harmless,
#: but the server never prints whichever token it receives.
DEFAULT_TOKEN = f"{BOT_ID}:TEST-TOKEN-not-a-secret"
#: The user that sends group messages, callbacks and inline queries when no user id is given.
DEFAULT_USER_ID = 1001

BOT_USER: JSONDict = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": BOT_FIRST_NAME,
    "username": BOT_USERNAME,
}

# Methods whose results end up in ``BotAPIStandIn.sent``.
_MESSAGE_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})

# Form values are JSON-encoded by PTB unless they are plain strings (see
# telegram.request.RequestParameter.json_value), so every form value is tried with json.loads,
# except these parameters, which are always strings and may look like numbers or JSON.
_STRING_PARAMS = frozenset(
    {
        "action",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "description",
        "emoji",
        "inline_message_id",
        "inline_query_id",
        "language_code",
        "message_effect_id",
        "name",
        "next_offset",
        "parse_mode",
        "query",
        "secret_token",
        "short_description",
        "switch_pm_parameter",
        "switch_pm_text",
        "text",
        "title",
        "url",
    }
)

# Update types Telegram delivers when a bot never asked for specific ones.
_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@/])")
_MENTION_RE = re.compile(r"(?<![A-Za-z0-9_@/])@[A-Za-z0-9_]{5,32}(?![A-Za-z0-9_])")
_BOT_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

MAX_MESSAGE_LENGTH = 4096


class _ApiError(Exception):
    """An error answer in the Bot API's shape; raised by method handlers, sent by the router."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(description: str, parameters: JSONDict | None = None) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}", parameters)


@dataclass
class SentMessage:
    """One message the bot sent or edited, as the stand-in understood it.

    ``reply_markup`` is the decoded dict (PTB sends it JSON-encoded inside a form field).
    ``reply_to_message_id`` is filled from either the legacy parameter or ``reply_parameters``
    (PTB 22 always sends the latter), and ``disable_web_page_preview`` likewise from
    ``link_preview_options.is_disabled``, so assertions need not care which one the bot used.
    ``plain_text`` is the text a user would see: HTML tags / MarkdownV2 markup removed.
    """

    method: str
    chat_id: int | str | None
    text: str | None
    parse_mode: str | None
    reply_markup: JSONDict | None
    reply_to_message_id: int | None
    reply_parameters: JSONDict | None
    link_preview_options: JSONDict | None
    disable_web_page_preview: bool | None
    message_id: int | None
    timestamp: float
    plain_text: str | None = None
    params: JSONDict = field(default_factory=dict, repr=False)
    #: The forum topic the message is in (None: not in one, e.g. the General topic), whether
    #: the bot named it (``params["message_thread_id"]``) or it followed the message replied to.
    message_thread_id: int | None = None

    @property
    def buttons(self) -> list[JSONDict]:
        """All inline keyboard buttons, flattened row by row (empty without a keyboard)."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]


@dataclass
class Call:
    """One HTTP call to a Bot API method, recorded before any fault is applied.

    ``status`` is the HTTP status that was answered (``None`` while in flight or if the
    connection was dropped on purpose).
    """

    method: str
    params: JSONDict
    timestamp: float
    status: int | None = None


@dataclass
class _Fault:
    kind: str  # "fail" or "drop"
    status: int = 500
    description: str = ""
    parameters: JSONDict | None = None


@dataclass
class _StoredMessage:
    """What the server remembers about a message, to answer edits and build callbacks."""

    json: JSONDict
    from_bot: bool
    raw_text: str | None = None
    parse_mode: str | None = None


# ----------------------------------------------------------------------------------------------
# Markup checks. Telegram rejects malformed markup with 400 "can't parse entities"; a stand-in
# that accepted everything would hide exactly the escaping bugs that break bots in production.
# The checks follow tdlib's parsers closely enough to produce the same kind of error.
# ----------------------------------------------------------------------------------------------

_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_HTML_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY_RE = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z]+));")
_HTML_START_TAG_RE = re.compile(r"""<([^\s>/]*)((?:[^>"']|"[^"]*"|'[^']*')*)>""")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _entities_error(detail: str) -> _ApiError:
    return _bad_request(f"can't parse entities: {detail}")


def _parse_html(text: str) -> str:
    """Validate Telegram-flavoured HTML and return the visible text."""
    out: list[str] = []
    open_tags: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "&":
            match = _HTML_ENTITY_RE.match(text, i)
            decoded = None
            if match:
                if match.group(3):
                    decoded = _HTML_NAMED_ENTITIES.get(match.group(3))
                else:
                    number = int(match.group(1)) if match.group(1) else int(match.group(2), 16)
                    with contextlib.suppress(ValueError, OverflowError):
                        decoded = chr(number)
            if match and decoded is not None:
                out.append(decoded)
                i = match.end()
            else:  # tdlib keeps an unknown '&' literally
                out.append("&")
                i += 1
            continue
        if ch != "<":
            out.append(ch)
            i += 1
            continue
        offset = _byte_offset(text, i)
        if text.startswith("</", i):
            if not open_tags:
                raise _entities_error(f"Unexpected end tag at byte offset {offset}")
            end = text.find(">", i)
            if end == -1:
                raise _entities_error(f"Unclosed end tag at byte offset {offset}")
            name = text[i + 2 : end].strip().lower()
            if name and name != open_tags[-1]:
                raise _entities_error(
                    f'Unmatched end tag at byte offset {offset}, expected "</{open_tags[-1]}>", '
                    f'found "</{name}>"'
                )
            open_tags.pop()
            i = end + 1
            continue
        match = _HTML_START_TAG_RE.match(text, i)
        if not match:
            name = re.match(r"<([^\s>/]*)", text[i:])
            tag = name.group(1).lower() if name else ""
            if tag in _HTML_TAGS:
                raise _entities_error(f"Unclosed start tag at byte offset {offset}")
            raise _entities_error(f'Unsupported start tag "{tag}" at byte offset {offset}')
        tag = match.group(1).lower()
        if tag not in _HTML_TAGS:
            raise _entities_error(f'Unsupported start tag "{tag}" at byte offset {offset}')
        if tag == "span" and not re.search(r"""class\s*=\s*["']?tg-spoiler""", match.group(2)):
            raise _entities_error('Tag "span" must have class "tg-spoiler"')
        open_tags.append(tag)
        i = match.end()
    if open_tags:
        raise _entities_error(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    return "".join(out)


_MDV2_ENTITY_NAMES = {
    "*": "Bold",
    "_": "Italic",
    "__": "Underline",
    "~": "Strikethrough",
    "||": "Spoiler",
    "[": "TextUrl",
}
_MDV2_ALWAYS_RESERVED = frozenset("#+-={}.!()")


def _find_unescaped(text: str, needle: str, start: int) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(needle, i):
            return i
        i += 1
    return -1


def _parse_markdown_v2(text: str) -> str:
    """Validate MarkdownV2 (a simplified tdlib parser) and return the visible text.

    The main goal is to catch unescaped reserved characters such as ``.`` ``-`` ``!`` and
    unclosed markers, which are by far the most common MarkdownV2 failures.
    """
    out: list[str] = []
    open_markers: list[tuple[str, int]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        offset = _byte_offset(text, i)
        if ch == "\\":
            if i + 1 < len(text):
                out.append(text[i + 1])
            i += 2
            continue
        if ch == "`":
            fence = "```" if text.startswith("```", i) else "`"
            end = _find_unescaped(text, fence, i + len(fence))
            if end == -1:
                kind = "PreCode" if fence == "```" else "Code"
                raise _entities_error(f"Can't find end of {kind} entity at byte offset {offset}")
            body = text[i + len(fence) : end]
            if fence == "```" and "\n" in body:  # the first line names the language
                body = body.split("\n", 1)[1]
            out.append(re.sub(r"\\(.)", r"\1", body))
            i = end + len(fence)
            continue
        marker = None
        if ch in "*~":
            marker = ch
        elif ch == "_":
            marker = "__" if text.startswith("__", i) else "_"
        elif ch == "|" and text.startswith("||", i):
            marker = "||"
        if marker:
            positions = [m for m, _ in open_markers]
            if marker in positions:
                del open_markers[len(positions) - 1 - positions[::-1].index(marker)]
            else:
                open_markers.append((marker, offset))
            i += len(marker)
            continue
        if ch == "[":
            open_markers.append(("[", offset))
            i += 1
            continue
        if ch == "]" and open_markers and open_markers[-1][0] == "[":
            open_markers.pop()
            i += 1
            if i < len(text) and text[i] == "(":
                end = _find_unescaped(text, ")", i + 1)
                if end == -1:
                    raise _entities_error(
                        f"Can't find end of a URL at byte offset {_byte_offset(text, i)}"
                    )
                i = end + 1
            continue
        if ch == ">" and (i == 0 or text[i - 1] == "\n"):  # blockquote marker
            i += 1
            continue
        if ch in _MDV2_ALWAYS_RESERVED or ch in "|]>":
            raise _entities_error(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        out.append(ch)
        i += 1
    if open_markers:
        marker, offset = open_markers[-1]
        name = _MDV2_ENTITY_NAMES[marker]
        raise _entities_error(f"Can't find end of {name} entity at byte offset {offset}")
    return "".join(out)


def _visible_text(text: str, parse_mode: str | None, validate: bool) -> str:
    """Return what the user would see, raising Telegram's error for malformed markup."""
    mode = (parse_mode or "").lower()
    try:
        if mode == "html":
            return _parse_html(text)
        if mode == "markdownv2":
            return _parse_markdown_v2(text)
    except _ApiError:
        if validate:
            raise
        return text
    if mode and mode != "markdown":
        raise _bad_request(f"unsupported parse_mode {parse_mode!r}")
    return text


def _utf16_len(text: str) -> int:
    """Telegram measures entity offsets in UTF-16 code units, not Python characters."""
    return len(text.encode("utf-16-le")) // 2


def compute_entities(text: str) -> list[JSONDict]:
    """Build the ``bot_command`` and ``mention`` entities Telegram would attach to ``text``."""
    found = [(m, "bot_command") for m in _COMMAND_RE.finditer(text)]
    found += [(m, "mention") for m in _MENTION_RE.finditer(text)]
    found.sort(key=lambda item: item[0].start())
    return [
        {
            "type": kind,
            "offset": _utf16_len(text[: m.start()]),
            "length": _utf16_len(m.group(0)),
        }
        for m, kind in found
    ]


def _decode_value(name: str, value: Any) -> Any:
    """Undo PTB's form encoding: non-string values arrive as JSON text."""
    if isinstance(value, str) and name not in _STRING_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _as_int(value: Any, default: int = 0) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _bad_request(f"invalid integer value {value!r}") from None


# ----------------------------------------------------------------------------------------------
# The server
# ----------------------------------------------------------------------------------------------


class BotAPIStandIn:
    """A Bot API server on 127.0.0.1 with a free port, plus helpers to drive and inspect it.

    Start it with ``start()``/``stop()``, ``with BotAPIStandIn() as s:`` or
    ``async with BotAPIStandIn() as s:``. All helpers are thread-safe and may be called from
    the test thread or from inside the bot's event loop (use the ``*_async`` wait helpers
    there, since blocking waits would freeze the bot).

    Tunable attributes:

    * ``privacy_mode`` (default ``True``, as ``getMe`` reports
      ``can_read_all_group_messages=False``): ordinary group messages that are not commands,
      mentions of the bot or replies to it are not delivered, unless the bot is an admin there.
    * ``validate_markup`` (default ``True``): reject malformed HTML/MarkdownV2 with 400.
    * ``forbidden_chats``: chat ids for which sends answer 403 "bot was blocked by the user".
    * ``admins``: chat id -> set of administrator user ids, used by getChatMember,
      getChatAdministrators and privacy mode. ``owners``: chat id -> creator user id.
    * ``users``: user id -> extra/overriding User fields (first_name, username, ...).
    * ``chats``: chat id -> Chat JSON; filled in by the push helpers, inferred otherwise.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        host: str = "127.0.0.1",
        privacy_mode: bool = True,
        validate_markup: bool = True,
    ) -> None:
        """``token``: if given, requests with any other token get 401 like Telegram's."""
        self._expected_token = token
        self._host = host
        self.privacy_mode = privacy_mode
        self.validate_markup = validate_markup

        self.sent: list[SentMessage] = []
        self.calls: list[Call] = []
        #: Group messages pushed while privacy mode would hide them (never delivered).
        self.hidden: list[JSONDict] = []
        self.forbidden_chats: set[int | str] = set()
        self.admins: dict[int | str, set[int]] = {}
        self.owners: dict[int | str, int] = {}
        self.users: dict[int, JSONDict] = {}
        self.chats: dict[int | str, JSONDict] = {}
        #: Forum topics by chat: thread id -> "open" or "closed" (deleted ones are gone).
        self.topics: dict[int | str, dict[int, str]] = {}
        #: Forum chats whose General topic an administrator closed.
        self.general_closed: set[int | str] = set()
        #: The token seen in the most recent request path. Kept for assertions; never logged.
        self.token: str | None = None

        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._updates: list[JSONDict] = []
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._message_ids: dict[int | str, int] = {}
        self._messages: dict[tuple[int | str, int], _StoredMessage] = {}
        self._member_status: dict[tuple[int | str, int], str] = {}
        self._bot_status: dict[int | str, str] = {}
        self._migrated: dict[int | str, int] = {}
        self._open_callback_queries: set[str] = set()
        self._open_inline_queries: set[str] = set()
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._faults: dict[str, list[_Fault]] = {}
        self._delays: dict[str, list[float]] = {}
        self._allowed_updates: list[str] | None = None
        self._webhook_url = ""
        self._poll_generation = 0

        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._wake: asyncio.Event | None = None
        self._closing = False
        self._port: int | None = None
        self._bind_port = 0  # 0: any free port; a restart binds the one it had

        self._handlers: dict[str, tuple[str, Callable[[JSONDict], Any]]] = {}
        for name, handler in {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "getChat": self._get_chat,
            "close": self._true,
            "logOut": self._true,
        }.items():
            # Telegram matches method names case-insensitively.
            self._handlers[name.lower()] = (name, handler)

    def __repr__(self) -> str:  # never include the token
        return f"<BotAPIStandIn {self._host}:{self._port} running={self.running}>"

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("BotAPIStandIn is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url()``: PTB appends the token and ``/method``."""
        return f"http://{self._host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url()`` (file downloads answer 404)."""
        return f"http://{self._host}:{self.port}/file/bot"

    def start(self) -> BotAPIStandIn:
        """Start serving in a background thread; returns once the port is bound."""
        if self.running:
            return self
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            try:
                asyncio.run(self._serve(ready))
            except BaseException as exc:  # surfaced to start() below
                failure.append(exc)
            finally:
                ready.set()

        self._closing = False
        self._thread = threading.Thread(target=run, name="botapi-standin", daemon=True)
        self._thread.start()
        ready.wait(timeout=10)
        if failure:
            raise RuntimeError("BotAPIStandIn failed to start") from failure[0]
        if self._port is None:
            raise RuntimeError("BotAPIStandIn did not start within 10 s")
        return self

    def stop(self) -> None:
        """Stop the server, ending pending long polls, and join its thread."""
        thread, loop, stop_event = self._thread, self._loop, self._stop_event
        if thread is None:
            return
        if loop is not None and stop_event is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # loop already gone
                loop.call_soon_threadsafe(stop_event.set)
        thread.join(timeout=10)
        self._thread = None

    def restart(self, down_for: float = 0.0) -> None:
        """Stop, stay down for ``down_for`` seconds, and start again on the same port, keeping
        queued updates, chats and records, as Telegram's servers do across a restart. Requests
        in flight are cut off and requests meanwhile are refused."""
        port = self._port
        self.stop()
        time.sleep(down_for)
        self._bind_port = port or 0
        self.start()

    def __enter__(self) -> BotAPIStandIn:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def __aenter__(self) -> BotAPIStandIn:
        return await asyncio.to_thread(self.start)

    async def __aexit__(self, *exc_info: object) -> None:
        await asyncio.to_thread(self.stop)

    async def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop_event = asyncio.Event()
        self._wake = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._route)
        # access_log=None: the access log would print request paths, which contain the token.
        # handler_cancellation: a client that gives up on a long poll must not keep it alive.
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, self._bind_port))
        site = web.SockSite(runner, sock)
        await site.start()
        self._port = sock.getsockname()[1]
        ready.set()
        try:
            await self._stop_event.wait()
        finally:
            self._closing = True
            self._notify_pollers()
            await runner.cleanup()

    # -- inspection helpers ----------------------------------------------------------------

    def messages_to(self, chat_id: int | str) -> list[SentMessage]:
        """Messages sent to or edited in ``chat_id``, oldest first."""
        with self._lock:
            return [m for m in self.sent if m.chat_id == chat_id]

    def calls_to(self, method: str) -> list[Call]:
        """Every recorded call of ``method`` (case-insensitive), including failed ones."""
        name = self._canonical(method)
        with self._lock:
            return [c for c in self.calls if c.method == name]

    def clear(self) -> None:
        """Forget recorded messages, calls and hidden messages (state such as chats stays)."""
        with self._lock:
            self.sent.clear()
            self.calls.clear()
            self.hidden.clear()

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates queued and not yet confirmed by a getUpdates offset."""
        with self._lock:
            return list(self._updates)

    def commands_for(
        self, scope: JSONDict | None = None, language_code: str = ""
    ) -> list[JSONDict]:
        """The command list last set with setMyCommands for this scope and language."""
        with self._lock:
            return list(self._commands.get(self._commands_key(scope, language_code), []))

    def wait_for_messages(
        self, n: int, timeout: float = 10, *, chat_id: int | str | None = None
    ) -> list[SentMessage]:
        """Block until at least ``n`` sendMessage/edit records exist; return them.

        Must not be called from the thread running the bot's event loop (that would freeze
        the bot); use ``await wait_for_messages_async(...)`` there.
        """
        self._refuse_inside_event_loop("wait_for_messages")
        return self._wait(lambda: self._enough_messages(n, chat_id), timeout, f"{n} message(s)")

    async def wait_for_messages_async(
        self, n: int, timeout: float = 10, *, chat_id: int | str | None = None
    ) -> list[SentMessage]:
        """Awaitable ``wait_for_messages`` for use inside the bot's event loop."""
        return await self._wait_async(
            lambda: self._enough_messages(n, chat_id), timeout, f"{n} message(s)"
        )

    def wait_for_calls(self, method: str, n: int = 1, timeout: float = 10) -> list[Call]:
        """Block until ``method`` was called at least ``n`` times; return those calls."""
        self._refuse_inside_event_loop("wait_for_calls")
        return self._wait(lambda: self._enough_calls(method, n), timeout, f"{n} {method} call(s)")

    async def wait_for_calls_async(
        self, method: str, n: int = 1, timeout: float = 10
    ) -> list[Call]:
        """Awaitable ``wait_for_calls``."""
        return await self._wait_async(
            lambda: self._enough_calls(method, n), timeout, f"{n} {method} call(s)"
        )

    def _enough_messages(self, n: int, chat_id: int | str | None) -> list[SentMessage] | None:
        found = self.sent if chat_id is None else [m for m in self.sent if m.chat_id == chat_id]
        return list(found) if len(found) >= n else None

    def _enough_calls(self, method: str, n: int) -> list[Call] | None:
        found = self.calls_to(method)
        return found if len(found) >= n else None

    @staticmethod
    def _refuse_inside_event_loop(name: str) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        raise RuntimeError(f"{name}() would block the running event loop; await {name}_async()")

    def _wait(self, probe: Callable[[], Any], timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                result = probe()
                if result is not None:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(self._timeout_report(what, timeout))
                self._changed.wait(remaining)

    async def _wait_async(self, probe: Callable[[], Any], timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                result = probe()
            if result is not None:
                return result
            if time.monotonic() >= deadline:
                raise TimeoutError(self._timeout_report(what, timeout))
            await asyncio.sleep(0.01)

    def _timeout_report(self, what: str, timeout: float) -> str:
        """Explain a timeout with what did happen, since that is what one needs to debug it."""
        with self._lock:
            lines = [f"timed out after {timeout} s waiting for {what}"]
            lines.append(f"sent ({len(self.sent)}):")
            lines += [f"  {m.method} chat={m.chat_id} text={m.text!r:.80}" for m in self.sent]
            errors = [c for c in self.calls if c.status and c.status >= 400]
            if errors:
                lines.append("failed calls:")
                lines += [f"  {c.method} -> {c.status} {c.params}" for c in errors[-10:]]
            if self.hidden:
                lines.append(f"{len(self.hidden)} group message(s) hidden by privacy_mode")
            if self._updates:
                lines.append(f"{len(self._updates)} update(s) still pending (is the bot polling?)")
        return "\n".join(lines)

    # -- fault injection -------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        retry_after: int | None = None,
        description: str | None = None,
        count: int = 1,
    ) -> None:
        """Make the next ``count`` calls of ``method`` answer with an error.

        A 429 always carries ``parameters.retry_after`` (default 1 s) and the description
        Telegram uses, so PTB raises ``RetryAfter``.
        """
        parameters = None
        if status == 429 and retry_after is None:
            retry_after = 1
        if retry_after is not None:
            parameters = {"retry_after": retry_after}
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = _DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")
        fault = _Fault("fail", status, description, parameters)
        with self._lock:
            self._faults.setdefault(self._canonical(method), []).extend([fault] * count)

    def drop_next(self, method: str, count: int = 1) -> None:
        """Close the connection without an answer on the next ``count`` calls of ``method``."""
        with self._lock:
            self._faults.setdefault(self._canonical(method), []).extend([_Fault("drop")] * count)

    def delay_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Wait ``seconds`` before handling each of the next ``count`` calls of ``method``."""
        with self._lock:
            self._delays.setdefault(self._canonical(method), []).extend([seconds] * count)

    # -- configuration helpers ---------------------------------------------------------------

    def set_admins(self, chat_id: int | str, *user_ids: int, owner: int | None = None) -> None:
        """Declare the administrators (and optionally the creator) of a chat."""
        with self._lock:
            self.admins[chat_id] = set(user_ids)
            if owner is not None:
                self.owners[chat_id] = owner

    def set_member_status(self, chat_id: int | str, user_id: int, status: str) -> None:
        """Force getChatMember's status for one user ("member", "left", "kicked", ...)."""
        with self._lock:
            self._member_status[(chat_id, user_id)] = status

    def add_user(self, user_id: int, **fields: Any) -> None:
        """Override User fields such as ``first_name``, ``username`` or ``language_code``."""
        with self._lock:
            self.users.setdefault(user_id, {}).update(fields)

    # -- update injection --------------------------------------------------------------------

    def push_text(
        self,
        chat_id: int | str,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str | None = None,
        chat_title: str | None = None,
        reply_to_message: SentMessage | JSONDict | int | None = None,
        entities: list[JSONDict] | None = None,
        thread_id: int | None = None,
    ) -> int | None:
        """Queue a text message from a user; return its update_id.

        ``thread_id`` posts it in that topic of a forum (``open_topic``); without it, a
        message in a forum goes to the General topic, or to the topic of the message it
        replies to.

        ``chat_type`` defaults to what the chat was seen as before, else it is inferred from
        the id (positive: private, ``-100...``: supergroup, other negative: group).
        ``user_id`` defaults to ``chat_id`` in private chats and ``DEFAULT_USER_ID`` in groups.
        ``reply_to_message`` may be a ``SentMessage`` record, a message id or a message dict;
        records and ids are looked up among the messages this server knows.
        ``entities`` default to the ``bot_command``/``mention`` entities Telegram would add.

        Returns ``None`` (and appends the message to ``hidden``) when group privacy mode
        would keep Telegram from delivering it to the bot.
        """
        with self._lock:
            chat = self._register_chat(chat_id, chat_type, chat_title)
            if user_id is None:
                user_id = int(chat_id) if chat["type"] == "private" else DEFAULT_USER_ID
            reply = None
            if reply_to_message is not None:
                reply = self._resolve_reply(chat_id, reply_to_message)
            if thread_id is None and reply is not None and reply.get("is_topic_message"):
                thread_id = reply.get("message_thread_id")
            if thread_id is not None and thread_id not in self.topics.get(chat_id, {}):
                raise KeyError(f"no topic {thread_id} open in chat {chat_id}")
            message = {
                "message_id": self._next_message_id(chat_id),
                "from": self._user_json(user_id),
                "chat": chat,
                "date": int(time.time()),
                "text": text,
            }
            found = compute_entities(text) if entities is None else entities
            if found:
                message["entities"] = found
            self._place(chat_id, message, thread_id, reply)
            self._messages[(chat_id, message["message_id"])] = _StoredMessage(
                message, from_bot=False, raw_text=text
            )
            if not self._delivered_despite_privacy(chat, message):
                self.hidden.append(message)
                return None
            return self._enqueue({"message": message})

    # -- forum topics --------------------------------------------------------------------

    def make_forum(self, chat_id: int, *, title: str | None = None) -> None:
        """Make ``chat_id`` a supergroup organised in topics (``is_forum``)."""
        with self._lock:
            self._register_chat(chat_id, "supergroup", title)
            self.chats[chat_id]["is_forum"] = True
            self.topics.setdefault(chat_id, {})
            if chat_id not in self._message_ids:  # the General topic came first
                self._next_message_id(chat_id)

    def open_topic(self, chat_id: int, name: str = "Topic", *, user_id: int | None = None) -> int:
        """An administrator creates a topic in a forum; returns its ``message_thread_id``,
        which is the id of the service message that opens it (pushed as an update, as
        Telegram delivers it)."""
        with self._lock:
            if not self.chats.get(chat_id, {}).get("is_forum"):
                raise KeyError(f"chat {chat_id} is not a forum (make_forum)")
            thread = self._next_message_id(chat_id)
            message = {
                "message_id": thread,
                "from": self._user_json(user_id or DEFAULT_USER_ID),
                "chat": self.chats[chat_id],
                "date": int(time.time()),
                "message_thread_id": thread,
                "is_topic_message": True,
                "forum_topic_created": {"name": name, "icon_color": 7322096},
            }
            self._messages[(chat_id, thread)] = _StoredMessage(message, from_bot=False)
            self.topics[chat_id][thread] = "open"
            self._enqueue({"message": message})
            return thread

    def close_topic(self, chat_id: int, thread_id: int, *, user_id: int | None = None) -> None:
        """An administrator closes a topic: only administrators may post there now, so the
        bot's posts answer 400 ``TOPIC_CLOSED`` unless it is one. The service message saying
        so is pushed as an update."""
        self._set_topic(chat_id, thread_id, "closed", "forum_topic_closed", user_id)

    def reopen_topic(self, chat_id: int, thread_id: int, *, user_id: int | None = None) -> None:
        """An administrator reopens a closed topic."""
        self._set_topic(chat_id, thread_id, "open", "forum_topic_reopened", user_id)

    def close_general_topic(self, chat_id: int) -> None:
        """An administrator closes the General topic: posts that go there (sent without a
        ``message_thread_id`` and not replying into another topic) answer ``TOPIC_CLOSED``."""
        with self._lock:
            self.general_closed.add(chat_id)

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """An administrator deletes a topic with all its messages (Telegram tells bots
        nothing): posts to it answer 400 ``message thread not found``."""
        with self._lock:
            del self.topics[chat_id][thread_id]
            for key, stored in list(self._messages.items()):
                in_topic = stored.json.get("is_topic_message")
                if key[0] == chat_id and in_topic and stored.json["message_thread_id"] == thread_id:
                    del self._messages[key]

    def _set_topic(
        self, chat_id: int, thread_id: int, status: str, event: str, user_id: int | None
    ) -> None:
        with self._lock:
            if thread_id not in self.topics.get(chat_id, {}):
                raise KeyError(f"no topic {thread_id} in chat {chat_id}")
            self.topics[chat_id][thread_id] = status
            message = {
                "message_id": self._next_message_id(chat_id),
                "from": self._user_json(user_id or DEFAULT_USER_ID),
                "chat": self.chats[chat_id],
                "date": int(time.time()),
                event: {},
            }
            self._place(chat_id, message, thread_id, None)
            self._messages[(chat_id, message["message_id"])] = _StoredMessage(
                message, from_bot=False
            )
            self._enqueue({"message": message})

    def user_deletes(self, chat_id: int | str, message_id: int) -> None:
        """A user deletes a message (Telegram tells bots nothing): a reply to it afterwards
        is refused, or sent as no reply with ``allow_sending_without_reply``."""
        with self._lock:
            del self._messages[(chat_id, message_id)]

    def messages_in_topic(self, chat_id: int | str, thread_id: int | None) -> list[SentMessage]:
        """Messages sent to or edited in one topic of ``chat_id`` (None: outside any topic,
        i.e. the General topic of a forum), oldest first."""
        with self._lock:
            return [
                m for m in self.sent if m.chat_id == chat_id and m.message_thread_id == thread_id
            ]

    def push_callback(
        self, chat_id: int | str, message_id: int, data: str, *, user_id: int | None = None
    ) -> int:
        """Queue a callback query for a button press on ``message_id``; return its update_id.

        The callback's ``message`` is the stored message (with its current text and keyboard);
        for unknown ids it is an InaccessibleMessage (``date`` 0), as Telegram sends for old
        messages.
        """
        with self._lock:
            chat = self._register_chat(chat_id, None, None)
            if user_id is None:
                user_id = int(chat_id) if chat["type"] == "private" else DEFAULT_USER_ID
            stored = self._messages.get((chat_id, message_id))
            message = (
                stored.json
                if stored
                else {"chat": chat, "message_id": message_id, "date": 0}  # inaccessible
            )
            query_id = f"cbq{next(self._query_ids)}"
            self._open_callback_queries.add(query_id)
            callback = {
                "id": query_id,
                "from": self._user_json(user_id),
                "message": message,
                "chat_instance": f"instance{chat_id}",
                "data": data,
            }
            return self._enqueue({"callback_query": callback})

    def push_inline_query(self, user_id: int, query: str, *, offset: str = "") -> int:
        """Queue an inline query typed by ``user_id``; return its update_id."""
        with self._lock:
            query_id = f"iq{next(self._query_ids)}"
            self._open_inline_queries.add(query_id)
            inline = {
                "id": query_id,
                "from": self._user_json(user_id),
                "query": query,
                "offset": offset,
                "chat_type": "sender",
            }
            return self._enqueue({"inline_query": inline})

    def push_migration(
        self, old_chat_id: int | str, new_chat_id: int, *, with_migrate_from: bool = False
    ) -> int:
        """Queue the service message announcing that a group became a supergroup.

        Afterwards sendMessage to ``old_chat_id`` answers 400 with ``migrate_to_chat_id``
        (PTB raises ``ChatMigrated``). Telegram also posts a ``migrate_from_chat_id`` message
        in the new supergroup; pass ``with_migrate_from=True`` to queue that one too.
        Returns the update_id of the ``migrate_to_chat_id`` message.
        """
        with self._lock:
            old_chat = self._register_chat(old_chat_id, "group", None)
            new_chat = self._register_chat(new_chat_id, "supergroup", old_chat.get("title"))
            self._migrated[old_chat_id] = new_chat_id
            message = {
                "message_id": self._next_message_id(old_chat_id),
                "from": self._user_json(DEFAULT_USER_ID),
                "chat": old_chat,
                "date": int(time.time()),
                "migrate_to_chat_id": new_chat_id,
            }
            update_id = self._enqueue({"message": message})
            if with_migrate_from:
                follow_up = {
                    "message_id": self._next_message_id(new_chat_id),
                    "from": self._user_json(DEFAULT_USER_ID),
                    "sender_chat": new_chat,
                    "chat": new_chat,
                    "date": int(time.time()),
                    "migrate_from_chat_id": old_chat_id,
                }
                self._enqueue({"message": follow_up})
            return update_id

    def push_my_chat_member(
        self,
        chat_id: int | str,
        new_status: str,
        *,
        user_id: int | None = None,
        old_status: str | None = None,
    ) -> int:
        """Queue a change of the bot's own membership; return its update_id.

        ``new_status`` is one of member, administrator, restricted, left, kicked. In a private
        chat "kicked" means the user blocked the bot. The change sticks: after left/kicked,
        sends to the chat answer 403 as Telegram's do; administrator makes the bot an admin.
        """
        with self._lock:
            chat = self._register_chat(chat_id, None, None)
            if user_id is None:
                user_id = int(chat_id) if chat["type"] == "private" else DEFAULT_USER_ID
            old = old_status or self._bot_status.get(chat_id, "member")
            self._bot_status[chat_id] = new_status
            if new_status == "administrator":
                self.admins.setdefault(chat_id, set()).add(BOT_ID)
            else:
                self.admins.get(chat_id, set()).discard(BOT_ID)
            change = {
                "chat": chat,
                "from": self._user_json(user_id),
                "date": int(time.time()),
                "old_chat_member": self._chat_member_json(BOT_USER, old),
                "new_chat_member": self._chat_member_json(BOT_USER, new_status),
            }
            return self._enqueue({"my_chat_member": change})

    def _enqueue(self, body: JSONDict) -> int:
        with self._lock:
            update_id = next(self._update_ids)
            self._updates.append({"update_id": update_id, **body})
            self._changed.notify_all()
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._notify_pollers)
        return update_id

    def _notify_pollers(self) -> None:
        """Wake every waiting getUpdates (runs in the server loop)."""
        wake, self._wake = self._wake, asyncio.Event()
        if wake is not None:
            wake.set()

    def _delivered_despite_privacy(self, chat: JSONDict, message: JSONDict) -> bool:
        if not self.privacy_mode or chat["type"] not in ("group", "supergroup"):
            return True
        if BOT_ID in self.admins.get(chat["id"], set()):
            return True
        text = message.get("text", "")
        for entity in message.get("entities", []):
            start = len(text.encode("utf-16-le")[: entity["offset"] * 2].decode("utf-16-le"))
            value = text[start:][: entity["length"]]
            if entity["type"] == "bot_command":
                target = value.partition("@")[2]
                if not target or target.lower() == BOT_USERNAME.lower():
                    return True
            if entity["type"] == "mention" and value[1:].lower() == BOT_USERNAME.lower():
                return True
        reply = message.get("reply_to_message") or {}
        return (reply.get("from") or {}).get("id") == BOT_ID

    # -- JSON builders ---------------------------------------------------------------------

    def _user_json(self, user_id: int) -> JSONDict:
        if user_id == BOT_ID:
            return dict(BOT_USER)
        user = {
            "id": user_id,
            "is_bot": False,
            "first_name": f"User{user_id}",
            "username": f"user{user_id}",
            "language_code": "en",
        }
        user.update(self.users.get(user_id, {}))
        return user

    def _register_chat(
        self, chat_id: int | str, chat_type: str | None, title: str | None
    ) -> JSONDict:
        """Return the Chat JSON for ``chat_id``, recording type/title given by a push helper."""
        known = self.chats.get(chat_id)
        if known and (chat_type is None or known["type"] == chat_type) and title is None:
            return known
        kind = chat_type or (known["type"] if known else self._infer_chat_type(chat_id))
        chat: JSONDict = {"id": chat_id, "type": kind}
        if kind == "private":
            user = self._user_json(int(chat_id))
            chat["first_name"] = user["first_name"]
            if user.get("username"):
                chat["username"] = user["username"]
        else:
            chat["title"] = title or (known or {}).get("title") or f"Group {chat_id}"
            if (known or {}).get("is_forum") and kind == "supergroup":
                chat["is_forum"] = True
        self.chats[chat_id] = chat
        return chat

    @staticmethod
    def _infer_chat_type(chat_id: int | str) -> str:
        if isinstance(chat_id, str):
            return "channel" if chat_id.startswith("@") else "private"
        if chat_id > 0:
            return "private"
        return "supergroup" if str(chat_id).startswith("-100") else "group"

    def _chat_json(self, chat_id: int | str) -> JSONDict:
        return self.chats.get(chat_id) or self._register_chat(chat_id, None, None)

    def _chat_member_json(self, user: JSONDict, status: str) -> JSONDict:
        if status == "creator":
            return {"status": status, "user": user, "is_anonymous": False}
        if status == "administrator":
            rights = [
                "can_manage_chat",
                "can_delete_messages",
                "can_manage_video_chats",
                "can_restrict_members",
                "can_change_info",
                "can_invite_users",
                "can_post_stories",
                "can_edit_stories",
                "can_delete_stories",
                "can_pin_messages",
            ]
            member = {"status": status, "user": user, "can_be_edited": False}
            member.update({"is_anonymous": False, "can_promote_members": False})
            member.update(dict.fromkeys(rights, True))
            return member
        if status == "restricted":
            flags = [
                "can_change_info",
                "can_invite_users",
                "can_pin_messages",
                "can_send_messages",
                "can_send_polls",
                "can_send_other_messages",
                "can_add_web_page_previews",
                "can_manage_topics",
                "can_send_audios",
                "can_send_documents",
                "can_send_photos",
                "can_send_videos",
                "can_send_video_notes",
                "can_send_voice_notes",
                "can_edit_tag",
            ]
            member = {"status": status, "user": user, "is_member": True, "until_date": 0}
            member.update(dict.fromkeys(flags, False))
            return member
        if status == "kicked":
            return {"status": status, "user": user, "until_date": 0}
        if status in ("member", "left"):
            return {"status": status, "user": user}
        raise ValueError(f"unknown chat member status {status!r}")

    def _status_of(self, chat_id: int | str, user_id: int) -> str:
        if user_id == BOT_ID and chat_id in self._bot_status:
            return self._bot_status[chat_id]
        if (chat_id, user_id) in self._member_status:
            return self._member_status[(chat_id, user_id)]
        if self.owners.get(chat_id) == user_id:
            return "creator"
        if user_id in self.admins.get(chat_id, set()):
            return "administrator"
        return "member"

    def _next_message_id(self, chat_id: int | str) -> int:
        """Message ids count up per chat and are shared by users' and the bot's messages."""
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def _resolve_reply(self, chat_id: int | str, target: SentMessage | JSONDict | int) -> JSONDict:
        if isinstance(target, dict):
            return target
        message_id = target.message_id if isinstance(target, SentMessage) else int(target)
        stored = self._messages.get((chat_id, message_id))
        if stored is None:
            raise KeyError(f"no message {message_id} known in chat {chat_id}")
        reply = dict(stored.json)
        reply.pop("reply_to_message", None)  # Telegram nests only one level
        return reply

    @staticmethod
    def _commands_key(scope: JSONDict | None, language_code: str | None) -> tuple[str, str]:
        scope = scope or {"type": "default"}
        return json.dumps(scope, sort_keys=True), language_code or ""

    def _canonical(self, method: str) -> str:
        known = self._handlers.get(method.lower())
        return known[0] if known else method

    # -- HTTP plumbing ---------------------------------------------------------------------

    async def _route(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return self._json(404, _ApiError(404, "Not Found").payload())
        match = re.fullmatch(r"/bot([^/]+)/([^/]+)/?", path)
        if not match:
            return self._json(404, _ApiError(404, "Not Found").payload())
        token, method_name = match.groups()
        self.token = token
        if self._expected_token is not None and token != self._expected_token:
            return self._json(401, _ApiError(401, "Unauthorized").payload())

        try:
            params = await self._read_params(request)
        except _ApiError as exc:
            return self._json(exc.status, exc.payload())

        known = self._handlers.get(method_name.lower())
        method = known[0] if known else method_name
        call = Call(method=method, params=params, timestamp=time.time())
        with self._lock:
            self.calls.append(call)
            self._changed.notify_all()
            delays = self._delays.get(method)
            delay = delays.pop(0) if delays else 0.0
            faults = self._faults.get(method)
            fault = faults.pop(0) if faults else None

        if delay:
            await asyncio.sleep(delay)
        if fault is not None and fault.kind == "drop":
            # abort() resets the connection without writing anything, like a dying proxy.
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError
        if fault is not None:
            error = _ApiError(fault.status, fault.description, fault.parameters)
            return self._finish(call, error.status, error.payload())
        if known is None:
            error = _ApiError(404, "Not Found: method not found")
            return self._finish(call, 404, error.payload())

        try:
            result = known[1](params)
            if inspect.isawaitable(result):
                result = await result
        except _ApiError as exc:
            return self._finish(call, exc.status, exc.payload())
        except Exception as exc:  # a bug in the stand-in should read as one, not as a hang
            _LOGGER.exception("stand-in failed handling %s", method)
            error = _ApiError(500, f"Internal Server Error: stand-in bug: {exc!r}")
            return self._finish(call, 500, error.payload())
        return self._finish(call, 200, {"ok": True, "result": result})

    def _finish(self, call: Call, status: int, payload: JSONDict) -> web.Response:
        with self._lock:
            call.status = status
            self._changed.notify_all()
        return self._json(status, payload)

    @staticmethod
    def _json(status: int, payload: JSONDict) -> web.Response:
        return web.json_response(payload, status=status)

    @staticmethod
    async def _read_params(request: web.Request) -> JSONDict:
        """Merge query-string, JSON, urlencoded and multipart parameters into one dict."""
        params: JSONDict = {k: _decode_value(k, v) for k, v in request.query.items()}
        if not request.can_read_body:
            return params
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise _bad_request("can't parse JSON encoded request parameters") from None
            if not isinstance(body, dict):
                raise _bad_request("request parameters must be a JSON object")
            # Some clients JSON-encode nested values even in JSON bodies; decode those too.
            for key, value in body.items():
                decoded = value
                if isinstance(value, str) and value[:1] in "[{":
                    decoded = _decode_value(key, value)
                params[key] = decoded
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = {
                        "filename": value.filename,
                        "content_type": value.content_type,
                        "size": len(value.file.read()),
                    }
                else:
                    params[key] = _decode_value(key, value)
        return params

    # -- method handlers ---------------------------------------------------------------------

    @staticmethod
    def _true(params: JSONDict) -> bool:
        return True

    def _get_me(self, params: JSONDict) -> JSONDict:
        return {
            **BOT_USER,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        """Long polling: answer at once if updates are pending, else wait up to ``timeout``.

        ``offset`` confirms (and forgets) every update with a smaller id; a negative offset
        keeps only the last ``-offset`` updates. A newer getUpdates ends an older waiting one
        with 409, as Telegram does when two instances poll the same bot.
        """
        if self._webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _as_int(params.get("offset"))
        limit = min(max(_as_int(params.get("limit"), 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = params.get("allowed_updates")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        with self._lock:
            if isinstance(allowed, list):
                self._allowed_updates = allowed or None
            self._poll_generation += 1
            generation = self._poll_generation
        while True:
            with self._lock:
                if offset > 0:
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                elif offset < 0:
                    self._updates = self._updates[offset:]
                batch = [u for u in self._updates if self._is_allowed(u)][:limit]
            if batch or self._closing:
                return batch
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            wake = self._wake
            assert wake is not None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), remaining)
            if generation != self._poll_generation:
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )

    def _is_allowed(self, update: JSONDict) -> bool:
        kind = next(k for k in update if k != "update_id")
        if self._allowed_updates:
            return kind in self._allowed_updates
        return kind not in _DEFAULT_EXCLUDED_UPDATES

    def _target_chat(self, params: JSONDict) -> int | str:
        """Resolve ``chat_id`` and apply the refusals Telegram gives for unusable chats."""
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad_request("chat_id is empty")
        if chat_id in self._migrated:
            raise _bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[chat_id]},
            )
        if chat_id in self.forbidden_chats:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        status = self._bot_status.get(chat_id)
        if status in ("kicked", "left"):
            kind = self._chat_json(chat_id)["type"]
            if kind == "private":
                raise _ApiError(403, "Forbidden: bot was blocked by the user")
            if status == "kicked":
                raise _ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
            raise _ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
        return chat_id

    def _checked_text(self, params: JSONDict) -> tuple[str, str]:
        text = params.get("text")
        if text is None or text == "":
            raise _bad_request("message text is empty")
        text = str(text)
        visible = _visible_text(text, params.get("parse_mode"), self.validate_markup)
        if not visible.strip():
            raise _bad_request("message text is empty")
        if len(visible) > MAX_MESSAGE_LENGTH:
            raise _bad_request("message is too long")
        return text, visible

    def _record(
        self,
        method: str,
        params: JSONDict,
        chat_id: int | str | None,
        message_id: int | None,
        text: str | None,
        visible: str | None,
        thread_id: int | None = None,
    ) -> None:
        """Append a ``SentMessage`` for a successful send or edit and wake any waiters."""
        reply_parameters = params.get("reply_parameters")
        reply_to = params.get("reply_to_message_id")
        if reply_to is None and isinstance(reply_parameters, dict):
            reply_to = reply_parameters.get("message_id")
        preview = params.get("link_preview_options")
        no_preview = params.get("disable_web_page_preview")
        if no_preview is None and isinstance(preview, dict):
            no_preview = preview.get("is_disabled")
        record = SentMessage(
            method=method,
            chat_id=chat_id,
            text=text,
            parse_mode=params.get("parse_mode"),
            reply_markup=params.get("reply_markup"),
            reply_to_message_id=reply_to,
            reply_parameters=reply_parameters,
            link_preview_options=preview,
            disable_web_page_preview=no_preview,
            message_id=message_id,
            timestamp=time.time(),
            plain_text=visible,
            params=params,
            message_thread_id=thread_id,
        )
        with self._lock:
            self.sent.append(record)
            self._changed.notify_all()

    def _send_message(self, params: JSONDict) -> JSONDict:
        with self._lock:
            chat_id = self._target_chat(params)
            text, visible = self._checked_text(params)
            reply = self._reply_target(chat_id, params)
            thread = self._destination_topic(chat_id, params, reply)
            message: JSONDict = {
                "message_id": self._next_message_id(chat_id),
                "from": dict(BOT_USER),
                "chat": self._chat_json(chat_id),
                "date": int(time.time()),
                "text": visible,
            }
            self._place(chat_id, message, thread, reply)
            markup = params.get("reply_markup")
            if isinstance(markup, dict) and "inline_keyboard" in markup:
                message["reply_markup"] = markup  # only inline keyboards are echoed back
            if isinstance(params.get("link_preview_options"), dict):
                message["link_preview_options"] = params["link_preview_options"]
            self._messages[(chat_id, message["message_id"])] = _StoredMessage(
                message, from_bot=True, raw_text=text, parse_mode=params.get("parse_mode")
            )
            self._record(
                "sendMessage", params, chat_id, message["message_id"], text, visible, thread
            )
            return message

    def _destination_topic(
        self, chat_id: int | str, params: JSONDict, reply: JSONDict | None
    ) -> int | None:
        """The forum topic a message goes to (None: none, or the General topic), refused as
        Telegram refuses a closed or deleted one."""
        thread = params.get("message_thread_id")
        if thread is None and reply is not None and reply.get("is_topic_message"):
            thread = reply.get("message_thread_id")  # a reply goes where its message is
        if thread is None:
            if chat_id in self.general_closed and BOT_ID not in self.admins.get(chat_id, set()):
                raise _bad_request("TOPIC_CLOSED")
            return None
        thread = _as_int(thread)
        status = self.topics.get(chat_id, {}).get(thread)
        if status is None:  # deleted, never a topic, or not a forum at all
            raise _bad_request("message thread not found")
        if status == "closed" and BOT_ID not in self.admins.get(chat_id, set()):
            raise _bad_request("TOPIC_CLOSED")
        return thread

    def _place(
        self, chat_id: int | str, message: JSONDict, thread: int | None, reply: JSONDict | None
    ) -> None:
        """Put a new message in its topic, with the reply Telegram adds: a message in a topic
        that replies to nothing else replies to the topic's first message, and in a forum's
        General topic a reply names the first message of its chain as its thread (no topic)."""
        if thread is not None:
            message["message_thread_id"] = thread
            message["is_topic_message"] = True
            opening = self._messages.get((chat_id, thread))
            if reply is None and opening is not None:
                reply = {k: v for k, v in opening.json.items() if k != "reply_to_message"}
        elif reply is not None and self._chat_json(chat_id).get("is_forum"):
            message["message_thread_id"] = reply.get("message_thread_id") or reply["message_id"]
        if reply is not None:
            message["reply_to_message"] = reply

    def _reply_target(self, chat_id: int | str, params: JSONDict) -> JSONDict | None:
        reply_parameters = params.get("reply_parameters")
        if isinstance(reply_parameters, dict):
            message_id = reply_parameters.get("message_id")
            allow_missing = reply_parameters.get("allow_sending_without_reply")
            chat_id = reply_parameters.get("chat_id", chat_id)
        else:
            message_id = params.get("reply_to_message_id")
            allow_missing = params.get("allow_sending_without_reply")
        if message_id is None:
            return None
        stored = self._messages.get((chat_id, _as_int(message_id)))
        if stored is None:
            if allow_missing:
                return None
            raise _bad_request("message to be replied not found")
        reply = dict(stored.json)
        reply.pop("reply_to_message", None)
        return reply

    def _editable(self, params: JSONDict) -> tuple[int | str, _StoredMessage] | None:
        """Find the bot message an edit refers to; ``None`` for inline messages."""
        if params.get("inline_message_id"):
            return None
        chat_id = self._target_chat(params)
        message_id = _as_int(params.get("message_id"), -1)
        stored = self._messages.get((chat_id, message_id))
        if stored is None:
            raise _bad_request("message to edit not found")
        if not stored.from_bot:
            raise _bad_request("message can't be edited")
        return chat_id, stored

    _NOT_MODIFIED = (
        "message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message"
    )

    def _apply_edit(
        self, method: str, params: JSONDict, text: str, visible: str, parse_mode: str | None
    ) -> JSONDict | bool:
        found = self._editable(params)
        markup = params.get("reply_markup")
        if found is None:  # inline message: nothing to keep track of
            self._record(method, params, None, None, text or None, visible or None)
            return True
        chat_id, stored = found
        old_markup = stored.json.get("reply_markup")
        same_text = stored.raw_text == text and stored.parse_mode == parse_mode
        if same_text and old_markup == (markup or None):
            raise _bad_request(self._NOT_MODIFIED)
        message = dict(stored.json)
        message["text"] = visible
        message["edit_date"] = int(time.time())
        # Telegram drops the inline keyboard when an edit does not repeat it.
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        stored.json, stored.raw_text, stored.parse_mode = message, text, parse_mode
        thread = message.get("message_thread_id") if message.get("is_topic_message") else None
        self._record(method, params, chat_id, message["message_id"], text, visible, thread)
        return message

    def _edit_message_text(self, params: JSONDict) -> JSONDict | bool:
        with self._lock:
            text, visible = self._checked_text(params)
            return self._apply_edit(
                "editMessageText", params, text, visible, params.get("parse_mode")
            )

    def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict | bool:
        with self._lock:
            found = self._editable(params)
            if found is None:
                return self._apply_edit("editMessageReplyMarkup", params, "", "", None)
            stored = found[1]
            record_params = {**params, "parse_mode": stored.parse_mode}
            return self._apply_edit(
                "editMessageReplyMarkup",
                record_params,
                stored.raw_text or "",
                stored.json.get("text", ""),
                stored.parse_mode,
            )

    def _delete_message(self, params: JSONDict) -> bool:
        with self._lock:
            chat_id = params.get("chat_id")
            key = (chat_id, _as_int(params.get("message_id"), -1))
            if key not in self._messages:
                raise _bad_request("message to delete not found")
            del self._messages[key]
            return True

    def _answer_callback_query(self, params: JSONDict) -> bool:
        with self._lock:
            query_id = params.get("callback_query_id")
            if query_id not in self._open_callback_queries:
                raise _bad_request(
                    "query is too old and response timeout expired or query ID is invalid"
                )
            self._open_callback_queries.discard(query_id)
            return True

    def _answer_inline_query(self, params: JSONDict) -> bool:
        with self._lock:
            query_id = params.get("inline_query_id")
            if query_id not in self._open_inline_queries:
                raise _bad_request(
                    "query is too old and response timeout expired or query ID is invalid"
                )
            results = params.get("results")
            if not isinstance(results, list):
                raise _bad_request("results must be a JSON array")
            if len(results) > 50:
                raise _bad_request("RESULTS_TOO_MUCH")
            ids = [r.get("id") for r in results if isinstance(r, dict)]
            if len(ids) != len(results) or any(
                not i or not r.get("type") for i, r in zip(ids, results, strict=True)
            ):
                raise _bad_request("RESULT_ID_INVALID")
            if len(set(ids)) != len(ids):
                raise _bad_request("RESULT_ID_DUPLICATE")
            self._open_inline_queries.discard(query_id)
            return True

    def _send_chat_action(self, params: JSONDict) -> bool:
        with self._lock:
            self._target_chat(params)
            if params.get("action") not in _CHAT_ACTIONS:
                raise _bad_request("wrong parameter action in request")
            return True

    def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("commands must be a JSON array")
        if len(commands) > 100:
            raise _bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not _BOT_COMMAND_NAME_RE.match(str(command.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        with self._lock:
            if commands:
                self._commands[key] = [
                    {"command": c["command"], "description": c["description"]} for c in commands
                ]
            else:
                self._commands.pop(key, None)
        return True

    def _delete_my_commands(self, params: JSONDict) -> bool:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        with self._lock:
            self._commands.pop(key, None)
        return True

    def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        return self.commands_for(params.get("scope"), params.get("language_code") or "")

    def _delete_webhook(self, params: JSONDict) -> bool:
        with self._lock:
            self._webhook_url = ""
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    def _set_webhook(self, params: JSONDict) -> bool:
        """Remember the URL (updates are still only served through getUpdates' 409)."""
        url = params.get("url") or ""
        if url and not str(url).startswith("https://"):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        with self._lock:
            self._webhook_url = url
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        with self._lock:
            return {
                "url": self._webhook_url,
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }

    def _get_chat_member(self, params: JSONDict) -> JSONDict:
        with self._lock:
            chat_id = params.get("chat_id")
            if chat_id is None:
                raise _bad_request("chat_id is empty")
            user_id = _as_int(params.get("user_id"), 0)
            if not user_id:
                raise _bad_request("user_id is empty")
            return self._chat_member_json(
                self._user_json(user_id), self._status_of(chat_id, user_id)
            )

    def _get_chat_administrators(self, params: JSONDict) -> list[JSONDict]:
        with self._lock:
            chat_id = params.get("chat_id")
            if self._chat_json(chat_id)["type"] == "private":
                raise _bad_request("there are no administrators in the private chat")
            members = []
            owner = self.owners.get(chat_id)
            if owner is not None:
                members.append(self._chat_member_json(self._user_json(owner), "creator"))
            for user_id in sorted(self.admins.get(chat_id, set())):
                if user_id != owner:
                    members.append(
                        self._chat_member_json(self._user_json(user_id), "administrator")
                    )
            return members

    def _get_chat(self, params: JSONDict) -> JSONDict:
        with self._lock:
            chat_id = params.get("chat_id")
            if chat_id is None or chat_id == "":
                raise _bad_request("chat_id is empty")
            if chat_id in self._migrated:
                raise _bad_request(
                    "group chat was upgraded to a supergroup chat",
                    {"migrate_to_chat_id": self._migrated[chat_id]},
                )
            return {
                **self._chat_json(chat_id),
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }

    # -- PTB conveniences --------------------------------------------------------------------

    def application_builder(self, token: str = DEFAULT_TOKEN) -> ApplicationBuilder:
        """An ``ApplicationBuilder`` already pointed at this server."""
        return (
            ApplicationBuilder()
            .token(token)
            .base_url(self.base_url)
            .base_file_url(self.base_file_url)
        )

    def bot(self, token: str = DEFAULT_TOKEN) -> Bot:
        """A bare ``telegram.Bot`` pointed at this server (use ``async with`` on it)."""
        return Bot(token, base_url=self.base_url, base_file_url=self.base_file_url)


@pytest.fixture(name="standin")
def standin_fixture() -> Iterator[BotAPIStandIn]:
    """A started ``BotAPIStandIn`` per test, stopped afterwards.

    Import ``standin_fixture`` into a test module (or list ``"botapi"`` in a top-level
    conftest's ``pytest_plugins``) to make the ``standin`` fixture available.
    """
    with BotAPIStandIn() as server:
        yield server
