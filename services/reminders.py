"""Reminder use cases: called by handlers (a person's taps) and by nothing aiogram-specific. Plain values in,
domain dataclasses out; each storage call is one transaction. `wake` tells the engine that something new may
fall due (a new reminder, a snooze), so it plans its next tick."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from domain.models import Role, Task
from domain.reminders import (
    Delivery,
    Outcome,
    Reminder,
    ReminderInPast,
    ReminderKind,
    Snooze,
    snooze_until,
    validate_title,
)
from domain.schedules import Frequency, Rule
from storage import Store


class WakeUp(Protocol):
    def wake_at(self, moment: datetime) -> None: ...


class NoWakeUp:
    """For contexts without an engine (tests of use cases, the CLI): the engine's safety tick finds it anyway."""

    def wake_at(self, moment: datetime) -> None:
        return None


def _wake(wake: WakeUp, reminder: Reminder) -> Reminder:
    if reminder.next_due_at is not None:
        wake.wake_at(reminder.next_due_at)
    return reminder


async def create_reminder(
    store: Store, wake: WakeUp, actor_id: int, team_id: int | None, title: str, rule: Rule, timezone: str, now: datetime
) -> Reminder:
    reminder = await store.reminders.create_personal(
        actor_id, team_id, ReminderKind.CUSTOM, validate_title(title), rule, timezone, now
    )
    return _wake(wake, reminder)


async def create_ritual_reminder(
    store: Store,
    wake: WakeUp,
    actor_id: int,
    team_id: int | None,
    kind: str,
    subject_id: int,
    title: str,
    rule: Rule,
    timezone: str,
    now: datetime,
    audience: Role | None = None,
) -> Reminder:
    """A ritual's reminder (kind: pdca, calls, training, strategy; `subject_id`: the ritual's row). To the actor
    themself, or with `audience` to everyone with that role in the team (only a head may). It shows in
    /reminders, its delivered message opens the ritual, and each answer (done / skipped) is recorded."""
    title = validate_title(title)
    if audience is None:
        reminder = await store.reminders.create_personal(
            actor_id, team_id, kind, title, rule, timezone, now, subject_id=subject_id
        )
    else:
        if team_id is None:
            raise ValueError("a role audience needs a team")
        reminder = await store.reminders.create_for_role(
            actor_id, team_id, audience, kind, title, rule, timezone, now, subject_id=subject_id
        )
    return _wake(wake, reminder)


async def resume_reminder(store: Store, wake: WakeUp, actor_id: int, reminder_id: int, now: datetime) -> Reminder:
    return _wake(wake, await store.reminders.resume(actor_id, reminder_id, now))


async def reschedule_reminder(
    store: Store, wake: WakeUp, actor_id: int, reminder_id: int, rule: Rule, now: datetime
) -> Reminder:
    return _wake(wake, await store.reminders.reschedule(actor_id, reminder_id, rule, now))


@dataclass(frozen=True, slots=True)
class Answered:
    delivery: Delivery
    first_answer: bool
    task_closed: Task | None


async def answer_delivery(store: Store, actor_id: int, delivery_id: int, outcome: Outcome, now: datetime) -> Answered:
    """Done or skipped, recorded once (rituals and the owners' digest count them). Done on a task's reminder
    closes the task."""
    answered = await store.deliveries.answer(actor_id, delivery_id, outcome, now)
    task = None
    if answered.first_answer and outcome is Outcome.DONE and answered.task_id is not None:
        task = await complete_task(store, actor_id, answered.task_id, now)
    return Answered(answered.delivery, answered.first_answer, task)


async def snooze_delivery(
    store: Store, wake: WakeUp, actor_id: int, delivery_id: int, choice: Snooze, now: datetime
) -> Delivery:
    original = await store.deliveries.get(actor_id, delivery_id)
    until = snooze_until(choice, now, original.occurrence_at)
    snoozed = await store.deliveries.snooze(actor_id, delivery_id, until, now)
    wake.wake_at(until)
    return snoozed


async def set_task_due(
    store: Store, wake: WakeUp, actor_id: int, task_id: int, due: date, timezone: str, now: datetime
) -> tuple[Task, Reminder | None]:
    """A due date for a task and a reminder that day at the start of the person's working day (none when that
    moment has already passed today: the task still shows as due in /tasks)."""
    start_of_day = await store.users.workday_start(actor_id)
    rule = Rule(Frequency.ONCE, at=start_of_day, start=due)
    async with store.db.transaction():
        task = await store.tasks.set_due_date(actor_id, task_id, due)
        try:
            reminder: Reminder | None = await store.reminders.set_task_due(
                actor_id, task.id, task.title, rule, timezone, task.team_id, now
            )
        except ReminderInPast:
            await store.reminders.finish_for_task(actor_id, task.id)
            reminder = None
    if reminder is not None:
        _wake(wake, reminder)
    return task, reminder


async def complete_task(store: Store, actor_id: int, task_id: int, now: datetime) -> Task:
    """The task is done and its reminder stops, in one transaction."""
    async with store.db.transaction():
        task = await store.tasks.mark_done(actor_id, task_id, now)
        await store.reminders.finish_for_task(actor_id, task_id)
    return task
