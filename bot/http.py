"""The bot's HTTP client for the Bot API: PTB's request interface on an aiohttp session.

PTB's own client (httpx) spends about 1.5 ms of CPU on each request, and more when requests
queue for a connection (httpcore scans its pool for each one): under load that was more than
answering the question took. aiohttp, which the webhook tests already use, does the same
request in about 0.6 ms whatever the queue (bench/bot_load.py). PTB documents `BaseRequest` as
the place to plug another client in; everything above it (retries, flood control, errors)
stays PTB's.
"""

from __future__ import annotations

import base64
import urllib.request
from urllib.parse import unquote, urlencode, urlsplit

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

#: Seconds, as PTB's defaults (its pool timeout of 1 s is raised for bursts of replies).
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 5.0
POOL_TIMEOUT = 10.0
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class AiohttpRequest(BaseRequest):
    """Requests to the Bot API over a few keep-alive connections.

    `write_timeout` is accepted for PTB's interface and not enforced: aiohttp has no separate
    write timeout, and the bot sends no files large enough to need one.
    """

    def __init__(
        self,
        connections: int = 8,
        *,
        connect_timeout: float | None = CONNECT_TIMEOUT,
        read_timeout: float | None = READ_TIMEOUT,
        pool_timeout: float | None = POOL_TIMEOUT,
    ) -> None:
        self.connections = connections
        self.connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self.pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        #: origin -> the proxy for it, if any, and the credentials its URL holds
        self._proxies: dict[str, tuple[str | None, dict[str, str] | None]] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.connections)
            headers = {"User-Agent": self.USER_AGENT}
            self._session = aiohttp.ClientSession(connector=connector, headers=headers)
            self._proxies.clear()

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None = BaseRequest.DEFAULT_NONE,  # type: ignore[assignment]
        write_timeout: float | None = BaseRequest.DEFAULT_NONE,  # type: ignore[assignment]
        connect_timeout: float | None = BaseRequest.DEFAULT_NONE,  # type: ignore[assignment]
        pool_timeout: float | None = BaseRequest.DEFAULT_NONE,  # type: ignore[assignment]
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialised")
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_given(pool_timeout, self.pool_timeout),  # a free connection, then connected
            sock_connect=_given(connect_timeout, self.connect_timeout),
            sock_read=_given(read_timeout, self._read_timeout),
        )
        data, headers = _body(request_data)
        proxy, proxy_headers = self._proxy(url)
        if proxy_headers and not url.startswith("https:"):
            # A plain-HTTP request goes to the proxy itself, so its credentials go with it;
            # aiohttp sends `proxy_headers` only in the CONNECT that opens an HTTPS tunnel.
            headers, proxy_headers = {**(headers or {}), **proxy_headers}, None
        try:
            async with self._session.request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=timeout,
                proxy=proxy,
                proxy_headers=proxy_headers,
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut(f"Timed out talking to the Bot API ({type(exc).__name__})") from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc

    def _proxy(self, url: str) -> tuple[str | None, dict[str, str] | None]:
        """The proxy for a URL, from HTTP(S)_PROXY and NO_PROXY as PTB's own client reads them,
        where Telegram is reached only through a proxy. Read once per server: aiohttp's
        `trust_env` reads them, and parses ~/.netrc, in a thread for every request, which
        under load cost more than the request itself."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._proxies:
            env = urllib.request.getproxies_environment()
            bypass = urllib.request.proxy_bypass_environment(parts.hostname or "", env)
            proxy = None if bypass else env.get(parts.scheme) or env.get("all")
            self._proxies[origin] = _split_credentials(proxy) if proxy else (None, None)
        return self._proxies[origin]


def _split_credentials(proxy: str) -> tuple[str, dict[str, str] | None]:
    """A proxy URL without its user and password, and those as the Proxy-Authorization
    header that aiohttp sends to the proxy alone."""
    parts = urlsplit(proxy)
    if parts.username is None:
        return proxy, None
    bare = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
    pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
    return bare, {"Proxy-Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}


def _given(value: object, default: float | None) -> float | None:
    """A timeout passed with the call, or the instance's (PTB passes DEFAULT_NONE for none)."""
    return value if value is None or isinstance(value, int | float) else default


def _body(
    request_data: RequestData | None,
) -> tuple[aiohttp.FormData | bytes | None, dict[str, str] | None]:
    """Form fields as PTB encodes them, with any files as multipart parts. Without files
    the fields are encoded here: aiohttp's form helper also sets up a multipart writer (and a
    random boundary) for every request, about 0.3 ms of the bot's CPU per message."""
    if request_data is None:
        return None, None
    fields = request_data.json_parameters
    files = request_data.multipart_data if request_data.contains_files else None
    if not files:
        return urlencode(fields).encode("ascii"), FORM
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form, None
