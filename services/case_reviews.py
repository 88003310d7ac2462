"""Team case review use cases: the schedule and its three reminders, the case form, the agenda, decisions and action
items, and what a due reminder of these kinds should say (or that it should say nothing). Plain values in (`now`
passed in), domain dataclasses out; no aiogram.

Who gets the firm reminder, and why it is decided when it is sent: the escalation is one member-audience reminder
(kind "case_escalation") and the engine's render asks `due_delivery` whether this member still owes a case. A member
who sent one (a minute ago included), or who left the team, gets nothing: the engine records that delivery as «nothing
to send». Per-person reminders created and cancelled on every submission, join and removal would need the same
check anyway (a member joining after the nudge) and could drift from the membership; one decision at send time
from the data of that moment cannot."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from domain.case_reviews import (
    ACTION_KIND,
    AGENDA_KIND,
    ESCALATION_KIND,
    NUDGE_KIND,
    SERIES_KINDS,
    ActionItem,
    Agenda,
    Case,
    CaseSeries,
    Decision,
    Draft,
    NoCaseReview,
    SeriesState,
    build_agenda,
    current_review,
    last_held,
    local_day,
    needs_escalation,
    series_rules,
)
from domain.errors import NotFound
from domain.models import Role
from domain.reminders import Reminder, ReminderInPast, ReminderState
from domain.schedules import Frequency, Rule
from services.reminders import WakeUp, create_ritual_reminder, reschedule_reminder, resume_reminder
from storage import Store

DEFAULT_ZONE = "Europe/Moscow"


async def require_series(store: Store, actor_id: int, team_id: int) -> CaseSeries:
    series = await store.cases.series_for(actor_id, team_id)
    if series is None:
        raise NoCaseReview()
    return series


def review_at(series: CaseSeries, now: datetime) -> datetime:
    """The review cases are collected for now (UTC)."""
    return current_review(series.rule, series.timezone, now)


def review_day(series: CaseSeries, now: datetime) -> date:
    return local_day(review_at(series, now), series.timezone)


def held_day(series: CaseSeries, now: datetime) -> date:
    """The review decisions are recorded against: the latest that began (before the first: the first)."""
    return local_day(last_held(series.rule, series.timezone, now), series.timezone)


# --- the schedule ---------------------------------------------------------------------------------------------------


async def schedule(
    store: Store,
    wake: WakeUp,
    actor_id: int,
    team_id: int,
    weekday: int,
    at: time,
    interval: int,
    timezone: str,
    titles: Mapping[str, str],
    now: datetime,
) -> CaseSeries:
    """Creates the team's review or moves it; its nudge (members), escalation (members) and agenda (the head)
    reminders follow. A reminder deleted in /reminders is made again; a paused series is active again."""
    rules = series_rules(weekday, at, interval, timezone, now)
    async with store.db.transaction():
        series = await store.cases.save_series(
            actor_id, team_id, weekday, at, interval, timezone, rules.review.start, now
        )
        wanted: dict[str, tuple[Rule, Role | None, int | None]] = {
            NUDGE_KIND: (rules.nudge, Role.MEMBER, series.nudge_reminder_id),
            ESCALATION_KIND: (rules.escalation, Role.MEMBER, series.escalation_reminder_id),
            AGENDA_KIND: (rules.agenda, None, series.agenda_reminder_id),
        }
        ids: dict[str, int] = {}
        for kind, (rule, audience, existing_id) in wanted.items():
            existing = await _reminder(store, actor_id, existing_id)
            if existing is not None and existing.state is not ReminderState.FINISHED:
                ids[kind] = (await reschedule_reminder(store, wake, actor_id, existing.id, rule, now)).id
            else:
                made = await create_ritual_reminder(
                    store, wake, actor_id, team_id, kind, series.id, titles[kind], rule, timezone, now, audience
                )
                ids[kind] = made.id
        return await store.cases.set_reminders(
            actor_id, series.id, ids[NUDGE_KIND], ids[ESCALATION_KIND], ids[AGENDA_KIND]
        )


async def _reminder(store: Store, actor_id: int, reminder_id: int | None) -> Reminder | None:
    if reminder_id is None:
        return None
    try:
        return await store.reminders.get(actor_id, reminder_id)
    except NotFound:  # deleted, or set up by another head of the team
        return None


async def set_paused(
    store: Store, wake: WakeUp, actor_id: int, series_id: int, paused: bool, now: datetime
) -> CaseSeries:
    """A paused series sends no nudge, escalation or agenda; resumed, it goes on from the next review (what fell due
    meanwhile is not sent). Action items keep their own reminders."""
    async with store.db.transaction():
        series = await store.cases.set_state(actor_id, series_id, SeriesState.PAUSED if paused else SeriesState.ACTIVE)
        for reminder_id in series.reminder_ids:
            if await _reminder(store, actor_id, reminder_id) is None:
                continue
            if paused:
                await store.reminders.pause(actor_id, reminder_id)
            else:
                await resume_reminder(store, wake, actor_id, reminder_id, now)
    return series


async def set_template(store: Store, actor_id: int, series_id: int, questions: tuple[str, ...]) -> CaseSeries:
    return await store.cases.set_questions(actor_id, series_id, questions)


# --- the case form --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberView:
    series: CaseSeries
    review_at: datetime
    case: Case | None  # the member's case for that review
    draft: Draft | None
    actions: tuple[ActionItem, ...]  # the member's open items


async def member_view(store: Store, actor_id: int, team_id: int, now: datetime) -> MemberView:
    series = await require_series(store, actor_id, team_id)
    when = review_at(series, now)
    return MemberView(
        series=series,
        review_at=when,
        case=await store.cases.own_case(actor_id, series.id, local_day(when, series.timezone)),
        draft=await store.cases.draft(actor_id, series.id),
        actions=tuple(await store.cases.actions(actor_id, series.id)),
    )


async def start_case(
    store: Store, actor_id: int, series_id: int, default_questions: tuple[str, ...], now: datetime
) -> Draft:
    """Resumes the member's unfinished form, or starts one with the series' template (or the default one)."""
    draft = await store.cases.draft(actor_id, series_id)
    if draft is not None and not draft.complete:
        return draft
    series = await store.cases.get_series(actor_id, series_id)
    return await store.cases.start_draft(actor_id, series_id, series.questions or default_questions, now)


async def restart_case(
    store: Store, actor_id: int, series_id: int, default_questions: tuple[str, ...], now: datetime
) -> Draft:
    series = await store.cases.get_series(actor_id, series_id)
    return await store.cases.start_draft(actor_id, series_id, series.questions or default_questions, now)


async def submit_case(store: Store, actor_id: int, series_id: int, now: datetime) -> tuple[Case, bool]:
    """For the review cases are collected for now; a case sent again for it replaces the first."""
    series = await store.cases.get_series(actor_id, series_id)
    return await store.cases.submit(actor_id, series_id, review_day(series, now), now)


# --- the head: the agenda, decisions and action items -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeadView:
    series: CaseSeries
    agenda: Agenda
    open_actions: tuple[ActionItem, ...]


async def agenda_for(store: Store, actor_id: int, series: CaseSeries, now: datetime) -> Agenda:
    when = review_at(series, now)
    cases = await store.cases.cases(actor_id, series.id, local_day(when, series.timezone))
    members = await store.cases.members(actor_id, series.team_id)
    return build_agenda(when, members, cases)


async def head_view(store: Store, actor_id: int, team_id: int, now: datetime) -> HeadView | None:
    series = await store.cases.series_for(actor_id, team_id)
    if series is None:
        return None
    return HeadView(
        series=series,
        agenda=await agenda_for(store, actor_id, series, now),
        open_actions=tuple(await store.cases.actions(actor_id, series.id)),
    )


@dataclass(frozen=True, slots=True)
class Outcomes:
    series: CaseSeries
    review_on: date
    decisions: tuple[Decision, ...]
    actions: tuple[ActionItem, ...]  # of that review, open and done


async def outcomes(store: Store, actor_id: int, series_id: int, now: datetime) -> Outcomes:
    series = await store.cases.get_series(actor_id, series_id)
    day = held_day(series, now)
    items = await store.cases.actions(actor_id, series.id, only_open=False)
    return Outcomes(
        series=series,
        review_on=day,
        decisions=tuple(await store.cases.decisions(actor_id, series.id, day)),
        actions=tuple(a for a in items if a.review_on == day),
    )


async def add_decision(store: Store, actor_id: int, series_id: int, text: str, now: datetime) -> Decision:
    series = await store.cases.get_series(actor_id, series_id)
    return await store.cases.add_decision(actor_id, series_id, held_day(series, now), text, now)


async def add_action(
    store: Store,
    wake: WakeUp,
    actor_id: int,
    series_id: int,
    assignee_id: int,
    text: str,
    due_on: date,
    reminder_title: str,
    now: datetime,
) -> tuple[ActionItem, Reminder | None]:
    """The item and its member's reminder (kind "case_action") on the due date at the start of the member's working
    day, in the member's zone; none when that moment has passed already (the item still shows as open)."""
    series = await store.cases.get_series(actor_id, series_id)
    assignee = await store.users.get(assignee_id)
    zone = (assignee.timezone if assignee is not None else None) or series.timezone or DEFAULT_ZONE
    rule = Rule(Frequency.ONCE, at=await store.users.workday_start(assignee_id), start=due_on)
    async with store.db.transaction():
        item = await store.cases.add_action(actor_id, series_id, held_day(series, now), assignee_id, text, due_on, now)
        try:
            reminder: Reminder | None = await create_ritual_reminder(
                store, wake, assignee_id, series.team_id, ACTION_KIND, item.id, reminder_title, rule, zone, now
            )
        except ReminderInPast:
            reminder = None
    return item, reminder


async def mark_done(store: Store, actor_id: int, action_id: int, now: datetime) -> ActionItem:
    return await store.cases.mark_done(actor_id, action_id, now)


# --- the group --------------------------------------------------------------------------------------------------


async def group_chat(store: Store, team_id: int) -> int | None:
    """The team's bound group chat, if any (storage/groups.py)."""
    return await store.groups.bound_chat_id(team_id)


# --- what a due reminder of these kinds says (the engine's render) ----------------------------------------------


@dataclass(frozen=True, slots=True)
class DueCase:
    """A nudge or escalation to send: the member still owes a case for the review at `review_at`."""

    series: CaseSeries
    review_at: datetime


@dataclass(frozen=True, slots=True)
class DueAgenda:
    series: CaseSeries
    agenda: Agenda
    group_bound: bool


@dataclass(frozen=True, slots=True)
class DueAction:
    item: ActionItem


async def due_delivery(
    store: Store, kind: str, subject_id: int | None, recipient_id: int, now: datetime
) -> DueCase | DueAgenda | DueAction | None:
    """What to send for a due reminder of a case-review kind; None: nothing (it is no longer wanted): the series
    is gone or paused, the recipient left the team, the member already sent a case (nudge and escalation), the
    action item is done."""
    if subject_id is None:
        return None
    if kind == ACTION_KIND:
        item = await store.cases.action_for_render(subject_id)
        if item is None or not item.open or not item.assignee_in_team or item.assignee_id != recipient_id:
            return None
        return DueAction(item)
    if kind not in SERIES_KINDS:
        return None
    series = await store.cases.series_for_render(subject_id)
    if series is None or series.paused:
        return None
    when = review_at(series, now)
    cases = await store.cases.cases_for_render(series.id, local_day(when, series.timezone))
    members = await store.cases.members_for_render(series.team_id)
    if kind == AGENDA_KIND:
        if await store.teams.role_of(recipient_id, series.team_id) is not Role.HEAD:
            return None
        agenda = build_agenda(when, members, cases)
        return DueAgenda(series, agenda, await group_chat(store, series.team_id) is not None)
    if not needs_escalation(recipient_id, (m.user_id for m in members), (c.author_id for c in cases)):
        return None
    return DueCase(series, when)
