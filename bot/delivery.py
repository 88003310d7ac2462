"""Bot API client middleware and the shared send limits: what Telegram asks us to wait for, and what cannot be sent.

- `FloodGate`: after a 429 Telegram refuses every call of the bot for `retry_after`, so the whole bot pauses.
- `SendBudget`: the overall message rate, shared by replies (never delayed) and scheduled sends (they wait).
- `RetryingDelivery`: replies are retried through 429s (never given up), 5xx and network errors (a few times);
  calls made inside `sending_in_bulk()` are tried once and the scheduled sender decides what to do.
- 403 / "chat not found": never retried; the recipient is recorded as unreachable and the error re-raised.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery, GetUpdates
from aiogram.methods.base import TelegramType

from domain.clock import Clock, SystemClock

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import Response, TelegramMethod

logger = logging.getLogger(__name__)

# (chat_id, method name, error text, unreachable) -> recorded somewhere durable
FailureRecorder = Callable[[int | None, str, str, bool], Awaitable[None]]

# A reply that meets server or network errors: at most this many tries, the backoff doubling after each.
MAX_ATTEMPTS = 4
# Telegram drops a callback query's spinner after about 10 s; an answer later than that is worthless.
CALLBACK_ANSWER_USEFUL_S = 10.0
# Calls that put a message into a chat: Telegram's rate limits count these.
SENDING_METHODS = frozenset(
    {
        "sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "sendVideo", "sendAnimation", "sendAudio",
        "sendVoice", "sendSticker", "sendLocation", "sendContact", "sendPoll", "sendDice", "copyMessage",
        "forwardMessage", "editMessageText", "editMessageCaption", "editMessageReplyMarkup", "editMessageMedia",
    }
)  # fmt: skip

# Sleeping exactly the time a token takes may leave 0.999… of it in floats: close enough to be a token.
_ROUNDING = 1e-9

_bulk_send: ContextVar[bool] = ContextVar("bulk_send", default=False)


@contextmanager
def sending_in_bulk() -> Iterator[None]:
    """Marks the Bot calls made inside as scheduled sends: tried once, the caller decides when to try again."""
    token = _bulk_send.set(True)
    try:
        yield
    finally:
        _bulk_send.reset(token)


def is_bulk_send() -> bool:
    return _bulk_send.get()


def is_recipient_gone(error: TelegramAPIError) -> bool:
    """403 (blocked, kicked, never started) and 400 "chat not found": stop writing to that chat."""
    if isinstance(error, TelegramForbiddenError):
        return True
    return isinstance(error, TelegramBadRequest) and "chat not found" in error.message.lower()


class FloodGate:
    """The bot-wide pause after a 429: while it lasts Telegram refuses every call, so nothing goes out."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._open_at = 0.0  # clock.monotonic() from which calls may go out again

    def pause(self, seconds: float) -> bool:
        """Extends the pause to at least `seconds` from now (never shortens it); True if it was extended."""
        open_at = self._clock.monotonic() + seconds
        if open_at <= self._open_at:
            return False
        self._open_at = open_at
        return True

    def remaining(self) -> float:
        return max(0.0, self._open_at - self._clock.monotonic())

    async def wait(self) -> None:
        while (left := self.remaining()) > 0:
            open_at = self._open_at
            await self._clock.sleep(left)
            if self._open_at == open_at:  # not extended by another 429 meanwhile: done
                return


class SendBudget:
    """A token bucket for the overall message rate, shared by replies and scheduled sends.

    Replies `take_now()`: they never wait and may leave the bucket in debt, which scheduled sends then repay by
    waiting in `acquire()`. So a broadcast never delays a reply, and replies still slow broadcasts down.
    aiolimiter, asyncio-throttle and the like only block until capacity is free: none lets one kind of caller
    go into debt ahead of the waiting ones, which is the whole point here.
    """

    def __init__(self, clock: Clock, rate_per_s: float = 25.0, burst: float = 5.0) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("the rate must be positive and the burst at least one message")
        self._clock = clock
        self.rate_per_s = rate_per_s
        self._burst = burst  # burst + rate over any second stays within Telegram's ~30 messages/s
        self._tokens = burst
        self._refilled_at = clock.monotonic()
        self._queue = asyncio.Lock()  # scheduled sends take their turns in order

    @property
    def tokens(self) -> float:
        """Messages that may go out right now; negative when replies have gone into debt."""
        self._refill()
        return self._tokens

    def take_now(self) -> None:
        self._refill()
        self._tokens -= 1

    async def acquire(self) -> None:
        async with self._queue:
            # Re-checked after each sleep: replies may have spent the tokens meanwhile.
            while self.tokens < 1 - _ROUNDING:
                await self._clock.sleep((1 - self._tokens) / self.rate_per_s)
            self._tokens -= 1

    def _refill(self) -> None:
        now = self._clock.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._refilled_at) * self.rate_per_s)
        self._refilled_at = now


class RetryingDelivery(BaseRequestMiddleware):
    def __init__(
        self,
        recorder: FailureRecorder | None = None,
        base_delay_s: float = 0.5,
        *,
        gate: FloodGate | None = None,
        budget: SendBudget | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._recorder = recorder
        self._base_delay_s = base_delay_s
        self._clock = clock or SystemClock()
        self.gate = gate or FloodGate(self._clock)
        self._budget = budget

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if method.__api_method__ == GetUpdates.__api_method__:
            return await make_request(bot, method)  # the polling loop has its own backoff
        try:
            if is_bulk_send():
                await self.gate.wait()
                return await make_request(bot, method)
            return await self._reply(make_request, bot, method)
        except TelegramRetryAfter as error:
            self._pause(method, error.retry_after)
            raise
        except TelegramAPIError as error:
            if is_recipient_gone(error):
                await self._record(method, error, unreachable=True)
            raise

    async def _reply(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        """A 429 is never a failed attempt: the reply waits as long as Telegram says, however long."""
        if self._budget is not None and method.__api_method__ in SENDING_METHODS:
            self._budget.take_now()
        started = self._clock.monotonic()
        failures = 0
        while True:
            if isinstance(method, AnswerCallbackQuery):
                await self._give_up_a_late_callback_answer(method, started)
            await self.gate.wait()
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                self._pause(method, error.retry_after)
            except (TelegramServerError, TelegramNetworkError) as error:
                failures += 1
                if failures >= MAX_ATTEMPTS or isinstance(method, AnswerCallbackQuery):
                    await self._record(method, error, unreachable=False)
                    raise
                await self._clock.sleep(self._base_delay_s * 2 ** (failures - 1))

    async def _give_up_a_late_callback_answer(self, method: AnswerCallbackQuery, started: float) -> None:
        waited = self._clock.monotonic() - started
        if waited + self.gate.remaining() <= CALLBACK_ANSWER_USEFUL_S:
            return
        error = TelegramRetryAfter(method, "the flood wait outlasts the callback query", int(self.gate.remaining()))
        await self._record(method, error, unreachable=False)
        raise error

    def _pause(self, method: TelegramMethod[Any], retry_after: int) -> None:
        if self.gate.pause(float(retry_after)):  # one line per new pause, not one per refused call
            logger.warning("429 on %s: the bot pauses %s s", method.__api_method__, retry_after)

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
