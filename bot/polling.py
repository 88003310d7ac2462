"""Batching of long polls under load.

aiogram asks for the next getUpdates as soon as the previous one has answered. With many people tapping at once
each poll brings one update, so every tap paid a whole extra HTTP round trip (0.75 polls per tap at 120 taps/s,
against 0.03 for a bare bot that keeps up). When the last poll brought updates, the next one starts at least
`spacing_s` after it began, so updates arriving meanwhile come together. An idle bot polls as before: the first
update after a quiet spell is taken at once, and a single person never waits (their next tap is far later than
the spacing)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType

from domain.clock import Clock

POLL_SPACING_S = 0.02


class PollBatching(BaseRequestMiddleware):
    def __init__(self, clock: Clock, spacing_s: float = POLL_SPACING_S) -> None:
        self._clock = clock
        self._spacing_s = spacing_s
        self._last_started: float | None = None
        self._last_brought_updates = False

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if method.__api_method__ != GetUpdates.__api_method__:
            return await make_request(bot, method)
        if self._last_brought_updates and self._last_started is not None:
            wait = self._last_started + self._spacing_s - self._clock.monotonic()
            if wait > 0:
                await self._clock.sleep(wait)
        self._last_started = self._clock.monotonic()
        updates = await make_request(bot, method)  # the session's chain hands on the result (a list of updates)
        self._last_brought_updates = bool(updates)
        return updates
