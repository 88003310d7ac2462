from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery import FloodGate, RetryingDelivery, SendBudget
from devtools.botapi_stub import TEST_TOKEN, BotApiStub
from domain.clock import Clock, SystemClock
from scheduling.sender import (
    FIRST_BACKOFF_S,
    ChatPacer,
    MaybeSent,
    Outgoing,
    Rejected,
    RetryLater,
    Sender,
    Sent,
    Unreachable,
)
from tests.fakes.clock import FakeClock
from tests.handlers.recording import RecordingSession

USER, OTHER_USER, GROUP = 100001, 100002, -100500


class Recorder:
    def __init__(self) -> None:
        self.rows: list[tuple[int | None, str, bool]] = []

    async def __call__(self, chat_id: int | None, method: str, error: str, unreachable: bool) -> None:
        self.rows.append((chat_id, method, unreachable))


class CallTimes(BaseRequestMiddleware):
    """Notes the clock at each sendMessage that really goes out: (chat id, time)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.sends: list[tuple[int, float]] = []

    async def __call__(self, make_request: NextRequestMiddlewareType[Any], bot: Bot, method: Any) -> Any:
        if isinstance(method, SendMessage) and isinstance(method.chat_id, int):
            self.sends.append((method.chat_id, self.clock.monotonic()))
        return await make_request(bot, method)

    def times(self, chat_id: int) -> list[float]:
        return [at for chat, at in self.sends if chat == chat_id]


class World:
    """The sender as production wires it: a Bot whose session retries and records, sharing gate and budget."""

    def __init__(
        self, bot: Bot, clock: Clock, budget: SendBudget | None = None, per_chat_interval_s: float = 1.0
    ) -> None:
        self.clock = clock
        self.gate = FloodGate(clock)
        self.budget = budget or SendBudget(clock)
        self.recorder = Recorder()
        self.times = CallTimes(clock)
        bot.session.middleware(RetryingDelivery(self.recorder, gate=self.gate, budget=self.budget, clock=clock))
        bot.session.middleware(self.times)
        self.sender = Sender(bot, clock, self.gate, self.budget, per_chat_interval_s=per_chat_interval_s)


@pytest.fixture
async def stub() -> AsyncIterator[BotApiStub]:
    async with BotApiStub(TEST_TOKEN) as api:
        api.add_user(USER, "Демо")
        api.add_user(OTHER_USER, "Другой")
        yield api


@pytest.fixture
async def world(stub: BotApiStub) -> AsyncIterator[World]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(stub.base_url))
    bot = Bot(TEST_TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    yield World(bot, FakeClock())
    await session.close()


async def test_a_message_with_its_keyboard_is_sent(world: World, stub: BotApiStub) -> None:
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Готово", callback_data="done")]])
    outcome = await world.sender.send(Outgoing(USER, "<b>Пора</b>", keyboard))
    assert outcome == Sent(message_id=1)
    stored = stub.last_message(USER)
    assert (stored.plain, stored.markup) == ("Пора", [[("Готово", "done")]])


@pytest.mark.parametrize("retry_after", [3, 150])
async def test_a_429_is_retry_later_for_the_full_wait_and_the_next_send_waits_it_out(
    world: World, stub: BotApiStub, retry_after: int
) -> None:
    stub.fail_next("sendMessage", 429, retry_after=retry_after)
    outcome = await world.sender.send(Outgoing(USER, "раз"))
    assert isinstance(outcome, RetryLater) and outcome.after_s == retry_after
    assert world.gate.remaining() == pytest.approx(retry_after)
    assert stub.request_count("sendMessage") == 1  # tried once: the caller decides
    assert await world.sender.send(Outgoing(OTHER_USER, "два")) == Sent(message_id=1)
    [refused_at] = world.times.times(USER)
    [sent_at] = world.times.times(OTHER_USER)
    assert sent_at - refused_at == pytest.approx(retry_after)


async def test_a_blocked_user_is_unreachable_and_recorded(world: World, stub: BotApiStub) -> None:
    stub.fail_next("sendMessage", 403)
    outcome = await world.sender.send(Outgoing(USER, "раз"))
    assert isinstance(outcome, Unreachable) and "blocked" in outcome.error
    assert world.recorder.rows == [(USER, "sendMessage", True)]


async def test_a_chat_that_does_not_exist_is_unreachable_and_recorded(world: World) -> None:
    outcome = await world.sender.send(Outgoing(555, "раз"))
    assert isinstance(outcome, Unreachable) and "chat not found" in outcome.error
    assert world.recorder.rows == [(555, "sendMessage", True)]


async def test_server_errors_are_retry_later_with_a_growing_backoff(world: World, stub: BotApiStub) -> None:
    stub.fail_next("sendMessage", 502, "Bad Gateway", times=2)
    first = await world.sender.send(Outgoing(USER, "раз"))
    second = await world.sender.send(Outgoing(OTHER_USER, "раз"))
    assert [type(first), type(second)] == [RetryLater, RetryLater]
    assert isinstance(first, RetryLater) and isinstance(second, RetryLater)
    assert (first.after_s, second.after_s) == (FIRST_BACKOFF_S, 2 * FIRST_BACKOFF_S)
    assert stub.request_count("sendMessage") == 2  # no retries inside: the message stays due with the caller
    assert world.recorder.rows == []
    assert isinstance(await world.sender.send(Outgoing(OTHER_USER, "раз")), Sent)
    stub.fail_next("sendMessage", 500)
    after_success = await world.sender.send(Outgoing(USER, "раз"))
    assert isinstance(after_success, RetryLater) and after_success.after_s == FIRST_BACKOFF_S


async def test_a_message_telegram_cannot_parse_is_rejected(world: World) -> None:
    outcome = await world.sender.send(Outgoing(USER, "a < b"))
    assert isinstance(outcome, Rejected) and "can't parse entities" in outcome.error
    assert world.recorder.rows == []


async def test_two_messages_to_one_chat_are_a_second_apart_other_chats_do_not_wait(world: World) -> None:
    for chat in (USER, USER, OTHER_USER):
        assert isinstance(await world.sender.send(Outgoing(chat, "раз")), Sent)
    first, second = world.times.times(USER)
    assert second - first == pytest.approx(1.0)
    [other] = world.times.times(OTHER_USER)
    assert other == second  # no spacing between different chats


async def test_a_group_gets_at_most_20_messages_a_minute() -> None:
    world = World(Bot("42:TEST", session=RecordingSession()), FakeClock())
    for _ in range(41):
        assert isinstance(await world.sender.send(Outgoing(GROUP, "отчёт", is_group=True)), Sent)
    times = world.times.times(GROUP)
    assert all(sum(1 for t in times if start <= t < start + 60) <= 20 for start in times)
    assert times[-1] - times[0] == pytest.approx(120)  # and no slower than that


async def test_waiting_for_a_chat_does_not_hold_a_global_token() -> None:
    """Budget: one message per 0.5 s; the chat: one per 0.75 s. A second message to a chat that just got one
    must let a message to another chat take the next token (at 0.5 s) while it waits for its chat (at 0.75 s)."""
    clock = SystemClock()
    budget = SendBudget(clock, rate_per_s=2, window_s=0.5, reserve=0)
    world = World(Bot("42:TEST", session=RecordingSession()), clock, budget, per_chat_interval_s=0.75)
    await world.sender.send(Outgoing(USER, "раз"))
    await asyncio.gather(world.sender.send(Outgoing(USER, "два")), world.sender.send(Outgoing(OTHER_USER, "раз")))
    assert [chat for chat, _ in world.times.sends] == [USER, OTHER_USER, USER]


async def test_the_pacer_forgets_chats_whose_turn_has_passed() -> None:
    clock = FakeClock()
    pacer = ChatPacer(clock, max_chats=100)
    for chat in range(1000):
        await pacer.wait_turn(chat, 1.0)
        await clock.sleep(0.1)
    assert len(pacer) <= 11  # only the last second's chats still have a turn ahead


async def test_the_pacer_stays_within_its_cap_even_when_every_turn_is_ahead() -> None:
    pacer = ChatPacer(FakeClock(), max_chats=100)
    for chat in range(1000):
        await pacer.wait_turn(chat, 60.0)
    assert len(pacer) == 100


async def test_a_send_answered_too_late_is_not_sent_again(stub: BotApiStub) -> None:
    """Telegram did the work but the answer came after the timeout: resending would deliver it twice."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(stub.base_url), timeout=0.3)
    world = World(Bot(TEST_TOKEN, session=session), FakeClock())
    try:
        stub.delay_next("sendMessage", 1.0)
        outcome = await world.sender.send(Outgoing(USER, "напоминание"))
    finally:
        await session.close()
    assert isinstance(outcome, MaybeSent)
    assert [m.plain for m in stub.messages(USER)] == ["напоминание"]


async def test_a_send_that_never_reached_telegram_is_retried_later() -> None:
    with socket.socket() as probe:  # a port nobody listens on: the connection is refused before anything is sent
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    session = AiohttpSession(api=TelegramAPIServer.from_base(closed), timeout=2)
    world = World(Bot(TEST_TOKEN, session=session), FakeClock())
    try:
        outcome = await world.sender.send(Outgoing(USER, "напоминание"))
    finally:
        await session.close()
    assert isinstance(outcome, RetryLater)
