from __future__ import annotations

import asyncio

import pytest

from bot.delivery import FloodGate, SendBudget
from tests.fakes.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def acquire_times(budget: SendBudget, clock: FakeClock, count: int) -> list[float]:
    start = clock.monotonic()
    times = []
    for _ in range(count):
        await budget.acquire()
        times.append(round(clock.monotonic() - start, 6))
    return times


async def test_the_burst_goes_at_once_then_one_message_per_tick_of_the_rate(clock: FakeClock) -> None:
    budget = SendBudget(clock, rate_per_s=25, burst=5)
    times = await acquire_times(budget, clock, 8)
    assert times == [0, 0, 0, 0, 0, 0.04, 0.08, 0.12]


async def test_over_ten_seconds_the_rate_holds(clock: FakeClock) -> None:
    budget = SendBudget(clock, rate_per_s=25, burst=5)
    times = await acquire_times(budget, clock, 1000)
    assert sum(1 for t in times if t < 10) == 5 + 25 * 10 - 1  # the burst, then one every 0.04 s
    assert all(sum(1 for t in times if start <= t < start + 1) <= 30 for start in range(40))


async def test_tokens_refill_while_idle_but_only_up_to_the_burst(clock: FakeClock) -> None:
    budget = SendBudget(clock, rate_per_s=25, burst=5)
    await acquire_times(budget, clock, 5)
    assert budget.tokens == pytest.approx(0)
    await clock.sleep(3600)  # an hour of silence
    assert budget.tokens == pytest.approx(5)


async def test_replies_never_wait_and_their_debt_delays_scheduled_sends(clock: FakeClock) -> None:
    budget = SendBudget(clock, rate_per_s=25, burst=5)
    for _ in range(15):
        budget.take_now()
    assert clock.slept == []
    assert budget.tokens == pytest.approx(-10)
    # Eleven tokens to earn before a scheduled send: the ten owed and its own.
    assert await acquire_times(budget, clock, 1) == [pytest.approx(11 / 25)]


async def test_a_reply_during_a_scheduled_wait_pushes_the_scheduled_send_back(clock: FakeClock) -> None:
    budget = SendBudget(clock, rate_per_s=1, burst=1)
    budget.take_now()  # empty: the scheduled send waits 1 s
    waiting = asyncio.create_task(budget.acquire())
    await asyncio.sleep(0)  # it computes its wait and sleeps (the fake clock jumps 1 s)
    budget.take_now()  # a reply spends the token the scheduled send was waiting for
    await waiting
    assert clock.slept == [pytest.approx(1), pytest.approx(1)]


def test_a_budget_needs_a_positive_rate(clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="rate"):
        SendBudget(clock, rate_per_s=0)


async def test_the_gate_pauses_for_the_full_time_and_never_shortens(clock: FakeClock) -> None:
    gate = FloodGate(clock)
    assert gate.remaining() == 0
    assert gate.pause(150)
    assert not gate.pause(3)
    assert gate.remaining() == pytest.approx(150)
    await gate.wait()
    assert (gate.remaining(), clock.slept) == (0.0, [150])


async def test_a_closed_gate_does_not_wait(clock: FakeClock) -> None:
    gate = FloodGate(clock)
    gate.pause(2)
    await clock.sleep(2)
    await gate.wait()
    assert clock.slept == [2]
