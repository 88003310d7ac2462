"""Training modules as plain logic: where a person is in a module, the check's score, when a module counts as
passed, the weekly schedule of an assignment and the team's progress. No aiogram, no storage.

Pass mark: at least 2 of the 3 check questions right (PASS_MARK). The check is there to confirm the main idea
of a short module, and every answer shows its explanation, so one miss is itself a lesson; demanding 3 of 3
would turn the last question into a reason to click through by guessing and retake.

An answer is final: a question answered twice (a double tap, an old button) keeps its first answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import DomainError
from domain.schedules import Rule, next_occurrence

QUESTIONS = 3
PASS_MARK = 2  # right answers out of QUESTIONS that pass a module


class AttemptStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"
    ABANDONED = "abandoned"  # started again: a new attempt replaced it


class AssignmentState(StrEnum):
    ACTIVE = "active"
    DONE = "done"  # every module of it passed
    REPLACED = "replaced"  # the head assigned something new to the same person
    REMOVED = "removed"  # the person left the team or was removed: progress is kept, reminders stop


class NothingToAssign(DomainError):
    """Every module chosen is already passed by the person."""

    text_key = "learn.errors.nothing_to_assign"


class AttemptNotInProgress(DomainError):
    """A tap on a finished or replaced attempt."""

    text_key = "learn.errors.attempt_over"


class StepKind(StrEnum):
    SCREEN = "screen"
    QUESTION = "question"
    RESULT = "result"


@dataclass(frozen=True, slots=True)
class Step:
    kind: StepKind
    index: int = 0  # the screen or question position; 0 for the result


@dataclass(frozen=True, slots=True)
class Attempt:
    id: int
    team_id: int
    user_id: int
    module_key: str
    status: AttemptStatus
    screens_read: int  # how many screens were shown (0..screens)
    started_at: datetime
    finished_at: datetime | None
    score: int | None
    passed: bool | None
    assignment_id: int | None = None


@dataclass(frozen=True, slots=True)
class Score:
    right: int
    total: int
    passed: bool


def first_answers(answers: Iterable[tuple[int, int]]) -> dict[int, int]:
    """(question, option) pairs in the order given -> the first option per question: later ones are ignored."""
    kept: dict[int, int] = {}
    for question, option in answers:
        kept.setdefault(question, option)
    return kept


def next_step(screens: int, screens_read: int, answers: Mapping[int, int], questions: int = QUESTIONS) -> Step:
    """Where a person continues: the next unread screen, then the first unanswered question, then the result."""
    if screens_read < screens:
        return Step(StepKind.SCREEN, screens_read)
    for index in range(questions):
        if index not in answers:
            return Step(StepKind.QUESTION, index)
    return Step(StepKind.RESULT)


def score(right_options: Sequence[int], answers: Mapping[int, int]) -> Score:
    right = sum(1 for index, correct in enumerate(right_options) if answers.get(index) == correct)
    return Score(right=right, total=len(right_options), passed=right >= PASS_MARK)


# --- assignments: one module a week, in order, skipping what is already passed ------------------------------


@dataclass(frozen=True, slots=True)
class ScheduledModule:
    module_key: str
    due_at: datetime  # the occurrence at which the module is given (its reminder arrives)


def plan_assignment(
    modules: Sequence[str], passed: Iterable[str], rule: Rule, timezone: str, now: datetime
) -> list[ScheduledModule]:
    """The modules still to pass, in the given order, one per occurrence of the rule after `now`.
    Raises NothingToAssign when every module is passed already."""
    done = set(passed)
    todo = [key for key in dict.fromkeys(modules) if key not in done]
    if not todo:
        raise NothingToAssign(",".join(modules))
    plan: list[ScheduledModule] = []
    cursor = now
    for key in todo:
        moment = next_occurrence(rule, timezone, cursor)
        if moment is None:  # a one-off rule: the rest share its single occurrence
            moment = plan[-1].due_at if plan else cursor
        plan.append(ScheduledModule(key, moment))
        cursor = moment
    return plan


@dataclass(frozen=True, slots=True)
class AssignmentItem:
    module_key: str
    due_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Assignment:
    id: int
    team_id: int
    user_id: int
    assigned_by: int
    state: AssignmentState
    rule: Rule
    timezone: str
    created_at: datetime
    items: tuple[AssignmentItem, ...]

    @property
    def current(self) -> str | None:
        """The module to open now: the first one of the plan not passed yet (a person ahead of the plan simply
        goes on to the next)."""
        return next((i.module_key for i in self.items if i.completed_at is None), None)

    @property
    def completed(self) -> int:
        return sum(1 for i in self.items if i.completed_at is not None)


# --- team progress ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonProgress:
    user_id: int
    name: str
    passed: tuple[str, ...]  # module keys in content order
    assignment: Assignment | None  # the active one


def team_progress(
    module_order: Sequence[str],
    people: Sequence[tuple[int, str]],
    passed_pairs: Iterable[tuple[int, str]],
    assignments: Iterable[Assignment],
) -> list[PersonProgress]:
    """Who passed what, in content order; modules no longer in the content are left out."""
    passed_by: dict[int, set[str]] = {}
    for user_id, key in passed_pairs:
        passed_by.setdefault(user_id, set()).add(key)
    active = {a.user_id: a for a in assignments if a.state is AssignmentState.ACTIVE}
    return [
        PersonProgress(
            user_id=user_id,
            name=name,
            passed=tuple(k for k in module_order if k in passed_by.get(user_id, set())),
            assignment=active.get(user_id),
        )
        for user_id, name in people
    ]


@dataclass(frozen=True, slots=True)
class TrainingHygiene:
    """For the owners' digest: was training actually done in the period [since, until)?"""

    modules_passed: int  # modules passed for the first time in the period (person x module)
    people_passed: int  # distinct people among them
    assigned_due: int  # assigned modules whose week started in the period (assignments not ended by removal)
    assigned_done: int  # of those, passed before `until`

    @property
    def assigned_missed(self) -> int:
        return self.assigned_due - self.assigned_done
