"""Telegram unreachable or slow: a send that may have arrived is not sent again; the start waits for the Bot API."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError
from aiogram.methods import EditMessageText, GetMe, SendDocument, SendMessage

from bot.delivery import RetryingDelivery, may_have_arrived, wait_for_bot_api
from devtools.botapi_stub import TEST_TOKEN, BotApiStub
from tests.fakes.clock import FakeClock

USER = 100002
SEND = SendMessage(chat_id=USER, text="hi")
EDIT = EditMessageText(chat_id=USER, message_id=1, text="hi")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_at(url: str, delivery: RetryingDelivery | None = None, timeout: float = 60.0) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(url), timeout=timeout)
    if delivery is not None:
        session.middleware(delivery)
    return Bot(TEST_TOKEN, session=session)


class Recorder:
    def __init__(self) -> None:
        self.rows: list[tuple[int | None, str, bool]] = []

    async def __call__(self, chat_id: int | None, method: str, error: str, unreachable: bool) -> None:
        self.rows.append((chat_id, method, unreachable))


class Script:
    """A make_request double that raises the scripted errors first, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self, bot: Bot, method: Any) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "sent"


async def refused() -> TelegramNetworkError:
    """What aiogram raises when nothing listens at the Bot API's address (aiohttp's ClientConnectorError)."""
    bot = bot_at(f"http://127.0.0.1:{free_port()}")
    try:
        await bot.get_me()
    except TelegramNetworkError as error:
        return error
    finally:
        await bot.session.close()
    raise AssertionError("a closed port answered")


def timed_out(method: Any) -> TelegramNetworkError:
    """What aiogram raises when the answer does not come in time (the request itself went out)."""
    error = TelegramNetworkError(method, "Request timeout error")
    error.__cause__ = TimeoutError()
    return error


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def delivery(recorder: Recorder, clock: FakeClock) -> RetryingDelivery:
    return RetryingDelivery(recorder, clock=clock)


@pytest.fixture
async def stub() -> AsyncIterator[BotApiStub]:
    async with BotApiStub(TEST_TOKEN) as api:
        api.add_user(USER, "Демо")
        yield api


# --- which failures may hide a success ---------------------------------------------------------------


async def test_a_refused_connection_surely_did_not_arrive() -> None:
    assert not may_have_arrived(await refused())
    assert may_have_arrived(timed_out(SEND))
    assert may_have_arrived(TelegramNetworkError(SEND, "ServerDisconnectedError: Server disconnected"))


@pytest.mark.parametrize("method", [SEND, SendDocument(chat_id=USER, document="file-id")])
async def test_a_send_that_timed_out_is_not_sent_again(
    method: Any, delivery: RetryingDelivery, recorder: Recorder
) -> None:
    script = Script(timed_out(method))
    with pytest.raises(TelegramNetworkError):
        await delivery(script, Bot(TEST_TOKEN), method)
    assert script.calls == 1
    assert recorder.rows == [(USER, method.__api_method__, False)]


@pytest.mark.parametrize("method", [EDIT, GetMe()])
async def test_a_call_safe_to_repeat_is_retried_after_a_timeout(method: Any, delivery: RetryingDelivery) -> None:
    script = Script(timed_out(method), timed_out(method))
    assert await delivery(script, Bot(TEST_TOKEN), method) == "sent"
    assert script.calls == 3


async def test_a_send_that_never_left_is_retried(delivery: RetryingDelivery, recorder: Recorder) -> None:
    error = await refused()
    script = Script(error, error)
    assert await delivery(script, Bot(TEST_TOKEN), SEND) == "sent"
    assert script.calls == 3
    assert recorder.rows == []


async def test_a_message_answered_after_the_timeout_arrives_once(
    stub: BotApiStub, delivery: RetryingDelivery, recorder: Recorder
) -> None:
    """Telegram delivered the message but answered after the client stopped waiting: before, it was sent again."""
    stub.delay_next("sendMessage", 1.5)
    bot = bot_at(stub.base_url, delivery, timeout=0.3)
    try:
        with pytest.raises(TelegramNetworkError):
            await bot.send_message(USER, "Отчёт готов")
    finally:
        await bot.session.close()
    assert [m.text for m in stub.messages(USER)] == ["Отчёт готов"]
    assert stub.request_count("sendMessage") == 1
    assert recorder.rows == [(USER, "sendMessage", False)]


async def test_a_slow_answer_to_a_read_is_asked_again(stub: BotApiStub, delivery: RetryingDelivery) -> None:
    stub.delay_next("getMe", 1.5)
    bot = bot_at(stub.base_url, delivery, timeout=0.3)
    try:
        assert (await bot.get_me()).is_bot
    finally:
        await bot.session.close()
    assert stub.request_count("getMe") == 2


# --- the start waits for the Bot API ---------------------------------------------------------------


class StartsTheStandInLate(FakeClock):
    """The Bot API comes up only after the bot has waited `after` times."""

    def __init__(self, stub: BotApiStub, after: int) -> None:
        super().__init__()
        self.stub, self.after = stub, after

    async def sleep(self, seconds: float) -> None:
        await super().sleep(seconds)
        if len(self.slept) == self.after:
            await self.stub.start()


async def test_the_start_waits_with_growing_pauses_until_the_bot_api_answers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = free_port()
    stub = BotApiStub(TEST_TOKEN, port=port)
    clock = StartsTheStandInLate(stub, after=8)
    bot = bot_at(f"http://127.0.0.1:{port}", RetryingDelivery(clock=clock))
    try:
        with caplog.at_level(logging.WARNING, logger="bot.delivery"):
            me = await wait_for_bot_api(bot, clock)
        assert me.is_bot
        assert (await bot.me()) is me  # aiogram's polling asks bot.me(): the answer is kept
    finally:
        await bot.session.close()
        await stub.stop()
    assert clock.slept == [1, 2, 4, 8, 16, 32, 60, 60]  # doubling, at most a minute
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.delivery"]
    assert len(lines) == 8  # one line per failed try, no retries of its own in between
    assert all("does not answer" in line and "ClientConnectorError" in line for line in lines), lines
    assert not any(TEST_TOKEN in line for line in lines)
    assert stub.request_count("getMe") == 1


async def test_a_refused_token_stops_the_start_at_once(stub: BotApiStub, clock: FakeClock) -> None:
    bot = Bot("42:WRONG", session=AiohttpSession(api=TelegramAPIServer.from_base(stub.base_url)))
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await wait_for_bot_api(bot, clock)
    finally:
        await bot.session.close()
    assert clock.slept == []


async def test_a_malformed_api_url_stops_the_start_at_once(clock: FakeClock) -> None:
    bot = bot_at("htp://127.0.0.1:1")
    try:
        with pytest.raises(TelegramNetworkError):
            await wait_for_bot_api(bot, clock)
    finally:
        await bot.session.close()
    assert clock.slept == []
