from __future__ import annotations

import time
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import SendMessage

from bot.delivery import RetryingDelivery

METHOD = SendMessage(chat_id=77, text="hi")


class Script:
    """A make_request double that raises the scripted errors first, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls: list[float] = []

    async def __call__(self, bot: Bot, method: Any) -> str:
        self.calls.append(time.monotonic())
        if self.errors:
            raise self.errors.pop(0)
        return "sent"


class Recorder:
    def __init__(self) -> None:
        self.rows: list[tuple[int | None, str, bool]] = []

    async def __call__(self, chat_id: int | None, method: str, error: str, unreachable: bool) -> None:
        self.rows.append((chat_id, method, unreachable))


@pytest.fixture
def bot() -> Bot:
    return Bot(token="42:TEST")


async def test_429_pauses_for_retry_after_then_sends_the_same_call(bot: Bot) -> None:
    script = Script(TelegramRetryAfter(METHOD, "Too Many Requests", retry_after=1))
    result = await RetryingDelivery(Recorder())(script, bot, METHOD)  # type: ignore[arg-type]
    assert result == "sent"
    assert len(script.calls) == 2
    assert script.calls[1] - script.calls[0] >= 0.95


async def test_server_errors_are_retried_then_recorded(bot: Bot) -> None:
    recorder = Recorder()
    errors = [TelegramServerError(METHOD, "Bad Gateway") for _ in range(4)]
    script = Script(*errors)
    with pytest.raises(TelegramServerError):
        await RetryingDelivery(recorder, base_delay_s=0.01)(script, bot, METHOD)  # type: ignore[arg-type]
    assert len(script.calls) == 4
    assert recorder.rows == [(77, "sendMessage", False)]


async def test_blocked_user_is_not_retried_and_is_recorded_unreachable(bot: Bot) -> None:
    recorder = Recorder()
    script = Script(TelegramForbiddenError(METHOD, "Forbidden: bot was blocked by the user"))
    with pytest.raises(TelegramForbiddenError):
        await RetryingDelivery(recorder)(script, bot, METHOD)  # type: ignore[arg-type]
    assert len(script.calls) == 1
    assert recorder.rows == [(77, "sendMessage", True)]
