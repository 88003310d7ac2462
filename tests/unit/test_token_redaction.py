"""The bot token never reaches the database or the log: network errors carry the request URL with it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram.exceptions import TelegramNetworkError

from bot.config import Settings
from bot.factory import create_bot
from bot.logs import REDACTED, TokenRedactingFilter, redact
from storage import Store, open_store
from tests.fakes.clock import FakeClock

TOKEN = "123456:SECRET-token_AbC"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"https://api.telegram.org/bot{TOKEN}/getMe", f"https://api.telegram.org/bot{REDACTED}/getMe"),
        (f"http://h/file/bot{TOKEN}/documents/f.csv", f"http://h/file/bot{REDACTED}/documents/f.csv"),
        ("GET /bot123456%3ASECRET-token_AbC/getMe", f"GET /bot{REDACTED}/getMe"),  # URL-quoted
        ("http://h/bot987:ANOTHER-one/sendMessage", f"http://h/bot{REDACTED}/sendMessage"),  # not our token: still
        (f"token {TOKEN} said", f"token {REDACTED} said"),
        ("Bad Request: chat not found", "Bad Request: chat not found"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text, TOKEN) == expected


def test_tracebacks_in_logs_are_redacted() -> None:
    try:
        raise RuntimeError(f"InvalidUrlClientError: htp://127.0.0.1:1/bot{TOKEN}/getMe")
    except RuntimeError as error:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed: %s", (error,), None)
        record.exc_info = (type(error), error, error.__traceback__)
    assert TokenRedactingFilter(TOKEN).filter(record)
    formatted = logging.Formatter().format(record)
    assert TOKEN not in formatted
    assert f"/bot{REDACTED}/getMe" in formatted


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(tmp_path / "coach.db")
    yield opened
    await opened.close()


async def test_a_failed_send_is_recorded_without_the_token(store: Store) -> None:
    # A scheme aiohttp refuses before any connection: the error text is the full request URL.
    settings = Settings(bot_token=TOKEN, telegram_api_url="htp://127.0.0.1:1")  # type: ignore[arg-type]
    bot = create_bot(settings, store, FakeClock())
    try:
        with pytest.raises(TelegramNetworkError) as caught:
            await bot.send_message(5, "привет")
        assert TOKEN in str(caught.value)  # what the row used to hold
    finally:
        await bot.session.close()
    [failure] = await store.failures.recent()
    assert failure.method == "sendMessage"
    assert TOKEN not in failure.error
    assert "SECRET" not in failure.error
    assert f"/bot{REDACTED}/sendMessage" in failure.error
