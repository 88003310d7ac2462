"""Bot API client middleware: retry what Telegram asks us to retry, record what cannot be delivered.

- 429: the whole bot pauses for `retry_after` (Telegram refuses every call meanwhile), then retries the same call.
- 5xx and network errors: a few retries with backoff.
- 403 / "chat not found": never retried; the recipient is recorded as unreachable and the error re-raised.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery, GetUpdates
from aiogram.methods.base import TelegramType

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import Response, TelegramMethod

logger = logging.getLogger(__name__)

# (chat_id, method name, error text) -> recorded somewhere durable
FailureRecorder = Callable[[int | None, str, str, bool], Awaitable[None]]

MAX_ATTEMPTS = 4
MAX_RETRY_AFTER_S = 120.0


class RetryingDelivery(BaseRequestMiddleware):
    def __init__(self, recorder: FailureRecorder | None = None, base_delay_s: float = 0.5) -> None:
        self._recorder = recorder
        self._base_delay_s = base_delay_s
        self._paused_until = 0.0  # monotonic time before which no call goes out (after a 429)

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if method.__api_method__ == GetUpdates.__api_method__:
            return await make_request(bot, method)  # the polling loop has its own backoff
        attempt = 0
        while True:
            attempt += 1
            await self._wait_for_pause()
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                self._paused_until = time.monotonic() + min(float(error.retry_after), MAX_RETRY_AFTER_S)
                logger.warning("429 on %s: pausing %s s", method.__api_method__, error.retry_after)
                if attempt >= MAX_ATTEMPTS:
                    await self._record(method, error, unreachable=False)
                    raise
            except (TelegramServerError, TelegramNetworkError) as error:
                # A callback answer is worthless after a few seconds: do not keep retrying it.
                if attempt >= MAX_ATTEMPTS or isinstance(method, AnswerCallbackQuery):
                    await self._record(method, error, unreachable=False)
                    raise
                await asyncio.sleep(self._base_delay_s * 2 ** (attempt - 1))
            except TelegramForbiddenError as error:
                await self._record(method, error, unreachable=True)
                raise
            except TelegramBadRequest as error:
                if "chat not found" in error.message.lower():
                    await self._record(method, error, unreachable=True)
                raise

    async def _wait_for_pause(self) -> None:
        delay = self._paused_until - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    async def _record(self, method: TelegramMethod[Any], error: Exception, *, unreachable: bool) -> None:
        chat_id = getattr(method, "chat_id", None)
        numeric_chat = chat_id if isinstance(chat_id, int) else None
        logger.warning("delivery failed: %s to %s: %s", method.__api_method__, numeric_chat, error)
        if self._recorder is None:
            return
        try:
            await self._recorder(numeric_chat, method.__api_method__, str(error), unreachable)
        except Exception:  # recording must never break sending
            logger.exception("could not record a delivery failure")
