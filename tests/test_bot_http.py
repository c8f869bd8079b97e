"""The bot's Bot API client (`bot.http.AiohttpRequest`) under PTB, against the stand-in:
answers, Telegram's errors and a server that is gone reach PTB as PTB's own errors."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import pytest
from botapi import DEFAULT_TOKEN, BotAPIStandIn, standin_fixture  # noqa: F401
from telegram import Bot
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.http import AiohttpRequest, _body


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
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{dead}")
    monkeypatch.setenv("NO_PROXY", "")
    monkeypatch.delenv("no_proxy", raising=False)

    async def main():
        async with _bot(standin, AiohttpRequest()) as bot:
            await bot.get_me()

    with pytest.raises(NetworkError, match=str(dead)):
        asyncio.run(main())
    assert standin.calls_to("getMe") == []  # never reached the server itself


def test_no_proxy_names_the_servers_reached_directly(standin: BotAPIStandIn, monkeypatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # would fail, were it used
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    monkeypatch.delenv("no_proxy", raising=False)

    async def main():
        async with _bot(standin, AiohttpRequest()) as bot:
            return await bot.get_me()

    assert asyncio.run(main()).username
    assert len(standin.calls_to("getMe")) >= 1


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
