"""The bot's Bot API client (`bot.http.AiohttpRequest`) under PTB, against the stand-in:
answers, Telegram's errors and a server that is gone reach PTB as PTB's own errors."""

from __future__ import annotations

import asyncio
import base64
import os
import re
import socket

import aiohttp
import pytest
from botapi import DEFAULT_TOKEN, BotAPIStandIn, standin_fixture  # noqa: F401
from telegram import Bot
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.http import AiohttpRequest, _body


def proxy_environment(monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    """Only these proxy variables, whatever the machine running the tests has set (the
    lower-case ones would win over them)."""
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)


def _bot(standin: BotAPIStandIn, request: AiohttpRequest) -> Bot:
    return Bot(DEFAULT_TOKEN, base_url=standin.base_url, request=request)


def test_messages_go_out_and_come_back_as_ptb_objects(standin: BotAPIStandIn) -> None:
    async def main():
        async with _bot(standin, AiohttpRequest()) as bot:
            sent = await bot.send_message(7, "<b>bold</b> &amp; plain", parse_mode="HTML")
            return sent, bot.username

    sent, username = asyncio.run(main())
    assert username  # getMe answered at initialise
    assert sent.chat.id == 7 and sent.text == "bold & plain"
    [message] = standin.messages_to(7)
    assert message.text == "<b>bold</b> &amp; plain" and message.parse_mode == "HTML"


def test_telegram_errors_are_ptb_errors(standin: BotAPIStandIn) -> None:
    standin.fail_next("sendMessage", status=400, description="Bad Request: chat not found")

    async def main():
        async with _bot(standin, AiohttpRequest()) as bot:
            await bot.send_message(7, "hello")

    with pytest.raises(BadRequest, match="(?i)chat not found"):
        asyncio.run(main())


def test_a_slow_answer_times_out(standin: BotAPIStandIn) -> None:
    standin.delay_next("sendMessage", 2.0)

    async def main():
        async with _bot(standin, AiohttpRequest(read_timeout=0.2)) as bot:
            await bot.send_message(7, "hello")

    with pytest.raises(TimedOut):
        asyncio.run(main())


def test_a_server_that_is_gone_is_a_network_error(standin: BotAPIStandIn) -> None:
    async def main():
        async with _bot(standin, AiohttpRequest()) as bot:
            standin.stop()
            await bot.send_message(7, "hello")

    with pytest.raises(NetworkError, match="aiohttp"):
        asyncio.run(main())


def test_the_proxy_in_the_environment_is_used(standin: BotAPIStandIn, monkeypatch) -> None:
    """As with PTB's own client, HTTP(S)_PROXY reaches the Bot API; here one that is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]  # a port nothing listens on once this socket is closed
    proxy_environment(monkeypatch, HTTP_PROXY=f"http://127.0.0.1:{dead}")

    async def main():
        async with _bot(standin, AiohttpRequest()) as bot:
            await bot.get_me()

    with pytest.raises(NetworkError, match=str(dead)):
        asyncio.run(main())
    assert standin.calls_to("getMe") == []  # never reached the server itself


def test_no_proxy_names_the_servers_reached_directly(standin: BotAPIStandIn, monkeypatch) -> None:
    proxy_environment(
        monkeypatch,
        HTTP_PROXY="http://127.0.0.1:9",  # would fail, were it used
        NO_PROXY="localhost,127.0.0.1",
    )

    async def main():
        async with _bot(standin, AiohttpRequest()) as bot:
            return await bot.get_me()

    assert asyncio.run(main()).username
    assert len(standin.calls_to("getMe")) >= 1


ME = b'{"ok": true, "result": {"id": 1, "is_bot": true, "first_name": "B", "username": "b"}}'
CREDENTIALS = b"Proxy-Authorization: Basic " + base64.b64encode(b"brief@bot:s3cr:t")


async def _through_recording_proxy(monkeypatch, base_url: str, heads: list[bytes]):
    """getMe through a proxy named with a user and password in HTTP(S)_PROXY; the proxy
    notes the head of each request it gets and answers getMe itself (a CONNECT included,
    which then fails as TLS: enough to see what the proxy was sent)."""

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        heads.append(head)
        length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        await reader.readexactly(int(length[1]) if length else 0)
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(ME), ME)
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(proxy, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    proxy = f"http://brief%40bot:s3cr%3At@127.0.0.1:{port}"
    proxy_environment(monkeypatch, HTTP_PROXY=proxy, HTTPS_PROXY=proxy)
    async with server, Bot(DEFAULT_TOKEN, base_url=base_url, request=AiohttpRequest()) as bot:
        return await bot.get_me()


def test_a_proxy_with_credentials_gets_them_and_telegram_does_not(monkeypatch) -> None:
    """As aiohttp's own reading of the environment did: the user and password in the proxy's
    URL go to the proxy as Proxy-Authorization, and the proxy is asked for the whole URL."""
    heads: list[bytes] = []
    url = "http://telegram.invalid/bot"
    assert asyncio.run(_through_recording_proxy(monkeypatch, url, heads)).username == "b"
    assert len(heads) == 2  # getMe as the bot starts, then ours
    for head in heads:
        assert head.startswith(b"POST http://telegram.invalid/bot")  # the whole URL, to it
        assert CREDENTIALS in head
        assert b"brief" not in head.split(b"\r\n")[0]  # not in the URL asked for


def test_an_https_server_is_reached_through_a_tunnel_the_proxy_is_asked_for(monkeypatch):
    heads: list[bytes] = []
    url = "https://telegram.invalid/bot"
    with pytest.raises(NetworkError):  # the stand-in proxy speaks no TLS
        asyncio.run(_through_recording_proxy(monkeypatch, url, heads))
    assert heads and heads[0].startswith(b"CONNECT telegram.invalid:443 ")
    assert CREDENTIALS in heads[0]


def test_a_closed_client_says_so() -> None:
    async def main():
        request = AiohttpRequest()
        await request.initialize()
        await request.shutdown()
        await request.do_request("http://127.0.0.1:9/bot1:x/getMe", "POST")

    with pytest.raises(RuntimeError, match="not initialised"):
        asyncio.run(main())


def test_files_go_as_multipart_with_the_other_fields() -> None:
    from telegram import InputFile

    data = RequestData(
        [
            RequestParameter.from_input("chat_id", 7),
            RequestParameter.from_input(
                "document", InputFile(b"%PDF-1.4 ...", filename="brief.pdf")
            ),
        ]
    )
    form, headers = _body(data)
    assert isinstance(form, aiohttp.FormData)
    assert headers is None  # aiohttp sets multipart's own, with its boundary
    fields = {options["name"]: (headers, value) for options, headers, value in form._fields}
    assert fields["chat_id"][1] == "7"
    headers, value = fields[next(n for n in fields if n != "chat_id")]
    assert value == b"%PDF-1.4 ..."
    plain = RequestData(
        [RequestParameter.from_input("chat_id", 7), RequestParameter.from_input("text", "a&b é")]
    )
    assert _body(plain) == (
        b"chat_id=7&text=a%26b+%C3%A9",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
