"""The reminder engine on a real SQLite file, with a fake clock, a recording scheduler and a fake sender:
exactly-once delivery, downtime inside and outside the grace window, a crash between claim and send, two engines
on one database, snoozes that never move the series, retries that never drop a message."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain.reminders import DueDelivery, Outcome, ReminderState, Snooze
from domain.schedules import Frequency, Rule
from scheduling.engine import WAKEUP_JOB, EngineConfig, ReminderEngine
from scheduling.sender import MaybeSent, Outgoing, RetryLater, SendOutcome, Sent, Unreachable
from services import reminders as use
from storage import Store, open_store
from tests.fakes.clock import FakeClock
from tests.fakes.scheduler import RecordingScheduler

MOSCOW = "Europe/Moscow"
MSK = ZoneInfo(MOSCOW)
USER = 501
# Monday 2026-11-30 08:00 Moscow
START = datetime(2026, 11, 30, 8, 0, tzinfo=MSK)


class FakeSender:
    def __init__(self) -> None:
        self.sent: list[Outgoing] = []
        self.script: list[SendOutcome] = []  # outcomes to return first, then Sent

    async def send(self, outgoing: Outgoing) -> SendOutcome:
        await asyncio.sleep(0)
        if self.script:
            outcome = self.script.pop(0)
            if not isinstance(outcome, Sent):
                return outcome
        self.sent.append(outgoing)
        return Sent(message_id=len(self.sent))


def render(delivery: DueDelivery) -> Outgoing:
    late = " late" if delivery.late else ""
    return Outgoing(chat_id=delivery.recipient_id, text=f"{delivery.id}:{delivery.title}{late}")


class Rig:
    def __init__(self, store: Store, clock: FakeClock, owner: str = "engine-a") -> None:
        self.store = store
        self.clock = clock
        self.sender = FakeSender()
        self.scheduler = RecordingScheduler()
        self.engine = ReminderEngine(
            store.reminder_queue, self.sender, render, clock, self.scheduler, owner, EngineConfig()
        )

    async def tick(self) -> None:
        await self.engine.tick()
        await self.engine.drain()

    async def move_to(self, moment: datetime) -> None:
        """Move the clock and run what the scheduler planned for that time, as APScheduler would."""
        self.clock.set(moment.astimezone(UTC))
        while await self.scheduler.run_due(self.clock.now()):
            await self.engine.drain()

    def texts(self) -> list[str]:
        return [o.text for o in self.sender.sent]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START.astimezone(UTC))


@pytest.fixture
async def store(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Store]:
    opened = await open_store(tmp_path / "coach.db")
    await opened.users.upsert_seen(USER, "Анна", None, clock.now())
    yield opened
    await opened.close()


@pytest.fixture
def rig(store: Store, clock: FakeClock) -> Rig:
    return Rig(store, clock)


def daily_at(hour: int, minute: int = 0) -> Rule:
    return Rule(Frequency.DAILY, at=time(hour, minute), start=START.date())


def once_at(moment: datetime) -> Rule:
    return Rule(Frequency.ONCE, at=moment.time().replace(tzinfo=None), start=moment.date())


async def test_a_once_reminder_arrives_at_its_time_exactly_once(rig: Rig) -> None:
    reminder = await use.create_reminder(
        rig.store,
        rig.engine,
        USER,
        None,
        "Созвон с Иваном",
        once_at(START + timedelta(hours=1)),
        MOSCOW,
        rig.clock.now(),
    )
    await rig.engine.start()
    assert rig.texts() == []
    assert rig.scheduler.when(WAKEUP_JOB) == START + timedelta(hours=1)

    await rig.move_to(START + timedelta(minutes=59))
    assert rig.texts() == []
    await rig.move_to(START + timedelta(hours=1))
    assert [t.split(":", 1)[1] for t in rig.texts()] == ["Созвон с Иваном"]
    await rig.tick()
    await rig.move_to(START + timedelta(days=2))
    assert len(rig.texts()) == 1
    assert (await rig.store.reminders.get(USER, reminder.id)).state is ReminderState.FINISHED


async def test_downtime_inside_the_grace_window_delivers_once_and_says_it_is_late(rig: Rig) -> None:
    await use.create_reminder(rig.store, rig.engine, USER, None, "Планёрка", daily_at(9), MOSCOW, rig.clock.now())
    # The bot is down from 08:00 to 12:00: the 09:00 occurrence is 3 h late, inside the 6 h grace window.
    rig.clock.set(datetime(2026, 11, 30, 12, 0, tzinfo=MSK))
    await rig.engine.start()
    await rig.engine.drain()
    assert rig.texts() == [rig.texts()[0]] and rig.texts()[0].endswith("Планёрка late")
    reminder = (await rig.store.reminders.list_for(USER))[0]
    assert reminder.next_due_at == datetime(2026, 12, 1, 9, 0, tzinfo=MSK)


async def test_downtime_beyond_the_grace_window_records_missed_and_goes_on(rig: Rig) -> None:
    await use.create_reminder(rig.store, rig.engine, USER, None, "Планёрка", daily_at(9), MOSCOW, rig.clock.now())
    # Down for three days: Mon, Tue and Wed 09:00 are older than 6 h at Thu 08:00.
    rig.clock.set(datetime(2026, 12, 3, 8, 0, tzinfo=MSK))
    await rig.engine.start()
    await rig.engine.drain()
    assert rig.texts() == []
    counts = await rig.store.reminder_queue.count_by_status()
    assert counts == {"missed": 3}
    reminder = (await rig.store.reminders.list_for(USER))[0]
    assert reminder.next_due_at == datetime(2026, 12, 3, 9, 0, tzinfo=MSK)
    await rig.move_to(datetime(2026, 12, 3, 9, 0, tzinfo=MSK))
    assert len(rig.texts()) == 1 and not rig.texts()[0].endswith("late")


async def test_a_crash_between_claim_and_send_resends_after_the_lease(store: Store, clock: FakeClock) -> None:
    crashed = Rig(store, clock, owner="crashed")
    await use.create_reminder(
        store, crashed.engine, USER, None, "Отчёт", once_at(START), MOSCOW, clock.now() - timedelta(minutes=1)
    )
    # The first engine claims the row and dies before sending: nothing confirms the claim.
    claimed = await store.reminder_queue.materialise_due(clock.now(), timedelta(hours=6))
    leased = await store.reminder_queue.claim(clock.now(), "crashed", timedelta(minutes=2), 10, timedelta(hours=6))
    assert claimed == 1 and len(leased) == 1

    restarted = Rig(store, clock, owner="restarted")
    await restarted.tick()
    assert restarted.texts() == []  # the lease still holds
    clock.advance(timedelta(minutes=2))
    await restarted.tick()
    assert len(restarted.texts()) == 1
    # A late confirmation from the dead engine is refused: it no longer holds the lease.
    assert not await store.reminder_queue.mark_sent(leased[0].id, "crashed", 99, clock.now())


async def test_two_engines_on_one_database_never_send_the_same_occurrence(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "shared.db"
    first, second = await open_store(path), await open_store(path)
    try:
        users = range(1000, 1150)
        for user in users:
            await first.users.upsert_seen(user, f"u{user}", None, clock.now())
            await use.create_reminder(
                first,
                use.NoWakeUp(),
                user,
                None,
                f"r{user}",
                once_at(START + timedelta(minutes=1)),
                MOSCOW,
                clock.now(),
            )
        a, b = Rig(first, clock, "a"), Rig(second, clock, "b")
        clock.advance(timedelta(minutes=1))
        await asyncio.gather(a.tick(), b.tick(), a.tick(), b.tick())
        chats = [o.chat_id for o in a.sender.sent + b.sender.sent]
        assert sorted(chats) == list(users)
    finally:
        await first.close()
        await second.close()


async def test_a_snooze_is_one_more_delivery_and_never_moves_the_series(rig: Rig) -> None:
    await use.create_reminder(
        rig.store, rig.engine, USER, None, "Прослушать звонки", daily_at(9), MOSCOW, rig.clock.now()
    )
    await rig.engine.start()
    await rig.move_to(datetime(2026, 11, 30, 9, 0, tzinfo=MSK))
    first_id = int(rig.texts()[0].split(":")[0])
    snoozed = await use.snooze_delivery(rig.store, rig.engine, USER, first_id, Snooze.HOUR, rig.clock.now())
    assert snoozed.occurrence_at == datetime(2026, 11, 30, 10, 0, tzinfo=MSK)
    reminder = (await rig.store.reminders.list_for(USER))[0]
    assert reminder.next_due_at == datetime(2026, 12, 1, 9, 0, tzinfo=MSK)

    await rig.move_to(datetime(2026, 11, 30, 10, 0, tzinfo=MSK))
    assert len(rig.texts()) == 2
    await rig.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=MSK))
    assert len(rig.texts()) == 3
    assert (await rig.store.reminders.list_for(USER))[0].next_due_at == datetime(2026, 12, 2, 9, 0, tzinfo=MSK)


async def test_done_and_skipped_are_recorded_once(rig: Rig) -> None:
    await use.create_reminder(
        rig.store, rig.engine, USER, None, "Разбор", once_at(START), MOSCOW, rig.clock.now() - timedelta(seconds=1)
    )
    await rig.tick()
    delivery_id = int(rig.texts()[0].split(":")[0])
    first = await use.answer_delivery(rig.store, USER, delivery_id, Outcome.DONE, rig.clock.now())
    again = await use.answer_delivery(rig.store, USER, delivery_id, Outcome.SKIPPED, rig.clock.now())
    assert first.first_answer and first.delivery.outcome is Outcome.DONE
    assert not again.first_answer and again.delivery.outcome is Outcome.DONE


async def test_telegram_asking_to_wait_keeps_the_message_due(rig: Rig) -> None:
    rig.sender.script = [RetryLater(after_s=150, error="429"), RetryLater(after_s=3, error="429")]
    await use.create_reminder(
        rig.store, rig.engine, USER, None, "Отчёт", once_at(START), MOSCOW, rig.clock.now() - timedelta(seconds=1)
    )
    await rig.tick()
    assert rig.texts() == []
    planned = rig.scheduler.when(WAKEUP_JOB)
    assert planned is not None and planned <= START + timedelta(seconds=150)
    await rig.move_to(START + timedelta(seconds=150))
    assert rig.texts() == []
    await rig.move_to(START + timedelta(seconds=153))
    assert len(rig.texts()) == 1


async def test_an_unreachable_recipient_gets_nothing_more(rig: Rig) -> None:
    rig.sender.script = [Unreachable(error="Forbidden: bot was blocked by the user")]
    await use.create_reminder(rig.store, rig.engine, USER, None, "Планёрка", daily_at(9), MOSCOW, rig.clock.now())
    await rig.engine.start()
    await rig.move_to(datetime(2026, 11, 30, 9, 0, tzinfo=MSK))
    await rig.store.users.mark_blocked(USER, rig.clock.now())  # what the delivery middleware records on a 403
    await rig.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=MSK))
    assert rig.texts() == []
    assert await rig.store.reminder_queue.count_by_status() == {"failed": 2}


async def test_a_paused_reminder_is_silent_and_resumes_from_the_next_occurrence(rig: Rig) -> None:
    reminder = await use.create_reminder(
        rig.store, rig.engine, USER, None, "Планёрка", daily_at(9), MOSCOW, rig.clock.now()
    )
    await rig.store.reminders.pause(USER, reminder.id)
    await rig.engine.start()
    await rig.move_to(datetime(2026, 12, 2, 12, 0, tzinfo=MSK))
    assert rig.texts() == []
    resumed = await use.resume_reminder(rig.store, rig.engine, USER, reminder.id, rig.clock.now())
    assert resumed.next_due_at == datetime(2026, 12, 3, 9, 0, tzinfo=MSK)
    await rig.move_to(datetime(2026, 12, 3, 9, 0, tzinfo=MSK))
    assert len(rig.texts()) == 1


async def test_a_task_due_date_reminds_at_the_start_of_the_working_day_and_done_closes_it(rig: Rig) -> None:
    team = await rig.store.teams.create(USER, "Продажи", MOSCOW, rig.clock.now())
    task = await rig.store.tasks.add(USER, team.id, "Ввести личные планы", None, None, rig.clock.now())
    _, reminder = await use.set_task_due(
        rig.store, rig.engine, USER, task.id, date(2026, 12, 2), MOSCOW, rig.clock.now()
    )
    assert reminder is not None and reminder.next_due_at == datetime(2026, 12, 2, 9, 0, tzinfo=MSK)
    await rig.engine.start()
    await rig.move_to(datetime(2026, 12, 2, 9, 0, tzinfo=MSK))
    delivery_id = int(rig.texts()[0].split(":")[0])
    answered = await use.answer_delivery(rig.store, USER, delivery_id, Outcome.DONE, rig.clock.now())
    assert answered.task_closed is not None and answered.task_closed.done_at == rig.clock.now()


async def test_a_task_due_today_after_the_working_day_started_has_no_reminder(rig: Rig) -> None:
    team = await rig.store.teams.create(USER, "Продажи", MOSCOW, rig.clock.now())
    task = await rig.store.tasks.add(USER, team.id, "Позвонить", None, None, rig.clock.now())
    rig.clock.set(datetime(2026, 11, 30, 11, 0, tzinfo=MSK))
    updated, reminder = await use.set_task_due(
        rig.store, rig.engine, USER, task.id, date(2026, 11, 30), MOSCOW, rig.clock.now()
    )
    assert reminder is None and updated.due_date == date(2026, 11, 30)


async def test_a_send_that_may_have_arrived_is_recorded_and_never_repeated(rig: Rig) -> None:
    rig.sender.script = [MaybeSent(error="timeout after sending")]
    await use.create_reminder(
        rig.store, rig.engine, USER, None, "Отчёт", once_at(START), MOSCOW, rig.clock.now() - timedelta(seconds=1)
    )
    await rig.tick()
    rig.clock.advance(timedelta(minutes=10))  # well past any lease
    await rig.tick()
    assert rig.texts() == []  # the fake sender counts only confirmed sends; nothing was tried again
    assert await rig.store.reminder_queue.count_by_status() == {"sent": 1}
