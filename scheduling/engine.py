"""The reminder engine: one tick job that claims what is due and hands it to the sender.

Why one tick and not one APScheduler job per reminder: the database is the source of truth, so a tick that
reads what is due survives restarts, needs nothing re-planned at start (100,000 reminders cost one indexed
query, not 100,000 jobs in memory) and lets several engines share one database by claiming rows. APScheduler
drives two jobs only: a wake-up at the earliest due moment (re-planned after every tick and whenever a
reminder changes) and a safety tick every few seconds that catches changes made by another instance.

Delivery is at least once: a row is leased before it is sent and confirmed after. A crash between the two
resends it when the lease runs out (`lease`, 2 minutes by default); two engines never hold the same lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from domain.clock import Clock
from domain.reminders import DueDelivery
from scheduling.scheduler import Scheduler
from scheduling.sender import MaybeSent, Outgoing, Rejected, RetryLater, SendOutcome, Sent, Unreachable
from storage.reminder_queue import ReminderQueue

logger = logging.getLogger(__name__)

WAKEUP_JOB = "reminders.wakeup"
SAFETY_TICK_JOB = "reminders.safety-tick"
_FAILURE_BACKOFF = timedelta(seconds=30)
NOTHING_TO_SEND = "nothing to send: the message is no longer wanted"

# How a due delivery becomes a message. Async when the content is computed at send time (the owners' digest);
# None: nothing is to be sent any more (e.g. the owner left the team), and the delivery is recorded as failed.
Render = Callable[[DueDelivery], Outgoing | Awaitable[Outgoing | None] | None]


class OutgoingSender(Protocol):
    """What the engine needs of scheduling.sender.Sender; tests pass fakes."""

    async def send(self, outgoing: Outgoing) -> SendOutcome: ...


@dataclass(frozen=True, slots=True)
class EngineConfig:
    grace: timedelta = timedelta(hours=6)  # REMINDER_GRACE_HOURS: older missed occurrences are not sent
    lease: timedelta = timedelta(minutes=2)
    batch: int = 200  # rows per transaction: short transactions keep taps fast
    max_in_flight: int = 1500  # claimed and not yet confirmed; about rate x lease / 2
    safety_tick_s: float = 5.0


class ReminderEngine:
    def __init__(
        self,
        queue: ReminderQueue,
        sender: OutgoingSender,
        render: Render,
        clock: Clock,
        scheduler: Scheduler,
        owner: str,
        config: EngineConfig | None = None,
        pause_remaining: Callable[[], float] | None = None,
        on_start: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """`pause_remaining`: seconds left of a bot-wide 429 pause (FloodGate.remaining). `on_start`: work before
        the first tick (e.g. reminders a new feature owes to people who were there before it); its failure is
        logged and does not stop the engine."""
        self._queue = queue
        self._sender = sender
        self._render = render
        self._clock = clock
        self._scheduler = scheduler
        self._owner = owner
        self._config = config or EngineConfig()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._ticks: set[asyncio.Task[None]] = set()
        self._planned: datetime | None = None
        self._tick_lock = asyncio.Lock()
        self._again = False
        self._pause_remaining = pause_remaining or (lambda: 0.0)
        self._on_start = on_start

    @property
    def owner(self) -> str:
        return self._owner

    async def start(self) -> None:
        if self._on_start is not None:
            try:
                await self._on_start()
            except Exception:
                logger.exception("reminder engine start-up work failed")
        self._scheduler.every(SAFETY_TICK_JOB, self._config.safety_tick_s, self._tick_soon)
        await self.tick()

    def wake_at(self, moment: datetime) -> None:
        """Something became due at `moment` (a new reminder, a snooze, a retry): make sure a tick runs then."""
        now = self._clock.now()
        if self._planned is not None and now <= self._planned <= moment:
            return  # an earlier wake-up is already planned
        self._planned = moment
        self._scheduler.at(WAKEUP_JOB, moment, self._tick_soon)

    async def _tick_soon(self) -> None:
        """What the scheduler runs: it only starts a tick. A wake-up planned while a tick runs is then never
        skipped by APScheduler as a second instance of a running job (max_instances=1)."""
        task = asyncio.create_task(self.tick())
        self._ticks.add(task)
        task.add_done_callback(self._ticks.discard)

    async def tick(self) -> None:
        if self._tick_lock.locked():
            self._again = True  # a tick is running: it will loop once more instead of overlapping
            return
        async with self._tick_lock:
            self._planned = None
            try:
                await self._tick_until_idle()
            except Exception:  # a failed tick must not stop the schedule: the safety tick retries
                logger.exception("reminder tick failed")

    async def _tick_until_idle(self) -> None:
        config = self._config
        while True:
            self._again = False
            now = self._clock.now()
            advanced = await self._queue.materialise_due(now, config.grace, config.batch)
            room = min(config.batch, config.max_in_flight - len(self._in_flight))
            claimed = await self._queue.claim(now, self._owner, config.lease, room, config.grace)
            for delivery in claimed:
                task = asyncio.create_task(self._deliver(delivery))
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)
            more_due = advanced >= config.batch or (room > 0 and len(claimed) >= room)
            if self._again or (more_due and room > 0):
                await asyncio.sleep(0)  # let sends start between batches
                continue
            break
        upcoming = await self._queue.next_wakeup()
        if upcoming is not None:
            self.wake_at(max(upcoming, self._clock.now()))

    async def _deliver(self, delivery: DueDelivery) -> None:
        paused_s = self._pause_remaining()
        try:
            if paused_s > 0:
                # Telegram asked the whole bot to wait: hand the row back instead of holding its lease meanwhile.
                outcome: SendOutcome = RetryLater(after_s=paused_s, error="bot-wide flood pause")
            else:
                outgoing = await self._rendered(delivery)
                if outgoing is None:
                    outcome = Rejected(NOTHING_TO_SEND)
                else:
                    outcome = await self._sender.send(outgoing)
        except Exception as error:  # a bug or an unexpected error: keep the message due, try again later
            logger.exception("reminder delivery %s failed", delivery.id)
            outcome = RetryLater(after_s=_FAILURE_BACKOFF.total_seconds(), error=type(error).__name__)
        now = self._clock.now()
        if isinstance(outcome, Sent):
            await self._queue.mark_sent(delivery.id, self._owner, outcome.message_id, now)
        elif isinstance(outcome, MaybeSent):
            await self._queue.mark_sent(delivery.id, self._owner, None, now, note=outcome.error)
        elif isinstance(outcome, RetryLater):
            at = now + timedelta(seconds=outcome.after_s)
            await self._queue.retry_later(delivery.id, self._owner, at, outcome.error)
            self.wake_at(at)
        elif isinstance(outcome, Unreachable | Rejected):
            await self._queue.mark_failed(delivery.id, self._owner, outcome.error)
            if isinstance(outcome, Rejected) and outcome.error != NOTHING_TO_SEND:
                logger.error("reminder delivery %s rejected by Telegram: %s", delivery.id, outcome.error)
        if len(self._in_flight) >= self._config.max_in_flight - 1:
            self.wake_at(now)  # room again for what waits in the queue

    async def _rendered(self, delivery: DueDelivery) -> Outgoing | None:
        rendered = self._render(delivery)
        if inspect.isawaitable(rendered):
            return await rendered
        return rendered

    async def drain(self) -> None:
        """Wait for every tick and send in flight (tests and shutdown)."""
        while self._in_flight or self._ticks:
            await asyncio.gather(*list(self._in_flight | self._ticks), return_exceptions=True)

    async def stop(self) -> None:
        running = list(self._in_flight | self._ticks)
        for task in running:
            task.cancel()
        for task in running:
            with contextlib.suppress(asyncio.CancelledError):
                await task
