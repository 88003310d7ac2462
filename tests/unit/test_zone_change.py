"""What follows the team's zone, and the same wall time in another zone (domain/zone_change.py). Expected values by
hand: Moscow UTC+3 and Yekaterinburg UTC+5 all year; Berlin UTC+1 in winter, UTC+2 from 02:00 on 28 March 2027
(02:00-03:00 that night does not exist)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest

from domain.case_reviews import AGENDA_KIND, NUDGE_KIND
from domain.models import Role
from domain.reminders import Reminder, ReminderState
from domain.schedules import Frequency, Rule
from domain.zone_change import case_review_follows, follows_team_zone, same_wall_time

MSK = "Europe/Moscow"
YEKT = "Asia/Yekaterinburg"
QUARTERLY = Rule(Frequency.QUARTERLY, at=time(9, 0), start=date(2026, 12, 7), month_day=10)
STRATEGY_REVIEW = Reminder(
    id=1,
    team_id=7,
    user_id=None,
    audience_role=Role.HEAD,
    kind="strategy",
    title="Стратегия",
    rule=QUARTERLY,
    timezone=MSK,
    next_due_at=datetime(2027, 1, 10, 6, 0, tzinfo=UTC),
    state=ReminderState.ACTIVE,
    task_id=None,
    created_by=501,
    created_at=datetime(2026, 12, 7, 7, 0, tzinfo=UTC),
)


@pytest.mark.parametrize(
    ("reminder", "follows"),
    [
        (STRATEGY_REVIEW, True),  # team-wide, on the team's clock
        (replace(STRATEGY_REVIEW, state=ReminderState.PAUSED), True),  # paused: moves, stays paused
        (replace(STRATEGY_REVIEW, audience_role=Role.MEMBER, kind="custom"), True),  # any role of the team
        (replace(STRATEGY_REVIEW, timezone="Asia/Novosibirsk"), False),  # set on another clock
        (replace(STRATEGY_REVIEW, audience_role=None, user_id=501), False),  # a person's own
        (replace(STRATEGY_REVIEW, rule=Rule(Frequency.ONCE, at=time(9, 0), start=date(2027, 1, 10))), False),
        (replace(STRATEGY_REVIEW, state=ReminderState.FINISHED), False),
        (replace(STRATEGY_REVIEW, audience_role=Role.MEMBER, kind=NUDGE_KIND), False),  # the series decides
        (replace(STRATEGY_REVIEW, audience_role=None, user_id=501, kind=AGENDA_KIND), False),
    ],
)
def test_what_follows_the_teams_zone(reminder: Reminder, follows: bool) -> None:
    assert follows_team_zone(reminder, MSK, YEKT) is follows


def test_nothing_follows_when_the_zone_is_the_same() -> None:
    assert not follows_team_zone(STRATEGY_REVIEW, MSK, MSK)
    assert not case_review_follows(MSK, MSK, MSK)


def test_the_case_review_follows_only_from_the_teams_old_clock() -> None:
    assert case_review_follows(MSK, MSK, YEKT)
    assert not case_review_follows("Asia/Novosibirsk", MSK, YEKT)


def test_same_wall_time_in_another_zone() -> None:
    # 10:00 Moscow (07:00 UTC) -> 10:00 Yekaterinburg (05:00 UTC).
    moment = datetime(2026, 12, 14, 7, 0, tzinfo=UTC)
    assert same_wall_time(moment, MSK, YEKT) == datetime(2026, 12, 14, 5, 0, tzinfo=UTC)


def test_a_wall_time_in_a_dst_gap_moves_to_the_first_valid_minute() -> None:
    # 02:30 Moscow on 28 March 2027 is 27 March 23:30 UTC; 02:30 Berlin does not exist that night: 03:00 CEST
    # (UTC+2) = 01:00 UTC.
    moment = datetime(2027, 3, 27, 23, 30, tzinfo=UTC)
    assert same_wall_time(moment, MSK, "Europe/Berlin") == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
