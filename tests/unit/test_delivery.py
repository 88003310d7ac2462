from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from itertools import pairwise
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery, SendMessage

from bot.delivery import RetryingDelivery, SendBudget, sending_in_bulk
from devtools.botapi_flood import FloodLimits
from devtools.botapi_stub import TEST_TOKEN, BotApiStub
from domain.clock import SystemClock
from tests.fakes.clock import FakeClock

METHOD = SendMessage(chat_id=77, text="hi")
CALLBACK_ANSWER = AnswerCallbackQuery(callback_query_id="q1")
USER = 100001


class Script:
    """A make_request double that raises the scripted errors first, then succeeds; notes the clock of each call."""

    def __init__(self, clock: FakeClock, *errors: Exception) -> None:
        self.clock = clock
        self.errors = list(errors)
        self.calls: list[float] = []

    async def __call__(self, bot: Bot, method: Any) -> str:
        self.calls.append(self.clock.monotonic())
        if self.errors:
            raise self.errors.pop(0)
        return "sent"


class Recorder:
    def __init__(self) -> None:
        self.rows: list[tuple[int | None, str, bool]] = []

    async def __call__(self, chat_id: int | None, method: str, error: str, unreachable: bool) -> None:
        self.rows.append((chat_id, method, unreachable))


def flood(method: Any = METHOD, retry_after: int = 1) -> TelegramRetryAfter:
    return TelegramRetryAfter(method, "Too Many Requests", retry_after=retry_after)


@pytest.fixture
def bot() -> Bot:
    return Bot(token="42:TEST")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def delivery(recorder: Recorder, clock: FakeClock) -> RetryingDelivery:
    return RetryingDelivery(recorder, clock=clock, budget=SendBudget(clock))


async def call(delivery: RetryingDelivery, script: Script, bot: Bot, method: Any = METHOD) -> Any:
    return await delivery(script, bot, method)


# --- replies -----------------------------------------------------------------------------------


async def test_429_pauses_for_retry_after_then_sends_the_same_call(
    bot: Bot, clock: FakeClock, delivery: RetryingDelivery
) -> None:
    script = Script(clock, flood(retry_after=1))
    assert await call(delivery, script, bot) == "sent"
    assert len(script.calls) == 2
    assert script.calls[1] - script.calls[0] == pytest.approx(1.0)


async def test_a_reply_waits_the_full_150_s_and_is_never_given_up(
    bot: Bot, clock: FakeClock, delivery: RetryingDelivery, recorder: Recorder
) -> None:
    script = Script(clock, *(flood(retry_after=150) for _ in range(6)))  # more 429s than MAX_ATTEMPTS
    assert await call(delivery, script, bot) == "sent"
    assert len(script.calls) == 7
    assert all(later - earlier == pytest.approx(150.0) for earlier, later in pairwise(script.calls))
    assert recorder.rows == []


async def test_a_reply_waits_out_a_pause_another_call_started(
    bot: Bot, clock: FakeClock, delivery: RetryingDelivery
) -> None:
    delivery.gate.pause(40)
    script = Script(clock)
    started = clock.monotonic()
    assert await call(delivery, script, bot) == "sent"
    assert script.calls == [pytest.approx(started + 40)]


async def test_server_errors_are_retried_with_backoff_then_recorded(
    bot: Bot, clock: FakeClock, recorder: Recorder
) -> None:
    script = Script(clock, *(TelegramServerError(METHOD, "Bad Gateway") for _ in range(4)))
    with pytest.raises(TelegramServerError):
        await call(RetryingDelivery(recorder, base_delay_s=0.5, clock=clock), script, bot)
    gaps = [later - earlier for earlier, later in pairwise(script.calls)]
    assert gaps == [pytest.approx(0.5), pytest.approx(1.0), pytest.approx(2.0)]
    assert recorder.rows == [(77, "sendMessage", False)]


async def test_blocked_user_is_not_retried_and_is_recorded_unreachable(
    bot: Bot, clock: FakeClock, delivery: RetryingDelivery, recorder: Recorder
) -> None:
    script = Script(clock, TelegramForbiddenError(METHOD, "Forbidden: bot was blocked by the user"))
    with pytest.raises(TelegramForbiddenError):
        await call(delivery, script, bot)
    assert len(script.calls) == 1
    assert recorder.rows == [(77, "sendMessage", True)]


async def test_chat_not_found_is_recorded_unreachable_other_400s_are_not(
    bot: Bot, clock: FakeClock, delivery: RetryingDelivery, recorder: Recorder
) -> None:
    for description in ("Bad Request: chat not found", "Bad Request: message is too long"):
        with pytest.raises(TelegramBadRequest):
            await call(delivery, Script(clock, TelegramBadRequest(METHOD, description)), bot)
    assert recorder.rows == [(77, "sendMessage", True)]


async def test_a_short_flood_wait_still_answers_the_callback_query(
    bot: Bot, clock: FakeClock, delivery: RetryingDelivery
) -> None:
    script = Script(clock, flood(CALLBACK_ANSWER, retry_after=3))
    assert await call(delivery, script, bot, CALLBACK_ANSWER) == "sent"
    assert len(script.calls) == 2


async def test_a_callback_answer_is_given_up_when_the_wait_outlasts_the_query(
    bot: Bot, clock: FakeClock, delivery: RetryingDelivery, recorder: Recorder
) -> None:
    script = Script(clock, flood(CALLBACK_ANSWER, retry_after=150))
    with pytest.raises(TelegramRetryAfter):
        await call(delivery, script, bot, CALLBACK_ANSWER)
    assert len(script.calls) == 1
    assert delivery.gate.remaining() == pytest.approx(150)  # everything else still pauses
    assert recorder.rows == [(None, "answerCallbackQuery", False)]


async def test_a_reply_counts_and_never_waits(bot: Bot, clock: FakeClock, recorder: Recorder) -> None:
    budget = SendBudget(clock, rate_per_s=1)
    delivery = RetryingDelivery(recorder, clock=clock, budget=budget)
    for _ in range(3):
        await call(delivery, Script(clock), bot)
    assert clock.slept == []  # replies are not bulk: over the limit at once
    assert budget.tokens == 1 - 3  # but they count, so scheduled sends wait for them
    await call(delivery, Script(clock), bot, CALLBACK_ANSWER)  # not a message: takes no place
    assert budget.tokens == 1 - 3


# --- bulk sends: one try, the sender decides ----------------------------------------------------


async def test_in_bulk_a_429_pauses_the_gate_and_is_raised_at_once(
    bot: Bot, clock: FakeClock, delivery: RetryingDelivery
) -> None:
    script = Script(clock, flood(retry_after=150))
    with sending_in_bulk(), pytest.raises(TelegramRetryAfter):
        await call(delivery, script, bot)
    assert len(script.calls) == 1
    assert delivery.gate.remaining() == pytest.approx(150)


@pytest.mark.parametrize("error", [TelegramServerError(METHOD, "Bad Gateway"), TelegramNetworkError(METHOD, "reset")])
async def test_in_bulk_server_and_network_errors_are_raised_at_once(
    bot: Bot, clock: FakeClock, delivery: RetryingDelivery, recorder: Recorder, error: Exception
) -> None:
    script = Script(clock, error)
    with sending_in_bulk(), pytest.raises(type(error)):
        await call(delivery, script, bot)
    assert len(script.calls) == 1
    assert recorder.rows == []


async def test_in_bulk_a_blocked_user_is_recorded_unreachable(
    bot: Bot, clock: FakeClock, delivery: RetryingDelivery, recorder: Recorder
) -> None:
    script = Script(clock, TelegramForbiddenError(METHOD, "Forbidden: bot was blocked by the user"))
    with sending_in_bulk(), pytest.raises(TelegramForbiddenError):
        await call(delivery, script, bot)
    assert recorder.rows == [(77, "sendMessage", True)]


async def test_the_bulk_mark_ends_with_its_block(bot: Bot, clock: FakeClock, delivery: RetryingDelivery) -> None:
    with sending_in_bulk():
        pass
    script = Script(clock, flood(retry_after=2))
    assert await call(delivery, script, bot) == "sent"  # retried: a reply again


# --- against the Bot API stand-in -------------------------------------------------------------


@pytest.fixture
async def stub() -> AsyncIterator[BotApiStub]:
    async with BotApiStub(TEST_TOKEN) as api:
        yield api


def stand_in_bot(stub: BotApiStub, delivery: RetryingDelivery) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(stub.base_url))
    session.middleware(delivery)
    return Bot(TEST_TOKEN, session=session)


async def test_a_reply_through_the_stand_in_waits_150_s_on_the_clock_and_arrives(
    stub: BotApiStub, clock: FakeClock, delivery: RetryingDelivery
) -> None:
    stub.add_user(USER, "Демо")
    stub.fail_next("sendMessage", 429, retry_after=150)
    tg = stand_in_bot(stub, delivery)
    started = clock.monotonic()
    try:
        sent = await tg.send_message(USER, "привет")
    finally:
        await tg.session.close()
    assert stub.last_message(USER).message_id == sent.message_id
    assert stub.request_count("sendMessage") == 2
    assert clock.monotonic() - started == pytest.approx(150)


async def test_the_stand_in_floods_like_telegram() -> None:
    limits = FloodLimits(per_second=2, per_chat_per_second=None, retry_after=1)
    async with BotApiStub(TEST_TOKEN, flood=limits) as api:
        api.add_user(USER, "Демо")
        tg = Bot(TEST_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))
        try:
            await tg.send_message(USER, "1")
            await tg.send_message(USER, "2")
            with pytest.raises(TelegramRetryAfter) as caught:
                await tg.send_message(USER, "3")
            assert caught.value.retry_after == 1
            with pytest.raises(TelegramRetryAfter):  # every sending call is refused while the 429 lasts
                await tg.edit_message_text("2!", chat_id=USER, message_id=2)
            assert (await tg.get_me()).is_bot  # other calls are not limited
            assert (api.flood_429, api.messages_accepted) == (2, 2)
        finally:
            await tg.session.close()


async def test_the_stand_in_limits_each_chat_to_one_message_a_second() -> None:
    limits = FloodLimits(per_second=30, per_chat_per_second=1.0, retry_after=1)
    async with BotApiStub(TEST_TOKEN, flood=limits) as api:
        api.add_user(USER, "Демо")
        tg = Bot(TEST_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))
        try:
            await tg.send_message(USER, "1")
            with pytest.raises(TelegramRetryAfter):
                await tg.send_message(USER, "2")
        finally:
            await tg.session.close()


async def test_a_burst_of_200_replies_in_flood_mode_all_arrive() -> None:
    """200 users press /start at once; Telegram allows 30 messages/s. Before: 31–61 got an error instead."""
    limits = FloodLimits(per_second=30, per_chat_per_second=1.0, retry_after=1)
    async with BotApiStub(TEST_TOKEN, flood=limits) as api:
        users = range(200_001, 200_201)
        for user in users:
            api.add_user(user, f"u{user}")
        recorder = Recorder()
        clock = SystemClock()
        tg = stand_in_bot(api, RetryingDelivery(recorder, clock=clock, budget=SendBudget(clock)))
        started = time.monotonic()
        try:
            await asyncio.gather(*(tg.send_message(user, "Добро пожаловать") for user in users))
        finally:
            await tg.session.close()
        assert all(len(api.messages(user)) == 1 for user in users)
        assert api.messages_accepted == 200
        assert api.flood_429 > 0  # the limit really was hit
        assert recorder.rows == []
        assert time.monotonic() - started < 15
