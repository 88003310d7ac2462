"""The reminder engine with a render computed at send time (the owners' digest): an async render is awaited, a
render that has nothing to send any more ends the delivery without sending, a render that fails keeps the message
due; start-up work runs before the first tick and its failure does not stop the engine."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain.reminders import DueDelivery
from domain.schedules import Frequency, Rule
from scheduling.engine import NOTHING_TO_SEND, EngineConfig, ReminderEngine, Render
from scheduling.sender import Outgoing, SendOutcome, Sent
from services import reminders as use
from storage import Store, open_store
from tests.fakes.clock import FakeClock
from tests.fakes.scheduler import RecordingScheduler

MOSCOW = "Europe/Moscow"
USER = 501
START = datetime(2026, 11, 30, 8, 0, tzinfo=ZoneInfo(MOSCOW))


class FakeSender:
    def __init__(self) -> None:
        self.sent: list[Outgoing] = []

    async def send(self, outgoing: Outgoing) -> SendOutcome:
        self.sent.append(outgoing)
        return Sent(message_id=len(self.sent))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START.astimezone(UTC))


@pytest.fixture
async def store(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Store]:
    opened = await open_store(tmp_path / "coach.db")
    await opened.users.upsert_seen(USER, "Анна", None, clock.now())
    yield opened
    await opened.close()


def _engine(store: Store, clock: FakeClock, sender: FakeSender, render: Render, **kwargs: object) -> ReminderEngine:
    return ReminderEngine(
        store.reminder_queue,
        sender,
        render,
        clock,
        RecordingScheduler(),
        "a",
        EngineConfig(),
        **kwargs,  # type: ignore[arg-type]
    )


async def _due_now(store: Store, clock: FakeClock) -> None:
    moment = clock.now().astimezone(ZoneInfo(MOSCOW)) + timedelta(minutes=1)
    rule = Rule(Frequency.ONCE, at=time(moment.hour, moment.minute), start=moment.date())
    await use.create_reminder(store, use.NoWakeUp(), USER, None, "Отчёт", rule, MOSCOW, clock.now())
    clock.advance(timedelta(minutes=1))


async def _statuses(store: Store) -> list[tuple[str, str | None]]:
    rows = await store.db.fetchall("SELECT status, error FROM deliveries ORDER BY id")
    return [(r["status"], r["error"]) for r in rows]


async def test_an_async_render_is_awaited_and_sent(store: Store, clock: FakeClock) -> None:
    sender = FakeSender()

    async def render(delivery: DueDelivery) -> Outgoing:
        await asyncio.sleep(0)  # e.g. reading the figures of the digest
        return Outgoing(chat_id=delivery.recipient_id, text=f"composed: {delivery.title}")

    engine = _engine(store, clock, sender, render)
    await _due_now(store, clock)
    await engine.tick()
    await engine.drain()
    assert [o.text for o in sender.sent] == ["composed: Отчёт"]
    assert await _statuses(store) == [("sent", None)]


async def test_nothing_to_send_ends_the_delivery_without_sending(store: Store, clock: FakeClock) -> None:
    sender = FakeSender()

    async def render(delivery: DueDelivery) -> Outgoing | None:
        return None  # e.g. the owner left the team

    engine = _engine(store, clock, sender, render)
    await _due_now(store, clock)
    await engine.tick()
    await engine.drain()
    clock.advance(timedelta(minutes=10))
    await engine.tick()
    await engine.drain()
    assert sender.sent == []
    assert await _statuses(store) == [("failed", NOTHING_TO_SEND)]


async def test_a_failing_render_keeps_the_message_due(store: Store, clock: FakeClock) -> None:
    sender = FakeSender()
    calls = 0

    async def render(delivery: DueDelivery) -> Outgoing:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("figures not readable")
        return Outgoing(chat_id=delivery.recipient_id, text="second try")

    engine = _engine(store, clock, sender, render)
    await _due_now(store, clock)
    await engine.tick()
    await engine.drain()
    assert sender.sent == [] and (await _statuses(store))[0][0] == "pending"
    clock.advance(timedelta(seconds=31))
    await engine.tick()
    await engine.drain()
    assert [o.text for o in sender.sent] == ["second try"]


async def test_start_up_work_runs_before_the_first_tick_and_a_failure_does_not_stop_it(
    store: Store, clock: FakeClock
) -> None:
    sender = FakeSender()
    order: list[str] = []

    def render(delivery: DueDelivery) -> Outgoing:  # a plain render still works
        order.append("render")
        return Outgoing(chat_id=delivery.recipient_id, text=delivery.title)

    async def on_start() -> None:
        order.append("start-up")
        await _due_now(store, clock)
        raise RuntimeError("start-up work failed")

    engine = _engine(store, clock, sender, render, on_start=on_start)
    await engine.start()
    await engine.drain()
    assert order == ["start-up", "render"]
    assert [o.text for o in sender.sent] == ["Отчёт"]
