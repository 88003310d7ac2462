"""Logging set-up; the bot token (it is part of every Bot API and file URL) never reaches a log line."""

from __future__ import annotations

import logging
import re
import sys
import threading
from types import TracebackType
from urllib.parse import quote

REDACTED = "<token>"
# Any Bot API token in a URL path, ours or not, as is or URL-quoted: /bot123456:AA.../ and /file/bot123456%3AAA.../
_TOKEN_IN_URL = re.compile(r"/bot\d+(?::|%3[Aa])[A-Za-z0-9_-]+")


def redact(text: str, token: str) -> str:
    """`text` without the token: as it is, URL-quoted, and any `/bot<token>` URL path."""
    if token:
        text = text.replace(token, REDACTED).replace(quote(token, safe=""), REDACTED)
    return _TOKEN_IN_URL.sub(f"/bot{REDACTED}", text)


class TokenRedactingFilter(logging.Filter):
    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message, self._token)
        if redacted != message:
            record.msg = redacted
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            redacted = redact(text, self._token)
            if redacted != text:
                record.exc_text = redacted
        return True


def _log_uncaught(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    logging.getLogger("uncaught").critical("uncaught exception", exc_info=(kind, error, trace))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if issubclass(args.exc_type, SystemExit):
        return
    name = args.thread.name if args.thread is not None else "?"
    exc_info = (args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback)
    logging.getLogger("uncaught").critical("uncaught exception in thread %s", name, exc_info=exc_info)


def configure_logging(level: str, token: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(TokenRedactingFilter(token))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # APScheduler logs every run of the engine's tick at INFO: seconds apart, that would drown everything else.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))
    # aiogram logs every handled update and every answered tap at INFO ("Update id=... is handled", "Answer to
    # callback query"): two lines per tap, a measurable share of a busy bot's CPU. LOG_LEVEL=DEBUG shows them.
    per_update = root.level if root.level <= logging.DEBUG else max(logging.WARNING, root.level)
    for name in ("aiogram.event", "aiogram.middlewares"):
        logging.getLogger(name).setLevel(per_update)
    # A traceback Python would print by itself (an uncaught error, in any thread) goes through the filter too.
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread
