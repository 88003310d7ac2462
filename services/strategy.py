"""Strategy use cases: the session, milestones and their reminders. Plain values in, domain dataclasses out; no
aiogram. A milestone's reminders (a week and a day before its due date, to its owner) are `reminders` rows of
kind "strategy" pointing at the milestone; they are re-planned when the due date or the owner changes, and end
when the milestone is done or dropped. A pause the owner set in /reminders survives a re-plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from content import Content
from domain.models import Role
from domain.reminders import Reminder, ReminderState
from domain.strategy import (
    OPEN_STATUSES,
    Horizon,
    Milestone,
    MilestoneStatus,
    StrategySession,
    clean_answer,
    reminder_plans,
    review_rule,
    suggested_due,
    validate_due,
    validate_title,
)
from services.reminders import WakeUp, create_ritual_reminder
from storage import Store
from storage.strategy import KIND

DEFAULT_ZONE = "Europe/Moscow"


@dataclass(frozen=True, slots=True)
class MilestoneCard:
    """What a milestone's screen shows."""

    milestone: Milestone
    reminders: tuple[Reminder, ...]  # active or paused
    can_manage: bool  # a head: may change the date and the owner
    today: date  # in the team's zone

    @property
    def paused(self) -> bool:
        return any(r.state is ReminderState.PAUSED for r in self.reminders)


async def team_today(store: Store, actor_id: int, team_id: int, now: datetime) -> date:
    """Due dates are dates in the team's zone."""
    team = await store.teams.get_for(actor_id, team_id)
    return now.astimezone(ZoneInfo(team.timezone or DEFAULT_ZONE)).date()


# --- the session ----------------------------------------------------------------------------------------------


async def start_session(store: Store, actor_id: int, team_id: int, now: datetime) -> StrategySession:
    return await store.strategy.start_session(actor_id, team_id, await team_today(store, actor_id, team_id, now), now)


async def answer_question(
    store: Store,
    wake: WakeUp,
    content: Content,
    actor_id: int,
    session_id: int,
    text: str | None,
    now: datetime,
) -> StrategySession:
    """The session's next question gets `text` (None: skipped). When this was the last one, the team gets its
    quarterly strategy review reminder (once: an existing one, even paused, is kept as it is)."""
    session = await store.strategy.session(actor_id, session_id)
    question = session.next_question
    if question is None:
        return session
    session = await store.strategy.answer(
        actor_id, session.id, question, None if text is None else clean_answer(text), now
    )
    if session.finished_at is not None:
        await ensure_review(store, wake, content, actor_id, session.team_id, now)
    return session


async def ensure_review(
    store: Store, wake: WakeUp, content: Content, actor_id: int, team_id: int, now: datetime
) -> Reminder:
    existing = await store.strategy.review_reminder(actor_id, team_id)
    if existing is not None:
        return existing
    team = await store.teams.get_for(actor_id, team_id)
    zone = team.timezone or DEFAULT_ZONE
    rule = review_rule(now.astimezone(ZoneInfo(zone)).date(), await store.users.workday_start(actor_id))
    reminder = await store.reminders.create_for_role(
        actor_id, team_id, Role.HEAD, KIND, content.t("strategy.review_title"), rule, zone, now
    )
    if reminder.next_due_at is not None:
        wake.wake_at(reminder.next_due_at)
    return reminder


# --- milestones -----------------------------------------------------------------------------------------------


async def add_milestone(
    store: Store,
    wake: WakeUp,
    content: Content,
    actor_id: int,
    team_id: int,
    horizon: Horizon,
    title: str,
    now: datetime,
    session_id: int | None = None,
    due: date | None = None,
    owner_id: int | None = None,
) -> Milestone:
    """A milestone due on `due` (default: the horizon's suggested date from today) owned by `owner_id` (default:
    the head who adds it), with its reminders."""
    today = await team_today(store, actor_id, team_id, now)
    due = validate_due(due if due is not None else suggested_due(horizon, today), today)
    milestone = await store.strategy.create_milestone(
        actor_id, team_id, session_id, horizon, validate_title(title), due, owner_id or actor_id, now
    )
    await _plan_reminders(store, wake, content, actor_id, milestone, now)
    return milestone


async def change_due(
    store: Store, wake: WakeUp, content: Content, actor_id: int, milestone_id: int, due: date, now: datetime
) -> Milestone:
    """A new due date (not in the past): the reminders move with it."""
    milestone = await store.strategy.milestone(actor_id, milestone_id)
    validate_due(due, await team_today(store, actor_id, milestone.team_id, now))
    milestone = await store.strategy.set_due(actor_id, milestone_id, due)
    await _plan_reminders(store, wake, content, actor_id, milestone, now)
    return milestone


async def change_owner(
    store: Store, wake: WakeUp, content: Content, actor_id: int, milestone_id: int, owner_id: int, now: datetime
) -> Milestone:
    milestone = await store.strategy.set_owner(actor_id, milestone_id, owner_id)
    await _plan_reminders(store, wake, content, actor_id, milestone, now)
    return milestone


async def change_status(
    store: Store,
    wake: WakeUp,
    content: Content,
    actor_id: int,
    milestone_id: int,
    status: MilestoneStatus,
    now: datetime,
) -> Milestone:
    """Done or dropped: its reminders end. Reopened (back on track): its reminders are planned again."""
    milestone, previous = await store.strategy.set_status(actor_id, milestone_id, status, now)
    if status not in OPEN_STATUSES:
        await store.strategy.finish_reminders(actor_id, milestone_id)
    elif previous not in OPEN_STATUSES:
        await _plan_reminders(store, wake, content, actor_id, milestone, now)
    return milestone


async def open_milestone(store: Store, actor_id: int, milestone_id: int, now: datetime) -> MilestoneCard:
    milestone = await store.strategy.milestone(actor_id, milestone_id)
    return MilestoneCard(
        milestone=milestone,
        reminders=tuple(await store.strategy.reminders_of(actor_id, milestone_id)),
        can_manage=await store.strategy.can_manage(actor_id, milestone),
        today=await team_today(store, actor_id, milestone.team_id, now),
    )


async def _plan_reminders(
    store: Store, wake: WakeUp, content: Content, actor_id: int, milestone: Milestone, now: datetime
) -> list[Reminder]:
    """Replaces the milestone's reminders: a week and a day before its due date at the owner's workday start in
    the owner's zone (those already past are skipped). Paused before, paused after."""
    previous = await store.strategy.reminders_of(actor_id, milestone.id)
    was_paused = any(r.state is ReminderState.PAUSED for r in previous)
    await store.strategy.finish_reminders(actor_id, milestone.id)
    if not milestone.is_open:
        return []
    owner = await store.users.get(milestone.owner_id)
    team = await store.teams.get_for(actor_id, milestone.team_id)
    zone = (owner.timezone if owner is not None else None) or team.timezone or DEFAULT_ZONE
    start = await store.users.workday_start(milestone.owner_id)
    made = []
    for plan in reminder_plans(milestone.due_date, start, zone, now):
        date_words = day_words(content, milestone.due_date)
        if plan.days_before == 1:
            title = content.t("strategy.reminder_title_tomorrow", title=milestone.title, date=date_words)
        else:
            left = content.plural("strategy.days_left", plan.days_before)
            title = content.t("strategy.reminder_title", title=milestone.title, date=date_words, left=left)
        reminder = await create_ritual_reminder(
            store, wake, milestone.owner_id, milestone.team_id, KIND, milestone.id, title, plan.rule, zone, now
        )
        if was_paused:
            reminder = await store.reminders.pause(milestone.owner_id, reminder.id)
        made.append(reminder)
    return made


def day_words(content: Content, day: date) -> str:
    """«31 марта 2027»."""
    return content.t("strategy.date", day=day.day, month=content.t(f"schedules.months.m{day.month:02d}"), year=day.year)
