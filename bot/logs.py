"""Logging for the bot, with the bot token kept out of every line.

The token is part of every Bot API URL, and httpx logs each request's URL at INFO; an error
can carry a URL too. So httpx is quietened to warnings, and every log record, from any logger
and for any handler, has secrets replaced while it is being created, before a handler or
formatter sees it.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

REDACTED = "[token]"

_secrets: set[str] = set()
_installed = False


def configure(level: str) -> None:
    """Timestamps and logger names on standard error, at `level`."""
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level.upper()
    )


def protect(*secrets: str | None) -> None:
    """Keep these strings (and the secret half of a bot token) out of all log output."""
    for secret in secrets:
        if not secret:
            continue
        forms = {secret, quote(secret, safe="")}
        _, _, tail = secret.partition(":")
        if len(tail) >= 8:  # the token's secret part, should a URL split it off
            forms.add(tail)
        _secrets.update(forms)
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)
    _install()


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def _install() -> None:
    global _installed
    if _installed:
        return
    make = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = make(*args, **kwargs)
        if _secrets:
            _scrub(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def _scrub(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: leave it for logging to report
        return
    clean = redact(message)
    if clean != message or record.args:
        record.msg, record.args = clean, None
    if record.exc_info and not record.exc_text:
        text = logging.Formatter().formatException(record.exc_info)
        clean = redact(text)
        if clean != text:
            record.exc_text = clean
