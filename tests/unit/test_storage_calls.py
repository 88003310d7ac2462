"""CallReviewRepo on a real SQLite file: actor scoping, the roster (members and typed names, removal keeps the
history), reviews, and the hygiene figures for the owners' digest."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.calls import CriterionScore, Feedback, IsoWeek, RosterFull, TargetOutOfRange, WeekTally
from domain.errors import AccessDenied, NotFound
from domain.models import Role, Team
from services import calls as use
from services.reminders import NoWakeUp
from storage import Store, open_store

HEAD, MEMBER, OTHER_HEAD, OWNER = 1, 2, 3, 4
MOSCOW = "Europe/Moscow"
T0 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Monday 10:00 in Moscow, ISO week 2026-W49
W49 = IsoWeek(2026, 49)
CRITERIA = ("needs", "close")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await open_store(tmp_path / "calls.sqlite3")
    for uid, name in ((HEAD, "Ирина"), (MEMBER, "Иван"), (OTHER_HEAD, "Пётр"), (OWNER, "Олег")):
        await s.users.upsert_seen(uid, name, None)
    yield s
    await s.close()


@pytest.fixture
async def team(store: Store) -> Team:
    team = await store.teams.create(HEAD, "Альфа", MOSCOW, T0)
    for uid, role in ((MEMBER, Role.MEMBER), (OWNER, Role.OWNER)):
        invite = await store.invites.create(HEAD, team.id, role, timedelta(days=1), T0)
        await store.invites.accept(uid, invite.code, T0)
    return team


def _scores(needs: int | None, close: int | None) -> list[CriterionScore]:
    return [CriterionScore("needs", needs, "вопросы"), CriterionScore("close", close)]


async def _review(store: Store, manager_id: int, at: datetime) -> int:
    review = await use.save_review(store, HEAD, manager_id, CRITERIA, _scores(2, 1), "слушал", "", MOSCOW, at)
    return review.id


async def test_setting_up_creates_the_weekly_reminder_once(store: Store, team: Team) -> None:
    plan, created = await use.set_target(store, NoWakeUp(), HEAD, team.id, 4, MOSCOW, "Звонки", T0)
    assert created and plan.weekly_target == 4 and plan.reminder_id is not None
    reminder = await store.reminders.get(HEAD, plan.reminder_id)
    assert (reminder.kind, reminder.subject_id, reminder.rule.weekdays) == ("calls", plan.id, (0,))
    again, created_again = await use.set_target(store, NoWakeUp(), HEAD, team.id, 6, MOSCOW, "Звонки", T0)
    assert not created_again and again.reminder_id == plan.reminder_id and again.weekly_target == 6
    assert [r.kind for r in await store.reminders.list_for(HEAD)] == ["calls"]
    with pytest.raises(TargetOutOfRange):
        await store.calls.save_plan(HEAD, team.id, 0, MOSCOW, T0)


async def test_only_the_head_of_the_team_sees_the_plan(store: Store, team: Team) -> None:
    plan, _ = await use.set_target(store, NoWakeUp(), HEAD, team.id, 4, MOSCOW, "Звонки", T0)
    [ivan] = [await store.calls.toggle_member(HEAD, plan.id, MEMBER, T0)]
    review_id = await _review(store, ivan.id, T0)
    other_team = await store.teams.create(OTHER_HEAD, "Бета", MOSCOW, T0)
    for forged in (
        store.calls.get_plan(OTHER_HEAD, plan.id),
        store.calls.manager(OTHER_HEAD, ivan.id),
        store.calls.review(OTHER_HEAD, review_id),
        store.calls.history(OTHER_HEAD, ivan.id),
        store.calls.get_plan(MEMBER, plan.id),
        store.calls.review(OWNER, review_id),
    ):
        with pytest.raises(NotFound):
            await forged
    with pytest.raises(AccessDenied):
        await store.calls.plan_for(OTHER_HEAD, team.id)
    assert await store.calls.plan_for(OTHER_HEAD, other_team.id) is None


async def test_members_and_typed_names_and_removal_keeps_the_history(store: Store, team: Team) -> None:
    plan, _ = await use.set_target(store, NoWakeUp(), HEAD, team.id, 4, MOSCOW, "Звонки", T0)
    ivan = await store.calls.toggle_member(HEAD, plan.id, MEMBER, T0)
    added = await store.calls.add_names(HEAD, plan.id, ["Мария", "Мария", "Пётр"], T0)
    assert [m.name for m in added] == ["Мария", "Пётр"]
    assert await store.calls.add_names(HEAD, plan.id, ["Мария"], T0) == []  # already listed
    with pytest.raises(NotFound):
        await store.calls.toggle_member(HEAD, plan.id, OWNER, T0)  # an owner is not a manager
    assert ivan.reachable and not added[0].reachable
    await _review(store, ivan.id, T0)

    await store.teams.remove_member(HEAD, team.id, MEMBER)  # removed from the team while in the rotation
    roster = await store.calls.roster(HEAD, plan.id)
    assert [(m.name, m.active) for m in roster] == [("Иван", False), ("Мария", True), ("Пётр", True)]
    assert len(await store.calls.history(HEAD, ivan.id)) == 1  # the review stays

    maria = added[0]
    await store.calls.remove(HEAD, maria.id, T0)
    assert [m.name for m in await store.calls.roster(HEAD, plan.id)] == ["Иван", "Пётр"]
    assert [m.name for m in await store.calls.roster(HEAD, plan.id, include_removed=True)] == ["Иван", "Мария", "Пётр"]


async def test_the_roster_is_bounded(store: Store, team: Team) -> None:
    plan, _ = await use.set_target(store, NoWakeUp(), HEAD, team.id, 4, MOSCOW, "Звонки", T0)
    await store.calls.add_names(HEAD, plan.id, [f"М{n}" for n in range(30)], T0)
    with pytest.raises(RosterFull):
        await store.calls.add_names(HEAD, plan.id, ["Лишний"], T0)


async def test_the_week_lineup_is_announced_once_and_skips_a_removed_manager(store: Store, team: Team) -> None:
    plan, _ = await use.set_target(store, NoWakeUp(), HEAD, team.id, 4, MOSCOW, "Звонки", T0)
    await store.calls.add_names(HEAD, plan.id, ["А", "Б", "В", "Г"], T0)
    first = await use.this_week(store, HEAD, team.id, MOSCOW, T0)
    assert first is not None and len(first.lineup) == 2
    later = await use.this_week(store, HEAD, team.id, MOSCOW, T0 + timedelta(days=4))
    assert later is not None and later.lineup == first.lineup
    await store.calls.remove(HEAD, first.lineup[0].id, T0)
    after = await use.this_week(store, HEAD, team.id, MOSCOW, T0 + timedelta(days=4))
    assert after is not None and first.lineup[0] not in after.lineup
    assert after.lineup[0].id == first.lineup[1].id and len(after.lineup) == 2


async def test_reviews_count_in_their_week_and_feedback_is_recorded(store: Store, team: Team) -> None:
    plan, _ = await use.set_target(store, NoWakeUp(), HEAD, team.id, 2, MOSCOW, "Звонки", T0)
    [anna] = await store.calls.add_names(HEAD, plan.id, ["Анна"], T0)
    review = await use.save_review(store, HEAD, anna.id, CRITERIA, _scores(2, None), "вопросы", "шаг", MOSCOW, T0)
    assert (review.week, review.points, review.max_points, review.feedback) == (W49, 2, 2, Feedback.PRIVATE)
    assert review.scores == (CriterionScore("needs", 2, "вопросы"), CriterionScore("close", None, ""))
    assert (await use.record_feedback(store, HEAD, review.id, Feedback.BLOCKED)).feedback is Feedback.BLOCKED
    # Sunday 23:30 in Moscow is still week 49; Monday 00:30 is week 50.
    await _review(store, anna.id, datetime(2026, 12, 6, 20, 30, tzinfo=UTC))
    await _review(store, anna.id, datetime(2026, 12, 6, 21, 30, tzinfo=UTC))
    assert await store.calls.count_week(HEAD, plan.id, W49) == 2
    assert await store.calls.count_week(HEAD, plan.id, W49.next()) == 1
    assert await store.calls.last_reviewed(HEAD, plan.id, W49.next()) == {anna.id: W49}


async def test_hygiene_counts_listened_calls_against_the_target_per_week(store: Store, team: Team) -> None:
    start, _ = W49.bounds(MOSCOW)
    assert (await store.calls.hygiene(team.id, start, start + timedelta(days=14))).has_plan is False
    plan, _ = await use.set_target(store, NoWakeUp(), HEAD, team.id, 2, MOSCOW, "Звонки", T0)
    [anna, boris] = await store.calls.add_names(HEAD, plan.id, ["Анна", "Борис"], T0)
    for at in (T0, T0 + timedelta(hours=1), T0 + timedelta(days=2), T0 + timedelta(days=7)):
        await _review(store, anna.id, at)
    await _review(store, boris.id, T0 - timedelta(days=7))  # before the period: not counted

    hygiene = await store.calls.hygiene(team.id, start, start + timedelta(days=14))
    assert hygiene.has_plan and hygiene.weekly_target == 2
    assert hygiene.weeks == (WeekTally(W49, 3, 2), WeekTally(W49.next(), 1, 2))
    assert (hygiene.listened, hygiene.target, hygiene.weeks_on_target) == (4, 4, 1)
    # Reviews of another team never count.
    other = await store.teams.create(OTHER_HEAD, "Бета", MOSCOW, T0)
    assert (await store.calls.hygiene(other.id, start, start + timedelta(days=14))).has_plan is False
