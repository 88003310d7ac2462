"""Bot API client middleware and the shared send limits: what Telegram asks us to wait for, and what cannot be sent.

- `FloodGate`: after a 429 Telegram refuses every call of the bot for `retry_after`, so the whole bot pauses.
- `SendBudget`: the overall message rate, shared by replies (never delayed) and scheduled sends (they wait).
- `RetryingDelivery`: replies are retried through 429s (never given up), 5xx and network errors (a few times);
  calls made inside `sending_in_bulk()` are tried once and the scheduled sender decides what to do.
- A network error after the request went out (a read timeout, a dropped connection) may come after Telegram did
  the work: a call that would then act twice (a send) is not retried; reads, settings and edits are. A request
  that never left (connection refused, DNS, connect timeout) is always safe to retry.
- 403 / "chat not found": never retried; the recipient is recorded as unreachable and the error re-raised.
- `wait_for_bot_api`: at start, getMe until the Bot API answers, however long it is down.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
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
from aiohttp import ClientConnectionError, ClientConnectorError, ConnectionTimeoutError

from domain.clock import Clock, SystemClock

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import Response, TelegramMethod
    from aiogram.types import User

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

# Calls whose repetition changes nothing: reads, settings, edits (a repeated one is "message is not modified"),
# deletions. Anything else (sendMessage, sendDocument, copyMessage, createChatInviteLink, ...) could act twice.
REPEATABLE_PREFIXES = ("get", "set", "edit", "delete")
# aiohttp's errors raised before a byte of the request reached the server (AiohttpSession chains them as __cause__).
_NEVER_SENT = (ClientConnectorError, ConnectionTimeoutError)

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


def may_have_arrived(error: TelegramNetworkError) -> bool:
    """False only when the request surely never reached Telegram; a timeout while waiting for the answer, or a
    connection dropped after sending, may come after Telegram did the work."""
    return not isinstance(error.__cause__, _NEVER_SENT)


def is_repeatable(api_method: str) -> bool:
    return api_method.startswith(REPEATABLE_PREFIXES)


def may_retry(api_method: str, error: TelegramServerError | TelegramNetworkError) -> bool:
    """A 5xx is Telegram's own answer that it failed. A network error may hide a success: only a call that changes
    nothing when repeated, or one that surely never reached Telegram, is tried again."""
    if isinstance(error, TelegramServerError):
        return True
    return is_repeatable(api_method) or not may_have_arrived(error)


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


Finish = Callable[[], None]


class SendBudget:
    """The overall message rate, shared by replies and scheduled sends: at most `rate_per_s` x `window_s`
    messages in any window of `window_s`, which is how Telegram counts.

    A message takes room when it starts and is dated when Telegram has answered (`finish`): Telegram saw it
    somewhere in between, so counting it from its answer keeps every window honest however late a busy loop
    sends it, and a sleeper that wakes late loses no capacity. Scheduled sends (`acquire`) leave `reserve`
    places of each window to replies; a reply (`take_now`) never waits: Telegram's ~30/s is a limit on bulk
    sends, and replies to people's own messages are not bulk (FIELD_NOTES). So a broadcast never delays a
    reply, and replies still slow broadcasts down. aiolimiter, asyncio-throttle and the like have one kind of
    caller: none keeps places for another kind, which is the whole point here.
    """

    def __init__(
        self,
        clock: Clock,
        rate_per_s: float = 25.0,
        window_s: float = 1.0,
        reserve: int = 1,
    ) -> None:
        if rate_per_s <= 0 or window_s <= 0 or reserve < 0:
            raise ValueError("the rate and the window must be positive")
        self._clock = clock
        self.rate_per_s = rate_per_s
        self.capacity = max(1, int(rate_per_s * window_s + _ROUNDING))
        self._scheduled_capacity = max(1, self.capacity - reserve)
        self._window_s = window_s
        self._answered: deque[float] = deque(maxlen=self.capacity * 8)  # when Telegram answered recent messages
        self._in_flight = 0
        self._changed = asyncio.Event()
        self._queue = asyncio.Lock()  # scheduled sends take their turns in order

    @property
    def tokens(self) -> int:
        """Messages that may start right now; negative when replies went over the limit."""
        return self.capacity - self._taken(self._clock.monotonic())

    def take_now(self) -> Finish:
        """Room at once, over the limit if need be; call the returned `finish` when Telegram has answered."""
        self._in_flight += 1
        return self._finisher()

    async def acquire(self) -> Finish:
        """A scheduled message's room, when there is some; call the returned `finish` after the call."""
        async with self._queue:
            # Re-checked after each wait: replies may have taken the room meanwhile.
            while (wait := self._wait_s(self._scheduled_capacity)) != 0.0:
                await self._wait(wait)
            self._in_flight += 1
        return self._finisher()

    def _finisher(self) -> Finish:
        done = False

        def finish() -> None:
            nonlocal done
            if done:
                return
            done = True
            self._in_flight -= 1
            self._answered.append(self._clock.monotonic())
            self._changed.set()

        return finish

    def _recent(self, now: float) -> list[float]:
        return [moment for moment in self._answered if moment > now - self._window_s]

    def _taken(self, now: float) -> int:
        return len(self._recent(now)) + self._in_flight

    def _wait_s(self, capacity: int) -> float | None:
        """0: room now; seconds until an answered message leaves the window; None: wait for one in flight."""
        now = self._clock.monotonic()
        recent = self._recent(now)
        excess = len(recent) + self._in_flight - capacity + 1
        if excess <= 0:
            return 0.0
        if excess <= len(recent):
            return recent[excess - 1] + self._window_s - now + _ROUNDING
        return None

    async def _wait(self, seconds: float | None) -> None:
        self._changed.clear()
        waits: list[asyncio.Future[Any]] = [asyncio.ensure_future(self._changed.wait())]
        if seconds is not None:
            waits.append(asyncio.ensure_future(self._clock.sleep(seconds)))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()


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
        if self._budget is None or method.__api_method__ not in SENDING_METHODS:
            return await self._reply_attempts(make_request, bot, method)
        finish = self._budget.take_now()
        try:
            return await self._reply_attempts(make_request, bot, method)
        finally:
            finish()

    async def _reply_attempts(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
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
                if (
                    failures >= MAX_ATTEMPTS
                    or isinstance(method, AnswerCallbackQuery)
                    or not may_retry(method.__api_method__, error)
                ):
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


# At start, the wait between two tries of getMe doubles from the first to the longest.
FIRST_START_WAIT_S = 1.0
LONGEST_START_WAIT_S = 60.0


async def wait_for_bot_api(
    bot: Bot, clock: Clock, first_wait_s: float = FIRST_START_WAIT_S, longest_wait_s: float = LONGEST_START_WAIT_S
) -> User:
    """getMe until the Bot API answers (a network outage, a self-hosted server that starts after the bot), one
    log line per failed try; aiogram's polling then takes the cached answer. A refused token or a malformed URL
    is raised at once: waiting does not fix a setting."""
    wait_s = first_wait_s
    tries = 0
    while True:
        tries += 1
        try:
            with sending_in_bulk():  # one request per try: this loop decides when to try again
                return await bot.me()
        except (TelegramRetryAfter, TelegramServerError, TelegramNetworkError) as error:
            if isinstance(error, TelegramNetworkError) and not _may_heal(error):
                raise
            pause_s = max(wait_s, float(error.retry_after)) if isinstance(error, TelegramRetryAfter) else wait_s
            logger.warning("the Bot API does not answer (try %d: %s); next try in %.0f s", tries, error, pause_s)
        await clock.sleep(pause_s)
        wait_s = min(wait_s * 2, longest_wait_s)


def _may_heal(error: TelegramNetworkError) -> bool:
    """No connection, a dropped one or a timeout may heal; a malformed URL (aiohttp's InvalidURL and the like) not."""
    return error.__cause__ is None or isinstance(error.__cause__, ClientConnectionError | TimeoutError)
