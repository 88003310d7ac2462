"""PDCA use cases: plain values in, domain dataclasses out, `now` passed in, no aiogram.

Cadence of the review reminder (why weekly, from the review date): the reminder comes first on the review date at
the start of the head's working day, then every week on that weekday until the Check is recorded, when it stops.
A head who missed the day (on the road, a busy Monday) is asked again a week later instead of the cycle going
silent; a head who checks on time hears nothing more. Intermediate weekly pings during Do would repeat what the
action tasks' own reminders already say.

«Сделать стандартом» keeps the practice: a monthly reminder (on the day of the Check, at the start of the working
day) to look at the metric again, so that what worked does not quietly slide back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.models import Task
from domain.pdca import (
    Cycle,
    Decision,
    FactSource,
    Metric,
    Origin,
    Plan,
    Unit,
    Verdict,
    action_due_date,
    metric_value,
    same_money,
    snapshot_currency,
    validate_plan,
)
from domain.reminders import Reminder
from domain.schedules import Frequency, Rule
from services.reminders import WakeUp, create_ritual_reminder, set_task_due
from storage import Store
from storage.pdca import PDCA_KIND


@dataclass(frozen=True, slots=True)
class Reading:
    """A metric's value in an analysed export."""

    value: float
    snapshot_id: int
    uploaded_at: datetime
    currency: str | None  # the code the export named ("USD"); None when it named none


@dataclass(frozen=True, slots=True)
class Started:
    cycle: Cycle
    tasks: tuple[Task, ...]
    due: date  # the actions' due date
    review: Reminder


@dataclass(frozen=True, slots=True)
class Checked:
    cycle: Cycle
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class Acted:
    cycle: Cycle
    standard: Reminder | None  # «Сделать стандартом»: the recurring check


def local_today(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


async def latest_reading(store: Store, actor_id: int, team_id: int, metric: Metric) -> Reading | None:
    """Today's value of a computed metric: from the latest export that has it."""
    if not metric.computed:
        return None
    for snapshot in await store.snapshots.latest(actor_id, team_id, limit=5):
        value = metric_value(snapshot.metrics_json, metric)
        if value is not None:
            return Reading(value, snapshot.id, snapshot.created_at, snapshot_currency(snapshot.metrics_json))
    return None


async def fact_offer(store: Store, actor_id: int, cycle: Cycle) -> Reading | None:
    """The fact from an export uploaded after the plan was saved (the latest such), when the metric is computed;
    none from an export in another currency than the plan's (its money cannot be compared: the head types it)."""
    reading = await latest_reading(store, actor_id, cycle.team_id, cycle.metric)
    if reading is None or reading.uploaded_at <= cycle.created_at:
        return None
    if cycle.metric.unit is Unit.MONEY and not same_money(cycle.currency, reading.currency):
        return None
    return reading


async def start_cycle(
    store: Store,
    wake: WakeUp,
    *,
    actor_id: int,
    team_id: int,
    plan: Plan,
    origin: Origin,
    origin_ref: str | None,
    parent_id: int | None,
    timezone: str,
    review_title: str,
    now: datetime,
) -> Started:
    """Plan → Do in one transaction: the cycle, a task with a due date and its reminder per action, and the review
    reminder (kind pdca, opening the cycle)."""
    today = local_today(now, timezone)
    validate_plan(plan, today)
    due = action_due_date(today, plan.review_date)
    start_of_day = await store.users.workday_start(actor_id)
    rule = Rule(Frequency.WEEKLY, at=start_of_day, start=plan.review_date, weekdays=(plan.review_date.weekday(),))
    tasks: list[Task] = []
    async with store.db.transaction():
        cycle = await store.pdca.create(actor_id, team_id, plan, origin, origin_ref, parent_id, now)
        for position, text in enumerate(plan.actions):
            task = await store.tasks.add(actor_id, team_id, text, None, None, now)
            task, _ = await set_task_due(store, wake, actor_id, task.id, due, timezone, now)
            await store.pdca.link_task(actor_id, cycle.id, position, task.id)
            tasks.append(task)
        review = await create_ritual_reminder(
            store, wake, actor_id, team_id, PDCA_KIND, cycle.id, review_title, rule, timezone, now
        )
    return Started(cycle=cycle, tasks=tuple(tasks), due=due, review=review)


async def record_fact(
    store: Store,
    actor_id: int,
    cycle_id: int,
    value: float,
    source: FactSource,
    snapshot_id: int | None,
    now: datetime,
    currency: str | None = None,
) -> Checked:
    """Check: the fact is recorded once; the review reminder stops. `currency`: the fact's export's."""
    cycle = await store.pdca.record_check(actor_id, cycle_id, value, source, snapshot_id, now, currency)
    verdict = cycle.verdict
    assert verdict is not None  # record_check sets the fact
    return Checked(cycle, verdict)


async def take_fact_from_export(store: Store, actor_id: int, cycle_id: int, now: datetime) -> Checked | None:
    """Check with the value of the export uploaded after the plan; None when there is none (any more)."""
    offer = await fact_offer(store, actor_id, await store.pdca.get(actor_id, cycle_id))
    if offer is None:
        return None
    return await record_fact(
        store, actor_id, cycle_id, offer.value, FactSource.EXPORT, offer.snapshot_id, now, offer.currency
    )


async def act(
    store: Store,
    wake: WakeUp,
    *,
    actor_id: int,
    cycle_id: int,
    decision: Decision,
    timezone: str,
    standard_title: str,
    now: datetime,
) -> Acted:
    """Act: the cycle closes with the decision. «Стандарт» adds a monthly reminder to re-check the metric."""
    async with store.db.transaction():
        cycle = await store.pdca.decide(actor_id, cycle_id, decision, now)
        standard = None
        if decision is Decision.STANDARD:
            today = local_today(now, timezone)
            start = today + timedelta(days=1)
            rule = Rule(
                Frequency.MONTHLY, at=await store.users.workday_start(actor_id), start=start, month_day=today.day
            )
            standard = await create_ritual_reminder(
                store, wake, actor_id, cycle.team_id, PDCA_KIND, cycle.id, standard_title, rule, timezone, now
            )
    return Acted(cycle, standard)
