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


async def test_a_full_window_goes_at_once_then_waits_for_the_oldest_to_leave(clock: FakeClock) -> None:
    budget = SendBudget(clock, rate_per_s=25, margin_s=0)
    times = await acquire_times(budget, clock, 27)
    assert times[:25] == [0] * 25
    assert times[25:] == [pytest.approx(1.0), pytest.approx(1.0)]


def sliding_counts(times: list[float], span: float) -> list[int]:
    return [sum(1 for t in times if start <= t < start + span) for start in times]


async def test_no_window_ever_holds_more_than_the_rate_even_with_the_margin_for_jitter(clock: FakeClock) -> None:
    budget = SendBudget(clock, rate_per_s=30, margin_s=0.02)
    times = await acquire_times(budget, clock, 600)
    assert max(sliding_counts(times, 1.0)) == 30  # and 20 ms of jitter would still keep it so
    assert len(times) / times[-1] >= 28.5  # the margin costs less than 5 %


async def test_a_late_wake_up_loses_no_capacity(clock: FakeClock) -> None:
    budget = SendBudget(clock, rate_per_s=10, margin_s=0)
    await acquire_times(budget, clock, 10)
    await clock.sleep(1.7)  # a stalled loop: more than a window passes before the next send
    before = clock.monotonic()
    times = await acquire_times(budget, clock, 10)
    assert clock.monotonic() == before and times == [0] * 10


async def test_replies_never_wait_and_their_excess_delays_scheduled_sends(clock: FakeClock) -> None:
    budget = SendBudget(clock, rate_per_s=25, margin_s=0)
    for _ in range(35):
        budget.take_now()
    assert clock.slept == []
    assert budget.tokens == -10
    # The window must drain to 24 before a scheduled send: everything sent now leaves it after 1 s.
    assert await acquire_times(budget, clock, 1) == [pytest.approx(1.0)]


async def test_a_reply_during_a_scheduled_wait_pushes_the_scheduled_send_back(clock: FakeClock) -> None:
    budget = SendBudget(clock, rate_per_s=1, margin_s=0)
    budget.take_now()  # full: the scheduled send waits 1 s
    waiting = asyncio.create_task(budget.acquire())
    await asyncio.sleep(0)  # it computes its wait and sleeps (the fake clock jumps 1 s)
    budget.take_now()  # a reply takes the room the scheduled send was waiting for
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
