"""Call listening (article 002: listening to calls is both a stimulus for the managers to hold the dialogue well
and the way to find their mistakes with the client).

Pure: the weekly target, ISO weeks in the head's zone, whose calls are up this week (a fair rotation), the scoring
of one call review, and the week's count against the target. No aiogram, no storage, no clock of its own.

The target is the head's own rhythm (calls the head listens to in a week), not a call quota for the managers:
article 001 shows what a quota of calls does (calls «ради галочки»).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.errors import Counted, DomainError

MIN_TARGET = 1
MAX_TARGET = 50  # more than 50 listened calls a week is no longer a head's ritual: refused as a typo
CALLS_PER_MANAGER = 2  # general practice: two calls of one person show a habit rather than an accident
MAX_ROSTER = 30  # managers in the rotation (the list is shown as buttons)
NAME_LIMIT = 40
NOTE_LIMIT = 500  # a note on one criterion
FEEDBACK_LIMIT = 1000  # «что похвалить» / «что исправить»
SCORES = (0, 1, 2)  # 0 = not done, 1 = partly, 2 = done well
MAX_SCORE = max(SCORES)

_NUMBER = re.compile(r"\d{1,9}")
_WEEK_KEY = re.compile(r"(\d{4})-W(\d{2})")


# --- errors ------------------------------------------------------------------------------------------------


class TargetNotANumber(DomainError):
    """The typed target is not a whole number («пять», «4о», «3.5»)."""

    text_key = "calls.errors.target_not_number"


class TargetOutOfRange(DomainError):
    """0, negative or absurd (above MAX_TARGET)."""

    text_key = "calls.errors.target_range"

    def __init__(self, value: int) -> None:
        super().__init__(value)
        self.text_args = {"min": MIN_TARGET, "max": MAX_TARGET}


class TextTooLong(DomainError):
    text_key = "calls.errors.too_long"

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.text_args = {"limit": Counted("limits.chars", limit)}


class RosterFull(DomainError):
    text_key = "calls.errors.roster_full"

    def __init__(self) -> None:
        super().__init__(MAX_ROSTER)
        self.text_args = {"limit": MAX_ROSTER}


class NoListeningPlan(DomainError):
    """The head has not set up call listening for this team yet."""

    text_key = "calls.errors.no_plan"


# --- the target ----------------------------------------------------------------------------------------------


def parse_target(text: str) -> int:
    """A typed weekly target: a whole number MIN_TARGET..MAX_TARGET."""
    cleaned = text.strip()
    if not _NUMBER.fullmatch(cleaned):
        raise TargetNotANumber(cleaned[:20])
    return check_target(int(cleaned))


def check_target(value: int) -> int:
    if not MIN_TARGET <= value <= MAX_TARGET:
        raise TargetOutOfRange(value)
    return value


def clean_text(text: str, limit: int) -> str:
    """A note or a piece of feedback: trimmed; empty is allowed; longer than `limit` is refused."""
    cleaned = text.strip()
    if len(cleaned) > limit:
        raise TextTooLong(limit)
    return cleaned


# --- weeks ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def of(cls, day: date) -> IsoWeek:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @classmethod
    def parse(cls, key: str) -> IsoWeek:
        match = _WEEK_KEY.fullmatch(key)
        if match is None:
            raise ValueError(f"not an ISO week key: {key!r}")
        week = cls(int(match[1]), int(match[2]))
        week.monday()  # raises for a week the year does not have
        return week

    @property
    def key(self) -> str:
        """«2026-W49»: sorts like time as text."""
        return f"{self.year:04d}-W{self.week:02d}"

    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    def sunday(self) -> date:
        return self.monday() + timedelta(days=6)

    @property
    def index(self) -> int:
        """Weeks since a fixed Monday: consecutive weeks have consecutive indexes, across years."""
        return self.monday().toordinal() // 7

    def next(self) -> IsoWeek:
        return IsoWeek.of(self.monday() + timedelta(days=7))

    def bounds(self, timezone: str) -> tuple[datetime, datetime]:
        """[Monday 00:00, next Monday 00:00) local time in `timezone`, as aware UTC moments."""
        zone = ZoneInfo(timezone)
        start = datetime.combine(self.monday(), time.min, tzinfo=zone)
        end = datetime.combine(self.next().monday(), time.min, tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)


def week_of(moment: datetime, timezone: str) -> IsoWeek:
    """The ISO week (Monday to Sunday) that `moment` falls in, in the head's local time."""
    if moment.tzinfo is None:
        raise ValueError("aware datetimes only")
    return IsoWeek.of(moment.astimezone(ZoneInfo(timezone)).date())


def weeks_touched(since: datetime, until: datetime, timezone: str) -> tuple[IsoWeek, ...]:
    """Every ISO week (in `timezone`) that the period [since, until) touches; none for an empty period."""
    if until <= since:
        return ()
    first, last = week_of(since, timezone), week_of(until - timedelta(microseconds=1), timezone)
    weeks = [first]
    while weeks[-1] < last:
        weeks.append(weeks[-1].next())
    return tuple(weeks)


# --- whose calls this week -------------------------------------------------------------------------------------


def managers_per_week(target: int, roster_size: int) -> int:
    """How many managers' calls to listen to in a week: about CALLS_PER_MANAGER calls each, at least one."""
    if roster_size <= 0:
        return 0
    return max(1, min(roster_size, math.ceil(target / CALLS_PER_MANAGER)))


def choose_lineup(
    active: Sequence[int],
    week: IsoWeek,
    target: int,
    last_reviewed: Mapping[int, IsoWeek],
    kept: Sequence[int] = (),
) -> tuple[int, ...]:
    """Whose calls are up in `week`: ids from `active` (the managers in the rotation, in the order they were
    added; removed ones are simply not there).

    - Fair: those listened to longest ago (or never) come first, so nobody is skipped for long; `last_reviewed`
      holds the latest week before `week` in which each manager's call was reviewed.
    - A plain rotation when nothing was reviewed: the start moves by the week's index, so consecutive weeks take
      consecutive managers.
    - Stable within the week: `kept` (the lineup already announced this week) stays as long as its managers are
      still active; only free places (a manager removed, a bigger target) are filled.
    - Deterministic: the same inputs give the same lineup.
    """
    size = len(active)
    places = managers_per_week(target, size)
    if places == 0:
        return ()
    active_set = set(active)
    chosen = [manager for manager in dict.fromkeys(kept) if manager in active_set][:places]
    offset = (week.index * places) % size
    position = {manager: (n - offset) % size for n, manager in enumerate(active)}

    def turn(manager: int) -> tuple[int, int, int]:
        last = last_reviewed.get(manager)
        return (0, 0, position[manager]) if last is None else (1, last.index, position[manager])

    waiting = sorted((m for m in active if m not in chosen), key=turn)
    return tuple(chosen + waiting[: places - len(chosen)])


# --- one call review --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CriterionScore:
    criterion: str  # a key of content `calls.review.criteria`
    score: int | None  # 0, 1, 2; None: not applicable in this call (e.g. the client raised no objection)
    note: str = ""


@dataclass(frozen=True, slots=True)
class ReviewScore:
    points: int
    max_points: int  # MAX_SCORE for each scored criterion
    weakest: tuple[str, ...]  # criteria scored 0, in checklist order: what to fix first
    strongest: tuple[str, ...]  # criteria scored MAX_SCORE

    @property
    def percent(self) -> int | None:
        return None if self.max_points == 0 else round(100 * self.points / self.max_points)


def score_review(criteria: Sequence[str], scores: Sequence[CriterionScore]) -> ReviewScore:
    """Sums a review: every criterion of the checklist exactly once, each scored 0/1/2 or left out (None)."""
    given = [s.criterion for s in scores]
    if sorted(given) != sorted(criteria) or len(set(given)) != len(given):
        raise ValueError(f"a review scores each criterion once: expected {list(criteria)}, got {given}")
    by_key = {s.criterion: s for s in scores}
    points = max_points = 0
    weakest: list[str] = []
    strongest: list[str] = []
    for key in criteria:
        score = by_key[key].score
        if score is None:
            continue
        if score not in SCORES:
            raise ValueError(f"score {score} for {key!r} is not one of {SCORES}")
        points += score
        max_points += MAX_SCORE
        if score == 0:
            weakest.append(key)
        elif score == MAX_SCORE:
            strongest.append(key)
    return ReviewScore(points, max_points, tuple(weakest), tuple(strongest))


# --- the week against the target ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeekTally:
    week: IsoWeek
    listened: int
    target: int

    @property
    def met(self) -> bool:
        return self.target > 0 and self.listened >= self.target

    @property
    def left(self) -> int:
        return max(0, self.target - self.listened)


def tally_weeks(weeks: Sequence[IsoWeek], listened: Mapping[IsoWeek, int], target: int) -> tuple[WeekTally, ...]:
    """The count of reviewed calls in each week against the weekly target (weeks without reviews count 0)."""
    return tuple(WeekTally(week, listened.get(week, 0), target) for week in weeks)


@dataclass(frozen=True, slots=True)
class CallHygiene:
    """For the owners' digest: calls listened against the target over a period (aggregates, no names)."""

    has_plan: bool
    weekly_target: int  # 0 when call listening is not set up
    weeks: tuple[WeekTally, ...]

    @property
    def listened(self) -> int:
        return sum(w.listened for w in self.weeks)

    @property
    def target(self) -> int:
        return self.weekly_target * len(self.weeks)

    @property
    def weeks_on_target(self) -> int:
        return sum(w.met for w in self.weeks)


# --- what storage returns ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallPlan:
    """A team's call listening: the weekly target and the weekly reminder of the head who set it up."""

    id: int
    team_id: int
    head_id: int
    weekly_target: int
    timezone: str  # the head's zone when last saved (weeks of the owners' digest are counted in it)
    reminder_id: int | None  # None: the head deleted the reminder in /reminders
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CallManager:
    """A person whose calls the head listens to: a team member in the bot, or a name typed by the head."""

    id: int
    plan_id: int
    name: str
    user_id: int | None  # a member in the bot (can receive feedback); None: a typed name
    in_team: bool  # False: a member who has left or was removed from the team
    removed: bool  # taken out of the rotation by the head
    added_at: datetime

    @property
    def active(self) -> bool:
        """In the rotation: not taken out by the head and, for a member in the bot, still in the team."""
        return self.in_team and not self.removed

    @property
    def reachable(self) -> bool:
        """May receive feedback in the bot."""
        return self.user_id is not None and self.active


class Feedback(StrEnum):
    """What became of the feedback of a review (stored as text)."""

    PRIVATE = "private"  # the head kept it (the default)
    SENT = "sent"
    BLOCKED = "blocked"  # the manager blocked the bot (403) or the chat is gone: recorded and told to the head
    FAILED = "failed"  # another refusal


@dataclass(frozen=True, slots=True)
class CallReview:
    id: int
    plan_id: int
    manager_id: int
    manager_name: str
    reviewer_id: int
    week: IsoWeek
    scores: tuple[CriterionScore, ...]  # in checklist order
    points: int
    max_points: int
    praise: str
    fix: str
    feedback: Feedback
    created_at: datetime
