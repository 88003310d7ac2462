"""Training modules as pure logic: progress through a module, the first answer counts, the pass mark, the weekly
schedule of an assignment (in order, skipping what is passed) and the team's progress."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from domain.schedules import Frequency, Rule
from domain.training import (
    PASS_MARK,
    Assignment,
    AssignmentItem,
    AssignmentState,
    NothingToAssign,
    Step,
    StepKind,
    TrainingHygiene,
    first_answers,
    next_step,
    plan_assignment,
    score,
    team_progress,
)

MOSCOW = "Europe/Moscow"
# Monday 30 November 2026, 12:00 in Moscow.
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
MONDAY_10 = Rule(Frequency.WEEKLY, at=time(10, 0), start=date(2026, 11, 30), weekdays=(0,))


# --- progress through a module -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("screens_read", "answers", "expected"),
    [
        (0, {}, Step(StepKind.SCREEN, 0)),
        (2, {}, Step(StepKind.SCREEN, 2)),
        (3, {}, Step(StepKind.QUESTION, 0)),
        (3, {0: 1}, Step(StepKind.QUESTION, 1)),
        (3, {0: 1, 2: 0}, Step(StepKind.QUESTION, 1)),  # a skipped question comes first
        (3, {0: 1, 1: 0, 2: 2}, Step(StepKind.RESULT)),
    ],
)
def test_next_step(screens_read: int, answers: dict[int, int], expected: Step) -> None:
    assert next_step(3, screens_read, answers) == expected


def test_a_question_answered_twice_keeps_the_first_answer() -> None:
    assert first_answers([(0, 2), (1, 0), (0, 1), (0, 0)]) == {0: 2, 1: 0}


@pytest.mark.parametrize(
    ("answers", "right", "passed"),
    [
        ({0: 0, 1: 1, 2: 2}, 3, True),
        ({0: 0, 1: 1, 2: 0}, 2, True),  # the pass mark: 2 of 3
        ({0: 0, 1: 0, 2: 0}, 1, False),
        ({}, 0, False),
    ],
)
def test_score_and_pass_mark(answers: dict[int, int], right: int, passed: bool) -> None:
    result = score((0, 1, 2), answers)
    assert (result.right, result.total, result.passed) == (right, 3, passed)
    assert PASS_MARK == 2


def test_a_double_tap_changes_no_score() -> None:
    taps = [(0, 0), (0, 1), (1, 1), (2, 2), (2, 0)]
    assert score((0, 1, 2), first_answers(taps)).right == 3


# --- the schedule of an assignment ---------------------------------------------------------------------------------


def test_one_module_a_week_in_order() -> None:
    plan = plan_assignment(["a", "b", "c"], [], MONDAY_10, MOSCOW, NOW)
    assert [p.module_key for p in plan] == ["a", "b", "c"]
    # 10:00 Monday in Moscow has passed at 12:00: the first is next Monday, then weekly.
    assert [p.due_at for p in plan] == [
        datetime(2026, 12, 7, 7, 0, tzinfo=UTC),
        datetime(2026, 12, 14, 7, 0, tzinfo=UTC),
        datetime(2026, 12, 21, 7, 0, tzinfo=UTC),
    ]


def test_passed_modules_are_skipped_and_the_rest_keep_the_weekly_pace() -> None:
    plan = plan_assignment(["a", "b", "c", "d"], {"b", "x"}, MONDAY_10, MOSCOW, NOW)
    assert [p.module_key for p in plan] == ["a", "c", "d"]
    assert plan[1].due_at == datetime(2026, 12, 14, 7, 0, tzinfo=UTC)


def test_a_time_still_ahead_today_starts_today() -> None:
    rule = Rule(Frequency.WEEKLY, at=time(15, 0), start=date(2026, 11, 30), weekdays=(0,))
    plan = plan_assignment(["a"], [], rule, MOSCOW, NOW)
    assert plan[0].due_at == datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_repeated_keys_are_planned_once() -> None:
    assert [p.module_key for p in plan_assignment(["a", "a", "b"], [], MONDAY_10, MOSCOW, NOW)] == ["a", "b"]


def test_nothing_to_assign_when_everything_is_passed() -> None:
    with pytest.raises(NothingToAssign):
        plan_assignment(["a", "b"], {"a", "b"}, MONDAY_10, MOSCOW, NOW)


def _assignment(user_id: int, done: set[str], state: AssignmentState = AssignmentState.ACTIVE) -> Assignment:
    items = tuple(AssignmentItem(key, NOW, NOW if key in done else None) for key in ("a", "b", "c"))
    return Assignment(1, 10, user_id, 99, state, MONDAY_10, MOSCOW, NOW, items)


def test_the_current_module_is_the_first_not_passed() -> None:
    assert _assignment(1, set()).current == "a"
    assert _assignment(1, {"a", "c"}).current == "b"  # ahead of the plan: simply the next open one
    assert _assignment(1, {"a", "b", "c"}).current is None
    assert _assignment(1, {"a", "c"}).completed == 2


# --- the team -------------------------------------------------------------------------------------------------------


def test_team_progress_lists_who_passed_what_in_content_order() -> None:
    progress = team_progress(
        ["a", "b", "c"],
        [(1, "Анна"), (2, "Иван"), (3, "Мария")],
        [(2, "c"), (2, "a"), (1, "b"), (2, "gone")],  # "gone": a module no longer in the content
        [_assignment(2, {"a"}), _assignment(3, set(), AssignmentState.REMOVED)],
    )
    assert [(p.name, p.passed) for p in progress] == [("Анна", ("b",)), ("Иван", ("a", "c")), ("Мария", ())]
    assert progress[1].assignment is not None and progress[1].assignment.current == "b"
    assert progress[2].assignment is None  # only active assignments show


def test_hygiene_counts_missed() -> None:
    assert TrainingHygiene(modules_passed=3, people_passed=2, assigned_due=4, assigned_done=3).assigned_missed == 1
