import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from domain.errors import AccessDenied
from domain.models import Team
from storage import Store, open_store

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
HEAD = 1


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await open_store(tmp_path / "bot.sqlite3")
    await s.users.upsert_seen(HEAD, "Head", None)
    yield s
    await s.close()


@pytest.fixture
async def team(store: Store) -> Team:
    return await store.teams.create(HEAD, "T", "Europe/Moscow", T0)


async def test_snapshots_newest_first_with_limit(store: Store, team: Team) -> None:
    ids = []
    for week in range(3):
        metrics = json.dumps({"revenue": 1000 * (week + 1)})
        start = date(2024, 4, 1) + timedelta(weeks=week)
        ids.append(
            await store.snapshots.save(
                HEAD, team.id, start, start + timedelta(days=6), metrics, T0 + timedelta(weeks=week)
            )
        )
    latest = await store.snapshots.latest(HEAD, team.id, limit=2)
    assert [s.id for s in latest] == [ids[2], ids[1]]
    newest = latest[0]
    assert (newest.period_start, newest.period_end) == (date(2024, 4, 15), date(2024, 4, 21))
    assert (newest.created_by, newest.created_at) == (HEAD, T0 + timedelta(weeks=2))
    assert json.loads(newest.metrics_json) == {"revenue": 3000}


async def test_snapshot_without_period_and_bad_json(store: Store, team: Team) -> None:
    snap_id = await store.snapshots.save(HEAD, team.id, None, None, "{}", T0)
    [only] = await store.snapshots.latest(HEAD, team.id)
    assert (only.id, only.period_start, only.period_end) == (snap_id, None, None)
    with pytest.raises(ValueError):
        await store.snapshots.save(HEAD, team.id, None, None, "{not json", T0)


async def test_column_mapping_is_remembered_and_replaced(store: Store, team: Team) -> None:
    assert await store.mappings.get(HEAD, team.id, "sig-1") is None
    await store.mappings.save(HEAD, team.id, "sig-1", {"amount": "Сумма", "manager": "Ответственный"}, T0)
    assert await store.mappings.get(HEAD, team.id, "sig-1") == {"amount": "Сумма", "manager": "Ответственный"}
    await store.mappings.save(HEAD, team.id, "sig-1", {"amount": "Бюджет"}, T0 + timedelta(days=1))
    assert await store.mappings.get(HEAD, team.id, "sig-1") == {"amount": "Бюджет"}
    assert await store.mappings.get(HEAD, team.id, "sig-2") is None


async def test_all_remembered_layouts_of_a_team_come_together(store: Store, team: Team) -> None:
    await store.mappings.save(HEAD, team.id, "sig-1", {"amount": "Сумма"}, T0)
    await store.mappings.save(HEAD, team.id, "sig-2", {"stage": ""}, T0)
    other = await store.teams.create(HEAD, "Other", "Europe/Moscow", T0)
    await store.mappings.save(HEAD, other.id, "sig-3", {"amount": "Бюджет"}, T0)
    assert await store.mappings.for_team(HEAD, team.id) == {"sig-1": {"amount": "Сумма"}, "sig-2": {"stage": ""}}
    await store.users.upsert_seen(2, "Stranger", None)
    with pytest.raises(AccessDenied):
        await store.mappings.for_team(2, team.id)


async def test_plans_set_replace_list_delete(store: Store, team: Team) -> None:
    await store.plans.set(HEAD, team.id, "Иванов", "2024-05", 1_000_000)
    await store.plans.set(HEAD, team.id, "Петрова", "2024-05", 750_000.5)
    await store.plans.set(HEAD, team.id, "Иванов", "2024-05", 1_200_000)
    await store.plans.set(HEAD, team.id, "Иванов", "2024-06", 0)
    assert await store.plans.for_team(HEAD, team.id) == {
        ("Иванов", "2024-05"): 1_200_000.0,
        ("Петрова", "2024-05"): 750_000.5,
        ("Иванов", "2024-06"): 0.0,
    }
    assert await store.plans.delete(HEAD, team.id, "Иванов", "2024-06") is True
    assert await store.plans.delete(HEAD, team.id, "Иванов", "2024-06") is False
    assert set(await store.plans.for_team(HEAD, team.id)) == {("Иванов", "2024-05"), ("Петрова", "2024-05")}


@pytest.mark.parametrize(
    ("month", "amount"), [("2024-13", 1.0), ("2024-5", 1.0), ("май", 1.0), ("2024-05", -1.0), ("2024-05", float("nan"))]
)
async def test_plans_refuse_bad_values(store: Store, team: Team, month: str, amount: float) -> None:
    with pytest.raises(ValueError):
        await store.plans.set(HEAD, team.id, "Иванов", month, amount)
    assert await store.plans.for_team(HEAD, team.id) == {}


async def test_failures_recorded_newest_first(store: Store) -> None:
    await store.failures.record(10, "sendMessage", "Forbidden: bot was blocked by the user", T0)
    await store.failures.record(None, "getUpdates", "x" * 5000, T0 + timedelta(seconds=5))
    await store.failures.record(11, "sendPhoto", "Bad Request", T0 + timedelta(seconds=10))
    recent = await store.failures.recent(2)
    assert [(f.chat_id, f.method) for f in recent] == [(11, "sendPhoto"), (None, "getUpdates")]
    assert len(recent[1].error) == 1000  # truncated: an error is a hint, not a log
    assert recent[0].created_at == T0 + timedelta(seconds=10)
