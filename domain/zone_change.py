"""Which reminders and records follow a time zone change. Pure: no aiogram, no storage.

A recurring reminder set "at 09:00 on Mondays" means 09:00 on its clock, so when that clock's zone changes it keeps
the wall time in the new zone.

A person's zone (/settings) moves the person's own recurring reminders (and the heads' strategy review when it was in
their zone). What stays where it is:
- one-off reminders (a task's due day, a milestone's reminder, a snooze): they keep the moment they were set for;
- the team's case review (its nudge, escalation and the head's agenda): one moment for the whole team, set in
  /cases; one person's zone change must not move the team's meeting;
- reminders of other people and role audiences of the team, except the heads' own strategy review.
A training assignment and a call-listening plan carry the zone of their reminder: they follow it.

The team's zone (the head's «пояс команды») moves what is defined on the team's clock: the team-wide recurring
reminders (to a role of the team: the quarterly strategy review) and the case review, when they are in the team's
old zone. The case review's companions are re-derived from its meeting time. People's own reminders stay on their
own clocks (a PDCA review, a milestone's reminders, an action item's), and so do one-off moments.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from domain.case_reviews import SERIES_KINDS
from domain.models import Role
from domain.reminders import Reminder, ReminderState
from domain.schedules import to_utc

# The team's case review: its reminders follow the series' zone (services/case_reviews.py), not a person's.
TEAM_SCHEDULE_KINDS = frozenset(SERIES_KINDS)
# A heads-only audience reminder that is the head's own ritual: the quarterly strategy review (storage/strategy.py
# KIND; it has no subject, milestones' reminders do).
STRATEGY_KIND = "strategy"


def follows_zone(reminder: Reminder, person_id: int, old_zone: str, new_zone: str) -> bool:
    """Whether `reminder`, listed for `person_id` (theirs, or an audience of a team they head), moves from the
    person's `old_zone` to `new_zone`. The person's own recurring reminders move whatever zone they are in: each
    was set in the person's zone of the time, so one in another zone was left behind by an earlier change. The
    strategy review is set in the team's zone: it moves only when that was the head's zone too."""
    if reminder.state is ReminderState.FINISHED or not reminder.rule.recurring or reminder.timezone == new_zone:
        return False
    if reminder.kind in TEAM_SCHEDULE_KINDS:
        return False
    if reminder.user_id == person_id:
        return True
    return (
        reminder.audience_role is Role.HEAD
        and reminder.kind == STRATEGY_KIND
        and reminder.subject_id is None
        and reminder.timezone == old_zone
    )


def follows_team_zone(reminder: Reminder, old_zone: str, new_zone: str) -> bool:
    """Whether one of the team's reminders moves with the team's zone from `old_zone` to `new_zone`: a recurring
    reminder to a role of the team (team-wide) that was set on the team's clock. The case review's are left to
    `case_review_follows` (its companions are re-derived from the meeting, not moved one by one)."""
    if reminder.state is ReminderState.FINISHED or not reminder.rule.recurring or old_zone == new_zone:
        return False
    if reminder.kind in TEAM_SCHEDULE_KINDS:
        return False
    return reminder.audience_role is not None and reminder.timezone == old_zone


def case_review_follows(series_zone: str, old_zone: str, new_zone: str) -> bool:
    """The team's case review moves with the team's zone when it was set on the team's clock; one set in another
    zone (a head's own, different from the team's) stays there until it is set again in /cases."""
    return series_zone == old_zone != new_zone


def same_wall_time(moment: datetime, old_zone: str, new_zone: str) -> datetime:
    """The moment showing the same wall time in `new_zone` as `moment` shows in `old_zone` (UTC; a time in a DST
    gap moves to the first valid minute after it, as the schedules do)."""
    local = moment.astimezone(ZoneInfo(old_zone)).replace(tzinfo=None)
    return to_utc(local, ZoneInfo(new_zone)).astimezone(UTC)
