"""Zone changes from /settings: a person's zone and the team's. Each is one transaction: the zone is saved, the
reminders that follow it move to the new zone at the same wall time (which ones: domain/zone_change.py), and the
records that carry their reminder's zone follow it. The engine is woken for each moved reminder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.case_reviews import AGENDA_KIND, ESCALATION_KIND, NUDGE_KIND, CaseSeries, rules_from
from domain.reminders import Reminder
from domain.schedules import Rule
from domain.zone_change import case_review_follows, follows_team_zone, follows_zone
from services import calls, training
from services.reminders import WakeUp
from storage import Store


def _wake(wake: WakeUp, reminders: list[Reminder]) -> tuple[Reminder, ...]:
    for reminder in reminders:
        if reminder.next_due_at is not None:
            wake.wake_at(reminder.next_due_at)
    return tuple(reminders)


async def change_timezone(
    store: Store, wake: WakeUp, actor_id: int, old_zone: str, new_zone: str, now: datetime
) -> tuple[Reminder, ...]:
    """The person's zone is saved and their recurring reminders move to it keeping the wall time; a training
    assignment or a call-listening plan whose reminder moved takes the new zone too. Returns what moved."""
    async with store.db.transaction():
        new_zone = (await store.users.set_timezone(actor_id, new_zone)).timezone or new_zone  # as stored
        moved = []
        for reminder in await store.reminders.list_for(actor_id):
            if follows_zone(reminder, actor_id, old_zone, new_zone):
                moved.append(await store.reminders.move_to_zone(actor_id, reminder.id, new_zone, now))
                await _records_follow(store, actor_id, reminder, new_zone, now)
    return _wake(wake, moved)


async def _records_follow(store: Store, actor_id: int, reminder: Reminder, zone: str, now: datetime) -> None:
    if reminder.kind == training.REMINDER_KIND and reminder.subject_id is not None:
        await store.zones.follow_training(actor_id, reminder.subject_id, zone, now)
    elif reminder.kind == calls.KIND:
        await store.zones.follow_call_plan(actor_id, reminder.id, zone)


@dataclass(frozen=True, slots=True)
class TeamZoneChange:
    case_review: CaseSeries | None  # moved to the new zone (None: the team has none, or it is in another zone)
    moved: tuple[Reminder, ...]  # every reminder that moved, the case review's included

    @property
    def schedules(self) -> int:
        """What the head is told moved: the case review counts once (its nudge, escalation and agenda are one
        meeting), each other team-wide schedule once."""
        review_ids = set(self.case_review.reminder_ids) if self.case_review is not None else set()
        return (self.case_review is not None) + sum(1 for r in self.moved if r.id not in review_ids)


async def change_team_timezone(
    store: Store, wake: WakeUp, actor_id: int, team_id: int, new_zone: str, now: datetime
) -> TeamZoneChange:
    """A head sets the team's zone. What was on the team's old clock moves to the new one at the same wall time:
    the team-wide recurring reminders and the case review, whose nudge, escalation and agenda are re-derived from
    its meeting (its weeks kept: «every 2 weeks» stays on the same weeks). People's own reminders stay."""
    async with store.db.transaction():
        old_zone = (await store.teams.get_for(actor_id, team_id)).timezone
        new_zone = (await store.teams.set_timezone(actor_id, team_id, new_zone)).timezone  # checks MANAGE_TEAM
        series = await store.cases.series_for(actor_id, team_id)
        rederived: dict[int, Rule] = {}
        if series is not None and case_review_follows(series.timezone, old_zone, new_zone):
            await store.zones.move_case_review(actor_id, series.id, new_zone)
            rederived = _companions(series)
        else:
            series = None
        moved = [
            await store.reminders.move_with_team(actor_id, team_id, r.id, new_zone, rederived.get(r.id), now)
            for r in await store.reminders.of_team(actor_id, team_id)
            if r.id in rederived or follows_team_zone(r, old_zone, new_zone)
        ]
        if series is not None:
            series = await store.cases.get_series(actor_id, series.id)
    return TeamZoneChange(series, _wake(wake, moved))


def _companions(series: CaseSeries) -> dict[int, Rule]:
    """The series' reminder ids → their rules derived from the meeting (a reminder deleted in /reminders: none)."""
    rules = rules_from(series.weekday, series.at, series.interval, series.first_on)
    by_kind = {
        NUDGE_KIND: (series.nudge_reminder_id, rules.nudge),
        ESCALATION_KIND: (series.escalation_reminder_id, rules.escalation),
        AGENDA_KIND: (series.agenda_reminder_id, rules.agenda),
    }
    return {rid: rule for rid, rule in by_kind.values() if rid is not None}
