"""TrainingRepo on a real SQLite file: the first answer counts, a pass completes the assignment and stops its
reminder, a person removed while assigned keeps their progress and gets no more reminders, access, and the
`hygiene` figures for the owners' digest."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from domain.errors import AccessDenied, NotFound
from domain.models import Role
from domain.reminders import ReminderState
from domain.schedules import Frequency, Rule
from domain.training import (
    AssignmentState,
    AttemptNotInProgress,
    AttemptStatus,
    ScheduledModule,
    TrainingHygiene,
)
from services import training as use
from services.reminders import NoWakeUp
from storage import Store, open_store

HEAD, MANAGER, OTHER = 1, 2, 3
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday, 12:00 in Moscow
WEEK = timedelta(days=7)
RULE = Rule(Frequency.WEEKLY, at=time(10, 0), start=date(2026, 11, 30), weekdays=(0,))


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await open_store(tmp_path / "bot.sqlite3")
    for uid, name in [(HEAD, "Анна"), (MANAGER, "Иван"), (OTHER, "Чужой")]:
        await s.users.upsert_seen(uid, name, None)
    yield s
    await s.close()


async def _team(store: Store) -> int:
    team = await store.teams.create(HEAD, "Отдел", "Europe/Moscow", T0)
    invite = await store.invites.create(HEAD, team.id, Role.MEMBER, timedelta(days=7), T0)
    await store.invites.accept(MANAGER, invite.code, T0)
    return team.id


async def _pass(store: Store, user_id: int, team_id: int, key: str, at: datetime) -> None:
    attempt = await store.training.start(user_id, team_id, key, at)
    await store.training.finish(user_id, attempt.id, 3, True, at)


async def test_the_first_answer_counts_and_a_finished_attempt_takes_no_more(store: Store) -> None:
    team_id = await _team(store)
    attempt = await store.training.start(MANAGER, team_id, "needs", T0)
    assert await store.training.answer(MANAGER, attempt.id, 0, 2, False, T0) == (2, True)
    assert await store.training.answer(MANAGER, attempt.id, 0, 0, True, T0) == (2, False)
    _, answers = await store.training.with_answers(MANAGER, attempt.id)
    assert answers == {0: 2}
    finished, _ = await store.training.finish(MANAGER, attempt.id, 1, False, T0)
    again, _ = await store.training.finish(MANAGER, attempt.id, 3, True, T0 + WEEK)  # safe to run twice
    assert again == finished and finished.status is AttemptStatus.FINISHED and finished.passed is False
    with pytest.raises(AttemptNotInProgress):
        await store.training.answer(MANAGER, attempt.id, 1, 0, True, T0)


async def test_starting_again_abandons_the_unfinished_attempt(store: Store) -> None:
    team_id = await _team(store)
    first = await store.training.start(MANAGER, team_id, "needs", T0)
    await store.training.start(MANAGER, team_id, "needs", T0)
    assert (await store.training.get(MANAGER, first.id)).status is AttemptStatus.ABANDONED
    with pytest.raises(AttemptNotInProgress):
        await store.training.mark_read(MANAGER, first.id, 2)


async def test_attempts_are_the_actors_own(store: Store) -> None:
    team_id = await _team(store)
    attempt = await store.training.start(MANAGER, team_id, "needs", T0)
    with pytest.raises(NotFound):
        await store.training.get(HEAD, attempt.id)
    with pytest.raises(NotFound):
        await store.training.start(OTHER, team_id, "needs", T0)


async def test_only_a_head_assigns_and_sees_the_team(store: Store) -> None:
    team_id = await _team(store)
    with pytest.raises(AccessDenied):
        await store.training.learners(MANAGER, team_id)
    with pytest.raises(AccessDenied):
        await store.training.team(MANAGER, team_id)
    plan = [ScheduledModule("needs", T0 + WEEK)]
    with pytest.raises(AccessDenied):
        await store.training.create_assignment(MANAGER, team_id, MANAGER, plan, RULE, "Europe/Moscow", T0)
    with pytest.raises(NotFound):
        await store.training.create_assignment(HEAD, team_id, OTHER, plan, RULE, "Europe/Moscow", T0)


async def _assign(store: Store, team_id: int, modules: list[str]) -> int:
    [done] = await use.assign_modules(store, NoWakeUp(), HEAD, team_id, MANAGER, modules, 0, time(10, 0), "📚", T0)
    assert done.assignment is not None and done.reminder is not None
    assert (done.reminder.user_id, done.reminder.kind, done.reminder.subject_id) == (
        MANAGER,
        "training",
        done.assignment.id,
    )
    return done.assignment.id


async def test_passing_every_assigned_module_ends_the_assignment_and_its_reminder(store: Store) -> None:
    team_id = await _team(store)
    await _pass(store, MANAGER, team_id, "lpr", T0)  # passed before: skipped by the plan
    assignment_id = await _assign(store, team_id, ["needs", "lpr", "closing"])
    assignment = await store.training.assignment(MANAGER, assignment_id)
    assert [i.module_key for i in assignment.items] == ["needs", "closing"]
    assert assignment.current == "needs"

    await _pass(store, MANAGER, team_id, "needs", T0 + timedelta(days=1))
    assert (await store.training.assignment(HEAD, assignment_id)).current == "closing"
    attempt = await store.training.start(MANAGER, team_id, "closing", T0 + timedelta(days=8))
    _, done = await store.training.finish(MANAGER, attempt.id, 2, True, T0 + timedelta(days=8))
    assert done == [assignment_id]
    assert (await store.training.assignment(MANAGER, assignment_id)).state is AssignmentState.DONE
    assert await store.reminders.list_for(MANAGER) == []  # finished reminders are not listed
    row = await store.db.fetchone("SELECT state FROM reminders WHERE subject_id = ?", (assignment_id,))
    assert row is not None and row["state"] == ReminderState.FINISHED.value


async def test_a_new_assignment_replaces_the_active_one(store: Store) -> None:
    team_id = await _team(store)
    first = await _assign(store, team_id, ["needs"])
    second = await _assign(store, team_id, ["crm"])
    assert (await store.training.assignment(HEAD, first)).state is AssignmentState.REPLACED
    assert (await store.training.active_assignment(MANAGER, team_id)) is not None
    states = await store.db.fetchall("SELECT subject_id, state FROM reminders ORDER BY id")
    assert [(r["subject_id"], r["state"]) for r in states] == [(first, "finished"), (second, "active")]


async def test_a_member_removed_while_assigned_keeps_progress_and_gets_no_more_reminders(store: Store) -> None:
    team_id = await _team(store)
    await _pass(store, MANAGER, team_id, "needs", T0)
    assignment_id = await _assign(store, team_id, ["lpr", "crm"])
    assert await store.teams.remove_member(HEAD, team_id, MANAGER)

    row = await store.db.fetchone("SELECT state FROM training_assignments WHERE id = ?", (assignment_id,))
    assert row is not None and row["state"] == AssignmentState.REMOVED.value
    reminder = await store.db.fetchone(
        "SELECT state, next_due_at FROM reminders WHERE kind = 'training' AND subject_id = ?", (assignment_id,)
    )
    assert reminder is not None and (reminder["state"], reminder["next_due_at"]) == ("finished", None)
    kept = await store.db.fetchone(
        "SELECT COUNT(*) AS n FROM training_attempts WHERE user_id = ? AND passed = 1", (MANAGER,)
    )
    assert kept is not None and kept["n"] == 1  # progress kept
    with pytest.raises(NotFound):  # the person no longer sees it
        await store.training.assignment(MANAGER, assignment_id)
    team = await store.training.team(HEAD, team_id)
    assert MANAGER not in [uid for uid, _ in team.people] and team.assignments == ()


async def test_hygiene_for_the_owners_digest(store: Store) -> None:
    team_id = await _team(store)
    await _pass(store, HEAD, team_id, "funnels", T0 - WEEK)  # before the period
    assignment_id = await _assign(store, team_id, ["needs", "lpr", "closing"])  # due 7, 14, 21 December
    await _pass(store, MANAGER, team_id, "needs", T0 + timedelta(days=8))
    await _pass(store, MANAGER, team_id, "needs", T0 + timedelta(days=9))  # passed again: counted once
    await _pass(store, HEAD, team_id, "crm", T0 + timedelta(days=10))
    await _pass(store, HEAD, team_id, "funnels", T0 + timedelta(days=10))  # first passed before the period

    since, until = T0 + WEEK - timedelta(hours=3), T0 + 2 * WEEK  # 7 and 14 December (07:00 UTC) are due
    assert await store.training.hygiene(team_id, since, until) == TrainingHygiene(
        modules_passed=2, people_passed=2, assigned_due=2, assigned_done=1
    )
    assert (await store.training.hygiene(team_id, since, until)).assigned_missed == 1
    assert assignment_id
    # Another team's figures are its own.
    other = await store.teams.create(OTHER, "Другой", "Europe/Moscow", T0)
    assert await store.training.hygiene(other.id, since, until) == TrainingHygiene(0, 0, 0, 0)
