from __future__ import annotations

import asyncio
from datetime import timedelta

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
        finish = await budget.acquire()
        finish()  # Telegram answers at once
        times.append(round(clock.monotonic() - start, 6))
    return times


async def test_a_full_window_goes_at_once_then_waits_for_the_oldest_to_leave(clock: FakeClock) -> None:
    budget = SendBudget(clock, rate_per_s=25, reserve=0)
    times = await acquire_times(budget, clock, 27)
    assert times[:25] == [0] * 25
    assert times[25:] == [pytest.approx(1.0), pytest.approx(1.0)]


def sliding_counts(times: list[float], span: float) -> list[int]:
    return [sum(1 for t in times if start <= t < start + span) for start in times]


async def test_scheduled_sends_leave_a_place_of_every_window_to_replies(clock: FakeClock) -> None:
    budget = SendBudget(clock, rate_per_s=30)  # one place of each second is kept for replies
    times = await acquire_times(budget, clock, 600)
    assert max(sliding_counts(times, 1.0)) == 29
    assert len(times) / times[-1] >= 28.5


async def test_a_reply_takes_the_kept_place_at_once_and_never_waits(clock: FakeClock) -> None:
    budget = SendBudget(clock, rate_per_s=30)
    await acquire_times(budget, clock, 29)
    before = clock.monotonic()
    budget.take_now()()  # the kept place
    budget.take_now()()  # the window is full: goes anyway
    assert clock.monotonic() == before
    assert budget.tokens == 30 - 31


async def test_a_late_wake_up_loses_no_capacity(clock: FakeClock) -> None:
    budget = SendBudget(clock, rate_per_s=10, reserve=0)
    await acquire_times(budget, clock, 10)
    await clock.sleep(1.7)  # a stalled loop: more than a window passes before the next send
    before = clock.monotonic()
    times = await acquire_times(budget, clock, 10)
    assert clock.monotonic() == before and times == [0] * 10


async def test_replies_never_wait_and_their_excess_delays_scheduled_sends(clock: FakeClock) -> None:
    budget = SendBudget(clock, rate_per_s=25, reserve=0)
    for _ in range(35):
        budget.take_now()()
    assert clock.slept == []
    assert budget.tokens == -10
    # The window must drain to 24 before a scheduled send: everything sent now leaves it after 1 s.
    assert await acquire_times(budget, clock, 1) == [pytest.approx(1.0)]


async def test_a_reply_during_a_scheduled_wait_counts_and_the_scheduled_send_waits_its_turn(
    clock: FakeClock,
) -> None:
    budget = SendBudget(clock, rate_per_s=1, reserve=0)
    budget.take_now()()  # full: the scheduled send must wait 1 s
    waiting = asyncio.create_task(budget.acquire())
    await asyncio.sleep(0)
    budget.take_now()()  # a reply meanwhile: never waits, and the scheduled send re-checks the window
    finish = await waiting
    finish()
    assert clock.monotonic() - 1000.0 == pytest.approx(1.0)  # both replies left the window, not earlier
    assert budget.tokens == 1 - 1  # the scheduled message itself now fills the window


async def test_a_message_counts_from_telegrams_answer_so_a_slow_send_keeps_the_window_honest(
    clock: FakeClock,
) -> None:
    budget = SendBudget(clock, rate_per_s=2, reserve=0)
    slow = await budget.acquire()  # the loop is busy: this one is answered only 0.7 s later
    fast = await budget.acquire()
    fast()
    assert budget.tokens == 0  # one answered, one on its way: both count
    clock.advance(timedelta(seconds=0.7))
    slow()
    clock.advance(timedelta(seconds=0.35))
    # 1.05 s after both started: counted from its start the slow one would have left; from its answer it has not.
    assert budget.tokens == 1
    clock.advance(timedelta(seconds=0.7))
    assert budget.tokens == 2


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
