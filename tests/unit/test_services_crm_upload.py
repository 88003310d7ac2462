"""The CRM export use case with an in-process pool that counts its calls (the engine itself is real)."""

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest

from analytics.schema import Field, ReadErrorCode, ReadLimits
from domain.models import Team
from services.crm_upload import Analysed, ColumnNeeded, Unreadable, analyse_export, remember_choices
from storage import Store, open_store

T = TypeVar("T")
T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
HEAD = 1
# Two money columns and no header that says "amount": the head has to pick one.
AMBIGUOUS = (
    "Сделка;Этап сделки;Менеджер;Показатель А;Показатель Б;Дата создания\r\n"
    "Поставка 1;Успешно реализовано;Иванов;120 000;15 000;01.03.2026\r\n"
    "Поставка 2;Закрыто и не реализовано;Петров;80 000;9 000;05.03.2026\r\n"
    "Поставка 3;Переговоры;Иванов;50 000;7 500;10.03.2026\r\n"
    "Поставка 4;Успешно реализовано;Петров;200 000;30 000;12.03.2026\r\n"
).encode()


class CountingPool:
    """Runs the function in this process and counts the calls; the real pool only adds a worker process."""

    def __init__(self) -> None:
        self.calls = 0

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        self.calls += 1
        return fn(*args, **kwargs)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await open_store(tmp_path / "coach.db")
    await s.users.upsert_seen(HEAD, "Head", None, T0)
    yield s
    await s.close()


@pytest.fixture
async def team(store: Store) -> Team:
    return await store.teams.create(HEAD, "Север", "Europe/Moscow", T0)


async def _upload(
    store: Store, pool: CountingPool, team: Team, path: Path, choices: dict[str, str] | None = None
) -> Analysed | ColumnNeeded | Unreadable:
    return await analyse_export(
        store,
        pool,
        actor_id=HEAD,
        team_id=team.id,
        path=path,
        file_name=path.name,
        choices=choices or {},
        limits=ReadLimits(),
        locale="ru",
        now=T0,
    )


async def test_ambiguous_layout_is_asked_then_a_remembered_one_is_analysed_in_one_call(
    store: Store, team: Team, tmp_path: Path
) -> None:
    path = tmp_path / "выгрузка.csv"
    path.write_bytes(AMBIGUOUS)
    pool = CountingPool()

    asked = await _upload(store, pool, team, path)
    assert isinstance(asked, ColumnNeeded)
    assert (asked.field, asked.candidates) == (Field.AMOUNT, ("Показатель А", "Показатель Б"))
    assert pool.calls == 1
    assert await store.snapshots.latest(HEAD, team.id) == []  # nothing is kept before the figures can be trusted

    await remember_choices(store, HEAD, team.id, asked.signature, {"amount": "Показатель А"}, T0)
    pool.calls = 0
    again = await _upload(store, pool, team, path)  # a new file with the same columns, no choice of its own
    assert isinstance(again, Analysed)
    assert pool.calls == 1  # the remembered choice went into the one analysis, not into a second one
    assert "320\u00a0000" in again.summary_html  # won: 120 000 + 200 000 from "Показатель А"
    [snapshot] = await store.snapshots.latest(HEAD, team.id)
    assert snapshot.id == again.snapshot_id
    assert (await store.reports.get(HEAD, again.snapshot_id)).startswith(b"PK")


async def test_no_such_column_is_a_choice_too(store: Store, team: Team, tmp_path: Path) -> None:
    path = tmp_path / "выгрузка.csv"
    path.write_bytes(AMBIGUOUS)
    pool = CountingPool()
    outcome = await _upload(store, pool, team, path, {"amount": ""})
    assert isinstance(outcome, Analysed) and pool.calls == 1


async def test_a_remembered_header_the_file_lacks_is_asked_again(store: Store, team: Team, tmp_path: Path) -> None:
    path = tmp_path / "выгрузка.csv"
    path.write_bytes(AMBIGUOUS)
    pool = CountingPool()
    asked = await _upload(store, pool, team, path)
    assert isinstance(asked, ColumnNeeded)
    await remember_choices(store, HEAD, team.id, asked.signature, {"amount": "Сумма"}, T0)
    assert isinstance(await _upload(store, pool, team, path), ColumnNeeded)


async def test_a_file_that_is_not_a_table_gets_its_error_code(store: Store, team: Team, tmp_path: Path) -> None:
    path = tmp_path / "отчёт.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    outcome = await _upload(store, CountingPool(), team, path)
    assert outcome == Unreadable(ReadErrorCode.NOT_TABLE)
    assert await store.snapshots.latest(HEAD, team.id) == []
