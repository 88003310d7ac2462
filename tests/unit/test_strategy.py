"""Strategy milestones as pure domain code: horizons and suggested dates, status changes, overdue, reminder moments,
the digest's hygiene counts; and StrategyRepo.hygiene / the owner-left fallback on a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from domain.models import Role
from domain.schedules import Frequency, Rule, next_occurrence
from domain.strategy import (
    ALLOWED_CHANGES,
    SESSION_QUESTIONS,
    DueDateInPast,
    DueDateTooFar,
    Horizon,
    MilestoneStatus,
    MilestoneTitleInvalid,
    SessionAnswer,
    StatusChangeNotAllowed,
    StrategyHygiene,
    StrategySession,
    can_change,
    check_change,
    clean_answer,
    hygiene,
    is_overdue,
    next_statuses,
    quarter_end,
    reminder_plans,
    review_rule,
    suggested_due,
    validate_due,
    validate_title,
)
from storage import Store, open_store

S = MilestoneStatus


# --- horizons and dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "ahead", "end"),
    [
        (date(2026, 11, 30), 0, date(2026, 12, 31)),
        (date(2026, 11, 30), 1, date(2027, 3, 31)),
        (date(2026, 11, 30), 2, date(2027, 6, 30)),
        (date(2026, 11, 30), 4, date(2027, 12, 31)),
        (date(2026, 1, 1), 0, date(2026, 3, 31)),
        (date(2026, 3, 31), 1, date(2026, 6, 30)),
        (date(2026, 4, 1), 1, date(2026, 9, 30)),
        (date(2026, 7, 15), 2, date(2027, 3, 31)),
        (date(2026, 8, 15), 6, date(2028, 3, 31)),
        (date(2027, 12, 31), 4, date(2028, 12, 31)),
    ],
)
def test_quarter_end(day: date, ahead: int, end: date) -> None:
    assert quarter_end(day, ahead) == end


@pytest.mark.parametrize(
    ("horizon", "due"),
    [
        (Horizon.QUARTER, date(2027, 3, 31)),  # the session's quarter is under way: the end of the next one
        (Horizon.HALF_YEAR, date(2027, 6, 30)),
        (Horizon.YEAR, date(2027, 12, 31)),
    ],
)
def test_suggested_due_dates_count_from_the_session_date(horizon: Horizon, due: date) -> None:
    assert suggested_due(horizon, date(2026, 11, 30)) == due


def test_suggested_dates_grow_with_the_horizon_and_are_quarter_ends() -> None:
    for day in (date(2026, 1, 1), date(2026, 5, 17), date(2026, 9, 30), date(2026, 12, 31)):
        dues = [suggested_due(h, day) for h in Horizon]
        assert dues == sorted(dues) and dues[0] > day
        assert all((d + timedelta(days=1)).day == 1 and d.month in (3, 6, 9, 12) for d in dues)


def test_a_due_date_in_the_past_is_refused_today_is_fine() -> None:
    today = date(2026, 11, 30)
    assert validate_due(today, today) == today
    with pytest.raises(DueDateInPast):
        validate_due(today - timedelta(days=1), today)
    with pytest.raises(DueDateTooFar):
        validate_due(date(2040, 1, 1), today)


@pytest.mark.parametrize(
    ("status", "due", "overdue"),
    [
        (S.ON_TRACK, date(2026, 11, 29), True),
        (S.AT_RISK, date(2026, 11, 29), True),
        (S.ON_TRACK, date(2026, 11, 30), False),  # due today: not yet
        (S.DONE, date(2026, 11, 1), False),
        (S.DROPPED, date(2026, 11, 1), False),
    ],
)
def test_overdue_is_an_open_milestone_past_its_date(status: MilestoneStatus, due: date, overdue: bool) -> None:
    assert is_overdue(status, due, date(2026, 11, 30)) is overdue


def test_titles_and_answers_are_cleaned() -> None:
    assert validate_title("  Выйти   в  регион  ") == "Выйти в регион"
    for bad in ("", "   ", "x" * 201):
        with pytest.raises(MilestoneTitleInvalid):
            validate_title(bad)
    assert clean_answer("  B2B-сегмент \n") == "B2B-сегмент"
    assert clean_answer("   ") is None


# --- statuses ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (S.ON_TRACK, S.AT_RISK, True),
        (S.AT_RISK, S.ON_TRACK, True),
        (S.ON_TRACK, S.DONE, True),
        (S.AT_RISK, S.DROPPED, True),
        (S.DONE, S.ON_TRACK, True),  # reopened
        (S.DROPPED, S.ON_TRACK, True),
        (S.ON_TRACK, S.ON_TRACK, False),  # the same status: an old button
        (S.DONE, S.DONE, False),
        (S.DONE, S.AT_RISK, False),
        (S.DONE, S.DROPPED, False),
        (S.DROPPED, S.DONE, False),
    ],
)
def test_status_changes(current: MilestoneStatus, target: MilestoneStatus, allowed: bool) -> None:
    assert can_change(current, target) is allowed
    if allowed:
        assert check_change(current, target) is target
    else:
        with pytest.raises(StatusChangeNotAllowed):
            check_change(current, target)


def test_every_status_can_be_left_and_the_buttons_follow_the_rules() -> None:
    for status in S:
        assert status not in ALLOWED_CHANGES[status]
        assert set(next_statuses(status)) == ALLOWED_CHANGES[status]
    assert next_statuses(S.ON_TRACK) == (S.AT_RISK, S.DONE, S.DROPPED)
    assert next_statuses(S.DONE) == (S.ON_TRACK,)


def test_hygiene_counts_overdue_apart_and_leaves_dropped_out() -> None:
    today = date(2026, 11, 30)
    counted = hygiene(
        [
            (S.ON_TRACK, date(2026, 12, 31)),
            (S.ON_TRACK, date(2026, 11, 30)),
            (S.AT_RISK, date(2027, 3, 31)),
            (S.AT_RISK, date(2026, 11, 1)),  # overdue
            (S.ON_TRACK, date(2026, 10, 1)),  # overdue
            (S.DONE, date(2026, 10, 1)),
            (S.DROPPED, date(2026, 10, 1)),
        ],
        today,
    )
    assert counted == StrategyHygiene(on_track=2, at_risk=1, overdue=2, done=1)
    assert counted.total == 6
    assert hygiene([], today) == StrategyHygiene()


# --- the session ------------------------------------------------------------------------------------------------


def test_the_session_asks_the_article_000_questions_in_order_and_a_skip_counts_as_given() -> None:
    assert SESSION_QUESTIONS == ("vision", "focus", "advantage", "capabilities")
    base = StrategySession(1, 1, 1, date(2026, 11, 30), datetime(2026, 11, 30, tzinfo=UTC), None, ())
    assert base.next_question == "vision"
    answered = StrategySession(
        1, 1, 1, base.day, base.started_at, None, (SessionAnswer("vision", "x"), SessionAnswer("focus", None))
    )
    assert answered.next_question == "advantage"
    assert answered.answer_to("vision") == "x" and answered.answer_to("focus") is None


# --- reminder moments -------------------------------------------------------------------------------------------

MOSCOW = "Europe/Moscow"
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # 10:00 in Moscow


def test_reminders_a_week_and_a_day_before_at_the_owners_workday_start() -> None:
    plans = reminder_plans(date(2026, 12, 31), time(9, 30), MOSCOW, NOW)
    assert [p.days_before for p in plans] == [7, 1]
    assert plans[0].rule == Rule(Frequency.ONCE, at=time(9, 30), start=date(2026, 12, 24))
    assert plans[1].rule == Rule(Frequency.ONCE, at=time(9, 30), start=date(2026, 12, 30))
    assert next_occurrence(plans[0].rule, MOSCOW, NOW) == datetime(2026, 12, 24, 6, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("due", "at", "left"),
    [
        (date(2026, 12, 4), time(9, 0), [1]),  # a week before (27 Nov) has passed
        (date(2026, 12, 7), time(9, 0), [1]),  # a week before is today 9:00: passed at 10:00
        (date(2026, 12, 7), time(11, 0), [7, 1]),  # today 11:00: still ahead
        (date(2026, 12, 1), time(9, 0), []),  # a day before is today 9:00: passed
        (date(2026, 12, 1), time(11, 0), [1]),
        (date(2026, 11, 30), time(9, 0), []),  # due today: nothing left to remind
    ],
)
def test_reminder_moments_already_past_are_skipped(due: date, at: time, left: list[int]) -> None:
    assert [p.days_before for p in reminder_plans(due, at, MOSCOW, NOW)] == left


def test_reminder_moments_follow_the_owners_zone() -> None:
    # 09:00 on 29 Nov... in Vladivostok (UTC+10) 30 Nov 09:00 is 29 Nov 23:00 UTC: already past at NOW.
    plans = reminder_plans(date(2026, 12, 1), time(9, 0), "Asia/Vladivostok", NOW)
    assert plans == ()
    plans = reminder_plans(date(2026, 12, 1), time(9, 0), "America/New_York", NOW)  # 30 Nov 09:00 EST is ahead
    assert [p.days_before for p in plans] == [1]


def test_the_review_is_quarterly_on_the_tenth_at_the_workday_start() -> None:
    rule = review_rule(date(2026, 11, 30), time(9, 0))
    assert rule.frequency is Frequency.QUARTERLY and rule.month_day == 10
    assert next_occurrence(rule, MOSCOW, NOW) == datetime(2027, 1, 10, 6, 0, tzinfo=UTC)


# --- storage: the digest's counts and the owner who left --------------------------------------------------------

HEAD, MEMBER = 11, 12


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(tmp_path / "coach.db")
    yield opened
    await opened.close()


async def _team(store: Store) -> int:
    for user in (HEAD, MEMBER):
        await store.users.upsert_seen(user, f"user{user}", None)
    team = await store.teams.create(HEAD, "Альфа", MOSCOW, NOW)
    invite = await store.invites.create(HEAD, team.id, Role.MEMBER, timedelta(days=7), NOW)
    await store.invites.accept(MEMBER, invite.code, NOW)
    return team.id


async def test_repo_hygiene_counts_the_teams_milestones(store: Store) -> None:
    team_id = await _team(store)
    today = date(2026, 11, 30)
    for title, due in (("a", date(2026, 12, 31)), ("b", date(2027, 3, 31)), ("c", date(2026, 12, 1))):
        await store.strategy.create_milestone(HEAD, team_id, None, Horizon.QUARTER, title, due, HEAD, NOW)
    milestones = await store.strategy.milestones(HEAD, team_id)
    await store.strategy.set_status(HEAD, milestones[0].id, S.AT_RISK, NOW)
    await store.strategy.set_status(HEAD, milestones[1].id, S.DONE, NOW)
    assert await store.strategy.hygiene(team_id, today) == StrategyHygiene(on_track=1, at_risk=1, done=1)
    # A month later the open ones are overdue.
    assert await store.strategy.hygiene(team_id, date(2027, 4, 1)) == StrategyHygiene(overdue=2, done=1)
    assert await store.strategy.hygiene(team_id + 1, today) == StrategyHygiene()


async def test_a_removed_owners_milestones_and_reminders_go_to_the_head(store: Store) -> None:
    team_id = await _team(store)
    milestone = await store.strategy.create_milestone(
        HEAD, team_id, None, Horizon.YEAR, "CRM", date(2027, 12, 31), MEMBER, NOW
    )
    rule = Rule(Frequency.ONCE, at=time(9, 0), start=date(2027, 12, 24))
    reminder = await store.reminders.create_personal(
        MEMBER, team_id, "strategy", "CRM", rule, MOSCOW, NOW, subject_id=milestone.id
    )
    assert await store.teams.remove_member(HEAD, team_id, MEMBER)
    moved = await store.strategy.milestone(HEAD, milestone.id)
    assert moved.owner_id == HEAD and moved.owner_fell_back
    assert (await store.reminders.get(HEAD, reminder.id)).user_id == HEAD


async def test_a_removed_owners_queued_occurrence_is_not_sent_to_them(store: Store) -> None:
    team_id = await _team(store)
    milestone = await store.strategy.create_milestone(
        HEAD, team_id, None, Horizon.YEAR, "CRM", date(2027, 12, 31), MEMBER, NOW
    )
    rule = Rule(Frequency.ONCE, at=time(9, 0), start=date(2026, 12, 1))
    await store.reminders.create_personal(
        MEMBER, team_id, "strategy", "CRM", rule, MOSCOW, NOW, subject_id=milestone.id
    )
    due = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    await store.reminder_queue.materialise_due(due, timedelta(hours=6))  # queued for the member
    await store.teams.remove_member(HEAD, team_id, MEMBER)
    claimed = await store.reminder_queue.claim(due, "test", timedelta(minutes=2), 10, timedelta(hours=6))
    assert claimed == []


async def test_leaving_the_team_with_no_head_left_is_not_blocked_by_the_fallback(store: Store) -> None:
    """The trigger steps aside when no head remains (a team being deleted): nothing fails."""
    team_id = await _team(store)
    await store.strategy.create_milestone(HEAD, team_id, None, Horizon.YEAR, "CRM", date(2027, 12, 31), MEMBER, NOW)
    async with store.db.transaction():
        await store.db.execute("DELETE FROM memberships WHERE team_id = ? AND user_id = ?", (team_id, HEAD))
        await store.db.execute("DELETE FROM memberships WHERE team_id = ? AND user_id = ?", (team_id, MEMBER))
    [row] = await store.db.fetchall("SELECT owner_id, owner_fell_back FROM strategy_milestones")
    assert (row["owner_id"], row["owner_fell_back"]) == (MEMBER, 0)
