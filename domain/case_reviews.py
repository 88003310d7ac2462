"""Team case reviews (article 000: «Разбирать неудачные кейсы на командных разборах»): pure rules.

A head schedules a recurring review (a weekday and a time, every week or every two weeks) and keeps a case
template (its questions). Around each review the bot does three things, each a `reminders` row on the existing
engine, all derived from the review's own weekly rule so that they stay in step with it (also every 2 weeks):
- the day before, every member is nudged to submit a case (kind "case_nudge", a member-audience reminder);
- a few hours before the cut-off, one firmer reminder (kind "case_escalation", member audience) that reaches only
  those who have not submitted: the decision is made when the message is rendered (`needs_escalation`);
- an hour before (the cut-off), the head gets the agenda (kind "case_agenda").
After the review the head records decisions and action items; each item reminds its member (kind "case_action").

No aiogram, no storage, no clock: `now` comes in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.errors import Counted, DomainError
from domain.schedules import Frequency, Rule, next_occurrence, occurrences_between

NUDGE_KIND = "case_nudge"
ESCALATION_KIND = "case_escalation"
AGENDA_KIND = "case_agenda"
ACTION_KIND = "case_action"
SERIES_KINDS = (NUDGE_KIND, ESCALATION_KIND, AGENDA_KIND)  # their subject: the series
KINDS = (*SERIES_KINDS, ACTION_KIND)  # ACTION_KIND's subject: the action item

NUDGE_BEFORE = timedelta(days=1)  # «the day before», at the review's time of day
AGENDA_BEFORE = timedelta(hours=1)  # the cut-off: the head's agenda
ESCALATION_BEFORE = timedelta(hours=4)  # three hours before the cut-off ...
EARLIEST_ESCALATION = time(8, 0)  # ... unless that is before 8:00 local: then the evening before, at 18:00
EVENING_ESCALATION = time(18, 0)
LATE_SUBMISSION = timedelta(hours=3)  # a case sent up to 3 h after the review began still counts for that review

INTERVALS = (1, 2)  # every week, every two weeks
MAX_QUESTIONS = 8
QUESTION_LIMIT = 200
ANSWER_LIMIT = 1000
DECISION_LIMIT = 500


class CaseTemplateInvalid(DomainError):
    text_key = "cases.errors.template"

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.text_args = {
            "questions": Counted("limits.questions", MAX_QUESTIONS),
            "limit": Counted("limits.chars", QUESTION_LIMIT),
        }


class CaseAnswerTooLong(DomainError):
    text_key = "cases.errors.too_long"


class CaseAnswerEmpty(DomainError):
    text_key = "cases.errors.empty"


class NoCaseReview(DomainError):
    """The team has no case review scheduled (yet)."""

    text_key = "cases.errors.no_series"


class ActionItemGone(DomainError):
    """An action item already done, or of a member who left."""

    text_key = "cases.errors.item_gone"


class SeriesState(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"


@dataclass(frozen=True, slots=True)
class CaseSeries:
    id: int
    team_id: int
    head_id: int
    weekday: int  # 0 = Monday
    at: time
    interval: int  # weeks
    timezone: str
    first_on: date  # the first review's local date: anchors «every 2 weeks»
    questions: tuple[str, ...]  # () = the default template (content)
    state: SeriesState
    nudge_reminder_id: int | None
    escalation_reminder_id: int | None
    agenda_reminder_id: int | None
    created_at: datetime

    @property
    def reminder_ids(self) -> tuple[int, ...]:
        ids = (self.nudge_reminder_id, self.escalation_reminder_id, self.agenda_reminder_id)
        return tuple(i for i in ids if i is not None)

    @property
    def paused(self) -> bool:
        return self.state is SeriesState.PAUSED

    @property
    def rule(self) -> Rule:
        """The review itself (no reminder of its own: the three companions are derived from it)."""
        return Rule(Frequency.WEEKLY, at=self.at, start=self.first_on, weekdays=(self.weekday,), interval=self.interval)


@dataclass(frozen=True, slots=True)
class Case:
    id: int
    series_id: int
    review_on: date
    author_id: int
    author_name: str
    questions: tuple[str, ...]  # the template when the case was sent
    answers: tuple[str, ...]
    submitted_at: datetime

    @property
    def title(self) -> str:
        return self.answers[0] if self.answers else ""


@dataclass(frozen=True, slots=True)
class Draft:
    series_id: int
    author_id: int
    questions: tuple[str, ...]
    answers: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return len(self.answers) >= len(self.questions)


@dataclass(frozen=True, slots=True)
class Decision:
    id: int
    series_id: int
    review_on: date
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ActionItem:
    id: int
    series_id: int
    team_id: int
    review_on: date
    assignee_id: int
    assignee_name: str
    text: str
    due_on: date
    done_at: datetime | None
    assignee_in_team: bool

    @property
    def open(self) -> bool:
        return self.done_at is None


@dataclass(frozen=True, slots=True)
class TeamMember:
    user_id: int
    name: str


@dataclass(frozen=True, slots=True)
class Agenda:
    review_at: datetime  # UTC
    cases: tuple[Case, ...]  # of current members only, in the order they came
    missing: tuple[TeamMember, ...]  # members without a case

    @property
    def empty(self) -> bool:
        return not self.cases


# --- the schedule -----------------------------------------------------------------------------------------------


def check_schedule(weekday: int, at: time, interval: int) -> None:
    if not 0 <= weekday <= 6 or interval not in INTERVALS or at.second or at.microsecond:
        raise ValueError(f"bad case review schedule: {weekday} {at} every {interval} weeks")


def first_review(weekday: int, at: time, timezone: str, now: datetime) -> datetime:
    """The first local review moment (naive) strictly after now, on `weekday` at `at`."""
    local_now = now.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
    day = local_now.date() + timedelta(days=(weekday - local_now.weekday()) % 7)
    moment = datetime.combine(day, at)
    return moment if moment > local_now else moment + timedelta(days=7)


def escalation_offset(at: time) -> timedelta:
    """How long before the review the firm reminder goes: `ESCALATION_BEFORE`, or the evening before when that
    would fall before `EARLIEST_ESCALATION` (a 10:00 review is not escalated at 6:00)."""
    review = datetime.combine(date(2000, 1, 10), at)
    candidate = review - ESCALATION_BEFORE
    if candidate.date() == review.date() and candidate.time() >= EARLIEST_ESCALATION:
        return ESCALATION_BEFORE
    return review - datetime.combine(review.date() - timedelta(days=1), EVENING_ESCALATION)


@dataclass(frozen=True, slots=True)
class SeriesRules:
    review: Rule
    nudge: Rule
    escalation: Rule
    agenda: Rule


def _shifted(review: datetime, before: timedelta, interval: int) -> Rule:
    moment = review - before
    return Rule(
        Frequency.WEEKLY, at=moment.time(), start=moment.date(), weekdays=(moment.weekday(),), interval=interval
    )


def series_rules(weekday: int, at: time, interval: int, timezone: str, now: datetime) -> SeriesRules:
    """The review's rule and its three companions, anchored on the first review after now: each companion starts
    in the week of its own first moment, so «every 2 weeks» keeps them in step with the review (a companion whose
    first moment has passed starts with the next review)."""
    check_schedule(weekday, at, interval)
    return rules_from(weekday, at, interval, first_review(weekday, at, timezone, now).date())


def rules_from(weekday: int, at: time, interval: int, first_on: date) -> SeriesRules:
    """The review's rule and its companions anchored on the review of `first_on` (a local date), in wall time: the
    same in any zone, so a series moved to another zone re-derives them from its own anchor and keeps its weeks."""
    first = datetime.combine(first_on, at)
    review = Rule(Frequency.WEEKLY, at=at, start=first_on, weekdays=(weekday,), interval=interval)
    return SeriesRules(
        review=review,
        nudge=_shifted(first, NUDGE_BEFORE, interval),
        escalation=_shifted(first, escalation_offset(at), interval),
        agenda=_shifted(first, AGENDA_BEFORE, interval),
    )


def current_review(rule: Rule, timezone: str, now: datetime) -> datetime:
    """The review cases are collected for now: the next one, or the one that began less than
    `LATE_SUBMISSION` ago (a case sent during the review still counts for it). UTC."""
    moment = next_occurrence(rule, timezone, now - LATE_SUBMISSION)
    if moment is None:  # pragma: no cover - weekly rules never end
        raise ValueError("a case review rule has no next occurrence")
    return moment


def last_held(rule: Rule, timezone: str, now: datetime) -> datetime:
    """The latest review that has begun (decisions are recorded against it); before the first one: the first."""
    held = occurrences_between(rule, timezone, now - timedelta(weeks=max(INTERVALS) + 1), now)
    return held[-1] if held else current_review(rule, timezone, now)


def local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


# --- cases ------------------------------------------------------------------------------------------------------


def clean_text(text: str, limit: int) -> str:
    cleaned = "\n".join(line.strip() for line in text.strip().splitlines()).strip()
    if not cleaned:
        raise CaseAnswerEmpty()
    if len(cleaned) > limit:
        raise CaseAnswerTooLong(limit)
    return cleaned


def parse_template(text: str) -> tuple[str, ...]:
    """The head's questions, one a line (list numbers and bullets are dropped): 1..MAX_QUESTIONS, each short."""
    questions: list[str] = []
    for line in text.splitlines():
        question = line.strip().lstrip("•-*–—0123456789.) ").strip()
        if question:
            questions.append(question)
    if not 1 <= len(questions) <= MAX_QUESTIONS or any(len(q) > QUESTION_LIMIT for q in questions):
        raise CaseTemplateInvalid(len(questions))
    return tuple(questions)


def build_agenda(review_at: datetime, members: Sequence[TeamMember], cases: Iterable[Case]) -> Agenda:
    """Cases of current members only (a member removed while their case waited is left out), and who is missing."""
    in_team = {m.user_id for m in members}
    kept = tuple(sorted((c for c in cases if c.author_id in in_team), key=lambda c: (c.submitted_at, c.id)))
    submitted = {c.author_id for c in kept}
    return Agenda(review_at, kept, tuple(m for m in members if m.user_id not in submitted))


def needs_escalation(member_id: int, members: Iterable[int], submitted: Iterable[int]) -> bool:
    """The firm reminder goes only to a current member who has not sent a case for the coming review."""
    return member_id in set(members) and member_id not in set(submitted)


def action_due_choices(today: date) -> tuple[date, ...]:
    """The due dates offered as buttons: in 3 days, a week, two weeks."""
    return tuple(today + timedelta(days=d) for d in (3, 7, 14))
