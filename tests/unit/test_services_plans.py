from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.models import Team
from services.plans import ManagerPlan, save_plans, save_typed_plans, upcoming_plans
from storage import Store, open_store
from tests.fakes.clock import FakeClock

HEAD = 1
# 31 May 22:30 UTC is already 1 June in Vladivostok (UTC+10): the team's calendar decides the month.
MAY_END_UTC = datetime(2026, 5, 31, 22, 30, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await open_store(tmp_path / "coach.db")
    await s.users.upsert_seen(HEAD, "Head", None, MAY_END_UTC)
    yield s
    await s.close()


@pytest.fixture
async def team(store: Store) -> Team:
    return await store.teams.create(HEAD, "Восток", "Asia/Vladivostok", MAY_END_UTC)


async def test_many_plans_are_saved_together_or_not_at_all(store: Store, team: Team) -> None:
    assert await save_plans(store, HEAD, team.id, {("Иванов", "2026-06"): 100.0, ("Петрова", "2026-06"): 200.0}) == 2
    with pytest.raises(ValueError):  # the second line is refused by the repository: the first is rolled back
        await save_plans(store, HEAD, team.id, {("Сидоров", "2026-06"): 300.0, ("Козлов", "2026-06"): -1.0})
    assert await store.plans.for_team(HEAD, team.id) == {("Иванов", "2026-06"): 100.0, ("Петрова", "2026-06"): 200.0}


async def test_typed_plans_take_the_teams_month_from_the_clock(store: Store, team: Team) -> None:
    clock = FakeClock(MAY_END_UTC)
    parsed = await save_typed_plans(store, HEAD, team.id, "Иванов; 1 000 000\nчепуха", clock.now())
    assert parsed.bad_lines == (2,)
    assert await store.plans.for_team(HEAD, team.id) == {("Иванов", "2026-06"): 1_000_000.0}


async def test_upcoming_plans_start_at_the_teams_current_month(store: Store, team: Team) -> None:
    plans = {("Петрова", "2026-07"): 3.0, ("Иванов", "2026-05"): 1.0, ("Иванов", "2026-07"): 2.0}
    await save_plans(store, HEAD, team.id, {**plans, ("Козлов", "2026-06"): 4.0})
    clock = FakeClock(MAY_END_UTC)
    upcoming = await upcoming_plans(store, HEAD, team.id, clock.now())
    assert upcoming.month == "2026-06"
    assert upcoming.plans == (
        ManagerPlan("Козлов", "2026-06", 4.0),
        ManagerPlan("Иванов", "2026-07", 2.0),
        ManagerPlan("Петрова", "2026-07", 3.0),
    )
    clock.advance(timedelta(days=31))
    later = await upcoming_plans(store, HEAD, team.id, clock.now())
    assert later.month == "2026-07" and [plan.month for plan in later.plans] == ["2026-07", "2026-07"]


async def test_plans_lists_the_months_just_closed_too(store: Store, team: Team) -> None:
    # The team's month is 2026-06: 2026-03..05 are the three months just closed, 2026-02 is older.
    plans = {("Иванов", "2026-02"): 1.0, ("Иванов", "2026-03"): 2.0, ("Петрова", "2026-05"): 3.0}
    await save_plans(store, HEAD, team.id, {**plans, ("Козлов", "2026-06"): 4.0})
    upcoming = await upcoming_plans(store, HEAD, team.id, FakeClock(MAY_END_UTC).now())
    assert upcoming.previous_month == "2026-05"
    assert upcoming.past == (ManagerPlan("Иванов", "2026-03", 2.0), ManagerPlan("Петрова", "2026-05", 3.0))
    assert upcoming.plans == (ManagerPlan("Козлов", "2026-06", 4.0),)
