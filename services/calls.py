"""Call listening use cases: set up the weekly target and reminder, this week's lineup and count, save a review.
Plain values in (`now` passed in), domain dataclasses out; no aiogram. Sending the feedback to a manager is the
handler's part (it owns the Bot); `record_feedback` stores what became of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from domain.calls import (
    CallManager,
    CallPlan,
    CallReview,
    CriterionScore,
    Feedback,
    IsoWeek,
    NoListeningPlan,
    WeekTally,
    check_target,
    choose_lineup,
    week_of,
)
from domain.errors import NotFound
from domain.reminders import Reminder
from domain.schedules import Frequency, Rule
from services.reminders import WakeUp, create_ritual_reminder, reschedule_reminder
from storage import Store

KIND = "calls"  # the reminder kind: its delivered message opens /calls (SubjectCb)
DEFAULT_WEEKDAY = 0  # Monday
RECENT_SHOWN = 5


@dataclass(frozen=True, slots=True)
class WeekView:
    plan: CallPlan
    tally: WeekTally  # this week's reviewed calls against the target
    lineup: tuple[CallManager, ...]  # whose calls are up this week
    roster: tuple[CallManager, ...]  # everyone listed by the head (those who left the team too: `active`)
    recent: tuple[CallReview, ...]  # the team's latest reviews
    reminder: Reminder | None  # None: deleted in /reminders (or set by another head)

    @property
    def week(self) -> IsoWeek:
        return self.tally.week


def weekly_rule(weekday: int, at: time, today: datetime, timezone: str) -> Rule:
    start = today.astimezone(ZoneInfo(timezone)).date()
    return Rule(Frequency.WEEKLY, at=at, start=start, weekdays=(weekday,))


async def set_target(
    store: Store,
    wake: WakeUp,
    actor_id: int,
    team_id: int,
    target: int,
    timezone: str,
    reminder_title: str,
    now: datetime,
) -> tuple[CallPlan, bool]:
    """Creates the plan with its weekly reminder (Monday at the start of the head's working day), or changes the
    target of the existing one. Returns the plan and whether it was created now."""
    check_target(target)
    async with store.db.transaction():
        created = await store.calls.plan_for(actor_id, team_id) is None
        plan = await store.calls.save_plan(actor_id, team_id, target, timezone, now)
        if created:
            at = await store.users.workday_start(actor_id)
            reminder = await create_ritual_reminder(
                store,
                wake,
                actor_id,
                team_id,
                kind=KIND,
                subject_id=plan.id,
                title=reminder_title,
                rule=weekly_rule(DEFAULT_WEEKDAY, at, now, timezone),
                timezone=timezone,
                now=now,
            )
            plan = await store.calls.set_reminder(actor_id, plan.id, reminder.id)
    return plan, created


async def set_schedule(
    store: Store,
    wake: WakeUp,
    actor_id: int,
    plan_id: int,
    weekday: int,
    at: time,
    timezone: str,
    reminder_title: str,
    now: datetime,
) -> Reminder:
    """The weekly reminder's day and time; a reminder deleted in /reminders is made again."""
    plan = await store.calls.get_plan(actor_id, plan_id)
    rule = weekly_rule(weekday, at, now, timezone)
    existing = await _reminder(store, actor_id, plan)
    if existing is not None:
        return await reschedule_reminder(store, wake, actor_id, existing.id, rule, now)
    async with store.db.transaction():
        reminder = await create_ritual_reminder(
            store, wake, actor_id, plan.team_id, KIND, plan.id, reminder_title, rule, timezone, now
        )
        await store.calls.set_reminder(actor_id, plan.id, reminder.id)
    return reminder


async def _reminder(store: Store, actor_id: int, plan: CallPlan) -> Reminder | None:
    if plan.reminder_id is None:
        return None
    try:
        return await store.reminders.get(actor_id, plan.reminder_id)
    except NotFound:  # another head of the team set it up: it is theirs
        return None


async def this_week(store: Store, actor_id: int, team_id: int, timezone: str, now: datetime) -> WeekView | None:
    """This week (in the head's zone): the lineup, announced once and kept for the week (a manager removed
    meanwhile leaves it and the next in turn takes the place), the count against the target, recent reviews.
    None when call listening is not set up."""
    plan = await store.calls.plan_for(actor_id, team_id)
    if plan is None:
        return None
    week = week_of(now, timezone)
    roster = tuple(await store.calls.roster(actor_id, plan.id))
    kept = await store.calls.lineup(actor_id, plan.id, week)
    last = await store.calls.last_reviewed(actor_id, plan.id, week)
    chosen = choose_lineup([m.id for m in roster if m.active], week, plan.weekly_target, last, kept)
    if chosen != kept:
        await store.calls.set_lineup(actor_id, plan.id, week, chosen)
    by_id = {m.id: m for m in roster}
    listened = await store.calls.count_week(actor_id, plan.id, week)
    return WeekView(
        plan=plan,
        tally=WeekTally(week, listened, plan.weekly_target),
        lineup=tuple(by_id[m] for m in chosen),
        roster=roster,
        recent=tuple(await store.calls.recent(actor_id, plan.id, RECENT_SHOWN)),
        reminder=await _reminder(store, actor_id, plan),
    )


async def require_plan(store: Store, actor_id: int, team_id: int) -> CallPlan:
    plan = await store.calls.plan_for(actor_id, team_id)
    if plan is None:
        raise NoListeningPlan()
    return plan


async def save_review(
    store: Store,
    actor_id: int,
    manager_id: int,
    criteria: Sequence[str],
    scores: Sequence[CriterionScore],
    praise: str,
    fix: str,
    timezone: str,
    now: datetime,
) -> CallReview:
    """Saved against the manager and this week (the head's zone); the feedback stays private until sent."""
    return await store.calls.add_review(
        actor_id, manager_id, week_of(now, timezone), criteria, scores, praise, fix, timezone, now
    )


async def record_feedback(store: Store, actor_id: int, review_id: int, feedback: Feedback) -> CallReview:
    return await store.calls.set_feedback(actor_id, review_id, feedback)
