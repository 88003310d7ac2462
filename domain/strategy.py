"""Strategy of a sales department: the session's questions, milestones at quarter / half-year / year, their
statuses and reminder moments. Pure: no aiogram, no storage, no clock of its own.

Article 000 (mistake 6, «Нет стратегии и видения отдела продаж»): a head answers where the department wants to be
in 1–2 years, which segments, products and approaches it strengthens, what will be its advantage, which roles and
technologies it brings in — and lays the strategy out in stages: a quarter, half a year, a year.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from domain.errors import Counted, DomainError
from domain.schedules import Frequency, Rule, next_occurrence

# The article-000 questions, in the order the session asks them (texts: content strategy.questions.<key>).
SESSION_QUESTIONS = ("vision", "focus", "advantage", "capabilities")
MAX_ANSWER_CHARS = 2000
MAX_TITLE_CHARS = 200
REMINDER_DAYS_BEFORE = (7, 1)  # a milestone's reminders: a week and a day before its due date
# The quarterly strategy review: on this day of the first month of each calendar quarter (after the January
# holidays), at the head's workday start — the last quarter's milestones are looked at and the next set.
REVIEW_MONTH_DAY = 10
MAX_YEARS_AHEAD = 5  # a due date further than this is a typo, not a plan


class Horizon(StrEnum):
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"


HORIZONS = (Horizon.QUARTER, Horizon.HALF_YEAR, Horizon.YEAR)
# How many calendar quarters after the current one a horizon's milestone is due (at that quarter's end).
_QUARTERS_AHEAD = {Horizon.QUARTER: 1, Horizon.HALF_YEAR: 2, Horizon.YEAR: 4}


class MilestoneStatus(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    DONE = "done"
    DROPPED = "dropped"


OPEN_STATUSES = frozenset({MilestoneStatus.ON_TRACK, MilestoneStatus.AT_RISK})
STATUSES = tuple(MilestoneStatus)
# What a status may become. Done and dropped are final but can be reopened (back on track): a wrong tap is undone.
ALLOWED_CHANGES: dict[MilestoneStatus, frozenset[MilestoneStatus]] = {
    MilestoneStatus.ON_TRACK: frozenset({MilestoneStatus.AT_RISK, MilestoneStatus.DONE, MilestoneStatus.DROPPED}),
    MilestoneStatus.AT_RISK: frozenset({MilestoneStatus.ON_TRACK, MilestoneStatus.DONE, MilestoneStatus.DROPPED}),
    MilestoneStatus.DONE: frozenset({MilestoneStatus.ON_TRACK}),
    MilestoneStatus.DROPPED: frozenset({MilestoneStatus.ON_TRACK}),
}


class DueDateInPast(DomainError):
    text_key = "strategy.errors.past_due"


class DueDateTooFar(DomainError):
    text_key = "strategy.errors.too_far"

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.text_args = {"limit": Counted("limits.years", MAX_YEARS_AHEAD)}


class StatusChangeNotAllowed(DomainError):
    """The status is already that, or cannot become it (e.g. done → at risk): usually an old button."""

    text_key = "strategy.errors.status_not_allowed"


class MilestoneTitleInvalid(DomainError):
    text_key = "strategy.errors.bad_title"

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.text_args = {"limit": Counted("limits.chars", MAX_TITLE_CHARS)}


class OwnerNotInTeam(DomainError):
    text_key = "strategy.errors.owner_not_in_team"


@dataclass(frozen=True, slots=True)
class SessionAnswer:
    question: str  # a SESSION_QUESTIONS key
    answer: str | None  # None: skipped


@dataclass(frozen=True, slots=True)
class StrategySession:
    """One strategy session of a team: a version of its strategy. A later session never erases an earlier one."""

    id: int
    team_id: int
    version: int  # 1, 2, ... in the order the team's sessions were started
    day: date  # the local date it started: milestone horizons are counted from it
    started_at: datetime
    finished_at: datetime | None
    answers: tuple[SessionAnswer, ...]

    @property
    def next_question(self) -> str | None:
        """The first question not answered nor skipped; None when all are."""
        given = {a.question for a in self.answers}
        return next((q for q in SESSION_QUESTIONS if q not in given), None)

    def answer_to(self, question: str) -> str | None:
        return next((a.answer for a in self.answers if a.question == question), None)


@dataclass(frozen=True, slots=True)
class Milestone:
    id: int
    team_id: int
    session_id: int | None
    horizon: Horizon
    title: str
    due_date: date  # local date in the team's zone
    owner_id: int
    owner_name: str
    owner_fell_back: bool  # the owner left the team and the milestone went to the head: said on its card
    status: MilestoneStatus
    created_by: int
    created_at: datetime

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue(self, today: date) -> bool:
        return is_overdue(self.status, self.due_date, today)


@dataclass(frozen=True, slots=True)
class StrategyHygiene:
    """For the owners' digest: how the team's milestones stand. An open milestone past its due date counts as
    overdue only (not as on track / at risk); dropped ones are not counted."""

    on_track: int = 0
    at_risk: int = 0
    overdue: int = 0
    done: int = 0

    @property
    def total(self) -> int:
        return self.on_track + self.at_risk + self.overdue + self.done


@dataclass(frozen=True, slots=True)
class ReminderPlan:
    days_before: int
    rule: Rule  # a one-off at the owner's workday start


# --- dates --------------------------------------------------------------------------------------------------


def quarter_end(day: date, quarters_ahead: int = 0) -> date:
    """The last day of the calendar quarter `quarters_ahead` quarters after the one `day` is in."""
    index = (day.month - 1) // 3 + quarters_ahead  # quarters since January of day.year
    year = day.year + index // 4
    first_month_next = (index % 4) * 3 + 4  # the month after the quarter's end (13 = January next year)
    if first_month_next == 13:
        return date(year, 12, 31)
    return date(year, first_month_next, 1) - timedelta(days=1)


def suggested_due(horizon: Horizon, session_day: date) -> date:
    """Quarter: the end of the next calendar quarter; half a year: the end of the quarter after that; a year: the
    end of the fourth quarter from now. The session's own quarter is already under way, so it is not counted."""
    return quarter_end(session_day, _QUARTERS_AHEAD[horizon])


def validate_due(due: date, today: date) -> date:
    if due < today:
        raise DueDateInPast(due.isoformat())
    if due > today + timedelta(days=366 * MAX_YEARS_AHEAD):
        raise DueDateTooFar(due.isoformat())
    return due


def is_overdue(status: MilestoneStatus, due: date, today: date) -> bool:
    return status in OPEN_STATUSES and due < today


def validate_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned or len(cleaned) > MAX_TITLE_CHARS:
        raise MilestoneTitleInvalid(str(len(cleaned)))
    return cleaned


def clean_answer(text: str) -> str | None:
    """A typed answer, trimmed to the limit; empty means nothing was said."""
    cleaned = text.strip()
    return cleaned[:MAX_ANSWER_CHARS] if cleaned else None


# --- statuses -----------------------------------------------------------------------------------------------


def can_change(current: MilestoneStatus, target: MilestoneStatus) -> bool:
    return target in ALLOWED_CHANGES[current]


def check_change(current: MilestoneStatus, target: MilestoneStatus) -> MilestoneStatus:
    if not can_change(current, target):
        raise StatusChangeNotAllowed(f"{current.value} -> {target.value}")
    return target


def next_statuses(current: MilestoneStatus) -> tuple[MilestoneStatus, ...]:
    """The buttons a milestone's card offers, in a stable order."""
    return tuple(s for s in STATUSES if s in ALLOWED_CHANGES[current])


def hygiene(milestones: Iterable[tuple[MilestoneStatus, date]], today: date) -> StrategyHygiene:
    on_track = at_risk = overdue = done = 0
    for status, due in milestones:
        if is_overdue(status, due, today):
            overdue += 1
        elif status is MilestoneStatus.ON_TRACK:
            on_track += 1
        elif status is MilestoneStatus.AT_RISK:
            at_risk += 1
        elif status is MilestoneStatus.DONE:
            done += 1
    return StrategyHygiene(on_track=on_track, at_risk=at_risk, overdue=overdue, done=done)


# --- reminders ----------------------------------------------------------------------------------------------


def reminder_plans(due: date, workday_start: time, timezone: str, now: datetime) -> tuple[ReminderPlan, ...]:
    """A week and a day before the due date, at the owner's workday start in the owner's zone; a moment that has
    already passed is skipped (a milestone due in three days gets only the one-day reminder)."""
    plans = []
    for days in REMINDER_DAYS_BEFORE:
        rule = Rule(Frequency.ONCE, at=workday_start, start=due - timedelta(days=days))
        if next_occurrence(rule, timezone, now) is not None:
            plans.append(ReminderPlan(days_before=days, rule=rule))
    return tuple(plans)


def review_rule(today: date, workday_start: time) -> Rule:
    """The quarterly strategy review: REVIEW_MONTH_DAY of the first month of each calendar quarter."""
    return Rule(Frequency.QUARTERLY, at=workday_start, start=today, month_day=REVIEW_MONTH_DAY)
