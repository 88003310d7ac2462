"""Training use cases: take a module (screens, check, result) and assign modules on a weekly schedule. Plain values
in (ids, keys, `now`), domain dataclasses out; no aiogram."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from content.training_schema import TrainingModule
from domain.reminders import Reminder
from domain.schedules import Frequency, Rule
from domain.training import (
    Assignment,
    Attempt,
    AttemptStatus,
    NothingToAssign,
    PersonProgress,
    ScheduledModule,
    plan_assignment,
    score,
    team_progress,
)
from services.reminders import WakeUp, create_ritual_reminder
from storage import Store
from storage.training import Learner

REMINDER_KIND = "training"
DEFAULT_WEEKDAY = 0  # Monday
DEFAULT_TIME = time(10, 0)


@dataclass(frozen=True, slots=True)
class Answered:
    option: int  # the answer kept for the question (the first one given)
    first: bool  # False: the question already had an answer, this tap changed nothing
    answers: dict[int, int]
    attempt: Attempt  # finished once the last question is answered
    assignments_done: tuple[int, ...]


async def start_module(
    store: Store, actor_id: int, team_id: int, module_key: str, now: datetime, assignment_id: int | None = None
) -> Attempt:
    return await store.training.start(actor_id, team_id, module_key, now, assignment_id)


async def read_screen(store: Store, actor_id: int, attempt_id: int, screens_read: int) -> Attempt:
    return await store.training.mark_read(actor_id, attempt_id, screens_read)


async def answer_question(
    store: Store, module: TrainingModule, actor_id: int, attempt_id: int, question: int, option: int, now: datetime
) -> Answered:
    """The first answer to a question counts; the third answer finishes the attempt (scored, and a pass completes
    the module in the person's assignment)."""
    correct = module.questions[question].right_index == option
    async with store.db.transaction():
        kept, first = await store.training.answer(actor_id, attempt_id, question, option, correct, now)
        attempt, answers = await store.training.with_answers(actor_id, attempt_id)
        done: list[int] = []
        if len(answers) == len(module.questions) and attempt.status is AttemptStatus.IN_PROGRESS:
            result = score(module.right_answers, answers)
            attempt, done = await store.training.finish(actor_id, attempt_id, result.right, result.passed, now)
    return Answered(kept, first, answers, attempt, tuple(done))


@dataclass(frozen=True, slots=True)
class Assigned:
    learner: Learner
    assignment: Assignment | None  # None: every module chosen is already passed by this person
    reminder: Reminder | None
    already: bool = False  # the very same plan was already active: nothing was changed


def weekly_rule(weekday: int, at: time, timezone: str, now: datetime) -> Rule:
    return Rule(Frequency.WEEKLY, at=at, start=now.astimezone(ZoneInfo(timezone)).date(), weekdays=(weekday,))


async def assign_modules(
    store: Store,
    wake: WakeUp,
    actor_id: int,
    team_id: int,
    user_id: int | None,
    modules: Sequence[str],
    weekday: int,
    at: time,
    reminder_title: str,
    now: datetime,
) -> list[Assigned]:
    """A head gives `modules` (in this order) to one person or to every manager of the team: one module a week
    on `weekday` at `at` in the person's zone, skipping what they passed already. Each person gets a weekly
    reminder (kind "training", subject: the assignment) whose button opens the module of the week; a person's
    earlier active assignment is replaced. The reminder is the person's own (they see it in /reminders)."""
    results: list[Assigned] = []
    for learner in await store.training.learners(actor_id, team_id, user_id):
        rule = weekly_rule(weekday, at, learner.timezone, now)
        try:
            plan = plan_assignment(modules, learner.passed, rule, learner.timezone, now)
        except NothingToAssign:
            results.append(Assigned(learner, None, None))
            continue
        existing = await store.training.active_assignment(learner.user_id, team_id)
        if _same(existing, plan, rule, learner.timezone):  # a second tap on «Назначить»: nothing new
            results.append(Assigned(learner, existing, None, already=True))
            continue
        async with store.db.transaction():
            assignment = await store.training.create_assignment(
                actor_id, team_id, learner.user_id, plan, rule, learner.timezone, now
            )
            reminder = await create_ritual_reminder(
                store,
                wake,
                learner.user_id,  # the reminder belongs to the person who takes the modules
                team_id,
                REMINDER_KIND,
                assignment.id,
                reminder_title,
                rule,
                learner.timezone,
                now,
            )
        results.append(Assigned(learner, assignment, reminder))
    return results


def _same(existing: Assignment | None, plan: Sequence[ScheduledModule], rule: Rule, timezone: str) -> bool:
    if existing is None or existing.timezone != timezone:
        return False
    same_rule = (existing.rule.weekdays, existing.rule.at) == (rule.weekdays, rule.at)
    open_keys = [i.module_key for i in existing.items if i.completed_at is None]
    return same_rule and open_keys == [item.module_key for item in plan]


async def progress_of_team(
    store: Store, module_order: Sequence[str], actor_id: int, team_id: int
) -> list[PersonProgress]:
    team = await store.training.team(actor_id, team_id)
    return team_progress(module_order, team.people, team.passed, team.assignments)
