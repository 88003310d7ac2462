"""Which reminders follow a person to a new time zone. Pure: no aiogram, no storage.

A recurring reminder set "at 09:00 on Mondays" means 09:00 on the person's own clock, so when the person changes
their zone it keeps the wall time in the new zone. What stays where it is:
- one-off reminders (a task's due day, a milestone's reminder, a snooze): they keep the moment they were set for;
- the team's case review (its nudge, escalation and the head's agenda): one moment for the whole team, set in
  /cases; one person's zone change must not move the team's meeting;
- reminders of other people and role audiences of the team, except the heads' own strategy review.
"""

from __future__ import annotations

from domain.case_reviews import SERIES_KINDS
from domain.models import Role
from domain.reminders import Reminder, ReminderState

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
